/**
 * What the runtime actually allows this process, as `Deno.permissions`
 * reports it — shown by `bridge_status` so anyone can check the confinement
 * from outside.
 *
 * @module
 */
import { resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { urlHostPort } from "./permission_flags.ts";

/** One permission probe and its state. */
export interface PermissionProbe {
  what: string;
  state: Deno.PermissionState;
}

/** Options for {@linkcode describeRuntimePermissions}. */
export interface RuntimePermissionOptions {
  roots: readonly string[];
  codexPath: string;
  host: string;
  port: number;
  home?: string;
}

/** Queries the permissions that matter for the bridge's promises. */
export function describeRuntimePermissions(options: RuntimePermissionOptions): {
  confined: boolean;
  probes: PermissionProbe[];
} {
  const probe = (what: string, descriptor: Deno.PermissionDescriptor): PermissionProbe => ({
    what,
    state: Deno.permissions.querySync(descriptor).state,
  });
  const probes = [
    ...options.roots.map((root) => probe(`read ${root}`, { name: "read", path: root })),
    probe("read /", { name: "read", path: "/" }),
    ...(options.home ? [probe(`read ${options.home}`, { name: "read", path: options.home })] : []),
    probe("write /", { name: "write", path: "/" }),
    probe(`run ${options.codexPath}`, { name: "run", command: options.codexPath }),
    probe("run sh", { name: "run", command: "sh" }),
    probe(`net ${options.host}:${options.port}`, { name: "net", host: `${options.host}:${options.port}` }),
    probe("net api.openai.com:443", { name: "net", host: "api.openai.com:443" }),
  ];
  return { confined: Deno.permissions.querySync({ name: "run" }).state !== "granted", probes };
}

/**
 * In a confined process (notably the compiled binary, whose permissions were
 * baked at compile time), refuses to start when the config asks for more
 * than the runtime grants, naming the fix.
 */
export function assertGranted(
  config: { roots: readonly string[]; host: string; port: number; tunnel?: { controlPlaneUrl: string } },
): void {
  for (const root of config.roots) {
    const path = resolve(root);
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
      throw new ConfigError(
        `Root "${root}" is outside this binary's read permission (fixed when it was compiled); rebuild it with ` +
          `\`deno task compile -- --root ${root}\` or run from a checkout with ./codex-gpt-bridge`,
      );
    }
  }
  const host = `${config.host}:${config.port}`;
  if (config.port !== 0 && Deno.permissions.querySync({ name: "net", host }).state !== "granted") {
    throw new ConfigError(
      `Listening on ${host} is not permitted for this binary (fixed when it was compiled); rebuild it with ` +
        `\`deno task compile -- --host ${config.host} --port ${config.port} …\``,
    );
  }
  if (config.tunnel) {
    const plane = urlHostPort(config.tunnel.controlPlaneUrl);
    if (Deno.permissions.querySync({ name: "net", host: plane }).state !== "granted") {
      throw new ConfigError(
        `Reaching the tunnel control plane ${plane} is not permitted for this binary (fixed when it was compiled); ` +
          `rebuild it with \`deno task compile -- --tunnel-id … --control-plane-url ${config.tunnel.controlPlaneUrl} …\``,
      );
    }
  }
}
