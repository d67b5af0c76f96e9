/**
 * Replaces or removes one table of a TOML document (with its sub-tables)
 * and keeps every other byte: other tables, comments, blank lines, key
 * order, line endings. A TOML library's `stringify` would lose comments,
 * so the document is edited as lines: `smol-toml` parses it first (a file
 * it cannot parse is refused), locates nothing itself, but writes the new
 * table's values and checks the result: parsed again, the edited document
 * must equal the original with exactly that table set or removed.
 *
 * Pure: text in, text out.
 *
 * @module
 */
import { parse, stringify, TomlError } from "smol-toml";
import { ConfigError } from "../errors.ts";

/** A TOML table's values (strings, numbers, booleans, arrays, sub-tables). */
export type TomlTable = Record<string, unknown>;

/** One `[header]` line and where its section ends. */
interface Section {
  /** Key path of the header, e.g. `["mcp_servers", "chatgpt"]`. */
  path: string[];
  /** Index of the header line. */
  start: number;
  /** Index one past the section's last line. */
  end: number;
}

const BARE_KEY = /^[A-Za-z0-9_-]+/;
const BASIC_KEY = /^"(?:[^"\\\n]|\\.)*"/;
const LITERAL_KEY = /^'[^'\n]*'/;

/** Parses a header's dotted key (`a."b.c".'d'`), or undefined if it is not one. */
function parseKeyPath(text: string): string[] | undefined {
  const parts: string[] = [];
  let rest = text.trim();
  while (true) {
    let match: RegExpMatchArray | null;
    if ((match = rest.match(BARE_KEY))) parts.push(match[0]);
    else if ((match = rest.match(BASIC_KEY))) parts.push(JSON.parse(match[0]));
    else if ((match = rest.match(LITERAL_KEY))) parts.push(match[0].slice(1, -1));
    else return undefined;
    rest = rest.slice(match[0].length).trimStart();
    if (rest === "") return parts;
    if (!rest.startsWith(".")) return undefined;
    rest = rest.slice(1).trimStart();
  }
}

