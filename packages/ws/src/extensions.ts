/** One extension of a `Sec-WebSocket-Extensions` header: its name and parameters, in order. */
export interface ExtensionOffer {
  name: string;
  /** Parameter name → value (`true` for a parameter without a value). Names are lower-cased. */
  params: Array<[string, string | true]>;
}

/** Most extensions one header may list; a longer list is refused as malformed. */
export const MAX_EXTENSIONS = 64;

const isTokenChar = (c: number): boolean =>
  // RFC 7230 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~"
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));

/**
 * Parse a `Sec-WebSocket-Extensions` value (RFC 6455 §9.1; repeated headers joined with ", ") in one
 * left-to-right pass, no regular expressions: `name *(";" param ["=" (token | quoted-string)])`
 * separated by commas. Returns `undefined` when malformed.
 */
export function parseExtensions(header: string): ExtensionOffer[] | undefined {
  const out: ExtensionOffer[] = [];
  let i = 0;
  const n = header.length;
  const ws = () => {
    while (i < n && (header.charCodeAt(i) === 0x20 || header.charCodeAt(i) === 0x09)) i++;
  };
  const token = (): string | undefined => {
    const start = i;
    while (i < n && isTokenChar(header.charCodeAt(i))) i++;
    return i > start ? header.slice(start, i) : undefined;
  };
  for (;;) {
    ws();
    if (i === n) return out.length > 0 ? out : undefined;
    const name = token();
    if (name === undefined) return undefined;
    const offer: ExtensionOffer = { name: name.toLowerCase(), params: [] };
    out.push(offer);
    if (out.length > MAX_EXTENSIONS) return undefined;
    ws();
    while (i < n && header[i] === ';') {
      i++;
      ws();
      const key = token();
      if (key === undefined) return undefined;
      ws();
      let value: string | true = true;
      if (header[i] === '=') {
        i++;
        ws();
        if (header[i] === '"') {
          // quoted-string; RFC 6455 §9.1: its unescaped value must itself be a token.
          i++;
          let v = '';
          while (i < n && header[i] !== '"') {
            if (header[i] === '\\') i++;
            if (i < n) v += header[i++];
          }
          if (i === n) return undefined;
          i++;
          value = v;
        } else {
          const t = token();
          if (t === undefined) return undefined;
          value = t;
        }
        ws();
      }
      offer.params.push([key.toLowerCase(), value]);
      if (offer.params.length > MAX_EXTENSIONS) return undefined;
    }
    if (i === n) return out;
    if (header[i] !== ',') return undefined;
    i++;
  }
}

/** Format extensions for a header, the inverse of {@link parseExtensions}. */
export function formatExtensions(exts: ExtensionOffer[]): string {
  return exts
    .map((e) => [e.name, ...e.params.map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; '))
    .join(', ');
}
