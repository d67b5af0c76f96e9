/**
 * Every HTTP request gets a fresh MCP server, and every `tools/list` turns
 * each tool's zod schemas into JSON Schema again. The schemas never change,
 * so convert each once and hand out copies.
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
    if (!cache.has(key)) cache.set(key, standard.jsonSchema[io](options));
    // A copy, so a caller that decorates the result cannot change the cached one.
    return structuredClone(cache.get(key)!);
  };
  const wrapped = Object.create(schema);
  Object.defineProperty(wrapped, "~standard", {
    value: { ...standard, jsonSchema: { input: memo("input"), output: memo("output") } },
  });
  return wrapped as T;
}
