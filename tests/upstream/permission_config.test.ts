import assert from "node:assert/strict";
import {
  assertProfileActive,
  MCP_FEATURES_OFF,
  mcpServerNames,
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
  const config = threadConfig(confinement, "p1", []);
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
  const config = threadConfig(undefined, "p2", []);
  assert.deepEqual(Object.keys(config).sort(), ["features", "mcp_servers", "projects", "shell_environment_policy"]);
  assert.equal(SHELL_ENVIRONMENT_POLICY.inherit, "core");
  assert.ok(SHELL_ENVIRONMENT_POLICY.exclude.includes("*KEY*"));
});

Deno.test("threadConfig() disables every named MCP server and the features that bring more, confined or not", () => {
  for (const confined of [confinement, undefined]) {
    const config = threadConfig(confined, "p3", ["chatgpt", "files.v2", "a b"]);
    assert.deepEqual(config.mcp_servers, {
      chatgpt: { enabled: false },
      "files.v2": { enabled: false },
      "a b": { enabled: false },
    });
    assert.deepEqual(config.features, { plugins: false, apps: false });
    assert.equal(config.features, MCP_FEATURES_OFF);
  }
  // Positive control: without servers, the table stays empty (a name Codex's config lacks fails the thread).
  assert.deepEqual(threadConfig(confinement, "p4", []).mcp_servers, {});
});

Deno.test("mcpServerNames() reads the server names from Codex's config/read answer", () => {
  const answer = {
    config: { model: "m", mcp_servers: { chatgpt: { command: "x", enabled: true }, off: { enabled: false } } },
    origins: {},
  };
  assert.deepEqual(mcpServerNames(answer), ["chatgpt", "off"]);
  assert.deepEqual(mcpServerNames({ config: { model: "m" } }), [], "no [mcp_servers] at all");
  assert.deepEqual(mcpServerNames({ config: { mcp_servers: null } }), []);
});

Deno.test("mcpServerNames() refuses an answer that cannot say which servers Codex would start", () => {
  for (const answer of [null, {}, { config: null }, { config: [] }, { config: "x" }]) {
    assert.throws(() => mcpServerNames(answer), /without its configuration/, JSON.stringify(answer));
  }
  for (const servers of [[], "x", 1]) {
    assert.throws(() => mcpServerNames({ config: { mcp_servers: servers } }), UpstreamError, JSON.stringify(servers));
  }
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
