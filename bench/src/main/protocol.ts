/**
 * What the runner and a bench client process say to each other: the job (argv[2], JSON) and the
 * lines the client prints on stdout (one JSON object each).
 */
import type { Latency } from './histogram.js';
import type { System } from './systems.js';

/** How a phase loads the system. */
export type PhaseMode =
  /** `concurrency` loops, each starting its next call when the last one ends. */
  | 'load'
  /** `load`, plus one loop moving `bulkBytes` messages; only the small calls are measured. */
  | 'hol'
  /** `load`, but every call opens its own connection (a new client) and closes it. */
  | 'churn'
  /**
   * A page: `concurrency` calls at once, then the next page once the last has answered; the
   * latency recorded is the page's (until its last call), not each call's.
   */
  | 'page'
  /** Sequential TLS handshakes to the server: full, then resumed with a session ticket. */
  | 'handshake'
  /**
   * A fresh client and server (no priming): `concurrency` loops from the first call on, completions
   * counted per 100 ms; the measured window is the steady part after `warmupMs`.
   */
  | 'warmup';

export interface Phase {
  id: number;
  mode: PhaseMode;
  concurrency: number;
  payloadBytes: number;
  /** `hol`: size of the bulk message in flight. */
  bulkBytes?: number;
  warmupMs: number;
  durationMs: number;
  /** Measure past `durationMs` (by up to 5 s) until this many calls (pages) completed in the window. */
  minSamples?: number;
}

export interface ClientJob {
  system: System;
  port: number;
  /** The server's address: loopback unless an emulated link puts it elsewhere. */
  host?: string;
  tls: boolean;
  /** Unmeasured calls (16 in flight, 64 B) before the first phase, so it does not run on a cold JIT. */
  primeMs: number;
  phases: Phase[];
}

export type ClientLine =
  | { type: 'progress'; id: number; calls: number }
  | { type: 'mark'; id: number; edge: 'start' | 'end' }
  | { type: 'result'; id: number; result: PhaseResult };

export interface PhaseResult extends Latency {
  calls: number;
  errors: number;
  /** The first error's message, if any. */
  firstError?: string;
  seconds: number;
  /** Payload bytes moved both ways (requests and echoes, bulk included). */
  bytes: number;
  cpuUs: number;
  /** `handshake`: mean full and resumed TLS handshake times. */
  handshakeMs?: number;
  resumedHandshakeMs?: number;
  /** `warmup`: calls completed in each 100 ms from the first call's start. */
  warmupBuckets?: number[];
}
