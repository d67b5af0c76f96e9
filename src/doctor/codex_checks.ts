/**
 * Checks of the Codex the bridge would run: found and its version, the
 * protocol adapter, whether each turn can be confined, and whether Codex
 * is logged in.
 *
 * @module
 */
import { silentLogger } from "../log.ts";
import { resolveExecutable } from "../permissions/file_probe.ts";
import { createUpstream } from "../upstream/mod.ts";
import type { UpstreamInfo } from "../upstream/types.ts";
import type { Check, CheckResult, DoctorContext } from "./check.ts";
import { readCodexAccount } from "./codex_login.ts";

const UPGRADE = "upgrade with `npm i -g @openai/codex` (or pass --codex PATH to a newer one)";

/** The Codex `serve` would run, found the way it finds it. */
function codexPath(context: DoctorContext): string {
  return resolveExecutable(context.config.codexPath, context.env("PATH")) ?? context.config.codexPath;
}

const probed = new WeakMap<DoctorContext, Promise<UpstreamInfo>>();

/** What the bridge's own upstream selection makes of the installed Codex, probed once per run. */
function upstreamInfo(context: DoctorContext): Promise<UpstreamInfo> {
  if (!probed.has(context)) probed.set(context, probeUpstream(context));
  return probed.get(context)!;
}

/** `codex --version` and the adapter choice; no Codex child is started. */
async function probeUpstream(context: DoctorContext): Promise<UpstreamInfo> {
  const upstream = await createUpstream({
    upstream: context.config.upstream,
    codexPath: codexPath(context),
    env: context.config.codexEnv,
    log: silentLogger,
  });
  try {
    return await upstream.info();
  } finally {
    await upstream.close();
  }
}

/** Codex found, its version, the adapter and the confinement, from one probe. */
export const checkCodex: Check = async (context) => {
  const info = await upstreamInfo(context);
  if (info.version === undefined) {
    return [{ name: "codex", status: "fail", detail: info.problem ?? "Codex was not found", fix: info.problem }];
  }
  const results: CheckResult[] = [{ name: "codex", status: "ok", detail: `Codex ${info.version} at ${info.binary}` }];
  const choice = context.config.upstream === "auto" ? " (auto)" : "";
  results.push(
    info.available
      ? { name: "adapter", status: "ok", detail: `codex ${info.protocol}${choice}` }
      : { name: "adapter", status: "fail", detail: info.problem ?? "unusable", fix: info.problem },
  );
  if (info.available) results.push(confinementResult(info, context.config.allowUnconfinedCodex));
  return results;
};

function confinementResult(info: UpstreamInfo, allowUnconfined: boolean): CheckResult {
  if (info.confinement.supported) {
    return {
      name: "confinement",
      status: "ok",
      detail: "each turn runs under a permission profile: its root only, secrets hidden, no network",
    };
  }
  const problem = info.confinement.problem ?? "this Codex cannot be confined";
  return allowUnconfined
    ? { name: "confinement", status: "warn", detail: `NONE (--allow-unconfined-codex): ${problem}`, fix: UPGRADE }
    : { name: "confinement", status: "fail", detail: `${problem}; Codex tools would refuse every call`, fix: UPGRADE };
}

/** Codex's login state, from `account/read` (app-server only). */
export const checkCodexLogin: Check = async (context) => {
  const info = await upstreamInfo(context);
  if (!info.available) return [];
  if (info.protocol !== "app-server") {
    return [{
      name: "login",
      status: "warn",
      detail: `not checked: Codex ${info.version} over mcp-server has no account/read`,
      fix: "run `codex login status`",
    }];
  }
  let answer;
  try {
    answer = await readCodexAccount(info.binary, context.config.codexEnv);
  } catch (error) {
    return [{
      name: "login",
      status: "warn",
      detail: `could not ask Codex: ${(error as Error).message}`,
      fix: "run `codex login status`",
    }];
  }
  const { account } = answer;
  if (account?.type === "chatgpt") {
    const who = [account.email, account.planType && `plan ${account.planType}`].filter(Boolean).join(", ");
    return [{ name: "login", status: "ok", detail: `ChatGPT account${who ? ` (${who})` : ""}` }];
  }
  if (account) return [{ name: "login", status: "ok", detail: `${account.type} credentials` }];
  if (!answer.requiresOpenaiAuth) {
    return [{ name: "login", status: "ok", detail: "no login needed: the configured model provider has its own auth" }];
  }
  return [{
    name: "login",
    status: "fail",
    detail: "Codex is not logged in: every turn would fail",
    fix: "run `codex login` (or `codex login --with-api-key`) as the user who runs the bridge",
  }];
};
