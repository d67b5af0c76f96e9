/**
 * What the `chatgpt` launcher stage needs from the command line to plan the
 * confined launch, read without zod: it starts fast, and `chatgpt`'s full
 * validation is the confined stage's. When the value looks wrong, the caller
 * runs the full parse for its precise error instead. (`serve`'s launcher
 * parses once in full: the keychain, the tunnel and OAuth shape its plan.)
 *
 * @module
 */
import { CHATGPT_OPTIONS } from "../config/options.ts";
import { readOptions } from "../config/read_options.ts";

/** Reads the Responses API base URL of `chatgpt`, or undefined when it is not an http(s) URL. */
export function readChatgptBaseUrl(
  args: readonly string[],
  env: (name: string) => string | undefined,
): string | undefined {
  const baseUrl = (readOptions(CHATGPT_OPTIONS, args, env).baseUrl?.value ?? CHATGPT_OPTIONS.baseUrl.default).trim();
  const protocol = URL.parse(baseUrl)?.protocol;
  return protocol === "http:" || protocol === "https:" ? baseUrl : undefined;
}
