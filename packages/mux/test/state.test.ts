import { describe, expect, it } from 'vitest';
import { type StreamEvent, type StreamState, TRANSITIONS, transition } from '../src/state.js';

/**
 * The legal transitions, written out independently from the diagram in RFC 9113 §5.1 ("send H",
 * "recv ES", ...). A HEADERS frame in open/half-closed states (trailers, 1xx responses) keeps the state.
 */
const LEGAL = `
idle send_headers open
idle recv_headers open
idle send_push_promise reserved_local
idle recv_push_promise reserved_remote
reserved_local send_headers half_closed_remote
reserved_local send_rst closed
reserved_local recv_rst closed
reserved_remote recv_headers half_closed_local
reserved_remote send_rst closed
reserved_remote recv_rst closed
open send_headers open
open recv_headers open
open send_end_stream half_closed_local
open recv_end_stream half_closed_remote
open send_rst closed
open recv_rst closed
half_closed_local recv_headers half_closed_local
half_closed_local recv_end_stream closed
half_closed_local send_rst closed
half_closed_local recv_rst closed
half_closed_remote send_headers half_closed_remote
half_closed_remote send_end_stream closed
half_closed_remote send_rst closed
half_closed_remote recv_rst closed
`;

const STATES = Object.keys(TRANSITIONS) as StreamState[];
const EVENTS: StreamEvent[] = [
  'send_headers',
  'recv_headers',
  'send_push_promise',
  'recv_push_promise',
  'send_end_stream',
  'recv_end_stream',
  'send_rst',
  'recv_rst',
];

describe('stream state machine (RFC 9113 §5.1), every (state, event) pair', () => {
  const legal = new Map(
    LEGAL.trim()
      .split('\n')
      .map((line) => {
        const [from, event, to] = line.trim().split(' ');
        return [`${from} ${event}`, to] as const;
      }),
  );
  for (const state of STATES) {
    for (const event of EVENTS) {
      const expected = legal.get(`${state} ${event}`);
      it(`${state} --${event}--> ${expected ?? 'illegal'}`, () => {
        expect(transition(state, event)).toBe(expected);
      });
    }
  }
  it('covers 7 states and every listed transition', () => {
    expect(STATES).toHaveLength(7);
    expect(legal.size).toBe(24);
  });
});
