/**
 * Asks Codex whether it is logged in: `account/read` over a short-lived
 * `codex app-server`, bounded in time, the child always stopped.
 *
 * @module
 */
import { SERVER_INFO } from "../version.ts";
import { JsonLinesPeer } from "../upstream/json_lines_rpc.ts";
import { spawnChild } from "../upstream/spawn_child.ts";
import { stopChild } from "../upstream/app_server_adapter.ts";

/** What `account/read` answered (see Codex's `GetAccountResponse`). */
export interface CodexAccount {
  account: { type: string; email?: string | null; planType?: string } | null;
  requiresOpenaiAuth: boolean;
}

/** Options for {@linkcode readCodexAccount}. */
export interface ReadAccountOptions {
  /** @default 20000 */
  timeoutMs?: number;
}

/** Runs `codex app-server` with exactly `env`, sends `initialize` then `account/read`. Rejects with the reason. */
export async function readCodexAccount(
  codexPath: string,
  env: Readonly<Record<string, string>>,
  options: ReadAccountOptions = {},
): Promise<CodexAccount> {
  const child = spawnChild(codexPath, ["app-server"], env);
  // Drained so Codex never blocks on a full pipe; only the last line is kept for the message.
  let lastStderr = "";
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        lastStderr = chunk.trim().split("\n").at(-1) || lastStderr;
      },
    }),
  ).catch(() => {});
  const peer = new JsonLinesPeer(child.stdin, child.stdout, {
    onNotification: () => {},
    onRequest: () => null,
    onProtocolError: (reason) => peer.close(new Error(`Codex broke the protocol (${reason})`)),
  });
  const exited = child.status.then((status) => {
    peer.close(new Error(`codex app-server exited (code ${status.code})${lastStderr ? `: ${lastStderr}` : ""}`));
  });
  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`codex app-server did not answer in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const ask = async () => {
      await peer.request("initialize", { clientInfo: { ...SERVER_INFO, title: SERVER_INFO.name } });
      await peer.notify("initialized");
      return await peer.request("account/read", { refreshToken: false }) as CodexAccount;
    };
    return await Promise.race([ask(), timeout]);
  } finally {
    clearTimeout(timer);
    peer.close(new Error("done"));
    await stopChild(child);
    await exited;
    await stderr;
  }
}
