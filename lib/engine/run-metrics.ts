// The Node engine's trigger and generator series, beside the delivery counters of load-metrics.ts, read from
// the run's live state when /metrics is scraped: triggers per pod and outcome, late starts, missed and
// recovered frames, frames per origin -> delivering pod, and the generator's CPU, event-loop lag and
// validity verdict so far (the same saturationReasons the report's verdict uses).
import { Counter, Gauge, type Registry, type RegistryContentType } from "prom-client";
import { loadMetrics } from "../core/metric-names.js";
import { type GeneratorFigures, type SaturationLimits, saturationReasons } from "./generator-health.js";
import type { PodState } from "./pod-state.js";

export interface RunMetricsSources {
  pods(): Iterable<PodState>;
  publisher: { readonly lateStarts: number; readonly sent: number };
  health: { figures(): GeneratorFigures };
  limits: SaturationLimits;
}

export function registerRunMetrics(
  registry: Registry<RegistryContentType>,
  sources: RunMetricsSources,
): void {
  const registers = [registry];
  new Counter({
    name: `${loadMetrics.triggers}_total`,
    help: "Triggers by the pod they were sent to (accepted: the pod that answered) and outcome",
    labelNames: ["pod", "outcome"],
    registers,
    collect() {
      this.reset();
      for (const pod of sources.pods()) {
        this.inc({ pod: pod.name, outcome: "accepted" }, pod.recorder.triggers.accepted);
        this.inc({ pod: pod.name, outcome: "failed" }, pod.recorder.triggers.failed);
      }
    },
  });
  new Counter({
    name: `${loadMetrics.triggerLateStarts}_total`,
    help: "Triggers sent later after their due time than the generator's lag limit",
    registers,
    collect() {
      this.reset();
      this.inc(sources.publisher.lateStarts);
    },
  });
  const deliveryCounter = (name: string, help: string, pick: (pod: PodState) => number) =>
    new Counter({
      name,
      help,
      labelNames: ["pod"],
      registers,
      collect() {
        this.reset();
        for (const pod of sources.pods()) this.inc({ pod: pod.name }, pick(pod));
      },
    });
  // Settled with the delivery checkers after the drain, like crosspod_lost_total.
  deliveryCounter(
    `${loadMetrics.missed}_total`,
    "Frames published while a client was disconnected and not recovered by resume",
    (pod) => pod.recorder.delivery.missedWhileDisconnected,
  );
  deliveryCounter(
    `${loadMetrics.recovered}_total`,
    "Frames published while a client was disconnected that resume delivered",
    (pod) => pod.recorder.delivery.recovered,
  );
  new Counter({
    name: `${loadMetrics.originFramesReceived}_total`,
    help: "Frames received, by the pod that took the trigger (origin) and the pod that delivered it",
    labelNames: ["origin", "pod"],
    registers,
    collect() {
      this.reset();
      for (const pod of sources.pods()) {
        for (const [origin, cell] of pod.byOrigin) this.inc({ origin, pod: pod.name }, cell.received);
      }
    },
  });
  new Counter({
    name: `${loadMetrics.generatorCpu}_total`,
    help: "CPU time (user + system) the load generator's process used",
    registers,
    collect() {
      this.reset();
      const { user, system } = process.cpuUsage();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: loadMetrics.generatorEventLoopLagP99,
    help: "The load generator's event-loop lag p99 over the measured window (from the trigger phase on)",
    registers,
    collect() {
      this.set(sources.health.figures().eventLoopLagP99Ms / 1000);
    },
  });
  new Gauge({
    name: loadMetrics.runValid,
    help: "1 while the generator's CPU, lag and late starts are within the limits (the run is valid so far), else 0",
    registers,
    collect() {
      const { publisher, health, limits } = sources;
      const reasons = saturationReasons(health.figures(), publisher.lateStarts, publisher.sent, limits);
      this.set(reasons.length === 0 ? 1 : 0);
    },
  });
}
