/**
 * A real impaired link for the link and loss scenarios: two network namespaces joined either by a
 * veth pair with kernel netem on each end, or — where the kernel has no netem — by a tap device in
 * each plugged into its own VDE switch, the switches joined by VDE's `wirefilter` (Debian `vde2`).
 * Both delay, limit and drop packets, so the kernel's TCP sees real loss, retransmits and RTO tails,
 * which the userspace proxy cannot give. Needs root; everything it makes is removed by `close()`
 * and, should the process end first, on exit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { netemUnavailable } from './link-probe.js';
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
  /** What emulates it: kernel netem on a veth pair, or VDE's wirefilter between tap devices. */
  emulation: 'netem' | 'wirefilter';
  /** Where the server listens (in `serverNs`) and the client connects to (from `clientNs`). */
  serverHost: string;
  serverNs: string;
  clientNs: string;
  /** The loss rate now, % of packets each way. */
  lossPct: number;
  /**
   * Change the loss rate, connections staying up; resolves with the round trip of a 1-byte TCP
   * echo at the new rate (median of 20, ms; measured once per rate and remembered).
   */
  setLoss(pct: number): Promise<number>;
  /** The command prefix that runs a program in a namespace. */
  exec(ns: string): string[];
  close(): void;
}

const TOOLS = ['ip', 'vde_switch', 'vde_plug2tap', 'wirefilter'];

let netemWhy: string | undefined | null = null;

/** Why kernel netem cannot be used here (probed once), or undefined when it can. */
export function whyNoNetem(): string | undefined {
  if (netemWhy === null) netemWhy = netemUnavailable();
  return netemWhy;
}

/**
 * Why no real link can be built here, or undefined when one can: root and Linux, and either kernel
 * netem or wirefilter (Debian `vde2`).
 */
export function netnsLinkUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `the platform is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'the bench does not run as root (network namespaces need it)';
  if (whyNoNetem() === undefined) return undefined;
  for (const tool of TOOLS) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${whyNoNetem()}, and ${tool} is not installed (Debian: ${tool === 'ip' ? 'iproute2' : 'vde2'})`;
    }
  }
  return undefined;
}

let counter = 0;

/** What builds one kind of link between two namespaces made by `openNetnsLink`. */
interface Emulator {
  /** Bring the link up between the namespaces, at `lossPct`. */
  up(lossPct: number): Promise<void>;
  /** Change the loss rate of the link that is up. */
  setLoss(pct: number): Promise<void>;
}

/**
 * Build the link: `rttMs` (half each way), `mbit` per direction, `lossPct` of packets each way —
 * with kernel netem where the kernel has it, else with wirefilter. `emulation` forces one.
 */
export async function openNetnsLink(
  link: Link,
  emulation: 'netem' | 'wirefilter' = whyNoNetem() === undefined ? 'netem' : 'wirefilter',
): Promise<NetnsLink> {
  const id = `${process.pid}-${counter++}`;
  const dir = mkdtempSync(join(tmpdir(), 'weft-link-'));
  const names = { server: `weft-s-${id}`, client: `weft-c-${id}` };
  const address = { server: '10.99.0.1', client: '10.99.0.2' };
  const children: ChildProcess[] = [];
  const run = (args: string[]) =>
    execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const exec = (ns: string) => ['ip', 'netns', 'exec', ns];
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
  const ctx = { link, names, address, dir, children, run, exec };
  const emulator = emulation === 'netem' ? netem(ctx) : wirefilter(ctx);
  try {
    for (const side of ['server', 'client'] as const) run(['ip', 'netns', 'add', names[side]]);
    await emulator.up(link.lossPct ?? 0);
    const rtts = new Map<number, number>();
    const made: NetnsLink = {
      emulation,
      serverHost: address.server,
      serverNs: names.server,
      clientNs: names.client,
      lossPct: link.lossPct ?? 0,
      async setLoss(pct) {
        if (pct !== made.lossPct) {
          await emulator.setLoss(pct);
          made.lossPct = pct;
        }
        let rtt = rtts.get(pct);
        if (rtt === undefined) {
          rtt = await probeRtt(names.server, names.client, address.server);
          rtts.set(pct, rtt);
        }
        return rtt;
      },
      exec,
      close,
    };
    return made;
  } catch (err) {
    close();
    throw err;
  }
}

