/**
 * The hand-written reflection codecs against protobuf-es with the protocol's generated descriptors:
 * any request or response encoded by one side is read alike by the other, in both directions.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  ExtensionRequestSchema,
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from '../src/gen/grpc/reflection/v1/reflection_pb.js';
import {
  type ReflectionAnswer,
  type ReflectionQuery,
  type ReflectionRequest,
  reflectionCodecs,
} from '../src/reflection/messages.js';

const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const int32 = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const query: fc.Arbitrary<ReflectionQuery> = fc.oneof(
  text.map((name) => ({ kind: 'fileByFilename' as const, name })),
  text.map((symbol) => ({ kind: 'fileContainingSymbol' as const, symbol })),
  fc.record({ containingType: text, extensionNumber: int32 }).map((e) => ({
    kind: 'fileContainingExtension' as const,
    ...e,
  })),
  text.map((type) => ({ kind: 'allExtensionNumbersOfType' as const, type })),
  fc.constant({ kind: 'listServices' as const }),
);

const answer: fc.Arbitrary<ReflectionAnswer> = fc.oneof(
  fc
    .array(fc.uint8Array({ maxLength: 16 }), { maxLength: 4 })
    .map((files) => ({ kind: 'files' as const, files })),
  fc.record({ baseTypeName: text, numbers: fc.array(int32, { maxLength: 6 }) }).map((a) => ({
    kind: 'extensionNumbers' as const,
    ...a,
  })),
  fc.array(text, { maxLength: 4 }).map((names) => ({ kind: 'services' as const, names })),
  fc
    .record({ code: fc.integer({ min: 0, max: 16 }), message: text })
    .map((e) => ({ kind: 'error' as const, ...e })),
);

/** `q` as protobuf-es's oneof. */
function toEs(q: ReflectionQuery): ServerReflectionRequest['messageRequest'] {
  switch (q.kind) {
    case 'fileByFilename':
      return { case: q.kind, value: q.name };
    case 'fileContainingSymbol':
      return { case: q.kind, value: q.symbol };
    case 'fileContainingExtension':
      return {
        case: q.kind,
        value: create(ExtensionRequestSchema, {
          containingType: q.containingType,
          extensionNumber: q.extensionNumber,
        }),
      };
    case 'allExtensionNumbersOfType':
      return { case: q.kind, value: q.type };
    case 'listServices':
      return { case: q.kind, value: '' };
    case 'none':
      return { case: undefined };
  }
}

/** `a` as protobuf-es's oneof, in plain init form. */
function answerToEs(a: ReflectionAnswer) {
  switch (a.kind) {
    case 'files':
      return { case: 'fileDescriptorResponse', value: { fileDescriptorProto: [...a.files] } };
    case 'extensionNumbers':
      return {
        case: 'allExtensionNumbersResponse',
        value: { baseTypeName: a.baseTypeName, extensionNumber: [...a.numbers] },
      };
    case 'services':
      return { case: 'listServicesResponse', value: { service: a.names.map((name) => ({ name })) } };
    case 'error':
      return { case: 'errorResponse', value: { errorCode: a.code, errorMessage: a.message } };
  }
}

test.prop([text, query])('a request reads the same on either side', (host, q) => {
  const ours = reflectionCodecs.requestCodec.encode({ host, query: q, raw: new Uint8Array() });
  const es = fromBinary(ServerReflectionRequestSchema, ours);
  expect(es.host).toBe(host);
  expect(es.messageRequest.case).toBe(q.kind);

  const theirs = toBinary(
    ServerReflectionRequestSchema,
    create(ServerReflectionRequestSchema, { host, messageRequest: toEs(q) }),
  );
  const decoded = reflectionCodecs.requestCodec.decode(theirs) as ReflectionRequest;
  expect(decoded.host).toBe(host);
  expect(decoded.query).toEqual(q);
  expect(decoded.raw).toEqual(theirs);
});

test.prop([text, answer])('a response reads the same on either side', (validHost, a) => {
  const es = create(ServerReflectionResponseSchema, {
    validHost,
    originalRequest: { host: 'h' },
    messageResponse: answerToEs(a) as never,
  });
  const theirs = toBinary(ServerReflectionResponseSchema, es);
  const originalRequest = toBinary(ServerReflectionRequestSchema, es.originalRequest!);
  const decoded = reflectionCodecs.responseCodec.decode(theirs) as {
    validHost: string;
    originalRequest: Uint8Array;
    answer: ReflectionAnswer;
  };
  expect(decoded.validHost).toBe(validHost);
  expect(decoded.originalRequest).toEqual(originalRequest);
  expect(decoded.answer).toEqual(a);

  const ours = reflectionCodecs.responseCodec.encode({ validHost, originalRequest, answer: a });
  const back: ServerReflectionResponse = fromBinary(ServerReflectionResponseSchema, ours);
  expect(back.validHost).toBe(validHost);
  expect(back.messageResponse).toEqual(es.messageResponse);
});
