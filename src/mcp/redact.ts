/**
 * Keeps details of the owner's machine out of what the remote model reads:
 * URLs, local addresses with ports, and absolute paths other than those the
 * bridge shows anyway (`bridge_status`: roots, read paths). Codex's failures
 * quote them (`unexpected status 401 … url: http://127.0.0.1:PORT/v1/…`); the
 * owner's log keeps the full text.
 *
 * @module
 */

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)\]]+/gi;
const ADDRESS_PATTERN = /(?:\blocalhost\b|\b\d{1,3}(?:\.\d{1,3}){3}\b|\[[0-9a-f]*:[0-9a-f:.]*\])(?::\d{1,5}\b)?/gi;
// An absolute path: a slash not preceded by a word character, dot or slash (so `thread/start`, `1/2` stay).
const PATH_PATTERN = /(?<![\w.\/~-])\/[^\s"'`<>()\[\]{},;]+/g;
const HOME_PATTERN = /(?<![\w.\/-])~\/[^\s"'`<>()\[\]{},;]*/g;

/** `text` with URLs, local addresses and unshown absolute paths replaced by placeholders. */
export function redactLocalDetails(text: string, shownPaths: readonly string[]): string {
  return text
    .replace(URL_PATTERN, "<url>")
    .replace(ADDRESS_PATTERN, "<address>")
    .replace(HOME_PATTERN, "<local path>")
    .replace(PATH_PATTERN, (path) => {
      const bare = path.replace(/[.:]+$/, "");
      const shown = shownPaths.some((dir) => bare === dir || bare.startsWith(dir.endsWith("/") ? dir : `${dir}/`));
      return shown ? path : "<local path>" + path.slice(bare.length);
    });
}
