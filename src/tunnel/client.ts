/**
 * The in-process Secure MCP Tunnel client: one long-poll loop against the
 * OpenAI control plane feeding a bounded pool of workers, each running one
 * command through the {@linkcode Dispatcher} and posting its responses.
 *
 * Rules from the contract, kept here as data and code paths:
 * - polls retry network errors, 429 and 5xx with bounded exponential backoff
 *   and jitter, `Retry-After` as a floor; 401/403 need the operator: one
 *   clear log line, then one attempt per `authRetryMs`, never a tight loop;
 * - terminal response POSTs retry network errors, 408, 429, 502, 503, 504;
 *   notification POSTs only 429 (a replay could enqueue one twice); a 404
 *   means already fulfilled: the command is done;
 * - a command's deadline is anchored when its poll response arrived; an
 *   expired command is dropped unseen and nothing is ever posted late.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import { SERVER_INFO } from "../version.ts";
import type { Dispatcher } from "./dispatch.ts";
import {
  CLIENT_INSTANCE_HEADER,
  CLIENT_NAME_HEADER,
  CLIENT_VERSION_HEADER,
  type DispatchOutput,
  isTerminal,
  MAX_POLL_LIMIT,
  MCP_SERVER_INFO,
  MCP_SERVER_INFO_HEADER,
  parsePollResponse,
  parseResponseTimeout,
  parseRetryAfter,
  type PolledCommand,
  SHARD_TOKEN_HEADER,
  tunnelPaths,
  type TunnelResponseBody,
} from "./protocol.ts";

/** Retry timings; every field injectable so tests run fast. */
export interface RetryPolicy {
  /** First backoff delay. @default 1000 */
  initialMs: number;
  /** Largest backoff delay. @default 30000 */
  maxMs: number;
  /** Growth per consecutive failure. @default 2 */
  factor: number;
  /** Random share added on top of each delay (0..1). @default 0.2 */
  jitter: number;
  /** Longest `Retry-After` honoured. @default 300000 */
  maxRetryAfterMs: number;
  /** Wait between attempts after a 401/403 (or another refusal only the operator can fix). @default 60000 */
  operatorRetryMs: number;
  /** Attempts of one terminal response POST without a deadline. @default 6 */
  maxPostAttempts: number;
}

/** The defaults of {@linkcode RetryPolicy}. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  initialMs: 1000,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
  maxRetryAfterMs: 300_000,
  operatorRetryMs: 60_000,
  maxPostAttempts: 6,
});

/** Options for {@linkcode TunnelClient}. */
export interface TunnelClientOptions {
  /** Control plane origin, e.g. `https://api.openai.com`. */
  baseUrl: string;
  tunnelId: string;
  /** The tunnel's runtime API key; sent only in `Authorization`, never logged. */
  apiKey: string;
  dispatch: Dispatcher;
  log: Logger;
  /** Commands run at once. @default 16 */
  concurrency?: number;
  /** Long-poll wait asked of the control plane. @default 15000 */
  pollTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Jitter source. @default Math.random */
  random?: () => number;
}

/** What `bridge_status` and the start line show of the tunnel. */
export interface TunnelStatus {
  tunnelId: string;
  /** `connecting` until the first poll answers; `refused` after 401/403 (operator action needed). */
  state: "connecting" | "connected" | "retrying" | "refused" | "stopped";
  connected: boolean;
  /** When the last poll was answered (ISO 8601). */
  lastPollAt?: string;
  /** Commands answered with a terminal response (or found already fulfilled). */
  commandsServed: number;
  inFlight: number;
  /** The last problem, in words that carry no key. */
  lastError?: string;
  /** Tunnel name from its metadata, when fetched. */
  name?: string;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** See the module doc. */
export class TunnelClient {
  readonly #o: TunnelClientOptions;
  readonly #retry: RetryPolicy;
  readonly #paths: ReturnType<typeof tunnelPaths>;
  readonly #concurrency: number;
  /** Aborts the poll loop and its sleeps. */
  readonly #stopPolling = new AbortController();
  /** Aborts in-flight commands once the shutdown grace is over. */
  readonly #stopCommands = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #queue: (() => Promise<void>)[] = [];
  #slotFreed?: () => void;
  #loop?: Promise<void>;
  readonly #firstContact = Promise.withResolvers<void>();
  #failures = 0;
  #status: TunnelStatus;
  readonly #instanceId = crypto.randomUUID();