const HEADER = /^\s*\[(\[?)(.*?)\]\1\s*(#.*)?$/;

/** Every table header of the document, skipping lines inside multi-line strings. */
function findSections(lines: readonly string[]): Section[] {
  const sections: Section[] = [];
  let inString: string | undefined;
  lines.forEach((line, index) => {
    const bare = line.replace(/\r?\n$/, "");
    if (inString === undefined) {
      const match = bare.match(HEADER);
      const path = match ? parseKeyPath(match[2]) : undefined;
      if (path) {
        if (sections.length > 0) sections.at(-1)!.end = index;
        sections.push({ path, start: index, end: lines.length });
        return;
      }
    }
    // Toggle on each multi-line string delimiter the line holds (the re-parse catches any miscount).
    for (const delimiter of bare.match(/"""|'''/g) ?? []) {
      if (inString === undefined) inString = delimiter;
      else if (inString === delimiter) inString = undefined;
    }
  });
  return sections;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((part, i) => path[i] === part);
}

const isBlankOrComment = (line: string) => /^\s*(#.*)?\r?\n?$/.test(line);

function parseDocument(text: string, file: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : "";
    const reason = (error as Error).message.split("\n")[0];
    throw new ConfigError(`Cannot parse ${file}${where} (${reason}); fix it by hand, it was left untouched`);
  }
}

/** Returns the value at `path`, or undefined. */
function valueAt(document: TomlTable, path: readonly string[]): unknown {
  let value: unknown = document;
  for (const part of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as TomlTable)[part];
  }
  return value;
}

/** `copy` (changed in place) with the table at `path` set to `table` (or deleted); empty parents are dropped. */
function withTable(copy: TomlTable, path: readonly string[], table: TomlTable | undefined): TomlTable {
  const parents: TomlTable[] = [copy];
  for (const part of path.slice(0, -1)) {
    const next = parents.at(-1)![part];
    if (typeof next !== "object" || next === null) parents.at(-1)![part] = {};
    parents.push(parents.at(-1)![part] as TomlTable);
  }
  const last = path.at(-1)!;
  if (table === undefined) delete parents.at(-1)![last];
  else parents.at(-1)![last] = table;
  return dropEmptyParents(copy, path);
}

function dropEmptyParents(document: TomlTable, path: readonly string[]): TomlTable {
  for (let depth = path.length - 1; depth >= 1; depth--) {
    const parent = valueAt(document, path.slice(0, depth - 1)) as TomlTable | undefined;
    const child = parent?.[path[depth - 1]];
    if (parent && child && typeof child === "object" && Object.keys(child).length === 0) {
      delete parent[path[depth - 1]];
    }
  }
  return document;
}

/** The lines of `[path]` for `table`, sub-tables as their own `[path.sub]` sections. */
function renderTable(
  path: readonly string[],
  table: TomlTable,
  comments: readonly string[],
  eol: string,
): string {
  const header = (keys: readonly string[]) => `[${keys.map(quoteKey).join(".")}]`;
  const scalars: TomlTable = {};
  const tables: [string, TomlTable][] = [];
  for (const [key, value] of Object.entries(table)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) tables.push([key, value as TomlTable]);
    else scalars[key] = value;
  }
  const body = stringify(scalars).split("\n").filter(Boolean);
  const lines = [header(path), ...comments.map((text) => `# ${text}`), ...body];
  for (const [key, sub] of tables) {
    lines.push("", header([...path, key]), ...stringify(sub).split("\n").filter(Boolean));
  }
  return lines.map((line) => line + eol).join("");
}

/** A comparable text of a parsed value: keys sorted, dates as written (parsed tables have no prototype). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item) => {
    if (typeof item === "bigint") return `${item}n`;
    if (typeof item !== "object" || item === null || Array.isArray(item) || item instanceof Date) return item;
    return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

function quoteKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** What {@linkcode editTable} did. */
export interface TableEditResult {
  /** The edited document. */
  text: string;
  /** Whether `text` differs from the input. */
  changed: boolean;
  /** Whether the document had the table before. */
  existed: boolean;
}

/** Options for {@linkcode editTable}. */
export interface EditTableOptions {
  /** The document (the empty string for a file that does not exist yet). */
  text: string;
  /** Named in error messages. */
  file: string;
  /** Key path of the table, e.g. `["mcp_servers", "chatgpt"]`. */
  path: readonly string[];
  /** The table's new values; undefined removes it. */
  table: TomlTable | undefined;
  /** Comment lines written right under the header (inside the table, so the next edit replaces them). */
  comments?: readonly string[];
}

/**
 * Sets (or removes) the table at `path`, its sub-tables included, and keeps
 * every other line. Throws {@linkcode ConfigError} when the document does not
 * parse, when the table is defined in a form this edit does not rewrite
 * (an inline table or dotted keys), or when the result would not be exactly
 * the intended change.
 */
export function editTable(options: EditTableOptions): TableEditResult {
  const { text, file, path, table } = options;
  const original = parseDocument(text, file);
  const lines = text.split(/(?<=\n)/);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const ours = findSections(lines).filter((section) => startsWith(section.path, path));
  const dotted = path.join(".");
  if (ours.length === 0 && valueAt(original, path) !== undefined) {
    throw new ConfigError(
      `${file} defines ${dotted} as an inline table or with dotted keys; rewrite it as a [${dotted}] table ` +
        `(or delete it), then run this again`,
    );
  }
  // Trailing comments and blank lines introduce the section that follows: they stay, unless that one is ours too.
  const ranges = ours.map(({ start, end }) => {
    const followedByOther = end < lines.length && !ours.some((other) => other.start === end);
    let last = end;
    while (followedByOther && last > start + 1 && isBlankOrComment(lines[last - 1])) last--;
    return { start, end: last };
  });
  const kept: string[] = [];
  let insertAt: number | undefined;
  lines.forEach((line, index) => {
    const range = ranges.find((r) => index >= r.start && index < r.end);
    if (!range) return kept.push(line);
    if (index === ranges[0].start) insertAt = kept.length;
  });
  let result: string;
  const block = table === undefined ? "" : renderTable(path, table, options.comments ?? [], eol);
  if (insertAt !== undefined) {
    // A section removed from the end of the file takes the blank line that separated it along.
    const atEnd = ranges.some((range) => range.end === lines.length);
    // (A new block keeps the blank line before it.)
    if (atEnd && (table === undefined || kept.length > insertAt) && /^\s*\r?\n$/.test(kept.at(-1) ?? "")) {
      kept.pop();
      insertAt = Math.min(insertAt, kept.length);
    }
    kept.splice(insertAt, 0, block);
    result = kept.join("");
  } else if (table === undefined) {
    result = text;
  } else {
    const separator = text === "" || /\n\r?\n$/.test(text) ? "" : text.endsWith("\n") ? eol : eol + eol;
    result = text + separator + block;
  }
  // A fresh parse, not a clone: structuredClone would turn TOML dates into plain Dates.
  const expected = withTable(parseDocument(text, file), path, table);
  const actual = dropEmptyParents(parseDocument(result, `the edited ${file}`), path);
  if (canonical(actual) !== canonical(expected)) {
    throw new ConfigError(
      `Editing ${dotted} in ${file} would change other settings (an unusual layout?); it was left untouched: ` +
        `edit the [${dotted}] table by hand`,
    );
  }
  return { changed: result !== text, text: result, existed: ours.length > 0 };
}