interface EmulatorContext {
  link: Link;
  names: { server: string; client: string };
  address: { server: string; client: string };
  dir: string;
  children: ChildProcess[];
  run(args: string[]): void;
  exec(ns: string): string[];
}

/** The namespaces joined by a veth pair, each end's egress delayed, limited and lossy by netem. */
function netem({ link, names, address, run, exec }: EmulatorContext): Emulator {
  const qdisc = (ns: string, verb: 'add' | 'change', lossPct: number) =>
    run([
      ...exec(ns),
      'tc',
      'qdisc',
      verb,
      'dev',
      'veth0',
      'root',
      'netem',
      'delay',
      `${link.rttMs / 2}ms`,
      'rate',
      `${link.mbit}mbit`,
      'loss',
      `${lossPct}%`,
    ]);
  return {
    async up(lossPct) {
      run(['ip', '-n', names.server, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
      run(['ip', '-n', names.server, 'link', 'set', 'veth1', 'netns', names.client, 'name', 'veth0']);
      for (const side of ['server', 'client'] as const) {
        const ns = names[side];
        run([...exec(ns), 'ip', 'addr', 'add', `${address[side]}/24`, 'dev', 'veth0']);
        run([...exec(ns), 'ip', 'link', 'set', 'veth0', 'up']);
        run([...exec(ns), 'ip', 'link', 'set', 'lo', 'up']);
        qdisc(ns, 'add', lossPct);
      }
    },
    async setLoss(pct) {
      for (const side of ['server', 'client'] as const) qdisc(names[side], 'change', pct);
    },
  };
}

/**
 * A tap device in each namespace plugged into its own VDE switch, the switches joined by wirefilter
 * (delay each way, bandwidth per direction, loss), which takes commands on its stdin.
 */
function wirefilter({ link, names, address, dir, children, run, exec }: EmulatorContext): Emulator {
  let filter: ChildProcess | undefined;
  let answers: Interface | undefined;
  const keep = (args: string[], stdout: 'pipe' | 'ignore' = 'ignore') => {
    // stdin stays open: vde_switch and wirefilter read commands from it and exit at its end.
    const child = spawn(args[0]!, args.slice(1), { stdio: ['pipe', stdout, 'ignore'] });
    children.push(child);
    return child;
  };
  return {
    async up(lossPct) {
      const sockets = { server: join(dir, 'server.sock'), client: join(dir, 'client.sock') };
      for (const side of ['server', 'client'] as const) keep(['vde_switch', '-s', sockets[side]]);
      await waitFor(() => switchUp(sockets.server) && switchUp(sockets.client), 3000, 'the VDE switches');
      filter = keep(
        [
          'wirefilter',
          '-v',
          `${sockets.server}:${sockets.client}`,
          '-d',
          String(link.rttMs / 2),
          '-b',
          String(Math.round((link.mbit * 1e6) / 8)),
          '-l',
          String(lossPct),
        ],
        'pipe',
      );
      answers = createInterface({ input: filter.stdout! });
      for (const side of ['server', 'client'] as const) {
        const ns = names[side];
        run([...exec(ns), 'ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap']);
        run([...exec(ns), 'ip', 'addr', 'add', `${address[side]}/24`, 'dev', 'tap0']);
        run([...exec(ns), 'ip', 'link', 'set', 'tap0', 'up']);
        run([...exec(ns), 'ip', 'link', 'set', 'lo', 'up']);
        keep([...exec(ns), 'vde_plug2tap', '-s', sockets[side], 'tap0']);
      }
    },
    setLoss(pct) {
      // wirefilter answers each command with a status line: "1000 Success", or an error code.
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error('wirefilter did not answer `loss` within 2 s')),
          2000,
        );
        const onLine = (line: string) => {
          const m = /(\d{4}) (.*)/.exec(line);
          if (m === null) return;
          finish(m[1] === '1000' ? undefined : new Error(`wirefilter refused \`loss ${pct}\`: ${m[2]}`));
        };
        const finish = (err?: Error) => {
          clearTimeout(timer);
          answers!.off('line', onLine);
          if (err === undefined) resolve();
          else reject(err);
        };
        answers!.on('line', onLine);
        filter!.stdin!.write(`loss ${pct}\n`);
      });
    },
  };
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
