import { MuxUsageError } from './errors.js';
import {
  DEFAULT_WINDOW,
  MAX_MAX_FRAME_SIZE,
  MAX_WINDOW,
  MIN_MAX_FRAME_SIZE,
  SettingId,
} from './frame/types.js';

/** HTTP/2 settings (RFC 9113 §6.5.2) as named values. */
export interface Settings {
  headerTableSize: number;
  enablePush: boolean;
  /** Concurrent streams the sender lets its peer open. */
  maxConcurrentStreams: number;
  initialWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
  /** RFC 9218 §2.1: the sender ignores RFC 7540 priorities. */
  noRfc7540Priorities: boolean;
  /**
   * Weft extension (docs/mux-extension.md): the sender accepts streams from both sides. Advertised
   * only when enabled, in force only when both peers advertise it.
   */
  symmetricStreams: boolean;
}

/**
 * What a peer's settings are until its SETTINGS frame arrives (§6.5.2 initial values). An absent
 * MAX_CONCURRENT_STREAMS or MAX_HEADER_LIST_SIZE means "unlimited"; we use 2^31 - 1.
 */
export const PROTOCOL_DEFAULTS: Readonly<Settings> = {
  headerTableSize: 4096,
  enablePush: true,
  maxConcurrentStreams: MAX_WINDOW,
  initialWindowSize: DEFAULT_WINDOW,
  maxFrameSize: MIN_MAX_FRAME_SIZE,
  maxHeaderListSize: MAX_WINDOW,
  noRfc7540Priorities: false,
  symmetricStreams: false,
};

/**
 * Weft's own advertised defaults. MAX_CONCURRENT_STREAMS 250 (never unlimited: stream exhaustion);
 * MAX_HEADER_LIST_SIZE 64 KiB (bounds decoded headers per block, the HPACK bomb budget);
 * MAX_FRAME_SIZE 1 MiB (DATA payloads are streamed as they arrive and other frames are held only as
 * their bytes arrive, so large frames cost no memory; a stream sending alone uses them, which saves
 * both sides work on bulk transfers).
 */
export const WEFT_DEFAULTS: Readonly<Settings> = {
  headerTableSize: 4096,
  enablePush: false,
  maxConcurrentStreams: 250,
  initialWindowSize: DEFAULT_WINDOW,
  maxFrameSize: 1 << 20,
  maxHeaderListSize: 65_536,
  noRfc7540Priorities: true,
  symmetricStreams: false,
};

/** Settings with `overrides` applied and checked. @throws {MuxUsageError} `MUX_ERR_INVALID_OPTION` */
export function resolveSettings(
  overrides: Partial<Settings> | undefined,
  base: Readonly<Settings> = WEFT_DEFAULTS,
): Settings {
  const s = { ...base, ...overrides };
  const check = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new MuxUsageError(
        'MUX_ERR_INVALID_OPTION',
        `${name} must be an integer in [${min}, ${max}], got ${v}`,
      );
    }
  };
  check('headerTableSize', s.headerTableSize, 0, MAX_WINDOW);
  check('maxConcurrentStreams', s.maxConcurrentStreams, 0, MAX_WINDOW);
  check('initialWindowSize', s.initialWindowSize, 0, MAX_WINDOW);
  check('maxFrameSize', s.maxFrameSize, MIN_MAX_FRAME_SIZE, MAX_MAX_FRAME_SIZE);
  check('maxHeaderListSize', s.maxHeaderListSize, 0, MAX_WINDOW);
  return s;
}

/** The SETTINGS parameters to send for `s` (only those that differ from the protocol's initial values). */
export function settingsToWire(s: Settings): [number, number][] {
  const out: [number, number][] = [];
  const d = PROTOCOL_DEFAULTS;
  if (s.headerTableSize !== d.headerTableSize) out.push([SettingId.HeaderTableSize, s.headerTableSize]);
  if (s.enablePush !== d.enablePush) out.push([SettingId.EnablePush, s.enablePush ? 1 : 0]);
  out.push([SettingId.MaxConcurrentStreams, s.maxConcurrentStreams]);
  if (s.initialWindowSize !== d.initialWindowSize)
    out.push([SettingId.InitialWindowSize, s.initialWindowSize]);
  if (s.maxFrameSize !== d.maxFrameSize) out.push([SettingId.MaxFrameSize, s.maxFrameSize]);
  out.push([SettingId.MaxHeaderListSize, s.maxHeaderListSize]);
  if (s.noRfc7540Priorities) out.push([SettingId.NoRfc7540Priorities, 1]);
  if (s.symmetricStreams) out.push([SettingId.WeftSymmetricStreams, 1]);
  return out;
}

/** Apply received SETTINGS parameters to `s` (unknown ones are ignored, §6.5.2). */
export function applyWire(s: Settings, params: readonly (readonly [number, number])[]): Settings {
  const next = { ...s };
  for (const [id, v] of params) {
    switch (id) {
      case SettingId.HeaderTableSize:
        next.headerTableSize = v;
        break;
      case SettingId.EnablePush:
        next.enablePush = v === 1;
        break;
      case SettingId.MaxConcurrentStreams:
        next.maxConcurrentStreams = v;
        break;
      case SettingId.InitialWindowSize:
        next.initialWindowSize = v;
        break;
      case SettingId.MaxFrameSize:
        next.maxFrameSize = v;
        break;
      case SettingId.MaxHeaderListSize:
        next.maxHeaderListSize = v;
        break;
      case SettingId.NoRfc7540Priorities:
        next.noRfc7540Priorities = v === 1;
        break;
      case SettingId.WeftSymmetricStreams:
        next.symmetricStreams = v === 1;
        break;
    }
  }
  return next;
}
