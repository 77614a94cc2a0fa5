// The fan-out bench's subscribers: the Node engine's own connections, spread over engine worker
// processes (so one trigger's 1,000 frames are read by several processes, and no single event loop's
// backlog is counted as fan-out latency), for any system the engine has an adapter for.
import { addDelivery, emptyDelivery, type PublishedTrigger } from "../lib/core/delivery-checker.js";
import type { LatencyHistogram } from "../lib/core/latency-histogram.js";
import type { DeliveryFigures } from "../lib/core/report-model.js";
import type { ConnectionTarget } from "../lib/engine/client-connection.js";
import type { WorkerAdapter } from "../lib/engine/engine-worker-protocol.js";
import { EngineWorkers } from "../lib/engine/engine-workers.js";
import type { GeneratorSample } from "./bench-row.js";

export interface FleetWindow {
  frames: number;
  fanout: LatencyHistogram;
  /** The least healthy worker's figures. */
  generator: GeneratorSample;
}

export interface FleetOptions {
  cliPath: string;
  runId: string;
  targets: readonly ConnectionTarget[];
  adapter: WorkerAdapter;
  accounting: "seq" | "publisher";
  subscribers: number;
  workers: number;
  rampSeconds: number;
}

export class SubscriberFleet {
  private constructor(private readonly workers: EngineWorkers) {}

  static async start(options: FleetOptions): Promise<SubscriberFleet> {
    const workers = await EngineWorkers.start({
      cliPath: options.cliPath,
      runId: options.runId,
      targets: options.targets,
      connections: options.subscribers,
      rampSeconds: options.rampSeconds,
      accounting: options.accounting,
      adapter: options.adapter,
      maxConnectionsPerWorker: Math.ceil(options.subscribers / options.workers),
      connectTimeoutMs: 30_000,
    });
    return new SubscriberFleet(workers);
  }

  /** Opens every subscriber; resolves with how many are connected. */
  async open(): Promise<number> {
    return (await this.workers.open()).connected;
  }

  async frames(): Promise<number> {
    return (await this.workers.status()).frames;
  }

  windowStart(): Promise<void> {
    return this.workers.windowStart();
  }

  async windowEnd(): Promise<FleetWindow> {
    const window = await this.workers.windowEnd();
    return {
      frames: window.frames,
      fanout: window.fanout,
      generator: {
        cpuFraction: Math.max(...window.workers.map((w) => w.cpuFraction)),
        eventLoopLagP99Ms: Math.max(...window.workers.map((w) => w.eventLoopLagP99Ms)),
      },
    };
  }

  async finish(
    published: readonly PublishedTrigger[],
    headSeq: number | undefined,
  ): Promise<DeliveryFigures> {
    const total = emptyDelivery();
    for (const pod of (await this.workers.finish(published, headSeq)).values())
      addDelivery(total, pod.delivery);
    return total;
  }

  close(): Promise<void> {
    return this.workers.close();
  }
}
