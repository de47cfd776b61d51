import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { System } from './systems.js';

const here = import.meta.dirname;

/** One row of the rpc comparison. */
export interface RpcResult {
  scenario: string;
  system: string;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Against the row's baseline (named in `versus`). */
  ratio: number;
  versus: string;
  target?: number;
  met?: boolean;
}

interface Run {
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Start SYSTEM's server in its own process, run its client in another, return the client's figures. */
async function measure(system: System, inflight: number, seconds: number, payload: number): Promise<Run> {
  const server = spawn(process.execPath, [join(here, 'server.js'), system], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const lines = createInterface({ input: server.stdout! });
    const port = Number(await new Promise<string>((r) => lines.once('line', r)));
    const client = spawn(
      process.execPath,
      [
        join(here, 'client.js'),
        system,
        String(port),
        String(inflight),
        String(seconds),
        String(payload),
        '16',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(client.stdout!, 'data')) as [Buffer];
    return JSON.parse(line.toString()) as Run;
  } finally {
    server.kill('SIGKILL');
  }
}

/**
 * Unary 64-byte calls, 100 in flight, each system's client and server in separate processes:
 * weft over mux (one connection) against grpc-js and against the raw floor; weft pooled (16
 * connections) against undici's Pool (16 connections) and a node:http server; weft over WebSocket.
 */
export async function rpcComparison(seconds: number, log: (s: string) => void): Promise<RpcResult[]> {
  const runs = new Map<System, Run>();
  const order: System[] = ['grpc-js', 'weft-mux', 'raw', 'undici', 'weft-pooled', 'weft-ws'];
  for (const system of order) {
    log(`  rpc: ${system}, unary 64 B, 100 in flight, ${seconds}s ...`);
    runs.set(system, await measure(system, 100, seconds, 64));
  }
  const row = (scenario: string, system: System, base: System, target?: number): RpcResult => {
    const r = runs.get(system)!;
    const ratio = r.callsPerSec / runs.get(base)!.callsPerSec;
    return {
      scenario,
      system,
      ...r,
      ratio,
      versus: base,
      ...(target === undefined ? {} : { target, met: ratio >= target }),
    };
  };
  const one = 'unary 64 B, 100 in flight, one connection';
  const pool = 'unary 64 B, 100 in flight, 16 connections';
  return [
    row(one, 'grpc-js', 'grpc-js'),
    row(one, 'weft-mux', 'grpc-js', 12),
    row(one, 'raw', 'raw'),
    row(one, 'weft-mux', 'raw', 0.5),
    row(one, 'weft-ws', 'raw'),
    row(pool, 'undici', 'undici'),
    row(pool, 'weft-pooled', 'undici', 1.5),
  ];
}

/** A markdown table of the rows. */
export function rpcTable(rows: RpcResult[]): string {
  const head =
    '| scenario | system | calls/s | p50 ms | p99 ms | errors | ratio | target |\n|---|---|---:|---:|---:|---:|---:|---|';
  const body = rows.map((r) => {
    const target = r.target === undefined ? '' : `≥ ${r.target}× ${r.versus} ${r.met ? '✅' : '❌'}`;
    return `| ${r.scenario} | ${r.system} | ${Math.round(r.callsPerSec).toLocaleString('en-US')} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} | ${r.ratio.toFixed(2)}× ${r.versus} | ${target} |`;
  });
  return [head, ...body].join('\n');
}
