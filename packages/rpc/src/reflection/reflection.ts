/** Answers to server reflection questions, from the descriptors of the services a server describes. */
import type { DescService } from '@bufbuild/protobuf';
import type { ServiceImplementation } from '../server.js';
import { Status } from '../status.js';
import type { DescriptorIndex } from './descriptors.js';
import type { ReflectionAnswer, ReflectionQuery, ReflectionRequest, ReflectionResponse } from './messages.js';
import type { ReflectionService } from './service.js';

/**
 * What a server describes: protobuf-es service descriptors, and the full names of the standard
 * services it serves (their descriptors ship with weft).
 */
export type Described = () => Iterable<DescService | string>;

/** The handlers of `ReflectionService` (and of v1alpha, the same). */
export function reflectionImplementation(
  described: Described,
): ServiceImplementation<typeof ReflectionService.methods> {
  return {
    info: async function* (requests: AsyncIterable<ReflectionRequest>): AsyncGenerator<ReflectionResponse> {
      // The descriptors need the protobuf runtime: loaded on the first question, not at start-up.
      const { DescriptorIndex, STANDARD_SERVICES } = await import('./descriptors.js');
      const services: DescService[] = [];
      for (const s of described()) {
        const service = typeof s === 'string' ? STANDARD_SERVICES.get(s) : s;
        if (service !== undefined) services.push(service);
      }
      const index = new DescriptorIndex(services);
      const sent = new Set<string>();
      for await (const request of requests) {
        yield {
          validHost: request.host,
          originalRequest: request.raw,
          answer: answer(index, request.query, sent),
        };
      }
    },
  };
}

function answer(index: DescriptorIndex, query: ReflectionQuery, sent: Set<string>): ReflectionAnswer {
  const notFound = (message: string): ReflectionAnswer => ({
    kind: 'error',
    code: Status.NOT_FOUND,
    message,
  });
  switch (query.kind) {
    case 'listServices':
      return { kind: 'services', names: index.services };
    case 'fileByFilename': {
      const file = index.file(query.name);
      if (file === undefined) return notFound(`no file ${JSON.stringify(query.name)} is known`);
      return { kind: 'files', files: index.serialize(file, sent) };
    }
    case 'fileContainingSymbol': {
      const file = index.fileOfSymbol(query.symbol);
      if (file === undefined) return notFound(`no symbol ${JSON.stringify(query.symbol)} is known`);
      return { kind: 'files', files: index.serialize(file, sent) };
    }
    case 'fileContainingExtension': {
      const file = index.fileOfExtension(query.containingType, query.extensionNumber);
      if (file === undefined) {
        return notFound(
          `no extension ${query.extensionNumber} of ${JSON.stringify(query.containingType)} is known`,
        );
      }
      return { kind: 'files', files: index.serialize(file, sent) };
    }
    case 'allExtensionNumbersOfType': {
      const numbers = index.extensionNumbers(query.type);
      if (numbers === undefined) return notFound(`no message type ${JSON.stringify(query.type)} is known`);
      return { kind: 'extensionNumbers', baseTypeName: query.type, numbers };
    }
    case 'none':
      return {
        kind: 'error',
        code: Status.INVALID_ARGUMENT,
        message: 'the request asks nothing this server knows: its message_request is empty or unknown',
      };
  }
}
