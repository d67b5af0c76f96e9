/**
 * One `ask_chatgpt` call through the official `openai` package's Responses
 * API, streamed when the caller wants progress, with every failure turned
 * into a {@linkcode ChatgptError} whose message a model can act on.
 *
 * @module
 */
import OpenAI from "openai";
import { ChatgptError } from "./chatgpt_error.ts";

export { ChatgptError };

/** What `ask_chatgpt` sends. */
export interface AskRequest {
  prompt: string;
  instructions?: string;
  model: string;
  reasoningEffort?: "none" | "low" | "medium" | "high" | "xhigh";
  maxOutputTokens?: number;
}

/** What `ask_chatgpt` returns. */
export interface AskResult {
  responseId: string;
  model: string;
  outputText: string;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number } | null;
}

/** Options for {@linkcode askChatgpt}. */
export interface AskOptions {
  timeoutMs: number;
  /** Cancels the call (the MCP client cancelled). */
  signal?: AbortSignal;
  /** Streams the answer and reports each piece of text as it arrives. */
  onText?: (delta: string, total: number) => void;
}

type ResponseLike = {
  id: string;
  model: string;
  status?: string | null;
  output_text?: string;
  output?: { type: string; content?: { type: string; text?: string; refusal?: string }[] }[];
  incomplete_details?: { reason?: string } | null;
  error?: { message?: string } | null;
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number } | null;
};

/** Calls the Responses API once. Throws {@linkcode ChatgptError} on any failure. */
export async function askChatgpt(client: OpenAI, request: AskRequest, options: AskOptions): Promise<AskResult> {
  const body = {
    model: request.model,
    input: request.prompt,
    ...(request.instructions ? { instructions: request.instructions } : {}),
    ...(request.reasoningEffort ? { reasoning: { effort: request.reasoningEffort } } : {}),
    ...(request.maxOutputTokens ? { max_output_tokens: request.maxOutputTokens } : {}),
  };
  const requestOptions = { timeout: options.timeoutMs, signal: options.signal };
  let response: ResponseLike;
  try {
    if (options.onText) {
      const stream = client.responses.stream(body as never, requestOptions);
      let total = 0;
      stream.on("response.output_text.delta", (event) => {
        total += event.delta.length;
        options.onText!(event.delta, total);
      });
      response = await stream.finalResponse() as unknown as ResponseLike;
    } else {
      response = await client.responses.create(body as never, requestOptions) as unknown as ResponseLike;
    }
  } catch (error) {
    throw describeFailure(error, request, options);
  }
  return toResult(response, request);
}

function textOf(response: ResponseLike): { text: string; refusal?: string } {
  let text = "";
  let refusal: string | undefined;
  for (const item of response.output ?? []) {
    if (item.type !== "message") continue;
    for (const part of item.content ?? []) {
      if (part.type === "output_text") text += part.text ?? "";
      if (part.type === "refusal") refusal = part.refusal ?? "";
    }
  }
  return { text: response.output_text || text, refusal };
}

function toResult(response: ResponseLike, request: AskRequest): AskResult {
  const { text, refusal } = textOf(response);
  if (refusal !== undefined && text === "") {
    throw new ChatgptError(`The model refused to answer: ${refusal || "(no reason given)"}. Rephrase the request.`);
  }
  if (response.status === "failed") {
    throw new ChatgptError(`The model failed: ${response.error?.message ?? "no details"}. Try again later.`);
  }
  if (response.status === "incomplete" && text === "") {
    const reason = response.incomplete_details?.reason ?? "unknown reason";
    throw new ChatgptError(
      `The response was cut off before any text (${reason})` +
        (reason === "max_output_tokens" ? "; raise maxOutputTokens or lower reasoningEffort." : "."),
    );
  }
  if (text.trim() === "") {
    throw new ChatgptError(`The model (${response.model || request.model}) returned no text. Try rephrasing.`);
  }
  const usage = response.usage
    ? {
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      totalTokens: response.usage.total_tokens,
    }
    : null;
  return { responseId: response.id, model: response.model || request.model, outputText: text, usage };
}

function describeFailure(error: unknown, request: AskRequest, options: AskOptions): ChatgptError {
  if (error instanceof ChatgptError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError || (error as Error)?.name === "TimeoutError") {
    return new ChatgptError(
      `The OpenAI API did not answer within ${options.timeoutMs} ms. Retry with a shorter prompt, or the owner ` +
        "can raise CODEX_CHATGPT_TIMEOUT_MS.",
    );
  }
  if (error instanceof OpenAI.APIUserAbortError) return new ChatgptError("The request was cancelled.");
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const detail = (error.error as { message?: string } | undefined)?.message ?? error.message;
    switch (error.status) {
      case 401:
        return new ChatgptError(`The OpenAI API rejected the API key (401): ${detail}. Check OPENAI_API_KEY.`);
      case 403:
        return new ChatgptError(`The OpenAI API refused access (403): ${detail}. The key lacks access to this.`);
      case 404:
        return new ChatgptError(
          `Model "${request.model}" was not found (404): ${detail}. Pass another model or set CODEX_CHATGPT_MODEL.`,
        );
      case 429: {
        const after = error.headers?.get?.("retry-after");
        return new ChatgptError(
          `Rate limited by the OpenAI API (429): ${detail}.` +
            (after ? ` Retry after ${after} seconds.` : " Wait a little and retry."),
        );
      }
    }
    if (error.status >= 500) {
      return new ChatgptError(
        `The OpenAI API failed (${error.status}) even after retries: ${detail}. Try again later.`,
      );
    }
    return new ChatgptError(`The OpenAI API refused the request (${error.status}): ${detail}`);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ChatgptError(`Could not reach the OpenAI API: ${error.message}. Check OPENAI_BASE_URL and the network.`);
  }
  return new ChatgptError(`The call failed: ${(error as Error)?.message ?? String(error)}`);
}
