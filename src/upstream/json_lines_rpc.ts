/**
 * A JSON-RPC peer over newline-delimited JSON, as `codex app-server` speaks
 * it: no `"jsonrpc"` field, one object per line each way, and requests in
 * both directions whose ids may collide — so messages are routed by shape
 * (`method` + `id` = the server's request, `id` alone = a response to us).
 *
 * @module
 */

/** An error answer from the other side. */
export class RpcError extends Error {
  override name = "RpcError";
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Handlers for what the other side sends. */
export interface JsonLinesPeerHandlers {
  onNotification(method: string, params: unknown): void;
  /** Answers a request from the other side; throw {@linkcode RpcError} to refuse it. */
  onRequest(method: string, params: unknown): Promise<unknown> | unknown;
  /** A line that is not a JSON-RPC message: the peer is unusable after it. */
  onProtocolError(reason: string): void;
  /** A response to an id we never sent (logged, otherwise ignored). */
  onStrayResponse?(id: unknown): void;
}

/** Longest line accepted; a longer one is a protocol error. */
const MAX_LINE = 16 * 1024 * 1024;

/** See the module doc. */
export class JsonLinesPeer {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #handlers: JsonLinesPeerHandlers;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #closedReason: Error | undefined;
  #encoder = new TextEncoder();
  /** Settles when the readable side ends. */
  readonly finished: Promise<void>;

  constructor(
    writable: WritableStream<Uint8Array>,
    readable: ReadableStream<Uint8Array>,
    handlers: JsonLinesPeerHandlers,
  ) {
    this.#writer = writable.getWriter();
    this.#handlers = handlers;
    this.finished = this.#read(readable);
  }

  /** Sends a request and resolves with its result. */
  request(method: string, params: unknown): Promise<unknown> {
    if (this.#closedReason) return Promise.reject(this.#closedReason);
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.#pending.set(id, { resolve, reject });
    this.#write({ id, method, params }).catch((error) => {
      this.#pending.delete(id);
      reject(error);
    });
    return promise;
  }

  /** Sends a notification. */
  notify(method: string, params?: unknown): Promise<void> {
    return this.#write(params === undefined ? { method } : { method, params });
  }

  /** Fails every pending request with `error`; later requests fail the same way. */
  close(error: Error): void {
    this.#closedReason ??= error;
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
    this.#writer.close().catch(() => {});
  }

  async #write(message: unknown): Promise<void> {
    if (this.#closedReason) throw this.#closedReason;
    await this.#writer.write(this.#encoder.encode(JSON.stringify(message) + "\n"));
  }

  async #read(readable: ReadableStream<Uint8Array>): Promise<void> {
    let buffer = "";
    try {
      for await (const chunk of readable.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line !== "") this.#dispatch(line);
        }
        if (buffer.length > MAX_LINE) {
          this.#handlers.onProtocolError(`a line longer than ${MAX_LINE} bytes`);
          buffer = "";
        }
      }
    } catch {
      // The stream errored (child killed); the exit handler reports why.
    }
  }

  #dispatch(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line);
      if (typeof message !== "object" || message === null || Array.isArray(message)) throw new Error("not an object");
    } catch {
      this.#handlers.onProtocolError(`not JSON-RPC: ${JSON.stringify(line.slice(0, 120))}`);
      return;
    }
    const { id, method } = message;
    if (typeof method === "string" && id !== undefined) {
      this.#answer(id, method, message.params);
    } else if (typeof method === "string") {
      this.#handlers.onNotification(method, message.params);
    } else if (typeof id === "number" && this.#pending.has(id)) {
      const pending = this.#pending.get(id)!;
      this.#pending.delete(id);
      const error = message.error as { code?: number; message?: string } | undefined;
      if (error) pending.reject(new RpcError(error.code ?? -32603, error.message ?? "unknown error"));
      else pending.resolve(message.result);
    } else {
      this.#handlers.onStrayResponse?.(id);
    }
  }

  async #answer(id: unknown, method: string, params: unknown): Promise<void> {
    let reply: unknown;
    try {
      reply = { id, result: await this.#handlers.onRequest(method, params) };
    } catch (error) {
      const code = error instanceof RpcError ? error.code : -32603;
      reply = { id, error: { code, message: (error as Error).message } };
    }
    await this.#write(reply).catch(() => {});
  }
}
