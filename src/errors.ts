/**
 * Error classes shared across layers. Each message is written for the person
 * or model that has to act on it: what was wrong and how to recover.
 *
 * @module
 */

/** A request was refused by the safety policy (roots, secrets, sandbox). */
export class PolicyError extends Error {
  override name = "PolicyError";
}

/** Codex could not be started, crashed, timed out or reported a failure. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
}

/** A configuration value is invalid; the message names the flag/variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The bridge is at a capacity limit; the caller should retry later. */
export class BusyError extends Error {
  override name = "BusyError";
}

/** A job or thread id the bridge does not know (never issued, or expired). */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}
