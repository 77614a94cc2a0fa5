// The Node engine's own client side (ConnectionPool: ClientConnection, frame reader, delivery checker,
// histograms) in the bench process, for the receive-efficiency test: the code whose CPU cost it reports.
import { addDelivery, emptyDelivery, type PublishedTrigger } from "../lib/core/delivery-checker.js";
import type { LatencyHistogram } from "../lib/core/latency-histogram.js";
import type { DeliveryFigures } from "../lib/core/report-model.js";
import type { ConnectionTarget } from "../lib/engine/client-connection.js";
import { ConnectionPool } from "../lib/engine/connection-pool.js";
import { PublishedLog } from "../lib/engine/published-log.js";

export class EngineFleet {
  private readonly pool: ConnectionPool;
  private framesAtWindow = 0;

  constructor(runId: string, targets: readonly ConnectionTarget[], connections: number, rampSeconds: number) {
    this.pool = new ConnectionPool({
      runId,
      published: new PublishedLog(),
      targets,
      connections,
      rampSeconds,
      accounting: "seq",
    });
  }

  async open(timeoutMs: number): Promise<number> {
    await this.pool.open();
    await this.pool.waitAllConnected(timeoutMs);
    return this.pool.connected;
  }

  get connected(): number {
    return this.pool.connected;
  }

  get framesReceived(): number {
    return this.pool.framesReceived;
  }

  /** Frames and fan-out latencies since the previous call. */
  takeWindow(): { frames: number; fanout: LatencyHistogram } {
    const frames = this.pool.framesReceived - this.framesAtWindow;
    this.framesAtWindow = this.pool.framesReceived;
    return { frames, fanout: this.pool.takeSecond() };
  }

  finish(published: readonly PublishedTrigger[], headSeq: number | undefined): DeliveryFigures {
    this.pool.finish(published, headSeq);
    const total = emptyDelivery();
    for (const pod of this.pool.pods.values()) addDelivery(total, pod.recorder.delivery);
    return total;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
