/**
 * `browserConnect`, the browser client's adapter of the native WebSocket, against a scripted
 * stand-in for the browser's `WebSocket`: what it does where the native API has no limit or
 * cannot do what the transport asks (a message-size limit, a handshake timeout, close codes a page
 * may not send, a connection it cannot drop).
 */
import { describe, expect, it } from 'vitest';
import type { WsEvents } from '../src/transport/ws-client.js';
import { browserConnect } from '../src/web/websocket.js';

/** A scripted browser WebSocket: the test opens it, sends it messages and closes it. */
class ScriptedWebSocket {
  static readonly OPEN = 1;
  static last: ScriptedWebSocket | undefined;
  readyState = 0;
  binaryType = 'blob';
  sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined][] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;

  constructor(readonly url: string) {
    ScriptedWebSocket.last = this;
  }

  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }

  close(code?: number, reason?: string): void {
    this.closedWith.push([code, reason]);
  }

  /** The browser's side of things. */
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(data: unknown): void {
    this.onmessage?.({ data });
  }
  closeFromServer(code: number, reason: string): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** Events as the transport hears them. */
function recorder() {
  const heard: unknown[] = [];
  const events: WsEvents = {
    open: () => heard.push('open'),
    message: (data, binary) => heard.push(['message', Array.from(data), binary]),
    error: (err) => heard.push(['error', err.message]),
    close: (code, reason) => heard.push(['close', code, reason]),
  };
  return { heard, events };
}

const connect = (handshakeTimeoutMs = 5000) =>
  browserConnect({
    maxFrameBytes: 8,
    handshakeTimeoutMs,
    WebSocket: ScriptedWebSocket as unknown as typeof WebSocket,
  });

describe('browserConnect', () => {
  it('binary messages as bytes, text as UTF-8 marked not binary, sends and closes through', () => {
    const { heard, events } = recorder();
    const socket = connect()('ws://h:1/weft-rpc', events);
    const ws = ScriptedWebSocket.last!;
    expect(ws.binaryType).toBe('arraybuffer');
    expect(socket.open).toBe(false);
    ws.open();
    expect(socket.open).toBe(true);
    ws.receive(new Uint8Array([1, 2, 3]).buffer);
    ws.receive('é');
    socket.send(new Uint8Array([9]));
    expect(ws.sent).toEqual([new Uint8Array([9])]);
    socket.close(1000, 'bye');
    ws.closeFromServer(1000, 'bye');
    expect(heard).toEqual([
      'open',
      ['message', [1, 2, 3], true],
      ['message', [0xc3, 0xa9], false],
      ['close', 1000, 'bye'],
    ]);
    expect(ws.closedWith).toEqual([[1000, 'bye']]);
  });

  it('a message over the limit: an error, the connection closed (4009), and nothing more heard', () => {
    const { heard, events } = recorder();
    connect()('ws://h:1/weft-rpc', events);
    const ws = ScriptedWebSocket.last!;
    ws.open();
    ws.receive(new Uint8Array(9).buffer);
    ws.receive(new Uint8Array([1]).buffer);
    ws.closeFromServer(4009, 'message too big');
    expect(heard).toEqual([
      'open',
      ['error', 'a message of 9 bytes exceeds the limit of 8'],
      ['close', 1009, 'message too big'],
    ]);
    expect(ws.closedWith).toEqual([[4009, 'message too big']]);
  });

  it('protocol close codes a page may not send go out as 4000 + their last three digits', () => {
    const { events } = recorder();
    const socket = connect()('ws://h:1/weft-rpc', events);
    const ws = ScriptedWebSocket.last!;
    ws.open();
    socket.close(1002, 'protocol error');
    socket.close(1003, 'binary envelopes only');
    socket.close(1000);
    socket.close(4321, 'own');
    expect(ws.closedWith.map(([code]) => code)).toEqual([4002, 4003, 1000, 4321]);
  });

  it('a handshake that does not finish in time fails, and the socket is closed', async () => {
    const { heard, events } = recorder();
    connect(30)('ws://h:1/weft-rpc', events);
    const ws = ScriptedWebSocket.last!;
    await new Promise((r) => setTimeout(r, 60));
    ws.open(); // too late: not heard
    expect(heard).toEqual([
      ['error', 'the WebSocket handshake took longer than 30 ms'],
      ['close', 1006, ''],
    ]);
    expect(ws.closedWith).toEqual([[undefined, undefined]]);
  });

  it('terminate: closed at once, the late close event ignored; a failed open is an error', () => {
    const { heard, events } = recorder();
    const socket = connect()('ws://h:1/weft-rpc', events);
    const ws = ScriptedWebSocket.last!;
    ws.open();
    socket.terminate();
    ws.closeFromServer(1006, '');
    expect(heard).toEqual(['open', ['close', 1006, 'terminated']]);
    const second = recorder();
    connect()('ws://h:2/weft-rpc', second.events);
    const refused = ScriptedWebSocket.last!;
    refused.onerror?.();
    refused.closeFromServer(1006, '');
    expect(second.heard).toEqual([
      ['error', 'could not open ws://h:2/weft-rpc'],
      ['close', 1006, ''],
    ]);
  });
});