  constructor(options: TunnelClientOptions) {
    this.#o = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#paths = tunnelPaths(options.tunnelId);
    this.#concurrency = Math.max(1, options.concurrency ?? 16);
    this.#status = {
      tunnelId: options.tunnelId,
      state: "connecting",
      connected: false,
      commandsServed: 0,
      inFlight: 0,
    };
  }

  /** Starts polling (once). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** A snapshot for `bridge_status`. */
  status(): TunnelStatus {
    return { ...this.#status, inFlight: this.#running.size + this.#queue.length };
  }

  /**
   * Stops polling, lets in-flight commands finish for up to `graceMs`, then
   * aborts the rest (they post nothing).
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopPolling.abort();
    this.#queue.length = 0;
    await this.#loop;
    const all = Promise.all(this.#running);
    const timer = setTimeout(() => this.#stopCommands.abort(), graceMs);
    await all;
    clearTimeout(timer);
    this.#stopCommands.abort();
    this.#status.state = "stopped";
    this.#status.connected = false;
  }

  #headers(extra: Record<string, string> = {}): Headers {
    return new Headers({
      authorization: `Bearer ${this.#o.apiKey}`,
      [CLIENT_NAME_HEADER]: SERVER_INFO.name,
      [CLIENT_VERSION_HEADER]: SERVER_INFO.version,
      [MCP_SERVER_INFO_HEADER]: MCP_SERVER_INFO,
      [CLIENT_INSTANCE_HEADER]: this.#instanceId,
      ...extra,
    });
  }

  #url(path: string, query?: Record<string, string>): string {
    const url = new URL(path, this.#o.baseUrl);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url.href;
  }

  /** Backoff after `failures` consecutive failures, with jitter; `Retry-After` is a floor. */
  #delay(failures: number, retryAfter?: number): number {
    const { initialMs, maxMs, factor, jitter } = this.#retry;
    const base = Math.min(maxMs, initialMs * factor ** Math.max(0, failures - 1));
    return Math.max(base * (1 + jitter * (this.#o.random ?? Math.random)()), retryAfter ?? 0);
  }

  #problem(what: string, state: TunnelStatus["state"]): void {
    const changed = this.#status.lastError !== what || this.#status.state !== state;
    this.#status.lastError = what;
    this.#status.state = state;
    this.#status.connected = false;
    if (!changed) return;
    if (state === "refused") {
      // The one clear line an operator needs; repeats stay quiet until something changes.
      const every = Math.round(this.#retry.operatorRetryMs / 1000);
      this.#o.log.error(`tunnel stopped: ${what}; retrying once every ${every} s`, { tunnelId: this.#o.tunnelId });
    } else {
      this.#o.log.warn(`tunnel control plane unavailable: ${what}; retrying with backoff`, {
        tunnelId: this.#o.tunnelId,
      });
    }
  }

  /**
   * Resolves once the first contact with the control plane has an outcome
   * (or after `timeoutMs`), so the start line can say whether the key works.
   */
  async ready(timeoutMs: number): Promise<TunnelStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#firstContact.promise, new Promise((resolve) => timer = setTimeout(resolve, timeoutMs))]);
    clearTimeout(timer);
    return this.status();
  }

