// The Socket.IO v4 wire framing over a plain WebSocket (Engine.IO v4, websocket transport only), enough to
// subscribe and read events with connection state recovery — usable from k6/websockets and from ws alike.
// An Engine.IO text frame is one packet: a type digit then data. 0 open {sid, pingInterval, …}, 1 close,
// 2 ping (answer 3 pong), 4 message, 6 noop. A message carries one Socket.IO packet: a type digit,
// "/nsp," unless the namespace is "/", an optional ack id, then JSON: 0 CONNECT ({sid, pid} from the
// server; {pid, offset} from a client resuming), 1 DISCONNECT, 2 EVENT [name, ...args], 4 CONNECT_ERROR.
// With recovery on, the server appends the event's stream offset as its last argument.

/** `other`: a packet a subscriber has no use for; `quiet` when it is routine (noop, another namespace). */
export type SocketIoPacket =
  | { kind: "open" }
  | { kind: "ping" }
  | { kind: "close" }
  | { kind: "connect"; sid: string | undefined; pid: string | undefined }
  | { kind: "disconnect" }
  | { kind: "event"; name: string; args: unknown[] }
  | { kind: "connect-error"; message: string }
  | { kind: "other"; detail: string; quiet: boolean };

/** The query the WebSocket URL needs: Engine.IO v4 straight over the websocket transport. */
export const engineIoQuery = "EIO=4&transport=websocket";

export const engineIoPong = "3";

/** The namespace CONNECT a client sends after the socket opens; `auth` resumes a session. */
export function encodeConnect(namespace: string, auth: { pid: string; offset: string } | undefined): string {
  const prefix = namespace === "/" ? "40" : `40${namespace},`;
  return auth === undefined ? prefix : `${prefix}${JSON.stringify(auth)}`;
}

function other(detail: string, quiet = false): SocketIoPacket {
  return { kind: "other", detail, quiet };
}

/** Decodes one text frame for `namespace`; packets of other namespaces are "other". */
export function decodeSocketIoFrame(text: string, namespace: string): SocketIoPacket {
  switch (text.charCodeAt(0)) {
    case 0x34: // "4" message: a Socket.IO packet follows
      break;
    case 0x32: // "2"
      return { kind: "ping" };
    case 0x30: // "0"
      return { kind: "open" };
    case 0x31: // "1"
      return { kind: "close" };
    case 0x36: // "6"
      return other("noop", true);
    default:
      return other(`engine.io packet ${JSON.stringify(text.slice(0, 1))}`);
  }
  const type = text.charCodeAt(1) - 0x30;
  let at = 2;
  if (text.charCodeAt(at) === 0x2f /* "/" */) {
    const comma = text.indexOf(",", at);
    const name = comma < 0 ? text.slice(at) : text.slice(at, comma);
    if (name !== namespace) return other(`namespace ${name}`, true);
    at = comma < 0 ? text.length : comma + 1;
  } else if (namespace !== "/") {
    return other("namespace /", true);
  }
  // An ack id (digits) may precede the JSON; events the server broadcasts carry none.
  while (at < text.length && text.charCodeAt(at) >= 0x30 && text.charCodeAt(at) <= 0x39) at++;
  let data: unknown;
  if (at < text.length) {
    try {
      data = JSON.parse(text.slice(at));
    } catch {
      return other("socket.io packet data is not JSON");
    }
  }
  switch (type) {
    case 0: {
      const body = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
      return {
        kind: "connect",
        sid: typeof body.sid === "string" ? body.sid : undefined,
        pid: typeof body.pid === "string" ? body.pid : undefined,
      };
    }
    case 1:
      return { kind: "disconnect" };
    case 2: {
      if (!Array.isArray(data) || typeof data[0] !== "string") return other("event without a name");
      return { kind: "event", name: data[0], args: data.slice(1) };
    }
    case 4: {
      const message =
        typeof data === "object" &&
        data !== null &&
        typeof (data as { message?: unknown }).message === "string"
          ? (data as { message: string }).message
          : JSON.stringify(data ?? null);
      return { kind: "connect-error", message };
    }
    default:
      return other(`socket.io packet type ${type}`, true);
  }
}
