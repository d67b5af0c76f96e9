/**
 * A cached launch plan's check, run by a real POSIX shell: true while every
 * fact holds, false as soon as one changes, and never a secret's value in it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LaunchFacts } from "../../src/permissions/launch_facts.ts";
import { PROJECT_DIR } from "../fixtures/bridge_process.ts";

const CHECKOUT = "/the/checkout";

/**
 * Runs `check` in `sh` as the launcher does (launch_check.sh sourced, `$here` the checkout) with `args` as its
 * `$@`; true when it holds. The working folder must be the same after the check.
 */
async function holds(
  check: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; here?: string } = {},
): Promise<boolean> {
  const library = join(PROJECT_DIR, "src/permissions/launch_check.sh");
  const script = `. '${library}'; here='${options.here ?? CHECKOUT}'; before=$(pwd -P)
    if ${check}; then code=0; else code=1; fi
    [ "$(pwd -P)" = "$before" ] || exit 9
    exit $code`;
  const { code } = await new Deno.Command("sh", {
    args: ["-c", script, "sh", ...args],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH")!, ...options.env },
    cwd: options.cwd,
  }).output();
  assert.notEqual(code, 9, "the check left the working folder");
  return code === 0;
}

Deno.test("the check holds for the same arguments, folder and variables, and fails when any one changes", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ dir: "/var/tmp", prefix: "launch-facts-" }));
  try {
    const facts = new LaunchFacts([]);
    const env = facts.recordEnv((name) =>
      ({ ROOTS: "a:b", QUOTED: `it's "$HOME" \`x\`` } as Record<string, string>)[name]
    );
    env("ROOTS");
    env("QUOTED");
    env("UNSET_ONE");
    const args = ["serve", "--root", "it's here", "", "$PATH"];
    const check = facts.guard(args, dir, CHECKOUT)!;
    const same = { ROOTS: "a:b", QUOTED: `it's "$HOME" \`x\`` };
    assert.equal(await holds(check, args, { env: same, cwd: dir }), true, "positive control");

    assert.equal(await holds(check, args.slice(0, -1), { env: same, cwd: dir }), false, "one argument fewer");
    assert.equal(await holds(check, [...args.slice(0, -1), "$HOME"], { env: same, cwd: dir }), false, "one differs");
    assert.equal(await holds(check, [...args, "--allow-write"], { env: same, cwd: dir }), false, "one more");
    assert.equal(await holds(check, args, { env: same, cwd: "/" }), false, "another folder");
    assert.equal(await holds(check, args, { env: same, cwd: dir, here: "/another/checkout" }), false, "checkout");
    assert.equal(await holds(check, args, { env: { ...same, ROOTS: "a" }, cwd: dir }), false, "a value changed");
    assert.equal(await holds(check, args, { env: { QUOTED: same.QUOTED }, cwd: dir }), false, "a variable unset");
    assert.equal(await holds(check, args, { env: { ...same, UNSET_ONE: "" }, cwd: dir }), false, "a variable set");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("secrets are recorded as set or unset, never by value", async () => {
  const secrets = {
    CODEX_GPT_BRIDGE_TOKEN: "tok-0123456789abcdef",
    OPENAI_API_KEY: "sk-named-secret",
    MY_PASSWORD: "hunter2-password",
  };
  const facts = new LaunchFacts(["CODEX_GPT_BRIDGE_TOKEN"]);
  const env = facts.recordEnv((name) => (secrets as Record<string, string>)[name]);
  for (const name of Object.keys(secrets)) env(name);
  const check = facts.guard(["serve"], "/", CHECKOUT)!;
  for (const value of Object.values(secrets)) assert.ok(!check.includes(value), check);
  assert.equal(await holds(check, ["serve"], { env: secrets, cwd: "/" }), true, "positive control");
  // Another value of a secret keeps the plan (it does not depend on it); unsetting one does not.
  assert.equal(await holds(check, ["serve"], { env: { ...secrets, OPENAI_API_KEY: "sk-other" }, cwd: "/" }), true);
  const { OPENAI_API_KEY: _, ...without } = secrets;
  assert.equal(await holds(check, ["serve"], { env: without, cwd: "/" }), false);
});

Deno.test("resolved paths: a retargeted symlink, a created path or a command found elsewhere fails the check", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ dir: "/var/tmp", prefix: "launch-facts-" }));
  try {
    await Deno.mkdir(join(dir, "a"));
    await Deno.mkdir(join(dir, "b"));
    await Deno.symlink(join(dir, "a"), join(dir, "link"));
    for (const bin of ["bin1", "bin2"]) {
      await Deno.mkdir(join(dir, bin));
      await Deno.writeTextFile(join(dir, bin, "tool"), "#!/bin/sh\n", { mode: 0o755 });
    }
    for (const folder of ["a", "b"]) await Deno.writeTextFile(join(dir, folder, "f"), "");
    await Deno.symlink(join(dir, "a", "f"), join(dir, "flink"));
    const search = `${join(dir, "bin1")}:${join(dir, "bin2")}`;
    const facts = new LaunchFacts([]);
    assert.equal(await facts.realPath(join(dir, "link")), join(dir, "a"));
    assert.equal(await facts.realPath(join(dir, "link", "f")), join(dir, "a", "f"), "a file in a linked folder");
    assert.equal(await facts.realPath(join(dir, "flink")), join(dir, "a", "f"), "a linked file");
    assert.equal(await facts.realPath(join(dir, "later")), undefined);
    assert.equal(facts.executable("tool", search), join(dir, "bin1", "tool"));
    assert.equal(await facts.exists(join(dir, "b")), true);
    const check = facts.guard([], dir, CHECKOUT)!;
    const env = { PATH: `${search}:${Deno.env.get("PATH")}` };
    assert.equal(await holds(check, [], { env, cwd: dir }), true, "positive control");

    await Deno.remove(join(dir, "link"));
    await Deno.symlink(join(dir, "b"), join(dir, "link"));
    assert.equal(await holds(check, [], { env, cwd: dir }), false, "the link now points elsewhere");
    await Deno.remove(join(dir, "link"));
    await Deno.symlink(join(dir, "a"), join(dir, "link"));
    assert.equal(await holds(check, [], { env, cwd: dir }), true, "back as it was");
    await Deno.remove(join(dir, "flink"));
    await Deno.symlink(join(dir, "b", "f"), join(dir, "flink"));
    assert.equal(await holds(check, [], { env, cwd: dir }), false, "the linked file now points elsewhere");
    await Deno.remove(join(dir, "flink"));
    await Deno.symlink(join(dir, "a", "f"), join(dir, "flink"));

    await Deno.remove(join(dir, "bin1", "tool"));
    assert.equal(await holds(check, [], { env, cwd: dir }), false, "the command is now found in bin2");
    await Deno.writeTextFile(join(dir, "bin1", "tool"), "#!/bin/sh\n", { mode: 0o755 });

    await Deno.mkdir(join(dir, "later"));
    assert.equal(await holds(check, [], { env, cwd: dir }), false, "a missing path now exists");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a plan that cannot be checked in one line, or is marked uncacheable, gets no check", () => {
  assert.equal(new LaunchFacts([]).guard(["serve", "--root", "two\nlines"], "/", CHECKOUT), undefined);
  const facts = new LaunchFacts([]);
  facts.uncacheable("the port is picked at random");
  facts.uncacheable("a later reason");
  assert.equal(facts.guard(["serve"], "/", CHECKOUT), undefined);
  assert.equal(facts.uncacheableReason, "the port is picked at random");
});
