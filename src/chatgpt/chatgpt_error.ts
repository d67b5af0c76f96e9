/**
 * The error `ask_chatgpt` reports, in a module of its own so the server can
 * report a missing key without loading the `openai` package.
 *
 * @module
 */

/** A failure of the call, worded for the model that asked. */
export class ChatgptError extends Error {
  override name = "ChatgptError";
}
