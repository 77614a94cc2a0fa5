// Section 3 (and the floor and peer of sections 4 and 5): 1,000 subscribers over 3 pods, the trigger
// rate stepped 1, 2, 5, 10, 20, 50, … until fan-out p99 passes 100 ms. Per step: p50/p99, deliveries/s,
// the system's CPU per delivery (pods + Redis) and the generator's health; then the knee, and the
// delivery check over the whole run (lost, duplicates, out of order).
import { defaultCliPath } from "../../lib/cluster/cli-path.js";
import type { DeliveryFigures } from "../../lib/core/report-model.js";
import { GeneratorHealth } from "../../lib/engine/generator-health.js";
import { type BenchRow, failedRow, formatCount, formatMs, measuredRow } from "../bench-row.js";
import { totalCpuSeconds } from "../process-stats.js";
import { SubscriberFleet } from "../subscriber-fleet.js";
import { type SystemName, startSystem, systemLabels } from "../systems.js";
import { TriggerLoop } from "../trigger-loop.js";

export interface KneeOptions {
  subscribers: number;
  steps: readonly number[];
  stepSeconds: number;
  /** Upper bound on the time spent stepping, so a slow machine still ends the bench in time. */
  budgetSeconds: number;
  /** Triggers at 10/s before the first step, not reported. */
  warmUpSeconds: number;
  /** Engine worker processes the subscribers are spread over. */
  workers: number;
  /** Run a step once more when the shared machine spoiled it (the quick smoke run does not). */
  retrySpoiled: boolean;
  /** The build the reference pods run (the subscribers always run dist/cli.js); default dist/cli.js. */
  cliPath?: string;
  /** CPUs the systems under test are pinned to (taskset list), apart from the generator's. */
  clusterCpus?: string;
}

export interface StepFigures {
  rate: number;
  p50Ms: number;
  p99Ms: number;
  deliveriesPerSecond: number;
  cpuPerDeliveryMicros: number;
  valid: boolean;
}

export interface KneeResult {
  system: SystemName;
  rows: BenchRow[];
  steps: StepFigures[];
  /** First valid step whose p99 passed the limit; undefined when none did. */
  kneeRate: number | undefined;
  /** Highest valid step with p99 within the limit. */
  lastGoodRate: number | undefined;
  /** Why stepping stopped. */
  stoppedBy: "latency" | "generator" | "noise" | "steps" | "budget" | "error";
}

export const p99LimitMs = 100;
const lateStartLimit = 0.01;
const saturatedCpu = 0.8;
const settleTimeoutMs = 5_000;
const settlePollMs = 20;
const warmUpRate = 10;

