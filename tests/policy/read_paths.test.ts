import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveReadPaths } from "../../src/policy/read_paths.ts";
import { ConfigError } from "../../src/errors.ts";

Deno.test("resolveReadPaths() resolves toolchain folders and refuses /, HOME and a folder holding CODEX_HOME", async () => {
  const home = await Deno.realPath(await Deno.makeTempDir({ prefix: "read-paths-" }));
  try {
    const cargo = join(home, ".cargo"), codexHome = join(home, ".codex");
    await Deno.mkdir(cargo);
    await Deno.mkdir(codexHome);
    await Deno.symlink(cargo, join(home, "cargo-link"));
    await Deno.writeTextFile(join(home, "file"), "x");
    const context = { home, codexHome };
    assert.deepEqual(await resolveReadPaths([cargo, join(home, "cargo-link")], context), [cargo]);
    for (
      const [path, pattern] of [
        ["/", /whole disk/],
        [home, /HOME as a whole/],
        [join(home, "cargo-link", ".."), /HOME as a whole/],
        [join(home, "missing"), /Invalid --codex-read-path/],
        [join(home, "file"), /not a directory/],
      ] as const
    ) {
      await assert.rejects(() => resolveReadPaths([path], context), ConfigError, String(pattern));
      await assert.rejects(() => resolveReadPaths([path], context), pattern);
    }
    await assert.rejects(() => resolveReadPaths([home], { codexHome }), /holds CODEX_HOME/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
