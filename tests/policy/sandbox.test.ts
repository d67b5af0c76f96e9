import assert from "node:assert/strict";
import { decideSandbox, sandboxChoices } from "../../src/policy/sandbox.ts";
import { PolicyError } from "../../src/errors.ts";

Deno.test("decideSandbox() defaults to read-only", () => {
  assert.equal(decideSandbox(undefined, { allowWrite: false }), "read-only");
  assert.equal(decideSandbox(undefined, { allowWrite: true }), "read-only");
});

Deno.test("decideSandbox() allows workspace-write only with --allow-write", () => {
  assert.equal(decideSandbox("workspace-write", { allowWrite: true }), "workspace-write");
  assert.throws(() => decideSandbox("workspace-write", { allowWrite: false }), /--allow-write/);
});

Deno.test("decideSandbox() never accepts danger-full-access in any spelling", () => {
  for (
    const spelling of [
      "danger-full-access",
      "DANGER-FULL-ACCESS",
      " danger-full-access ",
      "danger_full_access",
      "Danger-Full-Access",
      "full-access",
      "dangerFullAccess",
    ]
  ) {
    for (const allowWrite of [false, true]) {
      assert.throws(() => decideSandbox(spelling, { allowWrite }), PolicyError, spelling);
    }
  }
});

Deno.test("decideSandbox() lists the accepted values for unknown ones", () => {
  assert.throws(() => decideSandbox("yolo", { allowWrite: false }), /accepted values are read-only$/);
  assert.throws(() => decideSandbox("", { allowWrite: true }), /read-only, workspace-write/);
});

Deno.test("sandboxChoices() follows the owner's write mode", () => {
  assert.deepEqual(sandboxChoices(false), ["read-only"]);
  assert.deepEqual(sandboxChoices(true), ["read-only", "workspace-write"]);
});
