// `npm run bench [-- --quick] [-- --out FILE] [-- --only a,b]`: connection density, receive efficiency,
// the fan-out knee of the reference backend, the floor and the Socket.IO peer, the loopback echo and
// k6 (when present), in one run: one table on stdout, the same rows as JSON beside it
// (bench/results/bench-<time>.json and .txt unless --out). Needs `npm run build` (pods run dist/cli.js).

import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, setPriority } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { defaultCpuSplit, pinProcess, tasksetAvailable } from "../lib/cluster/cpu-pinning.js";
import { type BenchRow, retryIfSpoiled, skippedRow } from "./bench-row.js";
import { renderBenchTable } from "./bench-table.js";
import { comparisonRows } from "./sections/comparisons.js";
import { measureDensity } from "./sections/density.js";
import { measureEcho } from "./sections/echo-calibration.js";
import { type KneeResult, measureKnee } from "./sections/fanout-knee.js";
import { k6Rows } from "./sections/k6-comparison.js";
import { measureReceiveEfficiency } from "./sections/receive-efficiency.js";
import { type SystemName, systemLabels } from "./systems.js";

export const benchSections = ["echo", "receive", "fanout", "density", "k6"] as const;

const settings = {
  full: {
    echoSeconds: 3,
    receive: { connections: 100, probeSeconds: 1.5, measureSeconds: 5 },
    knee: {
      subscribers: 1000,
      steps: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      stepSeconds: 3,
      budgetSeconds: 70,
      workers: 4,
      warmUpSeconds: 3,
      retrySpoiled: true,
    },
    density: { levels: [5_000, 10_000, 20_000], rampPerSecond: 2_500, holdSeconds: 2 },
    /** Sections not started by then are skipped, so the run ends within 10 minutes. */
    budgetSeconds: 480,
  },
  quick: {
    echoSeconds: 1,
    receive: { connections: 50, probeSeconds: 0.5, measureSeconds: 1.5 },
    knee: {
      subscribers: 200,
      steps: [5, 50],
      stepSeconds: 1.5,
      budgetSeconds: 12,
      workers: 2,
      retrySpoiled: false,
      warmUpSeconds: 0.5,
    },
    // Two workers even at this size, so the quick run exercises the multi-process path.
    density: { levels: [1_000], rampPerSecond: 2_000, holdSeconds: 1, maxConnectionsPerWorker: 500 },
    budgetSeconds: 90,
  },
} as const;

const argsSchema = z.object({
  quick: z.boolean().default(false),
  out: z.string().min(1).optional(),
  only: z
    .string()
    .optional()
    .transform((text) => (text === undefined ? [...benchSections] : text.split(",")))
    .pipe(z.array(z.enum(benchSections)).min(1)),
  /** Another build for the pods under test (e.g. a copy of dist/cli.js from before a change). */
  cli: z.string().min(1).optional(),
  /** Scheduling priority for the bench and everything it starts (they inherit it): -20 (first) to 19. */
  nice: z.coerce.number().int().min(-20).max(19).optional(),
});

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    out: { type: "string" },
    only: { type: "string" },
    cli: { type: "string" },
    nice: { type: "string" },
  },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`bench: ${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}`);
  console.error(
    `usage: npm run bench -- [--quick] [--out FILE] [--only ${benchSections.join(",")}] [--cli PATH] [--nice=N]`,
  );
  process.exit(2);
}
const args = parsed.data;
if (args.cli !== undefined && !existsSync(args.cli)) {
  console.error(`bench: --cli ${args.cli} does not exist: expected a built crosspod CLI (dist/cli.js)`);
  process.exit(2);
}
if (args.nice !== undefined) {
  try {
    // Children (pods, Redis, peers, engine workers) inherit it, so the whole bench runs at one priority.
    setPriority(process.pid, args.nice);
  } catch (error) {
    console.error(
      `bench: --nice ${args.nice} refused (${(error as Error).message}); a negative value needs root`,
    );
    process.exit(2);
  }
}
// The generator (this process and the engine workers it starts) and the systems under test on separate
// CPUs, as `crosspod run` does for its local cluster: on two cores the pods otherwise deschedule it.
const cpuSplit = tasksetAvailable() ? defaultCpuSplit() : undefined;
if (cpuSplit) pinProcess(cpuSplit.generator);
const cliOption = {
  ...(args.cli === undefined ? {} : { cliPath: resolve(args.cli) }),
  ...(cpuSplit ? { clusterCpus: cpuSplit.cluster } : {}),
};
const mode = args.quick ? "quick" : "full";
const plan = settings[mode];
const startedAt = new Date();
const startedMs = performance.now();
const loadBefore = loadavg();
const rows: BenchRow[] = [];
const log = (text: string) =>
  console.error(`[bench ${((performance.now() - startedMs) / 1000).toFixed(0)}s] ${text}`);

