import assert from "node:assert/strict";
import { JsonLinesPeer, RpcError } from "../../src/upstream/json_lines_rpc.ts";

/** A peer wired to an in-memory "server" the test writes lines for. */
function wire() {
  const toPeer = new TransformStream<Uint8Array, Uint8Array>();
  const fromPeer = new TransformStream<Uint8Array, Uint8Array>();
  const serverWriter = toPeer.writable.getWriter();
  const sent: unknown[] = [];
  const seen = { notifications: [] as string[], protocolErrors: [] as string[], stray: [] as unknown[] };
  (async () => {
    for await (const chunk of fromPeer.readable.pipeThrough(new TextDecoderStream())) {
      for (const line of chunk.split("\n").filter(Boolean)) sent.push(JSON.parse(line));
    }
  })();
  const peer = new JsonLinesPeer(fromPeer.writable, toPeer.readable, {
    onNotification: (method) => seen.notifications.push(method),
    onRequest: (method) => {
      if (method === "approve") return { decision: "decline" };
      throw new RpcError(-32601, `unknown ${method}`);
    },
    onProtocolError: (reason) => seen.protocolErrors.push(reason),
    onStrayResponse: (id) => seen.stray.push(id),
  });
  const say = (message: unknown) => serverWriter.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { peer, sent, seen, say, tick, serverWriter, serverReadable: toPeer };
}

Deno.test("JsonLinesPeer routes by shape when the server's request ids collide with ours", async () => {
  const { peer, sent, seen, say, tick, serverWriter } = wire();
  const answer = peer.request("thread/start", {});
  await tick();
  assert.deepEqual(sent[0], { id: 1, method: "thread/start", params: {} }, "no jsonrpc field");
  await say({ id: 1, method: "approve", params: {} }); // the server's own request #1
  await say({ method: "turn/started", params: {} });
  await say({ id: 1, result: { thread: { id: "t" } } }); // our response #1
  assert.deepEqual(await answer, { thread: { id: "t" } });
  await tick();
  assert.deepEqual(sent[1], { id: 1, result: { decision: "decline" } });
  assert.deepEqual(seen.notifications, ["turn/started"]);
  await say({ id: 7, method: "weird/request" });
  await say({ id: 99, result: {} });
  await tick();
  assert.deepEqual(sent[2], { id: 7, error: { code: -32601, message: "unknown weird/request" } });
  assert.deepEqual(seen.stray, [99]);
  peer.close(new Error("done"));
  await serverWriter.close();
});

Deno.test("JsonLinesPeer reports garbage as a protocol error and fails requests on close", async () => {
  const { peer, seen, serverWriter, tick } = wire();
  await serverWriter.write(new TextEncoder().encode("this is not json\n[1,2]\n"));
  await tick();
  assert.equal(seen.protocolErrors.length, 2);
  assert.match(seen.protocolErrors[0], /not JSON-RPC: "this is not json"/);
  const pending = peer.request("x", {});
  peer.close(new Error("child exited"));
  await assert.rejects(pending, /child exited/);
  await assert.rejects(peer.request("y", {}), /child exited/);
  await serverWriter.close();
});

Deno.test("JsonLinesPeer turns an error answer into an RpcError", async () => {
  const { peer, say, tick, serverWriter } = wire();
  const pending = peer.request("turn/start", {});
  await tick();
  await say({ id: 1, error: { code: -32600, message: "Not initialized" } });
  await assert.rejects(pending, (error) => error instanceof RpcError && error.code === -32600);
  peer.close(new Error("done"));
  await serverWriter.close();
});
