// The `generic-json` adapter: any backend that fans JSON text frames out over a plain WebSocket, described
// by a target file (see lib/core/target-file.ts): pod URLs, the trigger request with the probe placed where
// the backend echoes it, and JSON paths to the id, seq, published time and probe in frames, frames to
// ignore, an optional hello frame and an optional subscribe message sent after connect.
import { AdapterError } from "./adapter-error.js";
import {
  compileAllMatch,
  compileAnyMatch,
  compileMatch,
  compilePayloadReader,
  type FrameMatch,
  type PayloadFields,
} from "./payload-fields.js";
import type { AdapterFrame, ProtocolAdapter } from "./protocol-adapter.js";
import { compileTrigger, type TriggerTemplate } from "./trigger-template.js";
import { authHeaders, authMessages, type WebSocketAuth, withAuthQuery } from "./websocket-auth.js";

export interface GenericJsonConfig {
  trigger: TriggerTemplate;
  frames: PayloadFields & {
    /** A frame is a delivery when all of these match; none: every frame not ignored is one. */
    delivery: FrameMatch[];
    /** Frames to skip when any of these matches (keepalives, welcome messages, other event types). */
    ignore: FrameMatch[];
    /** A frame that says the session is up; none: the connection is up once the socket opens. */
    hello?: FrameMatch;
  };
  /** Sent as text after connect (a string as is, anything else as JSON). */
  subscribe?: unknown;
  /** The WebSocket credential, resolved from its environment variable. */
  webSocketAuth?: WebSocketAuth;
}

const ignored: AdapterFrame = { type: "ignored" };

export function genericJsonAdapter(config: GenericJsonConfig): ProtocolAdapter {
  const { frames } = config;
  const accounting =
    frames.seq !== undefined && config.trigger.response.seq !== undefined ? "seq" : "publisher";
  if (accounting === "publisher" && frames.probe === undefined) {
    throw new AdapterError(
      "frames.probe",
      "is required without a seq in frames and trigger replies: loss and order are judged by the echoed probe",
    );
  }
  const trigger = compileTrigger(config.trigger, "trigger", { probeRequired: frames.probe !== undefined });
  const read = compilePayloadReader(frames, "frames");
  const isIgnored = compileAnyMatch(frames.ignore, "frames.ignore");
  const isDelivery = compileAllMatch(frames.delivery, "frames.delivery");
  const isHello = frames.hello === undefined ? undefined : compileMatch(frames.hello, "frames.hello");
  const opening = [
    ...authMessages(config.webSocketAuth),
    ...(config.subscribe === undefined
      ? []
      : [typeof config.subscribe === "string" ? config.subscribe : JSON.stringify(config.subscribe)]),
  ];
  return {
    kind: "generic-json",
    accounting,
    sendsHello: isHello !== undefined,
    deliversBeforeHello: false,
    webSocketUrl: (wsUrl) => withAuthQuery(wsUrl, config.webSocketAuth),
    webSocketHeaders: authHeaders(config.webSocketAuth),
    openingFrames: () => opening,
    triggerRequest: trigger.request,
    readTriggerReply: trigger.reply,
    readFrame(text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { type: "invalid", reason: "not JSON" };
      }
      if (typeof value !== "object" || value === null) return { type: "invalid", reason: "not an object" };
      if (isIgnored(value)) return ignored;
      if (isHello?.(value)) {
        return {
          type: "hello",
          pod: undefined,
          seq: undefined,
          epoch: "",
          resume: false,
          session: undefined,
        };
      }
      if (!isDelivery(value)) {
        return { type: "invalid", reason: "frame matches neither frames.delivery nor frames.ignore" };
      }
      return read(value, undefined);
    },
  };
}