export async function measureKnee(system: SystemName, options: KneeOptions): Promise<KneeResult> {
  const section = `fan-out: ${systemLabels[system]}`;
  const result: KneeResult = {
    system,
    rows: [],
    steps: [],
    kneeRate: undefined,
    lastGoodRate: undefined,
    stoppedBy: "steps",
  };
  const runId = `bench-${system}-${Date.now().toString(36)}`;
  let sut: Awaited<ReturnType<typeof startSystem>> | undefined;
  try {
    sut = await startSystem(system, options.cliPath, options.clusterCpus);
    const fleet = await SubscriberFleet.start({
      // The generator is always this checkout's build; --cli changes only the pods under test.
      cliPath: defaultCliPath(),
      runId,
      targets: sut.targets,
      adapter: sut.adapter,
      accounting: sut.accounting,
      subscribers: options.subscribers,
      workers: options.workers,
      rampSeconds: options.subscribers / 2000,
    });
    const loop = new TriggerLoop(runId, `${runId}-pub`, sut.urls);
    const health = new GeneratorHealth();
    try {
      const connected = await fleet.open();
      if (connected < options.subscribers) {
        throw new Error(`only ${connected} of ${options.subscribers} subscribers connected`);
      }
      // Warm-up, not reported: the first bursts of 1,000 frames pay for JIT compilation and heap growth in
      // every pod and worker, which measured as tens of ms of event-loop lag on the first step.
      const warmUp = await loop.run(warmUpRate, options.warmUpSeconds);
      let acceptedTotal = warmUp.accepted;
      await settle(fleet, acceptedTotal * connected);
      const deadline = performance.now() + options.budgetSeconds * 1000;
      const pids = sut.pids;
      const runStep = async (rate: number) => {
        await fleet.windowStart();
        const framesBefore = await fleet.frames();
        const cpuBefore = totalCpuSeconds(pids);
        const startedAt = performance.now();
        health.restart();
        const triggers = await loop.run(rate, options.stepSeconds);
        acceptedTotal += triggers.accepted;
        const expected = triggers.accepted * connected;
        await settle(fleet, framesBefore + expected);
        const wallSeconds = (performance.now() - startedAt) / 1000;
        const trigger = health.figures();
        const window = await fleet.windowEnd();
        // The generator is the subscribers' worker processes and this one, which triggers.
        const generator = {
          cpuFraction: Math.max(trigger.cpuFraction, window.generator.cpuFraction),
          eventLoopLagP99Ms: Math.max(trigger.eventLoopLagP99Ms, window.generator.eventLoopLagP99Ms),
        };
        const cpuSeconds = totalCpuSeconds(pids) - cpuBefore;
        const summary = window.fanout.summary();
        const figures: StepFigures = {
          rate,
          p50Ms: summary.p50,
          p99Ms: summary.p99,
          deliveriesPerSecond: window.frames / wallSeconds,
          cpuPerDeliveryMicros: window.frames > 0 ? (cpuSeconds / window.frames) * 1e6 : Number.NaN,
          valid: false,
        };
        const problems: string[] = [];
        if (triggers.sent > 0 && triggers.lateStarts / triggers.sent > lateStartLimit) {
          problems.push(`${triggers.lateStarts} of ${triggers.sent} triggers started late: rate not held`);
        }
        const notes: string[] = [];
        if (triggers.failed > 0) notes.push(`${triggers.failed} triggers failed`);
        if (window.frames < expected)
          notes.push(`${formatCount(expected - window.frames)} deliveries not in by settle`);
        const row = measuredRow(
          {
            section,
            name: `${rate}/s × ${formatCount(connected)} subscribers`,
            metrics: {
              rate,
              p50Ms: figures.p50Ms,
              p99Ms: figures.p99Ms,
              deliveriesPerSecond: figures.deliveriesPerSecond,
              systemCpuMicrosPerDelivery: figures.cpuPerDeliveryMicros,
            },
            display: `p50 ${formatMs(figures.p50Ms)}, p99 ${formatMs(figures.p99Ms)}, ${formatCount(figures.deliveriesPerSecond)} deliveries/s, ${figures.cpuPerDeliveryMicros.toFixed(1)} µs CPU/delivery`,
            generator: { cpuFraction: generator.cpuFraction, eventLoopLagP99Ms: generator.eventLoopLagP99Ms },
            ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
          },
          problems,
        );
        figures.valid = row.status === "valid";
        return { row, figures, generatorCpu: generator.cpuFraction };
      };
      let overLimitInvalid = 0;
      for (const rate of options.steps) {
        if (performance.now() > deadline) {
          result.stoppedBy = "budget";
          break;
        }
        let step = await runStep(rate);
        // A step spoiled by the machine (lag while the generator had CPU to spare: other processes had
        // the cores) is run once more before it counts; a saturated generator ends the stepping.
        if (
          options.retrySpoiled &&
          !step.figures.valid &&
          step.generatorCpu <= saturatedCpu &&
          performance.now() < deadline
        ) {
          step.row.note = `retried; ${step.row.note ?? ""}`;
          step = await runStep(rate);
        }
        result.rows.push(step.row);
        result.steps.push(step.figures);
        if (!step.figures.valid) {
          if (step.generatorCpu > saturatedCpu) {
            result.stoppedBy = "generator";
            break;
          }
          overLimitInvalid = step.figures.p99Ms > p99LimitMs ? overLimitInvalid + 1 : 0;
          if (overLimitInvalid >= 2) {
            result.stoppedBy = "noise";
            break;
          }
          continue;
        }
        if (step.figures.p99Ms > p99LimitMs) {
          result.kneeRate = rate;
          result.stoppedBy = "latency";
          break;
        }
        result.lastGoodRate = rate;
      }
      await settle(fleet, acceptedTotal * connected);
      result.rows.push(
        kneeRow(section, result),
        deliveryRow(section, await fleet.finish(loop.published, loop.headSeq), sut.accounting),
      );
    } finally {
      health.stop();
      loop.close();
      await fleet.close();
    }
  } catch (error) {
    result.stoppedBy = "error";
    result.rows.push(failedRow(section, "run", error));
  } finally {
    await sut?.close();
  }
  return result;
}

