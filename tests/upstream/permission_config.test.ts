import assert from "node:assert/strict";
import {
  assertProfileActive,
  newProfileId,
  SHELL_ENVIRONMENT_POLICY,
  threadConfig,
} from "../../src/upstream/permission_config.ts";
import { declineApproval } from "../../src/upstream/approval_answers.ts";
import { UpstreamError } from "../../src/errors.ts";

const confinement = {
  readable: ["/r", "/codex"],
  writable: ["/r", "/r/pkg"],
  hidden: ["/r/.env", "/etc/shadow"],
  untrusted: ["/", "/r"],
};

Deno.test("threadConfig() names a profile with the minimal set, read, write and none entries, no network", () => {
  const config = threadConfig(confinement, "p1");
  assert.equal(config.default_permissions, "p1");
  assert.deepEqual(config.permissions, {
    p1: {
      filesystem: {
        ":minimal": "read",
        "/r": "write",
        "/codex": "read",
        "/r/pkg": "write",
        "/r/.env": "none",
        "/etc/shadow": "none",
      },
      network: { enabled: false },
    },
  });
  assert.deepEqual(config.projects, { "/": { trust_level: "untrusted" }, "/r": { trust_level: "untrusted" } });
  assert.equal(config.shell_environment_policy, SHELL_ENVIRONMENT_POLICY);
  assert.ok(!("sandbox" in config), "a sandbox would switch the profile off");
});

Deno.test("threadConfig() without a confinement still keeps secrets out of the shell", () => {
  const config = threadConfig(undefined, "p2");
  assert.deepEqual(Object.keys(config).sort(), ["projects", "shell_environment_policy"]);
  assert.equal(SHELL_ENVIRONMENT_POLICY.inherit, "core");
  assert.ok(SHELL_ENVIRONMENT_POLICY.exclude.includes("*KEY*"));
});

Deno.test("newProfileId() never repeats, so an answer proves which profile is in force", () => {
  const ids = new Set(Array.from({ length: 100 }, newProfileId));
  assert.equal(ids.size, 100);
});

Deno.test("assertProfileActive() accepts only the profile just sent", () => {
  assertProfileActive({ activePermissionProfile: { id: "p1", extends: null } }, "p1", "thread/start");
  for (const answer of [{}, { activePermissionProfile: null }, { activePermissionProfile: { id: "old" } }, null]) {
    assert.throws(() => assertProfileActive(answer, "p1", "thread/resume"), UpstreamError, JSON.stringify(answer));
  }
});

Deno.test("declineApproval() answers each approval kind in its own shape and grants nothing", () => {
  assert.deepEqual(declineApproval("item/permissions/requestApproval"), { permissions: {}, scope: "turn" });
  assert.deepEqual(declineApproval("item/commandExecution/requestApproval"), { decision: "decline" });
  assert.deepEqual(declineApproval("item/fileChange/requestApproval"), { decision: "decline" });
  for (const method of ["execCommandApproval", "applyPatchApproval"]) {
    const answer = declineApproval(method) as { decision: { denied: { rejection: string } } };
    assert.match(answer.decision.denied.rejection, /declines every approval/);
  }
  assert.equal(declineApproval("item/tool/requestUserInput"), undefined);
});
