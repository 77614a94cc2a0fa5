// The Node engine's own client side (ConnectionPool: ClientConnection, frame reader, delivery checker,
// histograms) as a SubscriberFleet, in the bench process: this is the code whose cost the bench reports.
import { addDelivery, emptyDelivery, type PublishedTrigger } from "../lib/core/delivery-checker.js";
import type { DeliveryFigures } from "../lib/core/report-model.js";
import type { ConnectionTarget } from "../lib/engine/client-connection.js";
import { ConnectionPool } from "../lib/engine/connection-pool.js";
import { PublishedLog } from "../lib/engine/published-log.js";
import type { FleetWindow, SubscriberFleet } from "./subscriber-fleet.js";

export class EngineFleet implements SubscriberFleet {
  private readonly pool: ConnectionPool;
  private framesAtWindow = 0;

  constructor(runId: string, targets: readonly ConnectionTarget[], connections: number, rampSeconds: number) {
    this.pool = new ConnectionPool({
      runId,
      published: new PublishedLog(`${runId}-bench`),
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

  takeWindow(): FleetWindow {
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
