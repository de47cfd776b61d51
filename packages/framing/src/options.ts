import {
  type CommonCodecOptions,
  DEFAULT_MAX_FRAME_LENGTH,
  MAX_FRAME_LENGTH_LIMIT,
  type OversizePolicy,
} from './codec.js';
import { FramingUsageError } from './errors.js';

/** Common options with defaults applied and ranges checked. */
export interface ResolvedCommonOptions {
  maxFrameLength: number;
  oversize: OversizePolicy;
  onDiscard: ((length: number) => void) | undefined;
}

/** @throws {FramingUsageError} `FRAMING_ERR_INVALID_OPTION` */
export function resolveCommon(options: CommonCodecOptions): ResolvedCommonOptions {
  const maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  checkInteger('maxFrameLength', maxFrameLength, 0, MAX_FRAME_LENGTH_LIMIT);
  const oversize = options.oversize ?? 'error';
  if (oversize !== 'error' && oversize !== 'discard') {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      `oversize must be 'error' or 'discard', got ${String(oversize)}`,
    );
  }
  return { maxFrameLength, oversize, onDiscard: options.onDiscard };
}

/** @throws {FramingUsageError} `FRAMING_ERR_INVALID_OPTION` unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FramingUsageError(
      'FRAMING_ERR_INVALID_OPTION',
      `${name} must be an integer in [${min}, ${max}], got ${value}`,
    );
  }
}
