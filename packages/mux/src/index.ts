/**
 * `@weft/mux`: an HTTP/2 (RFC 9113) stream multiplexer shaped like node:http2 — `createServer`,
 * `connect`, sessions and Duplex streams — over a pure protocol core (`@weft/mux/core`) and HPACK
 * (`@weft/mux/hpack`).
 * @packageDocumentation
 */
export * from './core.js';
export * from './hpack/index.js';
export * from './node/index.js';
