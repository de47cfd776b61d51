import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseStatic as parseTarget } from '../src/channel/parse-target.js';
import { encodeTimeout, parseTimeout } from '../src/deadline.js';
import { decodeDetail, errorDetails, Metadata, RpcError } from '../src/index.js';
import { Status } from '../src/status.js';
import {
  decodeMessage,
  encodeMessage,
  metadataToFields,
  statusFields,
  statusFromHead,
  statusFromHttp,
} from '../src/transport/grpc-wire.js';
import { readHead } from '../src/transport/received-head.js';

describe('grpc-timeout', () => {
  it.each([
    [0, '0n'],
    [1, '1000000n'],
    [100, '100000u'],
    [99_999, '99999000u'],
    [100_000, '100000m'],
    [3_600_000_000, '3600000S'],
  ])('%i ms encodes in the finest unit with at most 8 digits', (ms, expected) => {
    const out = encodeTimeout(ms);
    expect(out).toMatch(/^\d{1,8}[HMSmun]$/);
    if (expected !== '') expect(out).toBe(expected);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 31 - 1 })])('round trip never shortens the timeout', (ms) => {
    const back = parseTimeout(encodeTimeout(ms))!;
    expect(back).toBeGreaterThanOrEqual(ms);
    // One unit of the chosen scale at most: below 10^-5 of the timeout, or 1 ms.
    expect(back - ms).toBeLessThanOrEqual(ms * 1e-5 + 1);
  });

  it.each(['', '5', '123456789m', '1x', '-1S', ' 1S', '1.5S'])('rejects %j', (header) => {
    expect(parseTimeout(header)).toBeUndefined();
  });
});

describe('grpc-message percent-encoding', () => {
  test.prop([fc.string({ unit: 'grapheme' })])('round trips any text', (text) => {
    const encoded = encodeMessage(text);
    expect(encoded).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeMessage(encoded)).toBe(text);
  });

  it('matches the spec example form', () => {
    expect(encodeMessage('a%b\n')).toBe('a%25b%0A');
    expect(decodeMessage('bad %zz escape')).toBe('bad %zz escape');
  });
});

describe('status mapping', () => {
  it('a missing grpc-status is INTERNAL; OK is no error', () => {
    expect(statusFromHead(readHead([]))?.code).toBe(Status.INTERNAL);
    expect(statusFromHead(readHead([['grpc-status', '0']]))).toBeUndefined();
    expect(statusFromHead(readHead([['grpc-status', '17']]))?.code).toBe(Status.INTERNAL);
    // A repeated grpc-status is no valid status.
    expect(
      statusFromHead(
        readHead([
          ['grpc-status', '0'],
          ['grpc-status', '0'],
        ]),
      )?.code,
    ).toBe(Status.INTERNAL);
    const e = statusFromHead(
      readHead([
        ['grpc-status', '5'],
        ['grpc-message', 'x%20y'],
      ]),
    ) as RpcError;
    expect([e.code, e.message]).toEqual([Status.NOT_FOUND, 'x y']);
  });

  it('HTTP statuses map as gRPC documents (http-grpc-status-mapping.md)', () => {
    expect([400, 401, 403, 404, 429, 502, 503, 504, 500].map(statusFromHttp)).toEqual([
      Status.INTERNAL,
      Status.UNAUTHENTICATED,
      Status.PERMISSION_DENIED,
      Status.UNIMPLEMENTED,
      Status.UNAVAILABLE,
      Status.UNAVAILABLE,
      Status.UNAVAILABLE,
      Status.UNAVAILABLE,
      Status.UNKNOWN,
    ]);
  });
});

