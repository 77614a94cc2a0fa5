// Runs a built scenario bundle through k6's lifecycle without k6, for tests on machines that have no k6:
// init (options) -> setup -> the `subscribers` per-vu-iterations scenario on this thread and the
// `publishers` constant-arrival-rate scenario on a worker thread (VUs run in parallel in k6) -> teardown ->
// handleSummary, one realm per VU, setup data passed as JSON like k6. Emulated modules do real I/O (see
// k6-emulated-modules.ts). This checks the scenario code, not k6. Given an execution segment (and
// sequence), it runs that k6 instance's share the way k6 splits it (k6-emulated-segment.ts), so several
// emulated instances against one cluster and one Redis stand for a distributed k6 run.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { Options } from "k6/options";
import type { K6SummaryData } from "../../scenarios/lib/k6-summary-data.js";
import type { PublisherRunOutput, PublisherSplit, PublishersScenario } from "./k6-emulated-publishers.js";
import {
  emulatedSegment,
  iterationInTest,
  type SegmentFlags,
  scaledVus,
  vuIdInTest,
} from "./k6-emulated-segment.js";
import { callExport, createVuFactory, durationSeconds } from "./k6-emulated-vus.js";
import type { MetricSink } from "./k6-metric-sink.js";

export interface EmulatedRunResult {
  options: Options;
  /** What handleSummary returned: file path (or "stdout") -> content. */
  files: Record<string, string>;
  sink: MetricSink;
  /** Modules the bundle asked for that k6 would not have. */
  missingModules: string[];
  droppedIterations: number;
}

/** Publisher VU ids start here, so they never collide with this thread's. */
const publisherFirstVuId = 10_000;

type ThreadMessage = { ready: true } | { output: PublisherRunOutput } | { error: string };

async function nextMessage(worker: Worker): Promise<ThreadMessage> {
  const [message] = (await once(worker, "message")) as [ThreadMessage];
  if ("error" in message) throw new Error(`emulated publishers failed: ${message.error}`);
  return message;
}

export async function emulateK6Run(
  bundleFile: string,
  env: Record<string, string>,
  flags: SegmentFlags = {},
): Promise<EmulatedRunResult> {
  const segment = emulatedSegment(flags);
  const split = flags.segment !== undefined;
  const vus = await createVuFactory(bundleFile, env, 1, segment);
  let publisherWorker: Worker | undefined;
  try {
    const options = JSON.parse(JSON.stringify(vus.newVu("init").vu.exports.options)) as Options;
    const subscribers = options.scenarios?.subscribers as { vus: number; exec: string };
    const publishers = options.scenarios?.publishers as PublishersScenario & { startTime: string };
    // k6 gives this instance's VUs the whole test's ids it owns: subscribers first, then publishers.
    const subscriberCount = scaledVus(segment, subscribers.vus);
    const vuId = (k: number) => (split ? vuIdInTest(segment, k) : undefined);
    const publisherSplit: PublisherSplit | undefined = split
      ? {
          flags,
          vuIds: Array.from({ length: scaledVus(segment, publishers.maxVUs) }, (_, k) =>
            vuIdInTest(segment, subscriberCount + k),
          ),
        }
      : undefined;

    // Like k6, every VU's init code runs before setup.
    publisherWorker = new Worker(new URL("./k6-publisher-thread.mjs", import.meta.url), {
      workerData: {
        bundleFile,
        env,
        scenario: publishers,
        firstVuId: publisherFirstVuId,
        split: publisherSplit,
      },
    });
    const subscriberVus = Array.from({ length: subscriberCount }, (_, k) =>
      vus.newVu("subscribers", vuId(k)),
    );
    await nextMessage(publisherWorker);

    const data = JSON.parse(JSON.stringify(await callExport(vus.newVu("setup").vu, "setup")));
    const startedAtMs = Date.now();
    const publishStartMs = startedAtMs + durationSeconds(publishers.startTime) * 1000;
    const publishing = nextMessage(publisherWorker);
    publisherWorker.postMessage({ data, startMs: publishStartMs });

    const subscribing = subscriberVus.map(({ vu, execution }, index) => {
      execution.scenario = {
        name: "subscribers",
        iterationInTest: iterationInTest(segment, index),
        startTime: startedAtMs,
      };
      return callExport(vu, subscribers.exec, data);
    });
    const [published] = await Promise.all([publishing, ...subscribing]);
    if (!("output" in published)) throw new Error("emulated publishers answered without output");
    const { series, droppedIterations, missingModules } = published.output;
    vus.sink.import(series);
    if (droppedIterations > 0) vus.sink.add("dropped_iterations", "counter", false, droppedIterations);

    await callExport(vus.newVu("teardown").vu, "teardown", data);
    const summary: K6SummaryData = {
      ...vus.sink.summary(Date.now() - startedAtMs, (options.thresholds ?? {}) as Record<string, string[]>),
      setup_data: data,
    };
    const files = JSON.parse(
      JSON.stringify(await callExport(vus.newVu("summary").vu, "handleSummary", summary)),
    );
    return {
      options,
      files,
      sink: vus.sink,
      missingModules: [...new Set([...vus.missingModules, ...missingModules])],
      droppedIterations,
    };
  } finally {
    await publisherWorker?.terminate();
    await vus.close();
  }
}
