// `npx tsx bench/tracing-cost.ts [--rounds N]`: what tracing costs a pod. Three single-pod clusters run
// side by side, one per mode: tracing off (no OTEL variables), 1% and 100% sampled (the engine's root
// sampler decides; pods are parent-based and export OTLP/JSON to a loopback receiver). One engine process
// drives each with 100 connections and 50 triggers/s for 10 s. Side by side, the modes share whatever else
// the machine is doing, so the ratios hold even where absolute figures drift. Reported: pod CPU (user +
// system, from /proc) per delivery over the trigger phase. Needs `npm run build` (pods run dist/cli.js).
import { parseArgs } from "node:util";
import { type LocalCluster, startLocalCluster } from "../lib/cluster/local-cluster.js";
import { type OtlpReceiver, startOtlpReceiver } from "../lib/cluster/otlp-receiver.js";
import { runNodeEngine } from "../lib/engine/run-node-engine.js";
import { loadSpanTracer } from "../lib/tracing/load-span-tracer.js";
import type { SpanTracer } from "../lib/tracing/span-tracer.js";
import { totalCpuSeconds } from "./process-stats.js";

interface Mode {
  name: string;
  /** Share of triggers sampled; undefined = tracing off. */
  ratio: number | undefined;
}

const modes: Mode[] = [
  { name: "off", ratio: undefined },
  { name: "1%", ratio: 0.01 },
  { name: "100%", ratio: 1 },
];

const load = { connections: 100, triggerRate: 50, durationSeconds: 10 };

interface Sample {
  cpuSeconds: number;
  delivered: number;
}

interface ModeRun {
  mode: Mode;
  cluster: LocalCluster;
  receiver: OtlpReceiver;
  tracer: SpanTracer | undefined;
}

async function delivered(podUrls: readonly string[]): Promise<number> {
  let total = 0;
  for (const url of podUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text
      .split("\n")
      .find((candidate) => candidate.startsWith("crosspod_backend_delivered_total{"));
    total += Number(line?.split(" ")[1] ?? Number.NaN);
  }
  return total;
}

async function sample(run: ModeRun): Promise<Sample> {
  const pids = run.cluster.pods.map((pod) => pod.pid).filter((pid): pid is number => pid !== undefined);
  const cpuSeconds = totalCpuSeconds(pids);
  return { cpuSeconds, delivered: await delivered(run.cluster.pods.map((pod) => pod.httpUrl)) };
}

async function startMode(mode: Mode): Promise<ModeRun> {
  const receiver = await startOtlpReceiver();
  const sampler: Record<string, string> =
    mode.ratio === undefined
      ? {}
      : { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: String(mode.ratio) };
  const env: Record<string, string> =
    mode.ratio === undefined
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "" }
      : {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          ...sampler,
        };
  const cluster = await startLocalCluster({ replicas: 1, env });
  // The SDK reads OTEL_TRACES_SAMPLER[_ARG] from this process's environment when the tracer is created.
  Object.assign(process.env, sampler);
  try {
    const tracer =
      mode.ratio === undefined
        ? undefined
        : await loadSpanTracer(
            { otlpEndpoint: false, protocol: "http/json", collectorUrl: receiver.tracesUrl },
            { serviceName: "crosspod-engine" },
          );
    return { mode, cluster, receiver, tracer };
  } finally {
    for (const key of Object.keys(sampler)) delete process.env[key];
  }
}

async function drive(run: ModeRun): Promise<{ cpuMicrosPerDelivery: number; deliveries: number }> {
  let start: Promise<Sample> | undefined;
  await runNodeEngine({
    runId: `tracing-cost-${run.mode.name}`,
    profile: {
      name: "tracing-cost",
      connections: load.connections,
      rampSeconds: 1,
      triggerRate: load.triggerRate,
      durationSeconds: load.durationSeconds,
      drainSeconds: 5,
      triggerPod: "round-robin",
      connectionsPerVu: 50,
      thresholds: {},
    },
    targets: run.cluster.pods.map((pod) => pod.httpUrl),
    thresholds: {},
    ...(run.tracer ? { tracer: run.tracer } : {}),
    onProgress: (progress) => {
      if (progress.phase === "trigger" && start === undefined) start = sample(run);
    },
  });
  const end = await sample(run);
  const first = await (start ?? Promise.resolve({ cpuSeconds: Number.NaN, delivered: Number.NaN }));
  const deliveries = end.delivered - first.delivered;
  return { cpuMicrosPerDelivery: ((end.cpuSeconds - first.cpuSeconds) / deliveries) * 1e6, deliveries };
}

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 5) throw new Error("--rounds: expected 1 to 5");

const relative = new Map<string, number[]>(modes.map((mode) => [mode.name, []]));
for (let round = 1; round <= rounds; round++) {
  const runs: ModeRun[] = [];
  try {
    // Rotated each round: with every mode "off", the third cluster started measured 3-14% cheaper than
    // the first two, so each mode takes each position once over three rounds.
    const order = modes.map((_, index) => modes[(index + round - 1) % modes.length] as Mode);
    for (const mode of order) runs.push(await startMode(mode));
    const results = await Promise.all(runs.map(drive));
    await Promise.all(runs.map((run) => run.tracer?.shutdown()));
    const off =
      results[runs.findIndex((run) => run.mode.ratio === undefined)]?.cpuMicrosPerDelivery ?? Number.NaN;
    runs.forEach((run, index) => {
      const result = results[index];
      if (!result) return;
      relative.get(run.mode.name)?.push(result.cpuMicrosPerDelivery / off);
      console.log(
        `round ${round} tracing ${run.mode.name.padEnd(4)}: ${result.cpuMicrosPerDelivery.toFixed(2)} µs pod CPU per delivery ` +
          `(${result.deliveries.toLocaleString("en")} deliveries, ${run.receiver.spans.length.toLocaleString("en")} spans received)`,
      );
    });
  } finally {
    await Promise.all(
      runs.map(async (run) => {
        await run.cluster.close();
        await run.receiver.close();
      }),
    );
  }
}
for (const mode of modes.slice(1)) {
  const ratios = relative.get(mode.name) ?? [];
  const mean = ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length;
  console.log(
    `tracing ${mode.name.padEnd(4)}: ${((mean - 1) * 100).toFixed(1)}% pod CPU per delivery vs off ` +
      `(rounds: ${ratios.map((ratio) => `${((ratio - 1) * 100).toFixed(1)}%`).join(", ")})`,
  );
}
