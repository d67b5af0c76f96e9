/**
 * How the authorization server answers: JSON never cached (token responses
 * and errors carry `Cache-Control: no-store`), errors as RFC 6749 JSON, and
 * form bodies read with a size cap.
 *
 * @module
 */
import { OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server";

/** Headers on every OAuth endpoint answer. */
export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

/** Largest form or JSON body an OAuth endpoint reads. */
export const MAX_OAUTH_BODY_BYTES = 64 * 1024;

/** A JSON answer that no cache keeps. */
export function noStoreJson(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: NO_STORE });
}

/** An RFC 6749 error answer (400 unless said otherwise; 401 for `invalid_client`). */
export function oauthErrorResponse(error: OAuthError, status?: number): Response {
  const code = status ?? (error.code === OAuthErrorCode.InvalidClient ? 401 : 400);
  return noStoreJson(error.toResponseObject(), code);
}

/** Reads a body as text up to the cap; throws `invalid_request` above it. */
export function readBody(request: Request): Promise<string> {
  return readCappedText(
    request,
    MAX_OAUTH_BODY_BYTES,
    () => new OAuthError(OAuthErrorCode.InvalidRequest, "Request body too large"),
  );
}

/** Reads a body as text, throwing `tooBig()` past `max` bytes without reading the rest. */
export async function readCappedText(message: Request | Response, max: number, tooBig: () => Error): Promise<string> {
  const declared = Number(message.headers.get("content-length") ?? "0");
  if (declared > max) {
    await message.body?.cancel();
    throw tooBig();
  }
  const reader = message.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Reads an `application/x-www-form-urlencoded` body; a repeated parameter is an error (RFC 6749 §3.1). */
export async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new OAuthError(OAuthErrorCode.InvalidRequest, "Expected an application/x-www-form-urlencoded body");
  }
  const form = new URLSearchParams(await readBody(request));
  assertNoRepeats(form);
  return form;
}

/** Throws `invalid_request` when a parameter appears twice. */
export function assertNoRepeats(params: URLSearchParams): void {
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) throw new OAuthError(OAuthErrorCode.InvalidRequest, `Parameter ${key} given twice`);
    seen.add(key);
  }
}
