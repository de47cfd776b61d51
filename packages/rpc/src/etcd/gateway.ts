/**
 * etcd v3 through its HTTP/JSON gateway (grpc-gateway), with `fetch` — no gRPC or protobuf
 * dependency. Keys and values are base64 on the wire; 64-bit ids (leases, revisions) stay strings.
 */

/** A key and its value, decoded. */
export interface KeyValue {
  key: string;
  value: string;
}

/** One event of a watch. */
export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  key: string;
}

/** An etcd request that failed: HTTP status or transport error, with etcd's message. */
export class EtcdError extends Error {
  readonly code = 'RPC_ERR_ETCD';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EtcdError';
  }
}

/** Largest answer or watch line accepted (a runaway etcd or proxy cannot exhaust memory). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** The body of `res` as text, refused past `limit` bytes. */
async function readCapped(res: Response, limit: number): Promise<string> {
  if (res.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += (chunk as Uint8Array).length;
    if (bytes > limit) throw new EtcdError(`etcd answered more than ${limit} bytes`);
    text += decoder.decode(chunk as Uint8Array, { stream: true });
  }
  return text + decoder.decode();
}
/** Most keys one range returns. */
const MAX_KEYS = 10_000;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** The key just after every key starting with `prefix`: the end of a prefix range. */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i]!++;
      return bytes.subarray(0, i + 1).toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

export class EtcdGateway {
  readonly #base: string;
  readonly #timeoutMs: number;

  /** `endpoint` as `host:port`. */
  constructor(endpoint: string, timeoutMs = 5000) {
    this.#base = `http://${endpoint}`;
    this.#timeoutMs = timeoutMs;
  }

  async #post(path: string, body: unknown): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new EtcdError(`etcd at ${this.#base} unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await readCapped(res, MAX_ANSWER_BYTES);
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new EtcdError(`etcd answered ${path} with HTTP ${res.status} and no JSON`);
    }
    if (!res.ok || json.error !== undefined) {
      throw new EtcdError(`etcd ${path}: ${String(json.message ?? json.error ?? res.status)}`);
    }
    return json;
  }

  /** Grant a lease of `ttlSeconds`; its id as a string (64 bits). */
  async grant(ttlSeconds: number): Promise<string> {
    const r = await this.#post('/v3/lease/grant', { TTL: ttlSeconds });
    return String(r.ID);
  }

  /** Renew a lease: its remaining TTL, 0 when it no longer exists. */
  async keepAlive(lease: string): Promise<number> {
    const r = await this.#post('/v3/lease/keepalive', { ID: lease });
    const result = r.result as { TTL?: string } | undefined;
    return Number(result?.TTL ?? 0);
  }

  async revoke(lease: string): Promise<void> {
    await this.#post('/v3/lease/revoke', { ID: lease });
  }

  async put(key: string, value: string, lease: string): Promise<void> {
    await this.#post('/v3/kv/put', { key: b64(key), value: b64(value), lease });
  }

  /** Every key under `prefix`, and the revision the answer is at. */
  async range(prefix: string): Promise<{ kvs: KeyValue[]; revision: string }> {
    const r = await this.#post('/v3/kv/range', {
      key: b64(prefix),
      range_end: prefixEnd(prefix),
      limit: MAX_KEYS,
    });
    const kvs = ((r.kvs as { key: string; value?: string }[] | undefined) ?? []).map((kv) => ({
      key: unb64(kv.key),
      value: unb64(kv.value),
    }));
    return { kvs, revision: String((r.header as { revision?: string } | undefined)?.revision ?? '0') };
  }

  /**
   * Watch `prefix` from `revision` on (a streaming POST); yields event batches until `signal`
   * aborts or the stream breaks (then it throws).
   */
  async *watch(prefix: string, revision: string, signal: AbortSignal): AsyncGenerator<WatchEvent[]> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}/v3/watch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          create_request: { key: b64(prefix), range_end: prefixEnd(prefix), start_revision: revision },
        }),
        signal,
      });
    } catch (err) {
      throw new EtcdError(`etcd watch failed: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok || res.body === null) throw new EtcdError(`etcd watch: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      if (buffered.length > MAX_ANSWER_BYTES) throw new EtcdError('etcd watch: a line over 16 MiB');
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        if (line === '') continue;
        const msg = JSON.parse(line) as {
          result?: { events?: { type?: string; kv: { key: string } }[]; canceled?: boolean };
          error?: unknown;
        };
        if (msg.error !== undefined || msg.result?.canceled === true)
          throw new EtcdError('etcd cancelled the watch');
        const events = msg.result?.events ?? [];
        if (events.length > 0) {
          yield events.map((e) => ({ type: e.type === 'DELETE' ? 'DELETE' : 'PUT', key: unb64(e.kv.key) }));
        }
      }
    }
    throw new EtcdError('etcd ended the watch');
  }
}
