// Runs a built scenario bundle through k6's lifecycle without k6, for tests on machines that have no k6:
// init (options) -> setup -> the `subscribers` per-vu-iterations and `publishers` constant-arrival-rate
// scenarios with one realm per VU -> teardown -> handleSummary, with setup data passed as JSON like k6.
// Emulated modules do real I/O (see k6-emulated-modules.ts). This checks the scenario code, not k6.
import type { Options } from "k6/options";
import type { K6SummaryData } from "../../scenarios/lib/k6-summary-data.js";
import { type BundleVu, loadBundle } from "./k6-bundle-vm.js";
import { type EmulatorResources, type ExecutionState, emulatedModules } from "./k6-emulated-modules.js";
import { MetricSink } from "./k6-metric-sink.js";
import { SyncHttp } from "./k6-sync-http.js";

export interface EmulatedRunResult {
  options: Options;
  /** What handleSummary returned: file path (or "stdout") -> content. */
  files: Record<string, string>;
  sink: MetricSink;
  /** Modules the bundle asked for that k6 would not have. */
  missingModules: string[];
  droppedIterations: number;
}

interface EmulatedVu {
  vu: BundleVu;
  execution: ExecutionState;
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration ?? "0s");
  if (!match) throw new Error(`emulator: unsupported duration "${duration}"`);
  const value = Number(match[1]);
  return match[2] === "ms" ? value / 1000 : match[2] === "m" ? value * 60 : value;
}

function call(vu: BundleVu, name: string, ...args: unknown[]): Promise<unknown> {
  const fn = vu.exports[name];
  if (typeof fn !== "function") throw new Error(`emulator: the bundle exports no function ${name}()`);
  return Promise.resolve((fn as (...values: unknown[]) => unknown)(...args.map((arg) => vu.toRealm(arg))));
}

function sleepUntil(atMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - Date.now())));
}

export async function emulateK6Run(
  bundleFile: string,
  env: Record<string, string>,
): Promise<EmulatedRunResult> {
  const bundle = await loadBundle(bundleFile);
  const resources: EmulatorResources = {
    http: new SyncHttp(),
    sink: new MetricSink(),
    redisClients: new Set(),
    sockets: new Set(),
    toRealm: (value) => value,
  };
  let nextVuId = 1;
  const newVu = (scenario: string): EmulatedVu => {
    const execution: ExecutionState = {
      scenario: { name: scenario, iterationInTest: 0, startTime: Date.now() },
      vu: { idInTest: nextVuId++ },
    };
    const vu = bundle.newVu(env, (toRealm) => emulatedModules({ ...resources, toRealm }, execution));
    return { vu, execution };
  };

  try {
    const init = newVu("init");
    const options = JSON.parse(JSON.stringify(init.vu.exports.options)) as Options;
    const scenarios = options.scenarios ?? {};
    const subscribers = scenarios.subscribers as { vus: number; exec: string };
    const publishers = scenarios.publishers as {
      exec: string;
      rate: number;
      timeUnit: string;
      duration: string;
      startTime: string;
      preAllocatedVUs: number;
      maxVUs: number;
    };
    // Like k6, every VU's init code runs before setup, so no iteration waits for one.
    const subscriberVus = Array.from({ length: subscribers.vus }, () => newVu("subscribers"));
    const idle = Array.from({ length: publishers.preAllocatedVUs }, () => newVu("publishers"));

    const data = JSON.parse(JSON.stringify(await call(newVu("setup").vu, "setup")));
    const startedAtMs = Date.now();

    const subscriberRuns = subscriberVus.map(({ vu, execution }, index) => {
      execution.scenario = { name: "subscribers", iterationInTest: index, startTime: startedAtMs };
      return call(vu, subscribers.exec, data);
    });

    const publishStartMs = startedAtMs + seconds(publishers.startTime) * 1000;
    const intervalMs = (seconds(publishers.timeUnit) * 1000) / publishers.rate;
    const iterations = Math.round((seconds(publishers.duration) * 1000) / intervalMs);
    const publisherRuns: Promise<unknown>[] = [];
    let droppedIterations = 0;
    let publisherVus = idle.length;
    for (let index = 0; index < iterations; index++) {
      await sleepUntil(publishStartMs + index * intervalMs);
      // As k6's constant-arrival-rate: a free VU, else a new one up to maxVUs, else the iteration is dropped.
      let publisher = idle.pop();
      if (publisher === undefined && publisherVus < publishers.maxVUs) {
        publisherVus += 1;
        publisher = newVu("publishers");
      }
      if (publisher === undefined) {
        droppedIterations += 1;
        continue;
      }
      publisher.execution.scenario = {
        name: "publishers",
        iterationInTest: index,
        startTime: publishStartMs,
      };
      const running = publisher;
      publisherRuns.push(call(running.vu, publishers.exec, data).finally(() => idle.push(running)));
    }
    await Promise.all([...subscriberRuns, ...publisherRuns]);
    if (droppedIterations > 0) resources.sink.add("dropped_iterations", "counter", false, droppedIterations);

    await call(newVu("teardown").vu, "teardown", data);
    const summary: K6SummaryData = {
      ...resources.sink.summary(
        Date.now() - startedAtMs,
        (options.thresholds ?? {}) as Record<string, string[]>,
      ),
      setup_data: data,
    };
    const files = JSON.parse(JSON.stringify(await call(newVu("summary").vu, "handleSummary", summary)));
    return {
      options,
      files,
      sink: resources.sink,
      missingModules: [...bundle.missingModules],
      droppedIterations,
    };
  } finally {
    for (const socket of resources.sockets) socket.terminate();
    await Promise.all([...resources.redisClients].map((client) => client.quit().catch(() => undefined)));
    await resources.http.close();
  }
}
