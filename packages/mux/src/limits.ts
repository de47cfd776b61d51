/**
 * Budgets against frame floods, as token buckets (@weft/framing's `TokenBucket`): a connection may
 * spend `burst` at once and regains `rate` per second, so a long healthy connection is never
 * punished for its lifetime total. Spending past a budget is a connection error ENHANCE_YOUR_CALM
 * (RFC 9113 §5.4.1, §10.5).
 */
import type { Budget } from '@weft/framing';

export type { Budget } from '@weft/framing';

/** The flood budgets of a connection. */
export interface FloodLimits {
  /**
   * RST_STREAM frames from the peer. Rapid Reset (CVE-2023-44487) opens and cancels streams as fast
   * as it can, each costing the server a request's setup: 200/s, bursts of 1,000.
   */
  peerResets: Budget;
  /**
   * Stream errors we answer with RST_STREAM. MadeYouReset (2025) provokes the server into resetting
   * streams itself (bad frames on open streams) to dodge the peer-reset budget: 200/s, bursts of 1,000.
   */
  localResets: Budget;
  /** PING frames needing an answer (CVE-2019-9512 ping flood): 50/s, bursts of 200. */
  pings: Budget;
  /** SETTINGS frames needing an ACK (CVE-2019-9515 settings flood): 50/s, bursts of 200. */
  settings: Budget;
  /**
   * Frames that carry nothing (CVE-2019-9518): DATA without data or END_STREAM, empty CONTINUATION or
   * header fragments without END_HEADERS, unknown frame types: 200/s, bursts of 1,000.
   */
  emptyFrames: Budget;
  /**
   * PRIORITY and PRIORITY_UPDATE frames from the peer. Each reprioritisation moves a stream in the
   * send queue (CVE-2019-9513 "Resource Loop" was this, with dependency trees): 200/s, bursts of 1,000.
   */
  priorities: Budget;
}

export const DEFAULT_FLOOD_LIMITS: Readonly<FloodLimits> = {
  peerResets: { rate: 200, burst: 1000 },
  localResets: { rate: 200, burst: 1000 },
  pings: { rate: 50, burst: 200 },
  settings: { rate: 50, burst: 200 },
  emptyFrames: { rate: 200, burst: 1000 },
  priorities: { rate: 200, burst: 1000 },
};

/**
 * Most control frames queued for the peer (PING and SETTINGS ACKs, RST_STREAMs, WINDOW_UPDATEs). A
 * peer that floods requests for answers but never reads them (CVE-2019-9512) would otherwise grow the
 * queue without bound: 10,000 frames is ~150 KB.
 */
export const MAX_QUEUED_CONTROL_FRAMES = 10_000;
