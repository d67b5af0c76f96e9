/**
 * MCP progress notifications for a call that waits on a job: when the client
 * sent a `progressToken`, each change of the job's progress (phase, last
 * command, counts, plan) becomes a `notifications/progress`, at most one per
 * {@linkcode PROGRESS_INTERVAL_MS} so a chatty turn cannot flood the client.
 * ChatGPT sends no token today; MCP Inspector, Claude and the Agents SDK do.
 *
 * @module
 */
import type { CallOptions, JobView } from "../service/bridge_service.ts";
import { callOptions } from "./caller.ts";

/** Shortest time between two notifications of one call. */
export const PROGRESS_INTERVAL_MS = 250;

/** What a tool handler's context offers for progress (the SDK's `ctx.mcpReq`). */
export interface ProgressContext {
  mcpReq?: {
    _meta?: { progressToken?: string | number };
    notify(notification: { method: string; params: Record<string, unknown> }): Promise<void>;
  };
}

/** One line saying what Codex is doing, for a progress message. */
export function progressMessage(view: JobView): string {
  const p = view.progress;
  const parts = [p.phase, `commands ${p.commandsFinished}/${p.commandsStarted}`];
  if (p.lastCommand) parts.push(`last: ${p.lastCommand.slice(0, 120)}`);
  if (p.plan?.length) parts.push(`plan ${p.plan.filter((s) => s.status === "completed").length}/${p.plan.length}`);
  if (p.tokens) parts.push(`${p.tokens.totalTokens} tokens`);
  return parts.join("; ");
}

/** The call options of a tool handler: the door's (deadline, client) and, with a progress token, `onProgress`. */
export function callWithProgress(
  ctx: (ProgressContext & Parameters<typeof callOptions>[0]) | undefined,
  now: () => number = Date.now,
): CallOptions {
  const call = callOptions(ctx);
  const request = ctx?.mcpReq;
  const progressToken = request?._meta?.progressToken;
  if (!request || progressToken === undefined) return call;
  let last = -Infinity;
  return {
    ...call,
    onProgress: (view) => {
      if (now() - last < PROGRESS_INTERVAL_MS) return;
      last = now();
      request.notify({
        method: "notifications/progress",
        params: { progressToken, progress: view.progress.events, message: progressMessage(view) },
      }).catch(() => {}); // a client gone meanwhile: nothing to tell
    },
  };
}
