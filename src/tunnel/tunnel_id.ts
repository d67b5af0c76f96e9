/**
 * The shape of a Secure MCP Tunnel id, apart from the wire contract
 * (protocol.ts): `serve`'s configuration checks it at every start, and
 * protocol.ts's zod schemas would cost that start ~15 ms to build when no
 * tunnel is configured.
 *
 * @module
 */

/** Tunnel ids as the control plane accepts them (its `invalid_tunnel_id_format`). */
export const TUNNEL_ID_PATTERN = /^tunnel_[a-z0-9]{32}$/;
