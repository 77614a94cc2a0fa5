// The outputs fed while a Node-engine run goes: reads the load metrics registry about once a second and
// hands each reading to the CSV file (rows per pod), the remote-write buffer (pushed every few seconds)
// and any listener (the live dashboard). stop() takes the final reading, after the delivery checkers
// settled, flushes everything and reports what failed instead of throwing, so the summary always prints.
import type { Registry, RegistryContentType } from "prom-client";
import { CsvOutput, csvRows } from "./csv-output.js";
import { describeOutput, type OutputSpec } from "./output-spec.js";
import { type MetricsReading, type PodIntervalFigures, podIntervalFigures } from "./pod-interval-figures.js";
import { readRegistry } from "./registry-samples.js";
import { RemoteWriteOutput } from "./remote-write-output.js";

export interface LiveOutputsOptions {
  runId: string;
  outputs: readonly OutputSpec[];
  /** Extra labels on pushed series (k6's testid, the scrape job). */
  remoteWriteLabels: Readonly<Record<string, string>>;
  sampleEveryMs?: number;
  pushEveryMs?: number;
  /** Each reading's per-pod figures, e.g. for the live dashboard. */
  onReading?: (reading: MetricsReading, pods: PodIntervalFigures[]) => void;
}

export interface OutputProblem {
  output: string;
  problem: string;
}

export class LiveOutputs {
  private readonly csv: CsvOutput[];
  private readonly remote: RemoteWriteOutput[];
  private registry: Registry<RegistryContentType> | undefined;
  private startedAtMs = 0;
  private previous: MetricsReading | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private lastPushMs = 0;

  constructor(private readonly options: LiveOutputsOptions) {
    this.csv = options.outputs.flatMap((spec) => (spec.kind === "csv" ? [new CsvOutput(spec.path)] : []));
    this.remote = options.outputs.flatMap((spec) =>
      spec.kind === "prometheus-rw" ? [new RemoteWriteOutput(spec.url, options.remoteWriteLabels)] : [],
    );
  }

  get active(): boolean {
    return this.csv.length > 0 || this.remote.length > 0 || this.options.onReading !== undefined;
  }

  start(registry: Registry<RegistryContentType>): void {
    if (!this.active || this.registry) return;
    this.registry = registry;
    this.startedAtMs = Date.now();
    this.lastPushMs = this.startedAtMs;
    this.timer = setInterval(() => this.sample(), this.options.sampleEveryMs ?? 1000);
    this.timer.unref();
  }

  private sample(): Promise<void> {
    const registry = this.registry;
    if (!registry) return this.reading;
    // One reading at a time, in order, however slow the registry is to collect.
    this.reading = this.reading
      .then(async () => {
        const atMs = Date.now();
        const current: MetricsReading = { atMs, samples: await readRegistry(registry) };
        const pods = podIntervalFigures(this.previous, current);
        this.previous = current;
        const rows = csvRows(atMs, (atMs - this.startedAtMs) / 1000, this.options.runId, pods);
        for (const csv of this.csv) csv.write(rows);
        for (const remote of this.remote) remote.add(current.samples, atMs);
        if (atMs - this.lastPushMs >= (this.options.pushEveryMs ?? 5000)) {
          this.lastPushMs = atMs;
          for (const remote of this.remote) void remote.flush();
        }
        this.options.onReading?.(current, pods);
      })
      .catch(() => undefined);
    return this.reading;
  }

  /** Final reading and flush; never throws. Idempotent. */
  async stop(): Promise<OutputProblem[]> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.registry) await this.sample().catch(() => undefined);
    this.registry = undefined;
    const problems: OutputProblem[] = [];
    for (const remote of this.remote) {
      await remote.flush();
      const problem = remote.problem();
      if (problem)
        problems.push({ output: describeOutput({ kind: "prometheus-rw", url: remote.url }), problem });
    }
    for (const csv of this.csv) {
      const error = await csv.close();
      if (error)
        problems.push({ output: describeOutput({ kind: "csv", path: csv.path }), problem: error.message });
    }
    return problems;
  }
}
