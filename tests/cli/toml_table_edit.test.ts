import assert from "node:assert/strict";
import { parse } from "smol-toml";
import { editTable } from "../../src/cli/toml_table_edit.ts";
import { ConfigError } from "../../src/errors.ts";

const PATH = ["mcp_servers", "chatgpt"];
const TABLE = { command: "/opt/bridge/codex-gpt-bridge", args: ["chatgpt"], required: true, env: { A: "b" } };

const USER_CONFIG = `# my settings
model = "o3" # the best one

[mcp_servers.other]
command = "other" # keep me

# Profiles below
[profiles.fast]
model = "o4-mini"
`;

/** Sets the table; `null` removes it. */
const edit = (text: string, table: Record<string, unknown> | null = TABLE) =>
  editTable({ text, file: "config.toml", path: PATH, table: table ?? undefined, comments: ["written by a test"] });

Deno.test("adding the table keeps every other byte of the file and parses to the intended values", () => {
  const { text, changed, existed } = edit(USER_CONFIG);
  assert.equal(changed, true);
  assert.equal(existed, false);
  assert.ok(text.startsWith(USER_CONFIG), text);
  const parsed = parse(text) as Record<string, Record<string, unknown>>;
  assert.deepEqual(JSON.parse(JSON.stringify(parsed.mcp_servers.chatgpt)), TABLE);
  assert.equal((parsed.mcp_servers.other as { command: string }).command, "other");
  assert.match(text, /\[mcp_servers\.chatgpt\]\n# written by a test\ncommand = /);
});

Deno.test("a second edit with the same values changes nothing", () => {
  const once = edit(USER_CONFIG).text;
  const twice = edit(once);
  assert.equal(twice.changed, false);
  assert.equal(twice.existed, true);
  assert.equal(twice.text, once);
});

Deno.test("removing the table gives back the original file byte for byte", () => {
  const added = edit(USER_CONFIG).text;
  const removed = edit(added, null);
  assert.equal(removed.text, USER_CONFIG);
  assert.equal(edit(USER_CONFIG, null).changed, false);
});

Deno.test("an existing table and its scattered sub-table are replaced in place; the next table's comment stays", () => {
  const before = `top = 1

[mcp_servers.chatgpt]
command = "./old"
required = "yes"

[mcp_servers.chatgpt.env]
OPENAI_API_KEY = "sk-old-secret"

# about the next one
[profiles.x]
model = "m"

[mcp_servers.chatgpt.tools.ask]
approval = "never"
`;
  const { text, existed } = edit(before);
  assert.equal(existed, true);
  assert.doesNotMatch(text, /sk-old-secret|\.\/old|approval/);
  assert.ok(text.startsWith("top = 1\n\n[mcp_servers.chatgpt]\n# written by a test\n"), text);
  assert.match(text, /\n\n# about the next one\n\[profiles\.x\]\nmodel = "m"\n/);
  const parsed = parse(text) as Record<string, Record<string, unknown>>;
  assert.deepEqual(JSON.parse(JSON.stringify(parsed.profiles)), { x: { model: "m" } });
  assert.ok(text.endsWith('model = "m"\n'), JSON.stringify(text));
  assert.equal(parsed.top, 1);
});

Deno.test("a file that does not parse is refused with the line, and nothing is returned to write", () => {
  assert.throws(
    () => edit('model = "o3"\n[mcp_servers.chatgpt\ncommand = 1\n'),
    (error) =>
      error instanceof ConfigError && /Cannot parse config\.toml at line 2.*left untouched/.test(error.message),
  );
});

Deno.test("a table written inline is refused rather than duplicated; a header-style one is edited", () => {
  assert.throws(
    () => edit('[mcp_servers]\nchatgpt = { command = "x" }\n'),
    (error) => error instanceof ConfigError && /inline table or with dotted keys/.test(error.message),
  );
  assert.equal(edit('[mcp_servers]\nother = { command = "x" }\n').changed, true);
});

Deno.test("a header-like line inside a multi-line string is text, not a table", () => {
  const before = `instructions = """
[mcp_servers.chatgpt]
stays part of the string
"""
`;
  const { text } = edit(before);
  assert.ok(text.startsWith(before));
  assert.match((parse(text) as { instructions: string }).instructions, /stays part of the string/);
});

Deno.test("a file with CRLF line endings keeps them in the lines it gains", () => {
  const before = 'model = "o3"\r\n';
  const { text } = edit(before);
  assert.ok(text.startsWith(before));
  assert.doesNotMatch(text.replaceAll("\r\n", ""), /\n/);
});

Deno.test("quoted table names are found like bare ones", () => {
  const before = '[mcp_servers."chatgpt"]\ncommand = "old"\n';
  const { text, existed } = edit(before);
  assert.equal(existed, true);
  assert.doesNotMatch(text, /old/);
});
