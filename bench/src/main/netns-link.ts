/**
 * A real impaired link for the link scenario: two network namespaces, a tap device in each plugged
 * into its own VDE switch, the switches joined by VDE's `wirefilter` (Debian `vde2`), which delays,
 * limits and drops packets — so the kernel's TCP sees real loss, retransmits and RTO tails, which
 * the userspace proxy cannot give. Needs root and vde2; everything it makes is removed by `close()`
 * and, should the process end first, on exit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Link } from './results.js';

/** TCP segments sent and retransmitted in a namespace so far (`/proc/net/snmp`). */
export interface TcpCounters {
  outSegs: number;
  retransSegs: number;
}

/** The TCP counters of network namespace `ns`. */
export function tcpCounters(ns: string): TcpCounters {
  const snmp = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'], { encoding: 'utf8' });
  const lines = snmp.split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/).map(Number);
  const at = (name: string) => values[names.indexOf(name)] ?? 0;
  return { outSegs: at('OutSegs'), retransSegs: at('RetransSegs') };
}

/** An emulated link, up. */
export interface NetnsLink {
  /** Where the server listens (in `serverNs`) and the client connects to (from `clientNs`). */
  serverHost: string;
  serverNs: string;
  clientNs: string;
  /** Round trip of a 1-byte TCP echo over the link, median of 20, ms. */
  measuredRttMs: number;
  /** The command prefix that runs a program in a namespace. */
  exec(ns: string): string[];
  close(): void;
}

const TOOLS = ['ip', 'vde_switch', 'vde_plug2tap', 'wirefilter'];

/** Why a wirefilter link cannot be built here, or undefined when it can. */
export function netnsLinkUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `the platform is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'the bench does not run as root (network namespaces need it)';
  for (const tool of TOOLS) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (Debian: ${tool === 'ip' ? 'iproute2' : 'vde2'})`;
    }
  }
  return undefined;
}

let counter = 0;

/** Build the link: `rttMs` (half each way), `mbit` per direction, `lossPct` of packets each way. */
export async function openNetnsLink(link: Link): Promise<NetnsLink> {
  const id = `${process.pid}-${counter++}`;
  const dir = mkdtempSync(join(tmpdir(), 'weft-link-'));
  const names = { server: `weft-s-${id}`, client: `weft-c-${id}` };
  const children: ChildProcess[] = [];
  const run = (args: string[]) =>
    execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const exec = (ns: string) => ['ip', 'netns', 'exec', ns];
  const keep = (args: string[]) => {
    // stdin stays open: vde_switch and wirefilter read commands from it and exit at its end.
    const child = spawn(args[0]!, args.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    return child;
  };
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    for (const child of children) child.kill('SIGKILL');
    for (const ns of Object.values(names)) {
      try {
        run(['ip', 'netns', 'del', ns]);
      } catch {
        // Not made, or gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', close);
  try {
    const sockets = { server: join(dir, 'server.sock'), client: join(dir, 'client.sock') };
    for (const side of ['server', 'client'] as const) {
      run(['ip', 'netns', 'add', names[side]]);
      keep(['vde_switch', '-s', sockets[side]]);
    }
    await waitFor(() => switchUp(sockets.server) && switchUp(sockets.client), 3000, 'the VDE switches');
    keep([
      'wirefilter',
      '-v',
      `${sockets.server}:${sockets.client}`,
      '-d',
      String(link.rttMs / 2),
      '-b',
      String(Math.round((link.mbit * 1e6) / 8)),
      '-l',
      String(link.lossPct ?? 0),
    ]);
    const address = { server: '10.99.0.1', client: '10.99.0.2' };
    for (const side of ['server', 'client'] as const) {
      const ns = names[side];
      run([...exec(ns), 'ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap']);
      run([...exec(ns), 'ip', 'addr', 'add', `${address[side]}/24`, 'dev', 'tap0']);
      run([...exec(ns), 'ip', 'link', 'set', 'tap0', 'up']);
      run([...exec(ns), 'ip', 'link', 'set', 'lo', 'up']);
      keep([...exec(ns), 'vde_plug2tap', '-s', sockets[side], 'tap0']);
    }
    const measuredRttMs = await probeRtt(names.server, names.client, address.server);
    return {
      serverHost: address.server,
      serverNs: names.server,
      clientNs: names.client,
      measuredRttMs,
      exec,
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

/** Whether a VDE switch made its control socket in `dir`. */
function switchUp(dir: string): boolean {
  return existsSync(join(dir, 'ctl'));
}

async function waitFor(ok: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`${what} did not come up within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PROBE_SERVER = `require('node:net').createServer((s) => s.pipe(s)).listen(7999, process.argv[1], () => console.log('up'));`;
const PROBE_CLIENT = `
const net = require('node:net');
const s = net.connect(7999, process.argv[1]);
s.setNoDelay(true);
s.once('connect', async () => {
  const rtts = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    s.write('x');
    await new Promise((r) => s.once('data', r));
    rtts.push(performance.now() - t);
  }
  rtts.sort((a, b) => a - b);
  console.log(rtts[10]);
  s.destroy();
});
s.on('error', (e) => { console.error(e.message); process.exit(1); });
`;

/** The median round trip of a 1-byte TCP echo from the client namespace to the server's. */
async function probeRtt(serverNs: string, clientNs: string, host: string): Promise<number> {
  const server = spawn('ip', ['netns', 'exec', serverNs, process.execPath, '-e', PROBE_SERVER, host], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the link probe server did not start')), 5000);
      server.stdout!.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // The taps take a moment to pass traffic after they come up: retry the first connection.
    for (let attempt = 0; ; attempt++) {
      try {
        const out = execFileSync(
          'ip',
          ['netns', 'exec', clientNs, process.execPath, '-e', PROBE_CLIENT, host],
          {
            encoding: 'utf8',
            timeout: 15_000,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        return Number(out.trim());
      } catch (err) {
        if (attempt >= 10) throw new Error(`the link probe failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    server.kill('SIGKILL');
  }
}