describe('metadata', () => {
  it('text values are printable ASCII with no space at either end (which HTTP/2 peers refuse)', () => {
    expect(new Metadata({ a: 'in side', b: '', c: 'x' }).get('a')).toBe('in side');
    for (const bad of [' lead', 'trail ', ' ', 'tab\t', 'é']) {
      expect(() => new Metadata({ a: bad })).toThrow(/printable ASCII text with no space at either end/);
    }
  });

  it('binary values travel as unpadded base64; padded base64 is accepted too', () => {
    const m = new Metadata({ 'a-bin': new Uint8Array([1]), b: ['1', '2'] });
    expect(metadataToFields(m, [])).toEqual([
      ['a-bin', 'AQ'],
      ['b', '1'],
      ['b', '2'],
    ]);
    const back = readHead([
      [':path', '/x'],
      ['a-bin', 'AQ=='],
      ['b', '1'],
      ['grpc-status', '0'],
      ['b', '2'],
      ['te', 'trailers'],
      ['Bad Key', 'v'],
    ]).metadata!;
    expect([...(back.get('a-bin') as Uint8Array)]).toEqual([1]);
    expect(back.getAll('b')).toEqual(['1', '2']);
    expect(back.size).toBe(2);
  });

  it('status trailers: one shared list for a plain OK; status, message, details and metadata otherwise', () => {
    const ok = statusFields(undefined, new Metadata(), []);
    expect(ok).toEqual([['grpc-status', '0']]);
    expect(statusFields(undefined, new Metadata(), [])).toBe(ok);
    const fields = statusFields(
      new RpcError(Status.NOT_FOUND, 'no 100%', {
        details: [errorDetails.retryInfo({ retryDelayMs: 1500 })],
      }),
      new Metadata({ 'x-t': 'v' }),
      [],
    );
    expect(fields.map(([n]) => n)).toEqual(['grpc-status', 'grpc-message', 'grpc-status-details-bin', 'x-t']);
    expect(fields[1]).toEqual(['grpc-message', 'no 100%25']);
    const back = statusFromHead(readHead(fields));
    expect(back?.code).toBe(Status.NOT_FOUND);
    expect(back?.message).toBe('no 100%');
    expect(back?.details.map(decodeDetail)).toEqual([{ type: 'google.rpc.RetryInfo', retryDelayMs: 1500 }]);
  });

  it.each(['grpc-x', 'content-type', 'Bad Key', ':path', ''])('refuses key %j', (key) => {
    expect(() => new Metadata().set(key, 'v')).toThrow(
      expect.objectContaining({ name: 'RpcUsageError', code: 'RPC_ERR_INVALID_METADATA' }),
    );
  });
});

describe('targets', () => {
  it('parses static lists and bare addresses, IPv6 included', () => {
    expect(parseTarget('static:///a:1,[::1]:2')).toEqual([
      { host: 'a', port: 1 },
      { host: '::1', port: 2 },
    ]);
    expect(parseTarget('127.0.0.1:80')).toEqual([{ host: '127.0.0.1', port: 80 }]);
  });

  it.each(['dns:///x:1', 'static:///x', 'static:///x:0', 'static:///x:70000', ''])(
    'refuses %j with a code',
    (t) => {
      expect(() => parseTarget(t)).toThrowError(expect.objectContaining({ code: 'RPC_ERR_INVALID_TARGET' }));
    },
  );
});

describe('received header blocks', () => {
  it('reads the fields calls look at in one pass; a repeated one is an array, which every check refuses', () => {
    const head = readHead([
      [':method', 'POST'],
      [':path', '/a.B/C'],
      ['content-type', 'application/grpc'],
      ['grpc-timeout', '1S'],
      ['grpc-encoding', 'gzip'],
      ['grpc-encoding', 'identity'],
      ['grpc-accept-encoding', 'gzip'],
      ['x-user', 'u'],
    ]);
    expect([head.method, head.path, head.contentType, head.timeout, head.acceptEncoding]).toEqual([
      'POST',
      '/a.B/C',
      'application/grpc',
      '1S',
      'gzip',
    ]);
    expect(head.encoding).toEqual(['gzip', 'identity']);
    expect([head.status, head.grpcStatus, head.grpcMessage, head.details]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([...head.metadata!.entries()]).toEqual([['x-user', 'u']]);
    expect(readHead([[':status', '200']]).metadata).toBeUndefined();
  });
});
