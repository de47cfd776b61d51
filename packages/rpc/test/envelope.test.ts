import { fc, test } from '@fast-check/vitest';
import { concatBytes, encodeVarint, lengthPrefixed } from '@weft/framing';
import { rechunk } from '@weft/framing/testing';
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  EnvelopeError,
  EnvelopeKind,
  encodeCall,
  encodeEmpty,
  encodeHeaders,
  encodeMessage,
  encodeStatus,
  encodeWindow,
  MAX_METADATA_BYTES,
} from '../src/envelope.js';
import { Metadata } from '../src/metadata.js';
import { Status } from '../src/status.js';

const id = fc.integer({ min: 0, max: 0xffff_ffff });
const key = fc.stringMatching(/^x-[a-z0-9_.-]{1,10}$/);
// Metadata text: printable ASCII, no space at either end (HTTP/2 §8.2.1).
const text = fc.stringMatching(/^(?:[\x21-\x7e](?:[\x20-\x7e]{0,28}[\x21-\x7e])?)?$/);
const metadata = fc
  .array(fc.tuple(key, fc.oneof(text, fc.uint8Array({ maxLength: 20 }))), { maxLength: 6 })
  .map((pairs) => {
    const m = new Metadata();
    for (const [k, v] of pairs) m.add(typeof v === 'string' ? k : `${k}-bin`, v);
    return m;
  });

describe('envelope round trips', () => {
  const subtype = fc.constantFrom('', 'msgpack', 'proto', 'json', 'msgpackr');
  test.prop([id, fc.string(), fc.option(fc.nat(), { nil: undefined }), fc.boolean(), metadata, subtype])(
    'Call',
    (callId, path, timeoutMs, gzip, md, sub) => {
      const e = decodeEnvelope(encodeCall(callId, path, timeoutMs, gzip, md, sub));
      expect(e).toEqual({
        kind: EnvelopeKind.Call,
        id: callId,
        path,
        timeoutMs,
        acceptsGzip: gzip,
        metadata: md,
        subtype: sub,
      });
    },
  );

  it('a Call without a subtype (four elements) names none', () => {
    const e = decodeEnvelope(encodeCall(1, '/a.B/c', undefined, false, new Metadata()));
    expect(e).toMatchObject({ kind: EnvelopeKind.Call, subtype: '' });
    expect(encodeCall(1, '/a.B/c', undefined, false, new Metadata())[2]).toBe(0x94);
    expect(encodeCall(1, '/a.B/c', undefined, false, new Metadata(), 'proto')[2]).toBe(0x95);
  });

  test.prop([id, fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.boolean()])(
    'Message',
    (callId, bytes, end, c) => {
      const e = decodeEnvelope(concatBytes(encodeMessage(callId, bytes, end, c))) as { bytes: Uint8Array };
      expect({ ...e, bytes: Uint8Array.from(e.bytes) }).toEqual({
        kind: EnvelopeKind.Message,
        id: callId,
        bytes,
        end,
        compressed: c,
      });
    },
  );

  test.prop([
    id,
    fc.integer({ min: 0, max: 16 }),
    text,
    metadata,
    fc.array(fc.record({ typeUrl: text, value: fc.uint8Array({ maxLength: 20 }) }), { maxLength: 3 }),
  ])('Status', (callId, code, message, md, details) => {
    const e = decodeEnvelope(encodeStatus(callId, code as Status, message, md, details));
    expect(e).toMatchObject({ kind: EnvelopeKind.Status, id: callId, code, message, trailers: md });
    const back = (e as { details: { typeUrl: string; value: Uint8Array }[] }).details;
    expect(back.map((d) => [d.typeUrl, Array.from(d.value)])).toEqual(
      details.map((d) => [d.typeUrl, Array.from(d.value)]),
    );
  });

  test.prop([id])('a plain OK Status is two bytes plus the id: kind, id, no body', (callId) => {
    const bytes = encodeStatus(callId, Status.OK, '', new Metadata());
    expect(bytes.length).toBe(1 + encodeVarint(callId).length);
    const e = decodeEnvelope(bytes) as { trailers: Metadata };
    expect(e).toMatchObject({ kind: EnvelopeKind.Status, id: callId, code: Status.OK, message: '' });
    expect(e.trailers.size).toBe(0);
  });

  test.prop([id, fc.double({ min: 0, max: 2 ** 33, noNaN: true })])(
    'a Call timeout is sent as whole milliseconds, rounded up, capped at 2^32 - 1',
    (callId, timeoutMs) => {
      const e = decodeEnvelope(encodeCall(callId, '/a/b', timeoutMs, true, new Metadata()));
      expect(e).toMatchObject({
        kind: EnvelopeKind.Call,
        timeoutMs: Math.min(Math.ceil(timeoutMs), 0xffff_ffff),
      });
    },
  );

  it('Goaway, Ping and Pong: call id 0, no body; anything else is malformed', () => {
    for (const kind of [EnvelopeKind.Goaway, EnvelopeKind.Ping, EnvelopeKind.Pong] as const) {
      expect(decodeEnvelope(encodeEmpty(kind, 0))).toEqual({ kind, id: 0 });
      expect(() => decodeEnvelope(encodeEmpty(kind, 5))).toThrow(EnvelopeError);
      expect(() => decodeEnvelope(Uint8Array.of(kind, 0, 1))).toThrow(EnvelopeError);
    }
  });

  test.prop([id, metadata])('Headers', (callId, md) => {
    expect(decodeEnvelope(encodeHeaders(callId, md))).toEqual({
      kind: EnvelopeKind.Headers,
      id: callId,
      metadata: md,
    });
  });

  test.prop([id, fc.integer({ min: 1, max: 0xffff_ffff })])('Window', (callId, credit) => {
    expect(decodeEnvelope(encodeWindow(callId, credit))).toEqual({
      kind: EnvelopeKind.Window,
      id: callId,
      credit,
    });
  });

  it('End and Cancel', () => {
    expect(decodeEnvelope(encodeEmpty(EnvelopeKind.End, 300))).toEqual({ kind: EnvelopeKind.End, id: 300 });
    expect(decodeEnvelope(encodeEmpty(EnvelopeKind.Cancel, 1))).toEqual({ kind: EnvelopeKind.Cancel, id: 1 });
  });

  const codec = lengthPrefixed({ width: 4 });
  const streamOf = (messages: Uint8Array[]) =>
    concatBytes(messages.map((m, i) => codec.encode(concatBytes(encodeMessage(i, m, false, false)))));
  const chunked = fc
    .array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 10 })
    .chain((messages) => rechunk(streamOf(messages)).map((chunks) => ({ messages, chunks })));

  test.prop([chunked])(
    'pooled framing finds every envelope in any chunking of the stream',
    ({ messages, chunks }) => {
      const dec = codec.decoder();
      const got: Uint8Array[] = [];
      for (const chunk of chunks) {
        for (const frame of dec.push(chunk))
          got.push(Uint8Array.from((decodeEnvelope(frame) as { bytes: Uint8Array }).bytes));
      }
      expect(got).toEqual(messages);
    },
  );
});

