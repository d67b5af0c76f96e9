/**
 * The npm packages the program loads, and fetching them on a first start.
 * `deno.json` sets `"nodeModulesDir": "manual"`, so Deno never fetches on
 * its own (it would print a `Download …` line per file before our code runs,
 * or nothing at all under `--quiet`). The launcher stage imports no npm
 * package; it checks here whether the runtime packages are in
 * `node_modules`, and if not says so in one line and runs `deno install`.
 *
 * The runtime set is the closure, in `deno.lock`, of the `npm:` entries of
 * `deno.json`'s import map: test-only packages are not in that map (tests
 * name them with full `npm:` specifiers and their own lock file).
 * `package.json` holds `@types/node` alone, for type checking: `deno install`
 * fetches it too (Deno 2.9 has no way to leave it out), but nothing loads it.
 *
 * @module
 */
import { join } from "node:path";
import { LIVE_PROBE } from "../permissions/file_probe.ts";

interface LockFile {
  specifiers?: Record<string, string>;
  npm?: Record<string, { dependencies?: string[] }>;
}

/** `@scope/name@1.2.3_peer@4` → `["@scope/name", "1.2.3"]`. */
function splitKey(key: string): [string, string] {
  const at = key.indexOf("@", 1);
  return [key.slice(0, at), key.slice(at + 1).split("_")[0]];
}

/**
 * Lock keys (`name@version[_peers]`) of the packages the import map's `npm:`
 * entries need, dependencies included.
 */
export function runtimePackages(imports: Record<string, string>, lock: LockFile): string[] {
  const npm = lock.npm ?? {};
  const keys = Object.keys(npm);
  // A dependency is listed by name when only one version is locked, else by its full key.
  const keyOf = (dependency: string) =>
    npm[dependency] ? dependency : keys.find((key) => splitKey(key)[0] === dependency);
  const pending: string[] = [];
  for (const target of Object.values(imports)) {
    const match = target.match(/^npm:(@?[^@/]+(?:\/[^@/]+)?@[^/]+)/);
    if (!match) continue;
    const resolved = lock.specifiers?.[`npm:${match[1]}`];
    if (resolved) pending.push(`${splitKey(match[1])[0]}@${resolved}`);
  }
  const seen = new Set<string>();
  while (pending.length > 0) {
    const key = pending.pop()!;
    if (seen.has(key) || !npm[key]) continue;
    seen.add(key);
    for (const dependency of npm[key].dependencies ?? []) {
      const found = keyOf(dependency);
      if (found) pending.push(found);
    }
  }
  return [...seen].sort();
}

/** The folder Deno installs a lock key into: `node_modules/.deno/@scope+name@1.2.3`. */
export function packageFolder(projectDir: string, key: string): string {
  const [name, version] = splitKey(key);
  return join(projectDir, "node_modules", ".deno", `${name.replace("/", "+")}@${version}`);
}

/**
 * Runtime packages of the checkout at `projectDir` that are not installed yet
 * (lock keys); `exists` checks a package's folder (a recording one for a cached launch plan).
 */
export async function missingPackages(
  projectDir: string,
  exists: (path: string) => Promise<boolean> = LIVE_PROBE.exists,
): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(projectDir, "deno.json")));
  const lock = JSON.parse(await Deno.readTextFile(join(projectDir, "deno.lock")).catch(() => "{}"));
  const keys = runtimePackages(config.imports ?? {}, lock);
  const present = await Promise.all(keys.map((key) => exists(packageFolder(projectDir, key))));
  // An unreadable lock or an import missing from it: let `deno install` sort it out.
  if (keys.length === 0 && Object.keys(config.imports ?? {}).length > 0) return ["(deno.lock)"];
  return keys.filter((_, index) => !present[index]);
}

/** The one line a first start prints before fetching. */
export function fetchingMessage(projectDir: string): string {
  return `First start: fetching the npm packages the bridge needs into ${join(projectDir, "node_modules")} ` +
    `(once; \`deno install\` in ${projectDir} fetches them ahead of time)`;
}

/**
 * Runs `deno install` quietly in `projectDir`. Throws with Deno's last
 * lines when it fails (e.g. no network to the npm registry).
 */
export async function installPackages(projectDir: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--quiet", "--frozen"],
    cwd: projectDir,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const tail = new TextDecoder().decode(stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`deno install failed in ${projectDir} (exit ${code}): ${tail}`);
  }
}
