/**
 * Debug logging of what a client's channel does on its own — endpoint states (connecting, ready,
 * failures with their cause), ejections, retries, resolver changes — to a pino-shaped `logger`
 * option, or with `NODE_DEBUG=weft` to stderr through `util.debuglog`. Silent and free otherwise.
 */
import { debuglog } from 'node:util';

/** A pino-shaped logger: a structured object first, then a message. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const write = debuglog('weft');

function line(fields: object, message: string): string {
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return pairs.length === 0 ? message : `${message} ${pairs.join(' ')}`;
}

/** `NODE_DEBUG=weft` (or a list naming it): a Logger writing to stderr; else undefined. */
function nodeDebugLogger(): Logger | undefined {
  if (!write.enabled) return undefined;
  const log = (level: string) => (fields: object, message: string) =>
    write('%s %s', level, line(fields, message));
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** The logger a client uses: its `logger` option, else `NODE_DEBUG=weft`'s, else none. */
export function clientLogger(option: Logger | undefined): Logger | undefined {
  return option ?? nodeDebugLogger();
}