/** An envelope of `kind` for call 1 whose body is `body` in msgpack. */
const withBody = (kind: number, body: unknown) => concatBytes([new Uint8Array([kind, 1]), pack(body)]);

describe('malformed envelopes are typed errors', () => {
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([2])],
    ['unknown kind', new Uint8Array([9, 1])],
    ['flags on End', new Uint8Array([0x83, 1])],
    ['reserved Message flags', new Uint8Array([0x12, 1])],
    ['truncated call id', new Uint8Array([2, 0x80])],
    ['call id over 32 bits', new Uint8Array([2, 0xff, 0xff, 0xff, 0xff, 0x7f])],
    ['End with a body', new Uint8Array([3, 1, 0])],
    ['zero Window', new Uint8Array([7, 1, 0])],
    ['Window with junk after the credit', new Uint8Array([7, 1, 1, 1])],
    ['Call with a non-msgpack body', new Uint8Array([1, 1, 0xc1])],
    ['Call of the wrong shape', new Uint8Array([1, 1, 0x93, 0xa1, 0x61, 0xc0, 0xc2])],
    ['Status with an invalid code', new Uint8Array([5, 1, 0x93, 0x63, 0xa0, 0x90])],
    ['Headers with CR LF in a metadata value', withBody(4, ['x-a', 'a\r\nx-b: injected'])],
    ['Headers with a NUL in a metadata value', withBody(4, ['x-a', 'a\u0000b'])],
    ['Headers with a non-ASCII metadata value', withBody(4, ['x-a', 'café'])],
    ['a Call with CR LF in a metadata value', withBody(1, ['/s/m', null, false, ['x-a', 'a\r\nb']])],
    [
      'metadata with a reserved key',
      concatBytes([new Uint8Array([4, 1]), new Uint8Array([0x92, 0xa2, 0x74, 0x65, 0xa1, 0x78])]),
    ],
  ];
  it.each(bad)('%s', (_name, bytes) => {
    expect(() => decodeEnvelope(bytes)).toThrowError(
      expect.objectContaining({ name: 'EnvelopeError', code: 'RPC_ERR_ENVELOPE' }),
    );
  });

  it(`metadata bodies over ${MAX_METADATA_BYTES} bytes are refused before decoding`, () => {
    const body = new Uint8Array(MAX_METADATA_BYTES + 1);
    expect(() => decodeEnvelope(concatBytes([new Uint8Array([4, 1]), body]))).toThrow(EnvelopeError);
  });

  test.prop([fc.uint8Array({ maxLength: 64 })])(
    'random bytes never throw anything but EnvelopeError',
    (bytes) => {
      try {
        decodeEnvelope(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(EnvelopeError);
      }
    },
  );
});
