import type { HeaderField } from '../hpack/encoder.js';

/** Headers as node:http2 presents them: lowercase names, arrays for repeated names. */
export type HeaderObject = Record<string, string | string[] | number | undefined>;

/** node:http2-style object to field list (pseudo-headers first, names lowercased, numbers as strings). */
export function toFields(headers: HeaderObject): HeaderField[] {
  const pseudo: HeaderField[] = [];
  let regular: HeaderField[] | undefined;
  for (const rawName in headers) {
    const value = headers[rawName];
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    let list = pseudo;
    if (name.charCodeAt(0) !== 0x3a) {
      regular ??= [];
      list = regular;
    }
    if (Array.isArray(value)) for (const v of value) list.push([name, String(v)]);
    else list.push([name, typeof value === 'string' ? value : String(value)]);
  }
  return regular === undefined ? pseudo : pseudo.concat(regular);
}

/** Field list to node:http2-style object; repeated names become arrays (cookies are joined with "; "). */
export function toObject(fields: readonly HeaderField[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of fields) {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (name === 'cookie') out[name] = `${prev as string}; ${value}`;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}
