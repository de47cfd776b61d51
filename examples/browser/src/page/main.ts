/**
 * The page: a live counter from `Live.counter` and a chat over `Live.chat`, each started again a
 * second after it fails (the server restarted, the network dropped).
 */
import { createClient, isRpcError, statusName } from '@weft/rpc/web';
import { Live, type Say } from '../contract.js';

const client = createClient(Live, { target: location.origin });
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const why = (err: unknown) => (isRpcError(err) ? `${statusName(err.code)}: ${err.message}` : String(err));

async function counter(): Promise<never> {
  for (;;) {
    try {
      for await (const tick of client.counter({ everyMs: 1000 })) {
        $('counter').textContent = String(tick.n);
        $('counter-status').textContent = `server time ${new Date(tick.at).toLocaleTimeString()}`;
      }
    } catch (err) {
      $('counter-status').textContent = `${why(err)} — retrying`;
    }
    await sleep(1000);
  }
}

/** Lines typed in the form, as the request stream of the chat call. */
class Outbox implements AsyncIterable<Say> {
  #lines: Say[] = [];
  #wake: (() => void) | undefined;

  send(line: Say): void {
    this.#lines.push(line);
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Say> {
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) yield line;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

async function chat(): Promise<never> {
  const user = $<HTMLInputElement>('user');
  user.value = `guest-${Math.floor(Math.random() * 1000)}`;
  let outbox = new Outbox();
  $('say').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $<HTMLInputElement>('text');
    if (text.value.trim() === '') return;
    outbox.send({ user: user.value.trim() || 'guest', text: text.value });
    text.value = '';
  });
  for (;;) {
    try {
      $('chat-status').textContent = 'in the room';
      for await (const line of client.chat(outbox)) {
        const li = document.createElement('li');
        const who = document.createElement('b');
        who.textContent = `${line.user}: `;
        li.append(who, line.text);
        $('lines').append(li);
        li.scrollIntoView({ block: 'nearest' });
      }
    } catch (err) {
      $('chat-status').textContent = `${why(err)} — rejoining`;
    }
    outbox = new Outbox();
    await sleep(1000);
  }
}

void counter();
void chat();
