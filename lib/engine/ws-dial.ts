// The Node engine's socket for lib/core's subscriber session and target discovery: a `ws` WebSocket whose
// events are reported as the session expects them. The WebSocket itself serves as the session's socket.
import WebSocket from "ws";
import type { SocketEvents } from "../core/subscriber-session.js";
import { connectErrorCause } from "./connect-error-cause.js";

export interface DialOptions {
  handshakeTimeoutMs: number;
  /** Local (source) address to bind, e.g. 127.0.0.2, when one address's ephemeral ports run short. */
  localAddress?: string | undefined;
  /** Handshake headers, e.g. a target's WebSocket credential. */
  headers?: Readonly<Record<string, string>> | undefined;
}

export function dialWebSocket(url: string, events: SocketEvents, options: DialOptions): WebSocket {
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: options.handshakeTimeoutMs,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    ...(options.headers === undefined ? {} : { headers: { ...options.headers } }),
  });
  ws.on("open", () => events.opened());
  ws.on("message", (data) => events.message(data.toString()));
  // ws always follows an error with a close, which ends the attempt.
  ws.on("error", (error: Error) => events.failed(connectErrorCause(error)));
  ws.on("close", (code: number) => events.closed(code));
  return ws;
}

/** Node's timers, as the session and discovery take them. */
export const nodeTimers = {
  setTimeout: (callback: () => void, delayMs: number): unknown => setTimeout(callback, delayMs),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout | undefined),
};
