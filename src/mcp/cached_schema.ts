/**
 * Every HTTP request gets a fresh MCP server, and every `tools/list` turns
 * each tool's zod schemas into JSON Schema again. The schemas never change,
 * so convert each once and share the (frozen) result.
 *
 * @module
 */

type JsonSchemaIO = "input" | "output";
type Converter = (options: { target: string }) => Record<string, unknown>;

/** `schema` (a Standard JSON Schema, as zod ≥ 4.2 is) with its conversions memoised; validation is untouched. */
export function withCachedJsonSchema<T extends { readonly "~standard": object }>(schema: T): T {
  const standard = schema["~standard"] as { jsonSchema: Record<JsonSchemaIO, Converter> };
  const cache = new Map<string, Record<string, unknown>>();
  const memo = (io: JsonSchemaIO): Converter => (options) => {
    const key = `${io}:${options.target}`;
    if (!cache.has(key)) cache.set(key, deepFreeze(standard.jsonSchema[io](options)));
    return cache.get(key)!;
  };
  const wrapped = Object.create(schema);
  Object.defineProperty(wrapped, "~standard", {
    value: { ...standard, jsonSchema: { input: memo("input"), output: memo("output") } },
  });
  return wrapped as T;
}

// Frozen so that no caller can change what every later request is given.
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
