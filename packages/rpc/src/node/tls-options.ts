import type tls from 'node:tls';

/** TLS options of a server (`key`, `cert`, `ca`, ...), as `node:tls` takes them. */
export type ServerTlsOptions = tls.TlsOptions;
/** TLS options of a client (`ca`, `servername`, `session`, ...), as `node:tls` takes them. */
export type ClientTlsOptions = tls.ConnectionOptions;
