/**
 * Reads a secret's value from standard input: a pipe or file as it is, a
 * terminal without echo. Never from argv, where process lists show it.
 *
 * @module
 */

const ENTER = new Set([0x0a, 0x0d]);
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = new Set([0x08, 0x7f]);

/** Thrown when the owner interrupts the hidden prompt. */
export class InputAborted extends Error {
  override name = "InputAborted";
}

async function readHidden(prompt: string): Promise<string> {
  const encoder = new TextEncoder();
  await Deno.stderr.write(encoder.encode(prompt));
  const bytes: number[] = [];
  Deno.stdin.setRaw(true);
  try {
    const buffer = new Uint8Array(256);
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      for (const byte of buffer.subarray(0, n)) {
        if (byte === CTRL_C) throw new InputAborted("Interrupted: nothing stored");
        if (ENTER.has(byte) || byte === CTRL_D) return new TextDecoder().decode(new Uint8Array(bytes));
        if (BACKSPACE.has(byte)) bytes.pop();
        else bytes.push(byte);
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
}

/**
 * The value on standard input, without the one line ending `echo` adds. On
 * a terminal, prompts on stderr and reads one line without echoing it.
 */
export async function readSecretInput(name: string): Promise<string> {
  if (Deno.stdin.isTerminal()) return await readHidden(`Value for ${name} (not shown): `);
  const text = await new Response(Deno.stdin.readable).text();
  return text.replace(/\r?\n$/, "");
}
