/**
 * `@weft/mux`: the pure HTTP/2 (RFC 9113) protocol core — the connection state machine (bytes in,
 * events out), the frame codec and constants — and HPACK (RFC 7541), with no I/O. The Node adapter
 * (`createServer`, `connect`, sessions and Duplex streams) is in `@weft/mux/node`.
 * @packageDocumentation
 */
export * from './core.js';
export * from './hpack/index.js';
