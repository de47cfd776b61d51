/**
 * `NODE_DEBUG=weft`: the Node client's default logger, writing to stderr through `util.debuglog`.
 */
import { debuglog } from 'node:util';
import type { Logger } from '../log.js';

const write = debuglog('weft');

function line(fields: object, message: string): string {
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return pairs.length === 0 ? message : `${message} ${pairs.join(' ')}`;
}

/** `NODE_DEBUG=weft` (or a list naming it): a Logger writing to stderr; else undefined. */
export function nodeDebugLogger(): Logger | undefined {
  if (!write.enabled) return undefined;
  const log = (level: string) => (fields: object, message: string) =>
    write('%s %s', level, line(fields, message));
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
