import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const here = import.meta.dirname;

/** One row of the WebSocket comparison. */
export interface WsResult {
  scenario: string;
  system: string;
  value: number;
  unit: string;
  ratio: number;
  target?: number;
  met?: boolean;
}

async function server(kind: string, deflate = false) {
  const args = ['--expose-gc', join(here, 'server.js'), kind, ...(deflate ? ['deflate'] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((r) => lines.once('line', r));
  const port = Number(await next());
  const memory = async () => {
    child.stdin!.write('\n');
    return JSON.parse(await next()) as { rss: number; heapUsed: number };
  };
  return { port, memory, stop: () => child.kill('SIGKILL') };
}

async function client(args: string[]): Promise<{ out: Record<string, number>; kill: () => void }> {
  const child = spawn(process.execPath, [join(here, 'client.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { out: JSON.parse(line.toString()) as Record<string, number>, kill: () => child.kill('SIGKILL') };
}

/**
 * weft vs the ws package, server and client in separate processes: no compression on either, then
 * permessage-deflate on both at the same zlib level.
 */
export async function wsComparison(
  seconds: number,
  idleConnections: number,
  log: (s: string) => void,
): Promise<WsResult[]> {
  const results: WsResult[] = [];
  const scenarios = [
    {
      name: '64 B echo, 100 in flight, 1 connection',
      size: 64,
      inflight: 100,
      key: 'messagesPerSec',
      unit: 'msg/s',
      target: 1.1,
    },
    {
      name: '1 MiB binary echo, 4 in flight',
      size: 1 << 20,
      inflight: 4,
      key: 'mbPerSec',
      unit: 'MB/s',
      target: 1.0,
    },
    {
      name: '1 MiB echo with permessage-deflate (level 1), 4 in flight',
      size: 1 << 20,
      inflight: 4,
      key: 'mbPerSec',
      unit: 'MB/s',
      target: 1.0,
      deflate: true,
    },
  ];
  for (const sc of scenarios) {
    const values: Record<string, number> = {};
    for (const kind of ['ws', 'weft']) {
      log(`  ws: ${kind}, ${sc.name}, ${seconds}s ...`);
      const s = await server(kind, sc.deflate === true);
      const c = await client([
        kind,
        String(s.port),
        'echo',
        String(sc.inflight),
        String(seconds),
        String(sc.size),
        ...(sc.deflate === true ? ['deflate'] : []),
      ]);
      s.stop();
      values[kind] = c.out[sc.key]!;
    }
    results.push({ scenario: sc.name, system: 'ws 8', value: values.ws!, unit: sc.unit, ratio: 1 });
    const ratio = values.weft! / values.ws!;
    results.push({
      scenario: sc.name,
      system: 'weft',
      value: values.weft!,
      unit: sc.unit,
      ratio,
      target: sc.target,
      met: ratio >= sc.target,
    });
  }
  const rss: Record<string, number> = {};
  const heap: Record<string, number> = {};
  for (const kind of ['ws', 'weft']) {
    log(`  ws: ${kind}, ${idleConnections} idle connections ...`);
    const s = await server(kind);
    const c = await client([kind, String(s.port), 'idle', String(idleConnections)]);
    await new Promise((r) => setTimeout(r, 500));
    const m = await s.memory();
    rss[kind] = m.rss / 2 ** 20;
    heap[kind] = m.heapUsed / 2 ** 20;
    c.kill();
    s.stop();
  }
  const name = `${idleConnections.toLocaleString('en-US')} idle connections (server RSS)`;
  results.push({ scenario: name, system: 'ws 8', value: rss.ws!, unit: 'MB', ratio: 1 });
  results.push({
    scenario: name,
    system: 'weft',
    value: rss.weft!,
    unit: 'MB',
    ratio: rss.weft! / rss.ws!,
    target: 300,
    met: rss.weft! <= 300 && rss.weft! <= rss.ws! * 1.0,
  });
  // RSS moves by a few MB between identical runs; the JS heap after a GC is the steadier measure.
  const heapName = `${idleConnections.toLocaleString('en-US')} idle connections (server heap, informational)`;
  results.push({ scenario: heapName, system: 'ws 8', value: heap.ws!, unit: 'MB', ratio: 1 });
  results.push({
    scenario: heapName,
    system: 'weft',
    value: heap.weft!,
    unit: 'MB',
    ratio: heap.weft! / heap.ws!,
  });
  return results;
}

export function wsTable(results: WsResult[]): string {
  const rows = ['| scenario | system | value | vs ws | target |', '| --- | --- | ---: | ---: | --- |'];
  for (const r of results) {
    const target =
      r.target === undefined
        ? ''
        : r.unit === 'MB'
          ? `≤ ${r.target} MB and ≤ ws ${r.met ? '✅ met' : '❌ missed'}`
          : `≥ ${r.target}× ${r.met ? '✅ met' : '❌ missed'}`;
    rows.push(
      `| ${r.scenario} | ${r.system} | ${r.value.toFixed(r.unit === 'msg/s' ? 0 : 1)} ${r.unit} | ${r.ratio.toFixed(2)}× | ${target} |`,
    );
  }
  return rows.join('\n');
}
