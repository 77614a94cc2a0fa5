// The k6 socket for lib/core's subscriber session and target discovery: a k6/websockets WebSocket whose
// events are reported as the session expects them, and k6's timers.
import { clearTimeout, setTimeout, type TimeoutID } from "k6/timers";
import { WebSocket } from "k6/websockets";
import type { SessionSocket, SocketEvents } from "../../lib/core/subscriber-session.js";

/**
 * `isUp` tells whether the session on this socket is up: a socket that never opened may report only an
 * error, so before the session is up an error ends the attempt (the close that may follow is ignored);
 * an open session's error is followed by its close.
 */
export function dialWebSocket(
  url: string,
  events: SocketEvents,
  tags: Record<string, string>,
  isUp: () => boolean,
): SessionSocket {
  const socket = new WebSocket(url, null, { tags });
  socket.onopen = () => events.opened();
  socket.onmessage = (event) => events.message(String(event?.data ?? ""));
  socket.onerror = (event) => {
    events.failed(event?.error ?? "error");
    if (!isUp()) events.closed(undefined);
  };
  socket.onclose = () => events.closed(undefined);
  return { send: (text) => socket.send(text), close: (code, reason) => socket.close(code, reason) };
}

/** k6's timers, as the session and discovery take them. */
export const k6Timers = {
  setTimeout: (callback: () => void, delayMs: number): unknown => setTimeout(callback, delayMs),
  clearTimeout: (handle: unknown): void => {
    if (handle !== undefined) clearTimeout(handle as TimeoutID);
  },
};
