import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { declaredLength, validateBlock } from '../src/headers.js';
import { toFields, toObject } from '../src/node/headers.js';

/** RFC 9113 §8.2.1 character rules, written plainly (no memo). */
const goodName = (n: string) =>
  n.length > 0 && [...n].every((c) => c > ' ' && c < '\x7f' && (c < 'A' || c > 'Z') && c !== ':');
const goodValue = (v: string) =>
  ![...v].some((c) => c === '\0' || c === '\r' || c === '\n') && !/^[ \t]|[ \t]$/.test(v);

const text = (chars: string) => fc.string({ unit: fc.constantFrom(...chars), maxLength: 6 });
// Names start with "x-" (never a pseudo-header, `te` or a connection-specific name).
const field = fc.tuple(
  text('ab-B: \x00é\x7f').map((s) => `x-${s}`),
  text('ab \x00\r\n\té'),
) as fc.Arbitrary<[string, string]>;

describe('validateBlock', () => {
  test.prop([fc.array(field, { maxLength: 5 })])(
    'trailers are well-formed exactly when every name and value obeys §8.2.1, on every call',
    (fields) => {
      const expected = fields.every(([n, v]) => goodName(n) && goodValue(v));
      // Twice: the second time the strings found good are remembered.
      expect(validateBlock(fields, 'trailers') === undefined).toBe(expected);
      expect(validateBlock(fields, 'trailers') === undefined).toBe(expected);
    },
  );

  it('a full memo takes nothing more and still rejects what is bad', () => {
    for (let i = 0; i < 3000; i++) expect(validateBlock([[`x-${i}`, `v${i}`]], 'trailers')).toBeUndefined();
    expect(validateBlock([['x-1', 'v\n1']], 'trailers')).toMatch(/CR or LF/);
    expect(validateBlock([['X-1', 'v1']], 'trailers')).toMatch(/invalid character/);
    expect(validateBlock([['', 'v1']], 'trailers')).toBe('empty field name');
  });

  it('checks pseudo-headers by kind', () => {
    const request: [string, string][] = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
    ];
    expect(validateBlock(request, 'request')).toBeUndefined();
    expect(validateBlock([...request, [':method', 'GET']], 'request')).toMatch(/duplicate/);
    expect(validateBlock([['a', '1'], ...request], 'request')).toMatch(/after a regular field/);
    expect(validateBlock([[':status', '200']], 'trailers')).toMatch(/in trailers/);
    expect(validateBlock([['te', 'gzip']], 'trailers')).toMatch(/te other than/);
    expect(validateBlock([['connection', 'close']], 'trailers')).toMatch(/connection-specific/);
  });

  it('refuses the malformed requests of §8.2.1, §8.3.1 and §8.5', () => {
    const req = (path: string, extra: [string, string][] = [], method = 'GET'): [string, string][] => [
      [':method', method],
      [':scheme', 'https'],
      [':authority', 'example.com'],
      [':path', path],
      ...extra,
    ];
    expect(validateBlock(req('/a'), 'request')).toBeUndefined();
    expect(validateBlock(req('*', [], 'OPTIONS'), 'request')).toBeUndefined();
    expect(validateBlock(req(''), 'request')).toBe('empty :path');
    expect(validateBlock(req('a/b'), 'request')).toMatch(/neither origin-form/);
    expect(validateBlock(req('*'), 'request')).toMatch(/neither origin-form/);
    expect(validateBlock(req('/', [['x-a', ' padded']]), 'request')).toMatch(
      /whitespace at the start or end/,
    );
    expect(validateBlock(req('/', [['x-a', 'tab\t']]), 'request')).toMatch(/whitespace at the start or end/);
    expect(validateBlock(req('/', [['x-a', 'in side']]), 'request')).toBeUndefined();
    const userinfo: [string, string][] = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':authority', 'user:pw@example.com'],
      [':path', '/'],
    ];
    expect(validateBlock(userinfo, 'request')).toBe(':authority with userinfo');
    const connect = (extra: [string, string][]): [string, string][] => [[':method', 'CONNECT'], ...extra];
    expect(validateBlock(connect([[':authority', 'example.com:443']]), 'request')).toBeUndefined();
    expect(
      validateBlock(
        connect([
          [':authority', 'h:1'],
          [':path', '/'],
        ]),
        'request',
      ),
    ).toBe('CONNECT with :scheme or :path');
    expect(validateBlock(connect([]), 'request')).toBe('CONNECT without :authority');
    // RFC 8441: extended CONNECT carries :scheme, :path and :protocol; :protocol only with CONNECT.
    const ws: [string, string][] = [
      [':protocol', 'websocket'],
      [':scheme', 'https'],
      [':path', '/chat'],
      [':authority', 'h'],
    ];
    expect(validateBlock(connect(ws), 'request')).toBeUndefined();
    expect(validateBlock([[':method', 'GET'], ...ws], 'request')).toBe(
      ':protocol in a request that is not CONNECT',
    );
  });

  it('declaredLength reads content-length: absent, valid, repeated, malformed', () => {
    expect(declaredLength([['a', '1']])).toBe(-1);
    expect(declaredLength([['content-length', '42']])).toBe(42);
    expect(
      declaredLength([
        ['content-length', '7'],
        ['content-length', '7'],
      ]),
    ).toBe(7);
    for (const bad of [
      [
        ['content-length', '7'],
        ['content-length', '8'],
      ],
      [['content-length', '-1']],
      [['content-length', '1e3']],
      [['content-length', '']],
      [['content-length', '99999999999999999']],
    ] as [string, string][][]) {
      expect(declaredLength(bad)).toBeNaN();
    }
  });
});

describe('header objects', () => {
  it('toFields puts pseudo-headers first, lowercases names and spells values as strings', () => {
    expect(toFields({ 'Content-Type': 'a', ':status': 200, 'x-n': ['1', '2'], gone: undefined })).toEqual([
      [':status', '200'],
      ['content-type', 'a'],
      ['x-n', '1'],
      ['x-n', '2'],
    ]);
  });

  it('toObject repeats names as arrays, joins cookies, and has no Object.prototype', () => {
    const h = toObject([
      ['a', '1'],
      ['a', '2'],
      ['cookie', 'x=1'],
      ['cookie', 'y=2'],
      ['__proto__', 'p'],
      ['constructor', 'c'],
    ]);
    expect({ ...h }).toEqual({ a: ['1', '2'], cookie: 'x=1; y=2', ['__proto__']: 'p', constructor: 'c' });
    expect(Object.keys(h)).toEqual(['a', 'cookie', '__proto__', 'constructor']);
    expect('toString' in h).toBe(false);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(h))).toBeNull();
  });
});
