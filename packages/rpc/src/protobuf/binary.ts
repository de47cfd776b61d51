/**
 * Protobuf binary encoding through protobuf-es, for message schemas of generated code. Loaded
 * lazily (./runtime.ts).
 * Internal to the package (the entry points export only what their users need of it).
 */
import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';

/** Encode a message or its init shape (a plain object): unknown fields it carries are written too. */
export function encode(schema: DescMessage, value: MessageInitShape<DescMessage>): Uint8Array {
  return toBinary(schema, create(schema, value));
}

/** Decode a message; fields this schema does not know are kept (`$unknown`) and written back out. */
export function decode(schema: DescMessage, bytes: Uint8Array): unknown {
  return fromBinary(schema, bytes);
}
