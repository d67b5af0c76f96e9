/** The program's name and version, announced to MCP clients and printed by `--version`. */
export const SERVER_INFO = { name: "codex-gpt-bridge", version: "0.1.0" } as const;
