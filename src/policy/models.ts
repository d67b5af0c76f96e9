/**
 * Which model and reasoning effort a turn may use: what Codex offers
 * (app-server `model/list`), narrowed by the owner's ceiling (`--models`,
 * `--max-reasoning-effort`). A request outside it is refused with the
 * allowed choices; no request leaves Codex's own default in force.
 *
 * @module
 */
import { PolicyError } from "../errors.ts";
import type { ModelChoice } from "../upstream/types.ts";

/** Reasoning efforts from least to most, as Codex names them. */
export const EFFORT_ORDER = ["none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra"] as const;

/** The owner's limits. */
export interface ModelCeiling {
  /** Models the owner allows; empty: every model Codex offers. */
  models: readonly string[];
  /** Highest effort allowed; undefined: any Codex offers. */
  maxReasoningEffort?: string;
}

/** What a turn runs with; undefined fields: Codex's default. */
export interface ModelDecision {
  model?: string;
  reasoningEffort?: string;
}

/** Whether `effort` is within the ceiling (an effort of unknown rank is not, when a ceiling is set). */
function effortAllowed(effort: string, max: string | undefined): boolean {
  if (max === undefined) return true;
  const rank = EFFORT_ORDER.indexOf(effort as typeof EFFORT_ORDER[number]);
  return rank >= 0 && rank <= EFFORT_ORDER.indexOf(max as typeof EFFORT_ORDER[number]);
}

/** The choices left once the owner's ceiling is applied to what Codex offers. */
export function allowedModels(offered: readonly ModelChoice[], ceiling: ModelCeiling): ModelChoice[] {
  return offered
    .filter((choice) => ceiling.models.length === 0 || ceiling.models.includes(choice.model))
    .map((choice) => ({
      ...choice,
      efforts: choice.efforts.filter((effort) => effortAllowed(effort, ceiling.maxReasoningEffort)),
    }));
}

function describe(choices: readonly ModelChoice[]): string {
  if (choices.length === 0) return "none";
  return choices.map((choice) => `${choice.model} (${choice.efforts.join(", ") || "default effort only"})`).join("; ");
}

/**
 * Checks a requested model and effort. `offered` is undefined when this
 * Codex cannot list its models; then only the owner's list can allow one.
 */
export function decideModel(
  requested: ModelDecision,
  offered: readonly ModelChoice[] | undefined,
  ceiling: ModelCeiling,
): ModelDecision {
  if (requested.model === undefined && requested.reasoningEffort === undefined) return {};
  const choices = offered
    ? allowedModels(offered, ceiling)
    : ceiling.models.map((model) => ({ model, efforts: [], isDefault: false }));
  const next = {
    next: "Call bridge_status to see the allowed models and efforts, or leave both out for Codex's default",
  };
  // An effort alone applies to Codex's default model: check it against that model's efforts.
  const model = requested.model === undefined
    ? allowedModels((offered ?? []).filter((choice) => choice.isDefault), { ...ceiling, models: [] })[0]
    : choices.find((choice) => choice.model === requested.model);
  if (requested.model !== undefined && !model) {
    throw new PolicyError(
      `Model "${requested.model}" is not allowed here; allowed: ${describe(choices)}`,
      next,
    );
  }
  if (requested.reasoningEffort !== undefined) {
    const efforts = model ? model.efforts : [];
    if (!efforts.includes(requested.reasoningEffort)) {
      throw new PolicyError(
        `Reasoning effort "${requested.reasoningEffort}" is not allowed` +
          (model ? ` for ${model.model}` : "") + `; allowed: ${efforts.join(", ") || "none (use Codex's default)"}`,
        next,
      );
    }
  }
  return {
    ...(requested.model === undefined ? {} : { model: requested.model }),
    ...(requested.reasoningEffort === undefined ? {} : { reasoningEffort: requested.reasoningEffort }),
  };
}
