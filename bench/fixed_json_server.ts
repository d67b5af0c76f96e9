/** The ceiling for this stack: a bare Deno.serve answering a fixed JSON body. Prints its URL. */
const body = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools: [] } });
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}/mcp`),
}, () => new Response(body, { headers: { "content-type": "application/json" } }));
