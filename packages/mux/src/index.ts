/**
 * `@weft/mux`: an HTTP/2 (RFC 9113) stream multiplexer. Today it holds the HPACK codec (RFC 7541),
 * also exported as `@weft/mux/hpack`; the multiplexer itself lands with its issue.
 * @packageDocumentation
 */
export * from './hpack/index.js';
