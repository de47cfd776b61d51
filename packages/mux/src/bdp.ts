/**
 * Receive-window auto-tuning from a bandwidth-delay-product estimate, as gRPC and yamux do: with the
 * first DATA after a quiet spell a PING goes out, and the bytes received until its ACK are a sample of
 * what the link delivers per round trip. When a sample reaches half the current window the peer was
 * window-limited, so the window doubles — bounded by the configured maxima.
 *
 * Half, not gRPC's 2/3: we return credit a quarter window at a time, so a peer held by the window has
 * between half and all of it in flight over a round trip, depending on where the sample falls in
 * that cadence. On loopback such samples came out at ½ and ¾ of the window about equally often, and
 * with 2/3 the window stopped at 4 or 8 MiB for a second at a time (BDP_SAMPLE_INTERVAL_MS) while
 * the sender waited on it; a bulk transfer then ran ~10% slower than at 16 MiB.
 */

/** Marker in the first byte of the PINGs the estimator sends (other PINGs are not ours). */
export const BDP_PING_MARK = 0xbd;

/** Largest receive window per stream the estimator grows to: 16 MiB. */
export const MAX_AUTO_STREAM_WINDOW = 16 * 1024 * 1024;
/** Largest connection receive window it grows to: 32 MiB. */
export const MAX_AUTO_CONNECTION_WINDOW = 32 * 1024 * 1024;

/**
 * Least time between two samples once the window stopped growing, unless a receive window runs low
 * first (`wake`): 1 s. While samples keep growing it, the next sample starts at once (one PING per round trip, each accompanied by DATA, which peers'
 * PING-flood rules exempt); the ramp from 64 KiB to 16 MiB takes ~9 round trips.
 */
export const BDP_SAMPLE_INTERVAL_MS = 1000;

/** The estimator's state machine; the connection sends its PINGs and applies its decisions. */
export class BdpEstimator {
  #pingOut = false;
  #bytes = 0;
  #counter = 0;
  #lastSample = Number.NEGATIVE_INFINITY;
  /** The last sample grew the window: sample again without waiting. */
  #growing = true;
  /**
   * The window just grew: the sample in flight was taken before the peer could use the new window
   * (our SETTINGS needs a round trip to reach it), so it is discarded.
   */
  #stale = false;

  /** DATA arrived at `now` (ms): returns a PING payload to send when a new sample should start. */
  onData(bytes: number, now: number): Uint8Array | undefined {
    this.#bytes += bytes;
    if (this.#pingOut || (!this.#growing && now - this.#lastSample < BDP_SAMPLE_INTERVAL_MS))
      return undefined;
    this.#lastSample = now;
    this.#pingOut = true;
    this.#bytes = bytes;
    const data = new Uint8Array(8);
    data[0] = BDP_PING_MARK;
    new DataView(data.buffer).setUint32(4, ++this.#counter);
    return data;
  }

  /** Whether a PING payload is one of ours. */
  owns(data: Uint8Array): boolean {
    return (
      data[0] === BDP_PING_MARK &&
      new DataView(data.buffer, data.byteOffset, 8).getUint32(4) === this.#counter
    );
  }

  /**
   * The peer just used most of a receive window (a stream's fell below a quarter): it may be
   * window-limited now though the last sample said not. Sample with the next DATA instead of
   * waiting out the interval — without it a connection that carried small calls for a while took
   * a second or more to start growing its windows for a bulk transfer.
   */
  wake(): void {
    this.#growing = true;
  }

  /** The connection decided not to grow (the reader lags): wait before sampling again. */
  hold(): void {
    this.#growing = false;
  }

  /**
   * Our PING came back: the window to use from now on (unchanged unless the sample shows the peer
   * was window-limited).
   */
  onAck(window: number, max: number): number {
    this.#pingOut = false;
    const sample = this.#bytes;
    this.#bytes = 0;
    if (this.#stale) {
      this.#stale = false;
      return window;
    }
    if (sample * 2 < window || window >= max) {
      this.#growing = false;
      return window;
    }
    this.#growing = true;
    this.#stale = true;
    return Math.min(max, Math.max(window * 2, sample * 2));
  }
}
