/**
 * The owner's extra secret patterns (`--secret-pattern`): shell-style globs
 * matched case-insensitively against an entry's base name and against its
 * path relative to the scanned directory, with `/` between folders.
 *
 * - `*` matches any characters except `/`, `?` one character except `/`;
 * - `[abc]`, `[a-z]`, `[!abc]` match one character from (or not from) a set;
 * - `{a,b}` matches either alternative (not nested);
 * - `**` as a whole segment matches any number of folders: `config/prod/**`
 *   matches the folder `config/prod` itself, so the folder is hidden as one
 *   entry; a leading `**` segment matches at any depth;
 * - a trailing `/` matches folders only: `build/keys/`.
 *
 * `node:path`'s `matchesGlob` is not used: it has no case-insensitive mode,
 * lets `*` skip dotfiles, and under Deno asks for an environment variable
 * (`__MINIMATCH_TESTING_PLATFORM__`) the bridge is not allowed to read.
 *
 * @module
 */

/** A compiled owner pattern. */
export interface SecretPattern {
  /** The glob as the owner wrote it. */
  readonly glob: string;
  /** Whether only folders match (the glob ended with `/`). */
  readonly directoryOnly: boolean;
  /** Matches a base name or a relative path, case-insensitively. */
  readonly regexp: RegExp;
}

/** A syntax error in a pattern; its message is the one returned to the owner. */
class PatternSyntaxError extends TypeError {
  override name = "PatternSyntaxError";
}

const REGEXP_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

function escape(text: string): string {
  return text.replace(REGEXP_SPECIAL, "\\$&");
}

/** Translates one path segment (no `/`, not `**`). */
function segmentSource(glob: string, segment: string, inBraces: boolean): string {
  let out = "";
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    if (char === "*") {
      if (segment[i + 1] === "*") {
        throw new PatternSyntaxError(`Secret pattern "${glob}" uses "**" inside a segment; write it alone between "/"`);
      }
      out += "[^/]*";
    } else if (char === "?") {
      out += "[^/]";
    } else if (char === "[") {
      let j = i + 1;
      const negated = segment[j] === "!" || segment[j] === "^";
      if (negated) j++;
      let body = "";
      // A "]" right after the opening bracket is a literal member.
      for (let first = true; j < segment.length && (first || segment[j] !== "]"); j++, first = false) {
        const member = segment[j];
        body += member === "-" && !first && segment[j + 1] !== "]" ? "-" : escape(member);
      }
      if (j >= segment.length) throw new PatternSyntaxError(`Secret pattern "${glob}" has an unclosed "["`);
      out += negated ? `[^/${body}]` : `[${body}]`;
      i = j;
    } else if (char === "{") {
      if (inBraces) {
        throw new PatternSyntaxError(`Secret pattern "${glob}" nests "{": alternatives cannot contain alternatives`);
      }
      const end = segment.indexOf("}", i);
      if (end < 0) throw new PatternSyntaxError(`Secret pattern "${glob}" has an unclosed "{"`);
      const alternatives = segment.slice(i + 1, end).split(",");
      out += `(?:${alternatives.map((alternative) => segmentSource(glob, alternative, true)).join("|")})`;
      i = end;
    } else if (char === "}" && !inBraces) {
      throw new PatternSyntaxError(`Secret pattern "${glob}" has a "}" without "{"`);
    } else {
      out += escape(char);
    }
  }
  return out;
}

/** Compiles a glob, throwing {@linkcode PatternSyntaxError} when it is invalid. */
function compile(glob: string): SecretPattern {
  if (typeof glob !== "string" || glob.trim() === "") {
    throw new PatternSyntaxError(`Secret pattern ${JSON.stringify(glob)} is empty`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(glob)) {
    throw new PatternSyntaxError(`Secret pattern ${JSON.stringify(glob)} contains a control character`);
  }
  if (glob.includes("\\")) {
    throw new PatternSyntaxError(`Secret pattern "${glob}" contains "\\"; separate folders with "/"`);
  }
  if (glob.startsWith("/")) {
    throw new PatternSyntaxError(
      `Secret pattern "${glob}" starts with "/"; patterns are relative to the scanned directory`,
    );
  }
  const directoryOnly = glob.endsWith("/");
  const segments = (directoryOnly ? glob.slice(0, -1) : glob).split("/")
    .filter((segment, i, all) => !(segment === "**" && all[i - 1] === "**"));
  for (const segment of segments) {
    if (segment === "") throw new PatternSyntaxError(`Secret pattern "${glob}" has an empty folder name ("//")`);
    if (segment === "." || segment === "..") {
      throw new PatternSyntaxError(`Secret pattern "${glob}" contains a "${segment}" segment`);
    }
  }
  if (segments.every((segment) => /^\*+$/.test(segment))) {
    throw new PatternSyntaxError(`Secret pattern "${glob}" would hide every file; name the files or folders to hide`);
  }
  let source = "";
  let needSlash = false;
  for (let i = 0; i < segments.length; i++) {
    const last = i === segments.length - 1;
    if (segments[i] === "**") {
      source += last ? (needSlash ? "(?:/.*)?" : ".*") : (needSlash ? "(?:/.*)?/" : "(?:.*/)?");
      needSlash = false;
    } else {
      source += (needSlash ? "/" : "") + segmentSource(glob, segments[i], false);
      needSlash = true;
    }
  }
  return Object.freeze({ glob, directoryOnly, regexp: new RegExp(`^${source}$`, "i") });
}

/**
 * Checks an owner pattern. Returns an error message quoting the pattern,
 * or `undefined` when it is valid.
 *
 * @example
 * ```ts
 * validateSecretPattern("config/prod/**"); // undefined
 * validateSecretPattern("/etc/*.key"); // 'Secret pattern "/etc/*.key" starts with "/"; …'
 * ```
 */
export function validateSecretPattern(glob: string): string | undefined {
  try {
    compile(glob);
    return undefined;
  } catch (error) {
    if (error instanceof PatternSyntaxError) return error.message;
    throw error;
  }
}

/** Compiles an owner pattern; throws a `TypeError` with the validation message when it is invalid. */
export function compileSecretPattern(glob: string): SecretPattern {
  return compile(glob);
}

/**
 * Whether any pattern matches an entry, by base name or by `relPath`
 * (relative to the scanned directory, `/`-separated).
 */
export function matchesSecretPattern(
  patterns: readonly SecretPattern[],
  name: string,
  relPath: string,
  isDirectory: boolean,
): boolean {
  for (const pattern of patterns) {
    if (pattern.directoryOnly && !isDirectory) continue;
    if (pattern.regexp.test(name) || pattern.regexp.test(relPath)) return true;
  }
  return false;
}
