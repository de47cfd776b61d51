/**
 * What server reflection answers from: the .proto files of the services a server describes, with
 * every file they depend on, indexed by file name, by symbol and by extension. Loaded on the first
 * reflection question (it needs the protobuf-es runtime).
 * Internal to the package (the entry points export only what their users need of it).
 */
import {
  type DescEnum,
  type DescFile,
  type DescMessage,
  type DescService,
  toBinary,
} from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { Health } from '../gen/grpc/health/v1/health_pb.js';
import { ServerReflection } from '../gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ServerReflectionV1Alpha } from '../gen/grpc/reflection/v1alpha/reflection_pb.js';

/** The standard services' descriptors, by full name. */
export const STANDARD_SERVICES: ReadonlyMap<string, DescService> = new Map(
  [Health, ServerReflection, ServerReflectionV1Alpha].map((s) => [s.typeName, s]),
);

/** A file's bytes, serialized once. */
const serialized = new WeakMap<DescFile, Uint8Array>();

function bytesOf(file: DescFile): Uint8Array {
  let bytes = serialized.get(file);
  if (bytes === undefined) {
    bytes = toBinary(FileDescriptorProtoSchema, file.proto);
    serialized.set(file, bytes);
  }
  return bytes;
}

/** The files of some services and of everything they import. */
export class DescriptorIndex {
  readonly #files = new Map<string, DescFile>();
  readonly #symbols = new Map<string, DescFile>();
  /** Extendee type name → extension field number → the file declaring the extension. */
  readonly #extensions = new Map<string, Map<number, DescFile>>();
  readonly services: readonly string[];

  constructor(services: Iterable<DescService>) {
    const names = new Set<string>();
    for (const service of services) {
      names.add(service.typeName);
      this.#addFile(service.file);
    }
    this.services = [...names].sort();
  }

  /** A file by its name as imported (`weft/test/v1/inventory.proto`). */
  file(name: string): DescFile | undefined {
    return this.#files.get(name);
  }

  /** The file declaring a fully-qualified name: service, method, message, field, enum, value, extension. */
  fileOfSymbol(name: string): DescFile | undefined {
    return this.#symbols.get(name.startsWith('.') ? name.slice(1) : name);
  }

  /** The file declaring extension `number` of message type `extendee`. */
  fileOfExtension(extendee: string, number: number): DescFile | undefined {
    return this.#extensions.get(extendee)?.get(number);
  }

  /** The field numbers of the known extensions of a message type; undefined for an unknown type. */
  extensionNumbers(type: string): number[] | undefined {
    const file = this.#symbols.get(type);
    if (file === undefined) return undefined;
    return [...(this.#extensions.get(type)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /**
   * `file` and its transitive imports, serialized, leaving out imports in `sent` (already sent on the
   * stream, as the protocol allows) and adding the rest to it. The file asked for comes first, always.
   */
  serialize(file: DescFile, sent: Set<string>): Uint8Array[] {
    const out: Uint8Array[] = [];
    const visit = (f: DescFile): void => {
      // The file asked for is always sent; what it imports, once per stream.
      if (out.length > 0 && sent.has(f.proto.name)) return;
      sent.add(f.proto.name);
      out.push(bytesOf(f));
      for (const dep of f.dependencies) visit(dep);
    };
    visit(file);
    return out;
  }

  #addFile(file: DescFile): void {
    if (this.#files.has(file.proto.name)) return;
    this.#files.set(file.proto.name, file);
    for (const dep of file.dependencies) this.#addFile(dep);
    for (const message of file.messages) this.#addMessage(file, message);
    for (const e of file.enums) this.#addEnum(file, e);
    for (const ext of file.extensions)
      this.#addExtension(file, ext.typeName, ext.extendee.typeName, ext.number);
    for (const service of file.services) {
      this.#symbols.set(service.typeName, file);
      for (const method of service.methods) this.#symbols.set(`${service.typeName}.${method.name}`, file);
    }
  }

  #addMessage(file: DescFile, message: DescMessage): void {
    this.#symbols.set(message.typeName, file);
    for (const field of message.fields) this.#symbols.set(`${message.typeName}.${field.name}`, file);
    for (const oneof of message.oneofs) this.#symbols.set(`${message.typeName}.${oneof.name}`, file);
    for (const nested of message.nestedMessages) this.#addMessage(file, nested);
    for (const e of message.nestedEnums) this.#addEnum(file, e);
    for (const ext of message.nestedExtensions) {
      this.#addExtension(file, ext.typeName, ext.extendee.typeName, ext.number);
    }
  }

  #addEnum(file: DescFile, e: DescEnum): void {
    this.#symbols.set(e.typeName, file);
    // Enum values are scoped as siblings of their enum (C++ scoping rules, descriptor.proto).
    const scope = e.typeName.includes('.') ? e.typeName.slice(0, e.typeName.lastIndexOf('.') + 1) : '';
    for (const value of e.values) this.#symbols.set(`${scope}${value.name}`, file);
  }

  #addExtension(file: DescFile, typeName: string, extendee: string, number: number): void {
    this.#symbols.set(typeName, file);
    const byNumber = this.#extensions.get(extendee) ?? new Map<number, DescFile>();
    this.#extensions.set(extendee, byNumber.set(number, file));
  }
}
