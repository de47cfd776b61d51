import { WsError, WsUsageError } from '../errors.js';
import { type ExtensionOffer, formatExtensions, parseExtensions } from '../extensions.js';
import { CloseCode } from '../frame/types.js';

/** The extension's registered name (RFC 7692 §7). */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/**
 * permessage-deflate settings (RFC 7692), for a server's acceptance or a client's offer. `true` or
 * `{}` uses the defaults.
 */
export interface PerMessageDeflateOptions {
  /** The server resets its compressor after every message (less memory, worse ratio). */
  serverNoContextTakeover?: boolean;
  /** The client resets its compressor after every message. */
  clientNoContextTakeover?: boolean;
  /** Largest LZ77 window the server compresses with, 9-15 (2^n bytes). Default 15. */
  serverMaxWindowBits?: number;
  /** Largest LZ77 window the client compresses with, 9-15. Default 15. */
  clientMaxWindowBits?: number;
  /** Messages smaller than this many bytes are sent uncompressed. Default 1024. */
  threshold?: number;
  /** zlib compression level 0-9. Default 1 (fast; most of the gain on typical payloads). */
  level?: number;
  /** zlib memLevel 1-9. Default 8. */
  memLevel?: number;
  /**
   * Most zlib operations running at once in the whole process (zlib works on libuv's thread pool,
   * 4 threads by default); later ones wait their turn. Default 10. The first connection to
   * negotiate fixes the process-wide value.
   */
  concurrencyLimit?: number;
}

/** The negotiated parameters, named as on the wire; window bits are always set (15 when unsaid). */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** What one side uses: its own compressor's window and reset, and the peer's window to inflate with. */
export interface DeflateSide {
  deflateWindowBits: number;
  deflateNoContextTakeover: boolean;
  inflateWindowBits: number;
}

/** Our compressor and decompressor settings for `role`. */
export function sideOf(params: DeflateParams, role: 'client' | 'server'): DeflateSide {
  const server = role === 'server';
  return {
    deflateWindowBits: server ? params.serverMaxWindowBits : params.clientMaxWindowBits,
    deflateNoContextTakeover: server ? params.serverNoContextTakeover : params.clientNoContextTakeover,
    inflateWindowBits: server ? params.clientMaxWindowBits : params.serverMaxWindowBits,
  };
}

/**
 * Window sizes we can honour as a compressor. zlib cannot produce a raw deflate stream with an
 * 8-bit window (it silently uses 9), so 8 is accepted from peers only where it limits them.
 */
const MIN_DEFLATE_BITS = 9;

function checkOptions(o: PerMessageDeflateOptions): void {
  for (const k of ['serverMaxWindowBits', 'clientMaxWindowBits'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= MIN_DEFLATE_BITS && v <= 15))
      throw new WsUsageError('WS_ERR_INVALID_OPTION', `${k} must be an integer 9-15, got ${v}`);
  }
}

interface RawParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  /** `true`: offered without a value (a client saying it supports the parameter). */
  clientMaxWindowBits: number | true | undefined;
}

/** Validate one permessage-deflate parameter list (§7.1): known names, once each, valid values. */
function readParams(offer: ExtensionOffer): RawParams | string {
  const p: RawParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [key, value] of offer.params) {
    if (seen.has(key)) return `parameter ${key} given twice`;
    seen.add(key);
    switch (key) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) return `${key} takes no value`;
        if (key === 'server_no_context_takeover') p.serverNoContextTakeover = true;
        else p.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
      case 'client_max_window_bits': {
        if (value === true) {
          if (key === 'server_max_window_bits') return 'server_max_window_bits needs a value';
          p.clientMaxWindowBits = true;
          break;
        }
        // "a decimal integer value without leading zeroes between 8 to 15, inclusive" (§7.1.2).
        if (!/^(?:8|9|1[0-5])$/.test(value)) return `${key}=${value} is not 8-15`;
        if (key === 'server_max_window_bits') p.serverMaxWindowBits = Number(value);
        else p.clientMaxWindowBits = Number(value);
        break;
      }
      default:
        return `unknown parameter ${key}`;
    }
  }
  return p;
}

/**
 * Server side (§5, §7.1): accept the first permessage-deflate offer in the client's header that is
 * valid and that we can honour; returns the parameters and the response header value, or undefined
 * (answer without the extension) when none qualifies.
 */