const deadlineMs = startedMs + plan.budgetSeconds * 1000;
/** Runs a section unless the run's time budget is spent; then it leaves a skip row instead. */
async function section(name: string, label: string, measure: () => Promise<BenchRow[]>): Promise<void> {
  if (performance.now() > deadlineMs) {
    rows.push(skippedRow(name, label, `skipped: the bench's ${plan.budgetSeconds} s budget was spent`));
    return;
  }
  log(`${name}: ${label}`);
  rows.push(...(await measure()));
}

if (args.only.includes("echo"))
  await section("floor: loopback echo", "echo", () =>
    retryIfSpoiled(() => measureEcho(plan.echoSeconds), plan.knee.retrySpoiled),
  );
if (args.only.includes("receive")) {
  await section("receive efficiency", "blast", () =>
    retryIfSpoiled(() => measureReceiveEfficiency(plan.receive), plan.knee.retrySpoiled),
  );
}
if (args.only.includes("fanout")) {
  const knees: KneeResult[] = [];
  for (const system of ["reference", "floor", "socketio"] satisfies SystemName[]) {
    await section(`fan-out: ${systemLabels[system]}`, "run", async () => {
      const knee = await measureKnee(system, { ...plan.knee, ...cliOption });
      knees.push(knee);
      return knee.rows;
    });
  }
  rows.push(...comparisonRows(knees, plan.knee.subscribers));
}
if (args.only.includes("density")) {
  await section("connection density", "idle connections", () =>
    measureDensity({ ...plan.density, ...cliOption }),
  );
}
if (args.only.includes("k6")) rows.push(...k6Rows());

const durationSeconds = (performance.now() - startedMs) / 1000;
const loadAfter = loadavg();
const header = [
  `crosspod bench (${mode}) ${startedAt.toISOString()}, ${durationSeconds.toFixed(0)} s, node ${process.version}, ${cpus().length} CPUs`,
  `${cpuSplit ? `cpus: generator ${cpuSplit.generator}, systems ${cpuSplit.cluster} (taskset)` : "no CPU pinning"}, ${args.nice === undefined ? "default priority" : `nice ${args.nice}`}, pods from ${args.cli ?? "dist/cli.js"}; load average ${loadBefore[0]?.toFixed(2)} at start, ${loadAfter[0]?.toFixed(2)} at end: the machine is shared, so compare rows of one run (ratios), not runs`,
].join("\n");
const table = renderBenchTable(rows, header);
console.log(table);

const document = {
  schema: "crosspod.bench/v1",
  mode,
  startedAt: startedAt.toISOString(),
  durationSeconds,
  nice: args.nice ?? null,
  cli: args.cli ?? null,
  machine: {
    cpus: cpus().length,
    node: process.version,
    loadAverageStart: loadBefore[0],
    loadAverageEnd: loadAfter[0],
  },
  rows,
};
const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
const jsonPath = args.out ?? join(dirname(fileURLToPath(import.meta.url)), "results", `bench-${stamp}.json`);
await mkdir(dirname(jsonPath), { recursive: true });
await writeFile(jsonPath, `${JSON.stringify(document, null, 2)}\n`);
await writeFile(`${jsonPath.replace(/\.json$/, "")}.txt`, `${table}\n`);
console.log(`\nJSON: ${jsonPath}`);
