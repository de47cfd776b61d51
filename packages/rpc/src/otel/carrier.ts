/** Metadata as an OpenTelemetry propagation carrier (`traceparent`, `tracestate`, `baggage`). */
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { Metadata } from '../metadata.js';

export const metadataSetter: TextMapSetter<Metadata> = {
  set: (metadata, key, value) => {
    metadata.set(key.toLowerCase(), value);
  },
};

export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => [...metadata.keys()],
  get: (metadata, key) => {
    const value = metadata.get(key.toLowerCase());
    return typeof value === 'string' ? value : undefined;
  },
};
