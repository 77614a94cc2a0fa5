// The `crosspod` adapter: the reference backend (lib/backend). Pods at base URLs, WebSocket at /ws with
// ?since=<seq> to resume, POST /api/threats/trigger {"probe":…} answered 202 {id, seq, pod, published_at},
// and the frames of lib/core/threat-protocol.ts. Its accounting is "seq".
// readCrosspodFrame is the engines' hot path (one call per received frame): structural checks only.
import { isProbe } from "../probe.js";
import type { AdapterFrame, AdapterPod, ProtocolAdapter, TriggerReply } from "./protocol-adapter.js";

function invalid(reason: string): AdapterFrame {
  return { type: "invalid", reason };
}

const ignored: AdapterFrame = { type: "ignored" };

/** Parses one frame from a crosspod pod once and classifies it. */
export function readCrosspodFrame(text: string): AdapterFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid("not JSON");
  }
  if (typeof value !== "object" || value === null) return invalid("not an object");
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case "threat": {
      const { seq, id, pod_origin, published_at, threat, traceparent } = frame;
      if (typeof seq !== "number" || typeof published_at !== "number") {
        return invalid("threat frame without numeric seq and published_at");
      }
      const probe =
        typeof threat === "object" && threat !== null ? (threat as { probe?: unknown }).probe : undefined;
      return {
        type: "delivery",
        id: typeof id === "string" ? id : undefined,
        seq,
        publishedAtMs: published_at,
        podOrigin: typeof pod_origin === "string" ? pod_origin : "unknown",
        probe: isProbe(probe) ? probe : undefined,
        offset: undefined,
        ...(typeof traceparent === "string" ? { traceparent } : {}),
      };
    }
    case "hello": {
      const { pod, seq, epoch, resume } = frame;
      if (typeof pod !== "string" || typeof seq !== "number") {
        return invalid("hello frame without pod and numeric seq");
      }
      return {
        type: "hello",
        pod,
        seq,
        epoch: String(epoch ?? ""),
        resume: resume === true,
        session: undefined,
      };
    }
    case "reset":
      return { type: "reset", epoch: String(frame.epoch ?? "") };
    case "pong":
      return ignored;
    default:
      return invalid(`unknown frame type ${JSON.stringify(frame.type)}`);
  }
}

/** ws(s)://host:port[/prefix]/ws for a base URL http(s)://host:port[/prefix] (no URL class: k6 has none). */
export function crosspodWebSocketUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "").replace(/^http/, "ws")}/ws`;
}

/** Pods for base URLs; their names are provisional (the URL) until each one's hello names it. */
export function crosspodPods(baseUrls: readonly string[]): AdapterPod[] {
  return baseUrls.map((url) => ({ name: url, httpUrl: url, wsUrl: crosspodWebSocketUrl(url) }));
}

function readCrosspodReply(status: number, body: unknown): TriggerReply {
  if (status !== 202) return { accepted: false, cause: `http-${status}` };
  if (typeof body !== "object" || body === null) return { accepted: false, cause: "bad-response" };
  const { seq, pod, published_at } = body as Record<string, unknown>;
  if (typeof seq !== "number" || typeof pod !== "string" || typeof published_at !== "number") {
    return { accepted: false, cause: "bad-response" };
  }
  return { accepted: true, seq, pod, publishedAtMs: published_at };
}

export interface CrosspodAdapterOptions {
  /** Bearer token for triggers, when the backend sets AUTH_TOKEN. */
  authToken?: string;
}

export function crosspodAdapter(options: CrosspodAdapterOptions = {}): ProtocolAdapter {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.authToken !== undefined) headers.authorization = `Bearer ${options.authToken}`;
  return {
    kind: "crosspod",
    accounting: "seq",
    sendsHello: true,
    deliversBeforeHello: false,
    webSocketUrl: (wsUrl, resume) => (resume?.seq === undefined ? wsUrl : `${wsUrl}?since=${resume.seq}`),
    openingFrames: () => [],
    triggerRequest: (pod, probe) => ({
      method: "POST",
      url: `${pod.httpUrl.replace(/\/+$/, "")}/api/threats/trigger`,
      headers,
      body: JSON.stringify({ probe }),
    }),
    readTriggerReply: readCrosspodReply,
    readFrame: readCrosspodFrame,
  };
}
