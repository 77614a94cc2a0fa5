// What `run` and `up` start on this machine, as one stack: the local cluster (with chaos fault proxies when
// asked), the Faro collector, Prometheus, the chaos control API, and whatever else a command opens beside
// them (browser pages). One idempotent close() stops them all, the last started first, and a part that
// fails to close never keeps the others open: the failures are thrown once every part has been closed.
import { type ChaosCluster, type ChaosClusterOptions, startChaosCluster } from "../chaos/chaos-cluster.js";
import { type ControlApi, type ControlApiOptions, startControlApi } from "../chaos/control-api.js";
import {
  type FaroCollector,
  type FaroCollectorOptions,
  startFaroCollector,
} from "../cluster/faro-collector.js";
import { type LocalCluster, type LocalClusterOptions, startLocalCluster } from "../cluster/local-cluster.js";
import {
  type PrometheusOptions,
  type PrometheusServer,
  startPrometheus,
} from "../cluster/prometheus-server.js";
import { closeAll } from "../core/close-all.js";

export interface StackPart {
  close(): unknown;
}

export interface StackCloseOptions {
  /**
   * Leave Prometheus running (it is kept after a run for its graphs): it stops scraping first, so it does
   * not record the pods going away as pods down, and the caller closes it later.
   */
  keepPrometheus?: boolean;
}

export class LocalStack {
  cluster: LocalCluster | undefined;
  chaos: ChaosCluster | undefined;
  faro: FaroCollector | undefined;
  prometheus: PrometheusServer | undefined;
  control: ControlApi | undefined;
  private readonly parts: { name: string; part: StackPart }[] = [];
  private closing: Promise<void> | undefined;

  /** A local cluster; with `chaos`, fault proxies on the links it names and a chaos controller over both. */
  async startCluster(
    options: LocalClusterOptions,
    chaos?: Pick<ChaosClusterOptions, "clientLinks" | "redisLinks">,
  ): Promise<LocalCluster> {
    if (chaos) {
      this.chaos = this.adopt("chaos cluster", await startChaosCluster({ ...options, ...chaos }));
      this.cluster = this.chaos.cluster;
    } else {
      this.cluster = this.adopt("cluster", await startLocalCluster(options));
    }
    return this.cluster;
  }

  async startFaro(options: FaroCollectorOptions = {}): Promise<FaroCollector> {
    this.faro = this.adopt("faro collector", await startFaroCollector(options));
    return this.faro;
  }

  async startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
    this.prometheus = this.adopt("prometheus", await startPrometheus(options));
    return this.prometheus;
  }

  async startControlApi(options: Omit<ControlApiOptions, "controller">): Promise<ControlApi> {
    if (!this.chaos) throw new Error("the control API needs a chaos cluster: start the cluster with chaos");
    this.control = this.adopt(
      "control api",
      await startControlApi({ ...options, controller: this.chaos.controller }),
    );
    return this.control;
  }

  /** Makes `part` close with the stack (before everything started earlier). */
  adopt<Part extends StackPart>(name: string, part: Part): Part {
    if (this.closing) throw new Error(`the stack is closed: cannot add the ${name}`);
    this.parts.push({ name, part });
    return part;
  }

  /** Closes every part, the last started first; idempotent (a second call waits for the first). */
  close(options: StackCloseOptions = {}): Promise<void> {
    this.closing ??= this.closeParts(options);
    return this.closing;
  }

  private async closeParts({ keepPrometheus = false }: StackCloseOptions): Promise<void> {
    const kept = keepPrometheus ? this.prometheus : undefined;
    const steps = [...this.parts]
      .reverse()
      .filter(({ part }) => part !== kept)
      .map(
        ({ part }) =>
          () =>
            part.close(),
      );
    // A kept Prometheus that still scrapes the torn-down pods only records them as down: say so, go on.
    const stopScraping = async () => {
      await kept?.stopScraping().catch((error: unknown) => {
        console.error(`prometheus: ${error instanceof Error ? error.message : String(error)}`);
      });
    };
    await closeAll([stopScraping, ...steps]);
  }
}
