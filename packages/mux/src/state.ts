/**
 * The stream state machine of RFC 9113 §5.1 as a table. "H" is a HEADERS frame, "PP" PUSH_PROMISE,
 * "ES" the END_STREAM flag, "R" RST_STREAM; a HEADERS frame with END_STREAM is H then ES.
 */

export type StreamState =
  | 'idle'
  | 'reserved_local'
  | 'reserved_remote'
  | 'open'
  | 'half_closed_local'
  | 'half_closed_remote'
  | 'closed';

export type StreamEvent =
  | 'send_headers'
  | 'recv_headers'
  | 'send_push_promise'
  | 'recv_push_promise'
  | 'send_end_stream'
  | 'recv_end_stream'
  | 'send_rst'
  | 'recv_rst';

/** Legal transitions; a missing entry is an illegal event in that state. */
export const TRANSITIONS: Readonly<Record<StreamState, Partial<Record<StreamEvent, StreamState>>>> = {
  idle: {
    send_headers: 'open',
    recv_headers: 'open',
    send_push_promise: 'reserved_local',
    recv_push_promise: 'reserved_remote',
  },
  reserved_local: { send_headers: 'half_closed_remote', send_rst: 'closed', recv_rst: 'closed' },
  reserved_remote: { recv_headers: 'half_closed_local', send_rst: 'closed', recv_rst: 'closed' },
  open: {
    send_headers: 'open',
    recv_headers: 'open',
    send_end_stream: 'half_closed_local',
    recv_end_stream: 'half_closed_remote',
    send_rst: 'closed',
    recv_rst: 'closed',
  },
  half_closed_local: {
    recv_headers: 'half_closed_local',
    recv_end_stream: 'closed',
    send_rst: 'closed',
    recv_rst: 'closed',
  },
  half_closed_remote: {
    send_headers: 'half_closed_remote',
    send_end_stream: 'closed',
    send_rst: 'closed',
    recv_rst: 'closed',
  },
  closed: {},
};

/** The state after `event`, or undefined when the event is illegal in `state`. */
export function transition(state: StreamState, event: StreamEvent): StreamState | undefined {
  return TRANSITIONS[state][event];
}

/** Whether the peer may still send DATA or trailers in `state`. */
export function canReceive(state: StreamState): boolean {
  return state === 'open' || state === 'half_closed_local';
}

/** Whether we may still send DATA or trailers in `state`. */
export function canSend(state: StreamState): boolean {
  return state === 'open' || state === 'half_closed_remote';
}
