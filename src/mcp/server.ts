/**
 * Builds the bridge's MCP server. A fresh instance is made per HTTP request
 * (the SDK's stateless serving); all long-lived state lives in the
 * {@linkcode BridgeService} it wraps.
 *
 * @module
 */
import { McpServer } from "@modelcontextprotocol/server";
import type { BridgeService } from "../service/bridge_service.ts";
import { SERVER_INFO } from "../version.ts";
import { registerBridgeStatus } from "./tools/bridge_status.ts";
import { registerCodexRead } from "./tools/codex_read.ts";
import { registerCodexRun } from "./tools/codex_run.ts";
import { registerCodexReply } from "./tools/codex_reply.ts";
import { registerCodexJobStatus } from "./tools/codex_job_status.ts";
import { registerCodexCancel } from "./tools/codex_cancel.ts";
import { registerCodexJobs } from "./tools/codex_jobs.ts";

const INSTRUCTIONS = "This server delegates coding tasks to the owner's local Codex agent. Call bridge_status " +
  "to see the allowed roots. Use codex_read for questions, codex_run for tasks, codex_reply to follow up on a " +
  "thread. When a call returns status=running, call codex_job_status with its jobId and waitMs: it answers as soon " +
  "as the job ends. Every result's `next` field says exactly what to call next. codex_cancel stops a job; " +
  "codex_jobs lists recent ones. Pass a requestId so that a retried call never starts a second job.";

/** Options for {@linkcode createBridgeServer}. */
export interface BridgeServerOptions {
  allowWrite: boolean;
}

/** Makes one MCP server exposing the bridge's tools. */
export function createBridgeServer(service: BridgeService, options: BridgeServerOptions): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS });
  registerBridgeStatus(server, service);
  registerCodexRead(server, service);
  registerCodexRun(server, service, options.allowWrite);
  registerCodexReply(server, service, options.allowWrite);
  registerCodexJobStatus(server, service);
  registerCodexCancel(server, service);
  registerCodexJobs(server, service);
  return server;
}
