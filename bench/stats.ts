/** Small statistics and formatting helpers for the benchmarks. @module */

/** The q-quantile (0…1) of samples, nearest-rank. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median and p99 of samples. */
export function summary(samples: readonly number[]): { p50: number; p99: number } {
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** Times `fn` `count` times in sequence, in milliseconds. */
export async function timeEach(count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** One row of the results table. */
export interface BenchRow {
  metric: string;
  value: number;
  baseline: number | null;
  unit: string;
  /** value / baseline, when both exist. */
  ratio: number | null;
  goal: string;
  pass: boolean;
}

/** Makes a row, computing the ratio. */
export function row(
  metric: string,
  value: number,
  baseline: number | null,
  unit: string,
  goal: string,
  pass: boolean,
): BenchRow {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    metric,
    value: round(value),
    baseline: baseline === null ? null : round(baseline),
    unit,
    ratio: baseline ? round(value / baseline) : null,
    goal,
    pass,
  };
}
