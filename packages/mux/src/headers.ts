import type { HeaderField } from './hpack/encoder.js';

/**
 * Field validity rules of RFC 9113 §8.2-8.5. A violation makes the message malformed: "a stream error
 * of type PROTOCOL_ERROR" (§8.1.1). Returns the reason, or undefined when the block is well-formed.
 */

/** Connection-specific fields that "MUST NOT" appear in HTTP/2 (§8.2.2). */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);
/** Pseudo-header bits, for duplicate and presence checks without a set per block. */
const PSEUDO_BIT: Record<string, number> = {
  ':method': 1,
  ':scheme': 2,
  ':authority': 4,
  ':path': 8,
  ':protocol': 16,
  ':status': 32,
};
const REQUEST_PSEUDO = 1 | 2 | 4 | 8 | 16;
const STATUS = 32;

/** What a header block is, from its position in the stream. */
export type BlockKind = 'request' | 'response' | 'trailers';

/**
 * Names and values already found well-formed. Blocks repeat the same strings (most of them the HPACK
 * tables' own), so each is scanned once: a set lookup costs a fraction of the character loop. Bounded:
 * a set that reaches MEMO_LIMIT takes nothing more, and later strings cost only their own scan. It
 * does not start over: a `Set` cleared and refilled all the time (a unique value per request) links
 * each dropped table to the next, as `Map` does (see IdMap in @weft/framing) — with a unique metadata
 * value per rpc call, that doubled what each scavenge promoted (0.31–0.33% of allocation → 0.16–0.18%).
 */
const goodNames = new Set<string>();
const goodValues = new Set<string>();
const MEMO_LIMIT = 1024;

function remember(set: Set<string>, s: string): void {
  if (set.size < MEMO_LIMIT) set.add(s);
}

/** §8.2.1: no uppercase, no controls, space, DEL or non-ASCII in names (':' only as the pseudo prefix). */
function nameProblem(name: string): string | undefined {
  if (goodNames.has(name)) return undefined;
  if (name.length === 0) return 'empty field name';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || (c >= 0x41 && c <= 0x5a) || (c === 0x3a && i > 0)) {
      return `invalid character in field name ${JSON.stringify(name)}`;
    }
  }
  remember(goodNames, name);
  return undefined;
}

/** §8.2.1: no NUL, CR or LF in values, and no SP or HTAB at either end. */
function valueProblem(value: string): string | undefined {
  if (goodValues.has(value)) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return 'NUL, CR or LF in the value';
  }
  if (value.length > 0) {
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(value.length - 1);
    if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) {
      return 'whitespace at the start or end of the value';
    }
  }
  remember(goodValues, value);
  return undefined;
}

/**
 * §8.3.1: `:path` is not empty, and for http and https it is origin-form (`/…`) or `*` for OPTIONS;
 * `:authority` of http and https carries no userinfo. §8.5: plain CONNECT has `:authority` and no
 * `:scheme` or `:path`; RFC 8441 §4: `:protocol` only with CONNECT.
 */
function requestProblem(fields: readonly HeaderField[], seen: number): string | undefined {
  let method: string | undefined;
  let scheme: string | undefined;
  let path: string | undefined;
  let authority: string | undefined;
  for (const [name, value] of fields) {
    if (name.charCodeAt(0) !== 0x3a) break; // pseudo-headers come first (checked already)
    if (name === ':method') method = value;
    else if (name === ':scheme') scheme = value;
    else if (name === ':path') path = value;
    else if (name === ':authority') authority = value;
  }
  const connect = method === 'CONNECT';
  if (seen & 16 && !connect) return ':protocol in a request that is not CONNECT';
  if (connect && (seen & 16) === 0) {
    if (seen & (2 | 8)) return 'CONNECT with :scheme or :path';
    if (authority === undefined || authority === '') return 'CONNECT without :authority';
    return undefined;
  }
  if (path === '') return 'empty :path';
  const web = scheme === 'http' || scheme === 'https';
  if (web && path !== undefined && path.charCodeAt(0) !== 0x2f && !(path === '*' && method === 'OPTIONS')) {
    return `:path ${JSON.stringify(path.slice(0, 64))} is neither origin-form nor * for OPTIONS`;
  }
  if (web && authority?.includes('@')) return ':authority with userinfo';
  return undefined;
}

export function validateBlock(fields: readonly HeaderField[], kind: BlockKind): string | undefined {
  let regularSeen = false;
  let seen = 0;
  let connect = false;
  for (const [name, value] of fields) {
    const problem = nameProblem(name);
    if (problem !== undefined) return problem;
    const bad = valueProblem(value);
    if (bad !== undefined) return `${bad} of ${name}`;
    if (name.charCodeAt(0) === 0x3a) {
      if (kind === 'trailers') return `pseudo-header ${name} in trailers`;
      if (regularSeen) return `pseudo-header ${name} after a regular field`;
      const bit = PSEUDO_BIT[name] ?? 0;
      if ((kind === 'request' ? bit & REQUEST_PSEUDO : bit & STATUS) === 0)
        return `pseudo-header ${name} not allowed here`;
      if (seen & bit) return `duplicate pseudo-header ${name}`;
      seen |= bit;
      if (bit === 1 && value === 'CONNECT') connect = true;
    } else {
      regularSeen = true;
      if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`;
      if (name === 'te' && value !== 'trailers') return 'te other than "trailers"';
    }
  }
  if (kind === 'request') {
    if ((seen & 1) === 0) return 'request without :method';
    // Extended CONNECT (RFC 8441) carries :scheme and :path; plain CONNECT does not.
    if ((!connect || seen & 16) && (seen & (2 | 8)) !== (2 | 8)) return 'request without :scheme or :path';
    return requestProblem(fields, seen);
  }
  if (kind === 'response' && (seen & STATUS) === 0) return 'response without :status';
  return undefined;
}

/**
 * The `content-length` a request or response declares (RFC 9113 §8.1.1, RFC 9110 §8.6): -1 when it
 * has none, NaN when a value is not 1*DIGIT, repeats disagree, or it is past 2^53.
 */
export function declaredLength(fields: readonly HeaderField[]): number {
  let length = -1;
  for (const [name, value] of fields) {
    if (name !== 'content-length') continue;
    if (!/^\d{1,16}$/.test(value)) return Number.NaN;
    const n = Number(value);
    if (n > Number.MAX_SAFE_INTEGER || (length !== -1 && n !== length)) return Number.NaN;
    length = n;
  }
  return length;
}
