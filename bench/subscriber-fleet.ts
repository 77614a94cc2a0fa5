// What the fan-out bench needs from the clients of one system: hold N subscribers, count frames and
// fan-out latency per measured window, and settle delivery (lost, duplicates, out of order) at the end.
// engine-fleet.ts wraps the Node engine's ConnectionPool; socketio-fleet.ts speaks Engine.IO.
import type { PublishedTrigger } from "../lib/core/delivery-checker.js";
import type { LatencyHistogram } from "../lib/core/latency-histogram.js";
import type { DeliveryFigures } from "../lib/core/report-model.js";

export interface FleetWindow {
  frames: number;
  fanout: LatencyHistogram;
}

export interface SubscriberFleet {
  /** Opens every subscriber; resolves with how many are connected once all are (or the timeout passed). */
  open(timeoutMs: number): Promise<number>;
  readonly connected: number;
  readonly framesReceived: number;
  /** Frames and fan-out latencies since the previous call. */
  takeWindow(): FleetWindow;
  finish(published: readonly PublishedTrigger[], headSeq: number | undefined): DeliveryFigures;
  close(): Promise<void>;
}
