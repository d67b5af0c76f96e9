import assert from "node:assert/strict";
import { allowedModels, decideModel } from "../../src/policy/models.ts";
import { PolicyError } from "../../src/errors.ts";
import type { ModelChoice } from "../../src/upstream/types.ts";

const OFFERED: ModelChoice[] = [
  { model: "big", efforts: ["low", "medium", "high", "xhigh", "ultra"], isDefault: true },
  { model: "small", efforts: ["low", "medium"], isDefault: false },
];

Deno.test("without a model or effort Codex's default applies, whatever the ceiling", () => {
  assert.deepEqual(decideModel({}, OFFERED, { models: ["small"], maxReasoningEffort: "low" }), {});
  assert.deepEqual(decideModel({}, undefined, { models: [] }), {});
});

Deno.test("a model and effort Codex offers within the owner's ceiling are accepted", () => {
  assert.deepEqual(decideModel({ model: "big", reasoningEffort: "high" }, OFFERED, { models: [] }), {
    model: "big",
    reasoningEffort: "high",
  });
  assert.deepEqual(decideModel({ model: "small" }, OFFERED, { models: ["small"], maxReasoningEffort: "low" }), {
    model: "small",
  });
  // An effort alone is checked against Codex's default model.
  assert.deepEqual(decideModel({ reasoningEffort: "medium" }, OFFERED, { models: [] }), { reasoningEffort: "medium" });
});

Deno.test("a model or effort outside what Codex offers or the owner allows is refused, listing the choices", () => {
  const refused = (requested: { model?: string; reasoningEffort?: string }, pattern: RegExp, ceiling = {}) =>
    assert.throws(
      () => decideModel(requested, OFFERED, { models: [], ...ceiling }),
      (error: Error) => error instanceof PolicyError && pattern.test(error.message),
    );
  refused({ model: "gpt-none" }, /Model "gpt-none" is not allowed here; allowed: big \(.*\); small \(low, medium\)/);
  refused({ model: "big" }, /allowed: small \(low, medium\)$/, { models: ["small"] });
  refused({ model: "small", reasoningEffort: "high" }, /"high" is not allowed for small; allowed: low, medium/);
  refused({ model: "big", reasoningEffort: "high" }, /allowed: low, medium$/, { maxReasoningEffort: "medium" });
  refused({ reasoningEffort: "ultra" }, /for big; allowed: low, medium, high$/, { maxReasoningEffort: "high" });
});

Deno.test("a Codex that cannot list models allows only the owner's list, and no effort", () => {
  assert.deepEqual(decideModel({ model: "mine" }, undefined, { models: ["mine"] }), { model: "mine" });
  assert.throws(() => decideModel({ model: "other" }, undefined, { models: ["mine"] }), /allowed: mine/);
  assert.throws(() => decideModel({ model: "mine" }, undefined, { models: [] }), /allowed: none/);
  assert.throws(() => decideModel({ model: "mine", reasoningEffort: "low" }, undefined, { models: ["mine"] }));
});

Deno.test("allowedModels() keeps the owner's models and efforts up to the ceiling (unknown efforts dropped)", () => {
  assert.deepEqual(allowedModels(OFFERED, { models: [], maxReasoningEffort: "high" }), [
    { model: "big", efforts: ["low", "medium", "high"], isDefault: true },
    { model: "small", efforts: ["low", "medium"], isDefault: false },
  ]);
  assert.deepEqual(
    allowedModels([{ model: "x", efforts: ["low", "turbo"], isDefault: false }], {
      models: [],
      maxReasoningEffort: "max",
    }),
    [{ model: "x", efforts: ["low"], isDefault: false }],
  );
  assert.deepEqual(allowedModels(OFFERED, { models: ["small"] }).map((c) => c.model), ["small"]);
});