/** Waits until the fleet has received `frames` in all, or the settle timeout passed. */
async function settle(fleet: SubscriberFleet, frames: number): Promise<void> {
  const deadline = performance.now() + settleTimeoutMs;
  while ((await fleet.frames()) < frames && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, settlePollMs));
  }
}

function kneeRow(section: string, result: KneeResult): BenchRow {
  const good = result.lastGoodRate;
  const goodStep = result.steps.find((step) => step.rate === good);
  const metrics: Record<string, number> = {};
  if (good !== undefined) metrics.lastGoodRate = good;
  if (goodStep) metrics.lastGoodDeliveriesPerSecond = goodStep.deliveriesPerSecond;
  if (result.stoppedBy === "latency" && result.kneeRate !== undefined) {
    return measuredRow({
      section,
      name: "knee",
      metrics: { kneeRate: result.kneeRate, ...metrics },
      display: `p99 > ${p99LimitMs} ms at ${result.kneeRate}/s; last under: ${good ?? "none"}/s (${formatCount(goodStep?.deliveriesPerSecond ?? 0)} deliveries/s)`,
    });
  }
  const why = {
    generator: "the generator saturated first",
    noise: "p99 passed the limit only on steps the shared machine spoiled (generator lag)",
    steps: "the steps ran out",
    budget: "the time budget ran out",
    error: "the run failed",
    latency: "",
  }[result.stoppedBy];
  return {
    section,
    name: "knee",
    metrics,
    display:
      good === undefined
        ? "—"
        : `> ${good}/s (${formatCount(goodStep?.deliveriesPerSecond ?? 0)} deliveries/s)`,
    status: result.stoppedBy === "steps" && good !== undefined ? "valid" : "invalid",
    note: `p99 stayed ≤ ${p99LimitMs} ms up to the last valid step; ${why}`,
  };
}

function deliveryRow(section: string, figures: DeliveryFigures, accounting: "seq" | "publisher"): BenchRow {
  // Without a seq, order is judged by one publisher's probe n, and triggers sent to different pods at
  // once may overtake each other on the way: reordering is then a property of the system, not a fault.
  const orderCounts = accounting === "seq";
  const problems =
    figures.lost + figures.duplicates + (orderCounts ? figures.outOfOrder : 0) > 0
      ? ["deliveries lost, duplicated or reordered"]
      : [];
  return measuredRow(
    {
      section,
      name: "delivery check",
      metrics: {
        expected: figures.expected,
        received: figures.received,
        lost: figures.lost,
        duplicates: figures.duplicates,
        outOfOrder: figures.outOfOrder,
      },
      ...(orderCounts || figures.outOfOrder === 0
        ? {}
        : { note: "out of order by probe n: this system gives no order across pods (no seq)" }),
      display: `${formatCount(figures.received)} of ${formatCount(figures.expected)} received; lost ${figures.lost}, duplicates ${figures.duplicates}, out of order ${figures.outOfOrder}`,
    },
    problems,
  );
}