  /** Fetches the tunnel's metadata: startup diagnostics, and a quick check of the key before the long poll. */
  async #metadata(): Promise<"ok" | "refused" | "unknown"> {
    try {
      const response = await fetch(this.#url(this.#paths.metadata), {
        headers: this.#headers(),
        signal: AbortSignal.any([this.#stopPolling.signal, AbortSignal.timeout(30_000)]),
      });
      if (response.ok) {
        const body = await response.json().catch(() => ({}));
        if (typeof body?.name === "string") this.#status.name = body.name;
        this.#status.state = "connected";
        this.#status.connected = true;
        this.#o.log.info("tunnel found", { tunnelId: this.#o.tunnelId, name: this.#status.name });
        return "ok";
      }
      await response.body?.cancel();
      if (response.status === 401 || response.status === 403) {
        this.#problem(this.#refusal(response.status), "refused");
        return "refused";
      }
    } catch {
      // Diagnostics only: the poll loop reports what matters.
    }
    return "unknown";
  }

  #refusal(status: number): string {
    return status === 401 || status === 403
      ? `the control plane refused the API key (HTTP ${status}); check CONTROL_PLANE_API_KEY and the key's tunnel permissions`
      : `the control plane refused the tunnel id (HTTP ${status}); check --tunnel-id`;
  }

  async #run(): Promise<void> {
    const stop = this.#stopPolling.signal;
    const first = await this.#metadata();
    this.#firstContact.resolve();
    if (first === "refused") await sleep(this.#retry.operatorRetryMs, stop);
    while (!stop.aborted) {
      await this.#freeSlot();
      if (stop.aborted) break;
      const limit = Math.min(MAX_POLL_LIMIT, this.#concurrency - this.#running.size);
      const timeoutMs = this.#o.pollTimeoutMs ?? 15_000;
      let response: Response;
      try {
        response = await fetch(
          this.#url(this.#paths.poll, { limit: String(Math.max(1, limit)), timeout_ms: String(timeoutMs) }),
          // The service bounds its wait; ours is a safety net for a connection that hangs.
          { headers: this.#headers(), signal: AbortSignal.any([stop, AbortSignal.timeout(timeoutMs + 30_000)]) },
        );
      } catch (error) {
        if (stop.aborted) break;
        this.#failures++;
        this.#problem(
          `poll failed (${(error as Error).name === "TimeoutError" ? "timed out" : "network error"})`,
          "retrying",
        );
        await sleep(this.#delay(this.#failures), stop);
        continue;
      }
      // One receipt time for every command of this response, taken before the body is read.
      const receivedAt = performance.now();
      const receivedWall = Date.now();
      if (response.status === 200 || response.status === 204) {
        const commands = response.status === 200 ? await this.#commandsOf(response) : [];
        if (response.status === 204) await response.body?.cancel();
        this.#connected();
        for (const command of commands) this.#submit(command, receivedAt, receivedWall);
        continue;
      }
      await response.body?.cancel();
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"), Date.now(), this.#retry.maxRetryAfterMs);
      if (response.status === 429 || response.status >= 500) {
        this.#failures++;
        this.#problem(`poll answered HTTP ${response.status}`, "retrying");
        await sleep(this.#delay(this.#failures, retryAfter), stop);
        continue;
      }
      // 401/403 (a wrong or revoked key), 400/404 (a wrong tunnel id): only the operator can fix these.
      this.#problem(this.#refusal(response.status), "refused");
      await sleep(this.#retry.operatorRetryMs, stop);
    }
  }

  /** The well-formed commands of a `200` poll response; malformed items are logged and skipped. */
  async #commandsOf(response: Response): Promise<PolledCommand[]> {
    try {
      const items = parsePollResponse(await response.json());
      return items.flatMap((item) => {
        if (item.ok) return [item.command];
        this.#o.log.warn("tunnel command malformed, skipped", { requestId: item.requestId, problem: item.problem });
        return [];
      });
    } catch (error) {
      this.#o.log.warn("tunnel poll response unreadable", { error: (error as Error).message });
      return [];
    }
  }

  #connected(): void {
    if (this.#status.state !== "connected") {
      this.#o.log.info("tunnel connected", { tunnelId: this.#o.tunnelId });
    }
    this.#failures = 0;
    this.#status.state = "connected";
    this.#status.connected = true;
    this.#status.lastPollAt = new Date().toISOString();
  }

  /** Resolves once a worker slot is free (at once if one is). */
  #freeSlot(): Promise<void> {
    if (this.#running.size + this.#queue.length < this.#concurrency) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#slotFreed = resolve;
    const onStop = () => resolve();
    this.#stopPolling.signal.addEventListener("abort", onStop, { once: true });
    return promise.finally(() => this.#stopPolling.signal.removeEventListener("abort", onStop));
  }

  #submit(command: PolledCommand, receivedAt: number, receivedWall: number): void {
    const timeout = parseResponseTimeout(command.response_timeout);
    this.#queue.push(() => this.#process(command, timeout, receivedAt, receivedWall));
    this.#drain();
  }

  #drain(): void {
    while (this.#running.size < this.#concurrency && this.#queue.length > 0) {
      const task = this.#queue.shift()!;
      const run: Promise<void> = task().catch((error) => {
        this.#o.log.error("tunnel worker failed", { error });
      }).finally(() => {
        this.#running.delete(run);
        this.#drain();
        this.#slotFreed?.();
        this.#slotFreed = undefined;
      });
      this.#running.add(run);
    }
  }

  async #process(command: PolledCommand, timeout: number | undefined, receivedAt: number, receivedWall: number) {
    const remaining = timeout === undefined ? undefined : receivedAt + timeout - performance.now();
    if (remaining !== undefined && remaining <= 0) {
      this.#o.log.debug("tunnel command expired before it ran, dropped", { requestId: command.request_id });
      return;
    }
    const signal = remaining === undefined
      ? this.#stopCommands.signal
      : AbortSignal.any([this.#stopCommands.signal, AbortSignal.timeout(remaining)]);
    const deadline = timeout === undefined ? undefined : receivedWall + timeout;
    let notifying = true;
    for await (const output of this.#o.dispatch(command, { deadline, signal })) {
      if (signal.aborted) break;
      const terminal = isTerminal(output.resp_type);
      if (!terminal && !notifying) continue;
      const delivered = await this.#post(command, output, signal, terminal);
      if (terminal) {
        if (delivered) this.#status.commandsServed++;
        return;
      }
      // Notifications are best effort: after one fails, skip the rest but still deliver the result.
      if (!delivered) notifying = false;
    }
    if (signal.aborted) {
      this.#o.log.warn("tunnel command passed its deadline, nothing posted", { requestId: command.request_id });
    }
  }

  /** Posts one response; true when the control plane took it (or already had it: 404). */
  async #post(command: PolledCommand, output: DispatchOutput, signal: AbortSignal, terminal: boolean) {
    const body: TunnelResponseBody = {
      request_id: command.request_id,
      ...(command.channel !== undefined ? { channel: command.channel } : {}),
      ...output,
    };
    const text = JSON.stringify(body);
    const retryable = terminal ? [408, 429, 502, 503, 504] : [429];
    const attempts = this.#retry.maxPostAttempts;
    for (let attempt = 1; attempt <= attempts && !signal.aborted; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.#url(this.#paths.response), {
          method: "POST",
          headers: this.#headers({ "content-type": "application/json", [SHARD_TOKEN_HEADER]: command.shard_token }),
          body: text,
          signal,
        });
      } catch (error) {
        if (signal.aborted || !terminal) return false;
        this.#o.log.debug("tunnel response POST failed", { requestId: command.request_id, error });
        await sleep(this.#delay(attempt), signal);
        continue;
      }
      await response.body?.cancel();
      if (response.ok) return true;
      if (response.status === 404) {
        this.#o.log.debug("tunnel command already fulfilled", { requestId: command.request_id });
        return true;
      }
      if (!retryable.includes(response.status)) {
        this.#o.log.warn("tunnel response refused", { requestId: command.request_id, status: response.status });
        if (response.status === 401 || response.status === 403) {
          this.#problem(this.#refusal(response.status), "refused");
        }
        return false;
      }
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"), Date.now(), this.#retry.maxRetryAfterMs);
      await sleep(this.#delay(attempt, retryAfter), signal);
    }
    return false;
  }
}
