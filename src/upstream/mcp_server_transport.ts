/**
 * An MCP client transport over a child process's stdio, for `codex
 * mcp-server`. The SDK's `StdioClientTransport` would do the job, but it
 * merges the parent's HOME, LOGNAME, PATH, SHELL, TERM and USER into the
 * child's environment and never says how the child ended. This one spawns
 * with exactly the environment given and reports the exit code or signal,
 * so running turns can fail with the real reason.
 *
 * @module
 */
import { deserializeMessage, type JSONRPCMessage, type Transport } from "@modelcontextprotocol/client";
import { spawnChild } from "./spawn_child.ts";

/** How the child ended. */
export interface ChildExit {
  code: number;
  signal: Deno.Signal | null;
}

/** Options for {@linkcode ChildStdioTransport}. */
export interface ChildStdioTransportOptions {
  command: string;
  args: string[];
  /** The complete child environment: nothing else is inherited. */
  env: Readonly<Record<string, string>>;
  /** Receives stderr as it arrives (decoded text, arbitrary chunks). */
  onStderr?: (text: string) => void;
  /** Called once when the child has exited, before `onclose`. */
  onExit?: (exit: ChildExit) => void;
  /** Longest stdout line accepted; a longer one is a protocol error. @default 16 MiB */
  maxLineLength?: number;
  /** How long `close()` waits after EOF and after SIGTERM before escalating. @default 2000 */
  graceMs?: number;
}

/** Describes an exit for error messages: `exit code 1` or `signal SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

const encoder = new TextEncoder();

/** See the module doc. */
export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Sees (and may rewrite) every outgoing message just before it is written. */
  beforeSend?: (message: JSONRPCMessage) => JSONRPCMessage;
  /** Sees every incoming message as it arrived, before the SDK validates (and trims) it. */
  beforeReceive?: (message: JSONRPCMessage) => void;

  #options: ChildStdioTransportOptions;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #ended: Promise<void> | undefined;
  #exit: ChildExit | undefined;
  /** Stops reading the pipes, which a grandchild that outlived the child may still hold open. */
  #stopReading = new AbortController();

  constructor(options: ChildStdioTransportOptions) {
    this.#options = options;
  }

  /** The child's pid once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How the child ended, once it has. */
  get exit(): ChildExit | undefined {
    return this.#exit;
  }

  /** Spawns the child. Throws `Deno.errors.NotFound` / `PermissionDenied` when it cannot run. */
  start(): Promise<void> {
    if (this.#child) return Promise.reject(new Error("ChildStdioTransport already started"));
    const { command, args, env } = this.#options;
    const child = spawnChild(command, args, env);
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    // A write to a dead child rejects; send() reports that, nothing else may see it unhandled.
    this.#writer.closed.catch(() => {});
    const stdout = this.#readStdout(child.stdout);
    const stderr = this.#readStderr(child.stderr);
    this.#ended = child.status.then(async (status) => {
      this.#exit = { code: status.code, signal: status.signal };
      // Deliver what the child wrote before it died, but do not wait on a grandchild holding the pipes (the
      // npm launcher's native binary, orphaned when only the launcher was killed): cut it off instead.
      if (!await settleWithin(Promise.all([stdout, stderr]), 500)) this.#stopReading.abort();
      this.#writer?.abort().catch(() => {});
      this.#options.onExit?.(this.#exit);
      this.onclose?.();
    });
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (!this.#writer || this.#exit) return Promise.reject(new Error("Codex mcp-server is not running"));
    const outgoing = this.beforeSend ? this.beforeSend(message) : message;
    return this.#writer.write(encoder.encode(JSON.stringify(outgoing) + "\n"));
  }

  /** Sends `signal` to the child, if it still runs. */
  kill(signal: Deno.Signal): void {
    if (this.#child && !this.#exit) kill(this.#child, signal);
  }

  /** Ends the child: EOF on stdin, then SIGTERM, then SIGKILL; resolves once it is gone. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child || !this.#ended) return;
    if (!this.#exit) {
      const grace = this.#options.graceMs ?? 2000;
      this.#writer?.close().catch(() => {});
      if (!await settleWithin(child.status, grace)) {
        kill(child, "SIGTERM");
        if (!await settleWithin(child.status, grace)) kill(child, "SIGKILL");
      }
    }
    await this.#ended;
  }

  async #readStdout(stream: ReadableStream<Uint8Array>): Promise<void> {
    const max = this.#options.maxLineLength ?? 16 * 1024 * 1024;
    let buffer = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream(), { signal: this.#stopReading.signal })) {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          this.#deliver(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
        }
        if (buffer.length > max) {
          this.onerror?.(new Error(`Codex mcp-server wrote a line longer than ${max} characters; stopping it`));
          buffer = "";
          kill(this.#child!, "SIGKILL");
        }
      }
    } catch (error) {
      if (!this.#stopReading.signal.aborted) this.onerror?.(error as Error);
    }
  }

  #deliver(line: string): void {
    if (line.trim() === "") return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      this.onerror?.(new Error(`Codex mcp-server wrote a line that is not JSON-RPC: ${(error as Error).message}`));
      return;
    }
    this.beforeReceive?.(message);
    this.onmessage?.(message);
  }

  async #readStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      const text = stream.pipeThrough(new TextDecoderStream(), { signal: this.#stopReading.signal });
      for await (const chunk of text) this.#options.onStderr?.(chunk);
    } catch {
      // The pipe broke with the child; what arrived was passed on.
    }
  }
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // Already exited.
  }
}

/** Waits for `promise` at most `ms`; true if it settled in time. Leaves no timer behind. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
