/**
 * Error classes shared across layers. Each message is written for the person
 * or model that has to act on it: what was wrong and how to recover.
 *
 * @module
 */

/**
 * An error whose message is written for whoever acts on it, with an optional
 * `next` step: the exact tool call that recovers (shown to the remote model).
 */
export class BridgeError extends Error {
  /** What to call next, with arguments; tools fall back to a hint by error class. */
  readonly next?: string;
  constructor(message: string, options: { next?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.next = options.next;
  }
}

/** A request was refused by the safety policy (roots, secrets, sandbox). */
export class PolicyError extends BridgeError {
  override name = "PolicyError";
}

/** Codex could not be started, crashed, timed out or reported a failure. */
export class UpstreamError extends BridgeError {
  override name = "UpstreamError";
}

/** A configuration value is invalid; the message names the flag/variable. */
export class ConfigError extends BridgeError {
  override name = "ConfigError";
}

/** The bridge is at a capacity limit; the caller should retry later. */
export class BusyError extends BridgeError {
  override name = "BusyError";
}

/** A job or thread id the bridge does not know (never issued, or expired). */
export class NotFoundError extends BridgeError {
  override name = "NotFoundError";
}
