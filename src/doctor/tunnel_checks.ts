/**
 * Checks of the Secure MCP Tunnel and the keychain that feeds it: whether a
 * keychain tool is there, and whether the control plane knows the tunnel and
 * takes its key (one metadata request, the same the tunnel sends at start).
 *
 * @module
 */
import { openKeychain } from "../keychain/keychain.ts";
import { CLIENT_NAME_HEADER, CLIENT_VERSION_HEADER, tunnelPaths } from "../tunnel/protocol.ts";
import { SERVER_INFO } from "../version.ts";
import type { Check } from "./check.ts";

/** How long the control plane may take to answer doctor. */
const METADATA_TIMEOUT_MS = 10_000;

/** Whether secrets can come from the OS keychain. */
export const checkKeychain: Check = ({ config, env }) => {
  if (!config.keychain) {
    return Promise.resolve([{ name: "keychain", status: "ok", detail: "not used (--no-keychain)" }]);
  }
  const keychain = openKeychain({ path: env("PATH") });
  return Promise.resolve([
    keychain.available
      ? { name: "keychain", status: "ok", detail: `${keychain.tool} found: stored secrets fill unset variables` }
      : {
        name: "keychain",
        status: "warn",
        detail: `no ${keychain.tool}: the tunnel id, its key and the token come from variables only`,
        fix: Deno.build.os === "darwin"
          ? "security ships with macOS: check PATH"
          : "install libsecret's secret-tool (Debian: apt-get install libsecret-tools) to keep secrets out of files",
      },
  ]);
};

/** The tunnel, when one is configured: known to the control plane, key accepted. */
export const checkTunnel: Check = async ({ config }) => {
  const tunnel = config.tunnel;
  if (!tunnel) return [{ name: "tunnel", status: "ok", detail: "off (no --tunnel-id)" }];
  const url = new URL(tunnelPaths(tunnel.id).metadata, tunnel.controlPlaneUrl).href;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        authorization: `Bearer ${tunnel.apiKey}`,
        [CLIENT_NAME_HEADER]: SERVER_INFO.name,
        [CLIENT_VERSION_HEADER]: SERVER_INFO.version,
      },
      signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
    });
  } catch (error) {
    return [{
      name: "tunnel",
      status: "fail",
      detail: `the control plane ${tunnel.controlPlaneUrl} cannot be reached (${(error as Error).message})`,
      fix: "check the network and --control-plane-url; serve would keep retrying with backoff",
    }];
  }
  const body = await response.json().catch(() => undefined);
  if (response.ok) {
    const name = typeof body?.name === "string" ? ` ("${body.name}")` : "";
    return [{ name: "tunnel", status: "ok", detail: `${tunnel.id}${name} found, key accepted` }];
  }
  if (response.status === 401 || response.status === 403) {
    return [{
      name: "tunnel",
      status: "fail",
      detail: `the control plane refused the API key (HTTP ${response.status})`,
      fix: "create a runtime key with tunnel access and store it: " +
        "codex-gpt-bridge secret set codex-gpt-bridge:control-plane-api-key (or set CONTROL_PLANE_API_KEY)",
    }];
  }
  return [{
    name: "tunnel",
    status: "fail",
    detail: `the control plane does not know ${tunnel.id} (HTTP ${response.status})`,
    fix: "copy the tunnel id from the platform's tunnel settings into --tunnel-id or " +
      "codex-gpt-bridge secret set codex-gpt-bridge:control-plane-tunnel-id",
  }];
};
