// The console's WebSocket to its pod: connects to /ws, reconnects with jittered exponential backoff, and
// resumes with ?since=<last seq seen> so a pod restart costs no threats when the pod says it can resume.
// Frames are de-duplicated by seq here so the view only ever sees each threat once, in order.
import type { HelloFrame, ResetFrame, ThreatFrame } from "../core/threat-protocol.js";
import { parseServerFrame } from "./server-frame.js";

export type ConnectionState = "connecting" | "live" | "reconnecting";

export interface ThreatSocketHandlers {
  onState(state: ConnectionState, detail: string): void;
  /** `reconnectMs` is close → this hello when it ends an outage, undefined on the first connect. */
  onHello(frame: HelloFrame, reconnectMs: number | undefined): void;
  onThreat(frame: ThreatFrame): void;
  /** The pod said its history is gone, or the epoch changed across a reconnect. */
  onHistoryLost(frame: ResetFrame): void;
}

export interface ThreatSocket {
  close(): void;
}

const initialDelayMs = 250;
const maxDelayMs = 5000;

function backoffDelayMs(attempt: number): number {
  const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
  return cap / 2 + Math.random() * (cap / 2);
}

export function openThreatSocket(wsUrl: string, handlers: ThreatSocketHandlers): ThreatSocket {
  let socket: WebSocket | undefined;
  let lastSeq: number | undefined;
  let epoch: string | undefined;
  let attempt = 0;
  let outageStartedAt: number | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  // A reconnect into a new epoch is seen twice (the hello's epoch, then the pod's reset); tell it once.
  let announcedEpoch: string | undefined;
  const announceHistoryLost = (newEpoch: string) => {
    if (newEpoch === announcedEpoch) return;
    announcedEpoch = newEpoch;
    handlers.onHistoryLost({ type: "reset", epoch: newEpoch });
  };

  const connect = () => {
    // With the epoch, a pod whose history restarted answers with a reset and replays the new epoch.
    const url =
      lastSeq === undefined || epoch === undefined
        ? wsUrl
        : `${wsUrl}?since=${lastSeq}&epoch=${encodeURIComponent(epoch)}`;
    handlers.onState(outageStartedAt === undefined ? "connecting" : "reconnecting", `connecting to ${url}`);
    const ws = new WebSocket(url);
    socket = ws;
    ws.onmessage = (event) => {
      const frame = parseServerFrame(event.data);
      if (!frame) return;
      if (frame.type === "threat") {
        if (lastSeq !== undefined && frame.seq <= lastSeq) return;
        lastSeq = frame.seq;
        handlers.onThreat(frame);
      } else if (frame.type === "hello") {
        const epochChanged = epoch !== undefined && frame.epoch !== epoch;
        if (epochChanged) announceHistoryLost(frame.epoch);
        epoch = frame.epoch;
        // Resuming in a new epoch, the pod replays it from its first seq after a reset frame.
        if (epochChanged && frame.resume) lastSeq = undefined;
        else if (lastSeq === undefined || !frame.resume) lastSeq = frame.seq;
        const reconnectMs = outageStartedAt === undefined ? undefined : performance.now() - outageStartedAt;
        outageStartedAt = undefined;
        attempt = 0;
        handlers.onState("live", frame.resume ? "live, resumes after a reconnect" : "live, no resume");
        handlers.onHello(frame, reconnectMs);
      } else {
        epoch = frame.epoch;
        // The pod's history restarted, so seqs restart too; accept whatever comes next.
        lastSeq = undefined;
        announceHistoryLost(frame.epoch);
      }
    };
    ws.onclose = (event) => {
      if (closed || socket !== ws) return;
      outageStartedAt ??= performance.now();
      attempt += 1;
      const delayMs = backoffDelayMs(attempt);
      const why =
        event.code === 1006
          ? "connection lost"
          : `closed ${event.code}${event.reason ? ` ${event.reason}` : ""}`;
      handlers.onState("reconnecting", `${why}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`);
      retryTimer = setTimeout(connect, delayMs);
    };
  };

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket?.close(1000, "console closed");
    },
  };
}
