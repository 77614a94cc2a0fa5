// The `socketio` adapter: Socket.IO v4 servers (any Redis adapter behind them), spoken over a plain
// WebSocket with socketio-codec.ts, so the Node engine (ws) and k6 (k6/websockets) share one code path
// and a connection costs no more than a plain one. The event name and where the payload keeps the probe,
// id and published time come from the target file; triggers go through the app's own HTTP endpoint.
// With connection state recovery on the server, a reconnect sends the previous pid and the last offset in
// its CONNECT, and the server replays what was missed: the engine counts those frames as recovered.
import { AdapterError } from "./adapter-error.js";
import { compilePayloadReader, type PayloadFields } from "./payload-fields.js";
import type { AdapterFrame, ProtocolAdapter } from "./protocol-adapter.js";
import { decodeSocketIoFrame, encodeConnect, engineIoPong, engineIoQuery } from "./socketio-codec.js";
import { compileTrigger, type TriggerTemplate } from "./trigger-template.js";
import { authHeaders, type WebSocketAuth, withAuthQuery } from "./websocket-auth.js";

export interface SocketIoConfig {
  /** The event every delivery is emitted as. */
  event: string;
  /** Default "/". */
  namespace: string;
  /** Fields inside the event's first argument. */
  payload: PayloadFields;
  trigger: TriggerTemplate;
  /** Send {pid, offset} when reconnecting (needs connectionStateRecovery on the server). */
  recovery: boolean;
  /** The WebSocket credential (header, cookie or query), resolved from its environment variable. */
  webSocketAuth?: WebSocketAuth;
}

const ignored: AdapterFrame = { type: "ignored" };
const ping: AdapterFrame = { type: "ping", reply: engineIoPong };

export function socketIoAdapter(config: SocketIoConfig): ProtocolAdapter {
  const { namespace, event } = config;
  const accounting =
    config.payload.seq !== undefined && config.trigger.response.seq !== undefined ? "seq" : "publisher";
  if (accounting === "publisher" && config.payload.probe === undefined) {
    throw new AdapterError(
      "socketio.payload.probe",
      "is required without a seq in payloads and trigger replies: loss and order are judged by the echoed probe",
    );
  }
  const trigger = compileTrigger(config.trigger, "trigger", {
    probeRequired: config.payload.probe !== undefined,
  });
  const read = compilePayloadReader(config.payload, "socketio.payload");
  const fresh = [encodeConnect(namespace, undefined)];
  return {
    kind: "socketio",
    accounting,
    sendsHello: true,
    deliversBeforeHello: true,
    webSocketUrl: (wsUrl) => withAuthQuery(wsUrl, config.webSocketAuth),
    webSocketHeaders: authHeaders(config.webSocketAuth),
    openingFrames(resume) {
      if (!config.recovery || resume?.session === undefined || resume.offset === undefined) return fresh;
      return [encodeConnect(namespace, { pid: resume.session, offset: resume.offset })];
    },
    triggerRequest: trigger.request,
    readTriggerReply: trigger.reply,
    readFrame(text) {
      const packet = decodeSocketIoFrame(text, namespace);
      switch (packet.kind) {
        case "event": {
          if (packet.name !== event) return ignored;
          const { args } = packet;
          const last = args.length > 1 ? args[args.length - 1] : undefined;
          return read(args[0], typeof last === "string" ? last : undefined);
        }
        case "ping":
          return ping;
        case "connect":
          return {
            type: "hello",
            pod: undefined,
            seq: undefined,
            epoch: "",
            resume: packet.pid !== undefined,
            session: packet.pid,
          };
        case "open":
          return ignored;
        case "close":
          return { type: "refused", reason: "engine.io close" };
        case "disconnect":
          return { type: "refused", reason: "server disconnected the namespace" };
        case "connect-error":
          return { type: "refused", reason: `connect_error: ${packet.message}` };
        case "other":
          return packet.quiet ? ignored : { type: "invalid", reason: packet.detail };
      }
    },
  };
}

/** ws(s)://host:port<path>?EIO=4&transport=websocket for a pod's base URL. */
export function socketIoWebSocketUrl(baseUrl: string, path: string): string {
  const normalised = `/${path.replace(/^\/+|\/+$/g, "")}/`;
  return `${baseUrl.replace(/\/+$/, "").replace(/^http/, "ws")}${normalised}?${engineIoQuery}`;
}