export function acceptDeflateOffer(
  header: string | undefined,
  options: PerMessageDeflateOptions = {},
): { params: DeflateParams; response: string } | undefined {
  checkOptions(options);
  if (header === undefined) return undefined;
  const offers = parseExtensions(header);
  if (offers === undefined) return undefined;
  for (const offer of offers) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const p = readParams(offer);
    if (typeof p === 'string') continue;
    const serverBits = Math.min(p.serverMaxWindowBits ?? 15, options.serverMaxWindowBits ?? 15);
    if (serverBits < MIN_DEFLATE_BITS) continue; // we cannot compress within an 8-bit window
    const response: ExtensionOffer = { name: PERMESSAGE_DEFLATE, params: [] };
    const serverNoContextTakeover = p.serverNoContextTakeover || options.serverNoContextTakeover === true;
    const clientNoContextTakeover = p.clientNoContextTakeover || options.clientNoContextTakeover === true;
    if (serverNoContextTakeover) response.params.push(['server_no_context_takeover', true]);
    if (clientNoContextTakeover) response.params.push(['client_no_context_takeover', true]);
    if (p.serverMaxWindowBits !== undefined || options.serverMaxWindowBits !== undefined)
      response.params.push(['server_max_window_bits', String(serverBits)]);
    // client_max_window_bits may be answered only if offered (§7.1.2.2); without a value from us
    // the client keeps the limit it offered, or 15.
    let clientBits = typeof p.clientMaxWindowBits === 'number' ? p.clientMaxWindowBits : 15;
    if (p.clientMaxWindowBits !== undefined && options.clientMaxWindowBits !== undefined) {
      clientBits = Math.min(clientBits, options.clientMaxWindowBits);
      response.params.push(['client_max_window_bits', String(clientBits)]);
    }
    return {
      params: {
        serverNoContextTakeover,
        clientNoContextTakeover,
        serverMaxWindowBits: serverBits,
        clientMaxWindowBits: clientBits,
      },
      response: formatExtensions([response]),
    };
  }
  return undefined;
}

/** Client side: the offer to send in `Sec-WebSocket-Extensions` (§7.1). */
export function deflateOffer(options: PerMessageDeflateOptions = {}): string {
  checkOptions(options);
  const offer: ExtensionOffer = { name: PERMESSAGE_DEFLATE, params: [] };
  if (options.serverNoContextTakeover) offer.params.push(['server_no_context_takeover', true]);
  if (options.clientNoContextTakeover) offer.params.push(['client_no_context_takeover', true]);
  if (options.serverMaxWindowBits !== undefined)
    offer.params.push(['server_max_window_bits', String(options.serverMaxWindowBits)]);
  offer.params.push([
    'client_max_window_bits',
    options.clientMaxWindowBits === undefined ? true : String(options.clientMaxWindowBits),
  ]);
  return formatExtensions([offer]);
}

/**
 * Client side: check the server's answer against our offer (§7.1; anything else "MUST _Fail the
 * WebSocket Connection_"). Returns the parameters in force.
 * @throws {WsError} `WS_ERR_INVALID_EXTENSION`.
 */
export function acceptDeflateResponse(header: string, options: PerMessageDeflateOptions = {}): DeflateParams {
  const bad = (why: string) =>
    new WsError('WS_ERR_INVALID_EXTENSION', CloseCode.Abnormal, `invalid Sec-WebSocket-Extensions: ${why}`);
  const exts = parseExtensions(header);
  if (exts === undefined) throw bad('malformed');
  if (exts.length !== 1 || exts[0]!.name !== PERMESSAGE_DEFLATE)
    throw bad(`server accepted extensions we did not offer: ${header}`);
  const p = readParams(exts[0]!);
  if (typeof p === 'string') throw bad(p);
  if (p.clientMaxWindowBits === true) throw bad('client_max_window_bits needs a value in a response');
  const offeredServerBits = options.serverMaxWindowBits ?? 15;
  if (p.serverMaxWindowBits !== undefined && p.serverMaxWindowBits > offeredServerBits)
    throw bad(`server_max_window_bits=${p.serverMaxWindowBits} exceeds our offer of ${offeredServerBits}`);
  const clientBits = Math.min(p.clientMaxWindowBits ?? 15, options.clientMaxWindowBits ?? 15);
  if (clientBits < MIN_DEFLATE_BITS) throw bad('client_max_window_bits=8 cannot be honoured by zlib');
  if (options.serverNoContextTakeover && !p.serverNoContextTakeover)
    throw bad('server_no_context_takeover was requested but not confirmed');
  return {
    serverNoContextTakeover: p.serverNoContextTakeover,
    clientNoContextTakeover: p.clientNoContextTakeover || options.clientNoContextTakeover === true,
    serverMaxWindowBits: p.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: clientBits,
  };
}
