/**
 * The bridge declines every approval Codex asks for: an approved command
 * would run outside the permission profile. Each request kind gets its
 * refusal in its own wire shape, since Codex treats an answer it cannot
 * parse as a protocol error, safe only by accident.
 *
 * @module
 */

/** What the model is told when a v1 denial carries a reason. */
export const DENIAL_REASON = "codex-gpt-bridge declines every approval request: stay inside the sandbox, or explain " +
  "to the user what would need to run outside it";

/**
 * The refusal for an app-server approval `method`, or undefined when the
 * method is not an approval request.
 */
export function declineApproval(method: string): unknown {
  switch (method) {
    case "item/permissions/requestApproval":
      // Granting nothing, for this turn only.
      return { permissions: {}, scope: "turn" };
    case "item/commandExecution/requestApproval":
    case "item/fileChange/requestApproval":
      return { decision: "decline" };
    case "execCommandApproval":
    case "applyPatchApproval":
      return { decision: { denied: { rejection: DENIAL_REASON } } };
    default:
      return undefined;
  }
}
