/** google.rpc.Status and the standard detail types, without a protobuf runtime. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeStatusProto, encodeStatusProto } from '../src/error-details.js';
import { decodeDetail, detailType, errorDetails } from '../src/index.js';

const text = fc.string({ maxLength: 20 });

describe('error details', () => {
  test.prop([
    fc.integer({ min: 0, max: 16 }),
    text,
    fc.array(fc.record({ typeUrl: text, value: fc.uint8Array() })),
  ])('google.rpc.Status round-trips', (code, message, details) => {
    const back = decodeStatusProto(encodeStatusProto(code, message, details));
    expect(back.code).toBe(code);
    expect(back.message).toBe(message);
    expect(back.details.map((d) => [d.typeUrl, Array.from(d.value)])).toEqual(
      details.map((d) => [d.typeUrl, Array.from(d.value)]),
    );
  });

  test.prop([text, text, fc.dictionary(text, text, { maxKeys: 4 })])(
    'ErrorInfo round-trips',
    (reason, domain, metadata) => {
      const d = errorDetails.errorInfo({ reason, domain, metadata });
      expect(detailType(d)).toBe('google.rpc.ErrorInfo');
      expect(d.typeUrl).toBe('type.googleapis.com/google.rpc.ErrorInfo');
      expect(decodeDetail(d)).toEqual({
        type: 'google.rpc.ErrorInfo',
        reason,
        domain,
        metadata: { ...metadata },
      });
    },
  );

  it('RetryInfo, BadRequest and DebugInfo round-trip', () => {
    expect(decodeDetail(errorDetails.retryInfo({ retryDelayMs: 61_250 }))).toEqual({
      type: 'google.rpc.RetryInfo',
      retryDelayMs: 61_250,
    });
    const violations = [
      { field: 'a', description: 'x' },
      { field: '', description: 'empty field' },
    ];
    expect(decodeDetail(errorDetails.badRequest({ fieldViolations: violations }))).toEqual({
      type: 'google.rpc.BadRequest',
      fieldViolations: violations,
    });
    expect(decodeDetail(errorDetails.debugInfo({ stackEntries: ['at f', ''], detail: 'd' }))).toEqual({
      type: 'google.rpc.DebugInfo',
      stackEntries: ['at f', ''],
      detail: 'd',
    });
  });

  it('ErrorInfo bytes are those protobuf writes (map entries, fields in order)', () => {
    const d = errorDetails.errorInfo({ reason: 'R', domain: 'D', metadata: { k: 'v' } });
    // 0a 01 'R' | 12 01 'D' | 1a 06 (0a 01 'k' 12 01 'v')
    expect(Buffer.from(d.value).toString('hex')).toBe('0a0152120144' + '1a06' + '0a016b120176');
  });

  it("an ErrorInfo metadata key '__proto__' is an own entry, never the object's prototype", () => {
    const metadata = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
    const decoded = decodeDetail(errorDetails.errorInfo({ reason: 'R', domain: 'D', metadata }));
    const back = (decoded as { metadata: Record<string, string> }).metadata;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe('x');
  });

  it('another type, or malformed bytes, decode to undefined', () => {
    expect(
      decodeDetail({ typeUrl: 'type.googleapis.com/acme.Thing', value: new Uint8Array([8, 1]) }),
    ).toBeUndefined();
    expect(
      decodeDetail({ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: new Uint8Array([0x0a, 5]) }),
    ).toBeUndefined();
  });

  test.prop([fc.uint8Array({ maxLength: 64 })])(
    'random bytes: a Status or a RangeError/TypeError, never else',
    (bytes) => {
      try {
        decodeStatusProto(bytes);
      } catch (err) {
        expect(err instanceof RangeError || err instanceof TypeError).toBe(true);
      }
    },
  );
});
