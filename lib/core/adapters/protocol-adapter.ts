// The one small interface the engines (Node and k6) talk to a backend through: how to reach a pod's
// WebSocket (resuming where the backend can), how to trigger an event that carries a probe, and how to
// read each frame the backend sends. Runtime-neutral (no Node or k6 imports): k6 bundles the same adapters.
//
// Contract, with the reference backend as the worked example:
// - webSocketUrl(wsUrl, resume): the URL to dial for a pod's WebSocket URL. A backend that resumes by URL
//   puts the position there (crosspod: ws://host/ws?since=<highest seq seen>); one that resumes in-band
//   puts it in openingFrames.
// - openingFrames(resume): text frames sent as soon as the socket opens, in order: a subscribe message,
//   Socket.IO's namespace CONNECT with {pid, offset} for connection state recovery. Often none.
// - sendsHello: true when the backend's first frame says the session is up (crosspod's hello, Socket.IO's
//   CONNECT ack); the engine counts the connection as up only then. False: up once the socket opens.
// - deliversBeforeHello: deliveries may precede the hello (Socket.IO replays a recovered session's missed
//   packets before its CONNECT ack); the engine holds them until the hello instead of calling them invalid.
// - triggerRequest(pod, probe): the HTTP request that publishes one event through `pod`, with the probe
//   placed where the backend echoes it back into the frames it fans out.
// - readTriggerReply(status, body): accepted or not, and what the reply tells (seq, published time, pod).
// - readFrame(text): called once per received frame (the hot path): classify without allocating more
//   than the returned object; accessors are compiled once when the adapter is built, never per frame.
// - accounting: "seq" when frames and trigger replies carry the backend's global seq (order, duplicates
//   and loss judged by seq), else "publisher" (judged per publisher by the probe's n, duplicates by probe
//   identity). A seq in frames without one in trigger replies cannot be settled, so it is not "seq".
import type { Accounting } from "../delivery-checker.js";
import type { Probe } from "../probe.js";

export type AdapterKind = "crosspod" | "generic-json" | "socketio";

/** One replica as the engines address it. */
export interface AdapterPod {
  /** Name in reports and for --trigger-pod; a hello that names the pod replaces it. */
  name: string;
  /** Base URL triggers go to, http(s)://host:port[/prefix]. */
  httpUrl: string;
  /** The WebSocket URL without any resume position. */
  wsUrl: string;
}

/** What a trigger needs of a pod. */
export type TriggerPod = Pick<AdapterPod, "name" | "httpUrl">;

/** Where a connection left off, for backends that can resume; every field is absent until known. */
export interface ResumePosition {
  /** Highest backend seq seen on the connection (hello head included). */
  seq?: number;
  /** Opaque position of the last delivery (Socket.IO's stream offset). */
  offset?: string;
  /** Session id of the previous connect (Socket.IO's private session id, pid). */
  session?: string;
}

export interface TriggerRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export type TriggerReply =
  | { accepted: true; seq: number | undefined; publishedAtMs: number | undefined; pod: string | undefined }
  | { accepted: false; cause: string };

/** A delivery of one published event. Unknown fields are undefined; podOrigin is "unknown" then. */
export interface DeliveryFrame {
  type: "delivery";
  id: string | undefined;
  seq: number | undefined;
  /** When the backend published it (epoch ms): fan-out latency = receive time − this. */
  publishedAtMs: number | undefined;
  podOrigin: string;
  probe: Probe | undefined;
  /** Resume position after this frame (Socket.IO offset). */
  offset: string | undefined;
  /** W3C trace context the backend put in the frame (sampled threats only), for the receive span. */
  traceparent?: string;
}

/** The session is up. crosspod: the hello frame; Socket.IO: the namespace CONNECT ack. */
export interface HelloFrame {
  type: "hello";
  pod: string | undefined;
  /** Head seq at connect, for backends with a seq. */
  seq: number | undefined;
  epoch: string;
  /** The backend honours a resume position on reconnect. */
  resume: boolean;
  /** Socket.IO's pid: equal to the one sent on reconnect when the session was recovered. */
  session: string | undefined;
}

export type AdapterFrame =
  | DeliveryFrame
  | HelloFrame
  /** The backend lost its history; seqs restart. */
  | { type: "reset"; epoch: string }
  /** A keepalive to answer with `reply` (Engine.IO's ping "2" -> "3"). */
  | { type: "ping"; reply: string }
  /** A control frame with nothing to do (pong, Engine.IO open, a frame the target file ignores). */
  | { type: "ignored" }
  /** The backend declined or ended the session in-band (Socket.IO connect_error, Engine.IO close). */
  | { type: "refused"; reason: string }
  | { type: "invalid"; reason: string };

export interface ProtocolAdapter {
  readonly kind: AdapterKind;
  readonly accounting: Accounting;
  readonly sendsHello: boolean;
  readonly deliversBeforeHello: boolean;
  webSocketUrl(wsUrl: string, resume: ResumePosition | undefined): string;
  /** Headers for the WebSocket handshake (a credential from the target file's websocket.auth). */
  readonly webSocketHeaders?: Readonly<Record<string, string>>;
  openingFrames(resume: ResumePosition | undefined): readonly string[];
  triggerRequest(pod: TriggerPod, probe: Probe): TriggerRequest;
  readTriggerReply(status: number, body: unknown): TriggerReply;
  readFrame(text: string): AdapterFrame;
}

/** A target: the adapter and the pods it reaches. */
export interface Target {
  adapter: ProtocolAdapter;
  pods: AdapterPod[];
}
