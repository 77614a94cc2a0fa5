// handleSummary: reads what every VU left in Redis (subscriber snapshots, the published log, trigger
// outcomes, events), merges it into the same Report the Node engine builds (lib/core's buildReport) and
// returns k6's files: the JSON report, the HTML report, and stdout (k6's figures, then crosspod's summary).
// Every k6 runner of a split run (k6-operator runs handleSummary on each) reports its own segment's VUs
// only, and stores that partial report in Redis for `crosspod report merge --redis` (one verdict for all).

import { reportJsonText } from "../../lib/core/report-json-text.js";
import type { Report, RunEvent, TimeSeriesPoint } from "../../lib/core/report-model.js";
import { runHeader } from "../../lib/core/run-header.js";
import { buildReport, PodRecorder } from "../../lib/core/run-recorder.js";
import { segmentReportsKey, segmentReportsTtlSeconds } from "../../lib/core/segment-report-key.js";
import { scaleStriped } from "../../lib/core/segment-striping.js";
import { splitTriggerFailures } from "../../lib/core/trigger-failure-split.js";
import { renderConsoleSummary } from "../../lib/report/console-summary.js";
import { renderHtmlReport } from "../../lib/report/html-report.js";
import { type MergedBucket, mergeSnapshots, parseSnapshot } from "./k6-recorder-snapshot.js";
import type { PreparedRun, RunData } from "./k6-run.js";
import type { PublishedEntry, RunStore } from "./k6-run-store.js";
import { type RunSegment, runSegment } from "./k6-segment.js";
import type { K6SummaryData } from "./k6-summary-data.js";
import { renderK6TextSummary } from "./k6-text-summary.js";

export type { K6SummaryData };

/** A scenario's own report sections (browser-console's `browser`), added before the report is rendered. */
export type AddReportSections = (report: Report, runId: string) => Promise<void>;

/** The run's keys stay in Redis this long after the summary, for inspection. */
const keepKeysSeconds = 3600;

/** setup()'s data, or undefined when setup did not complete (k6 still calls handleSummary then). */
function setupData(value: unknown): RunData | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const data = value as Partial<RunData>;
  const complete =
    typeof data.runId === "string" &&
    data.runId !== "" &&
    typeof data.startedAtMs === "number" &&
    typeof data.seqAtStart === "number" &&
    Array.isArray(data.targets) &&
    data.targets.length > 0;
  return complete ? (data as RunData) : undefined;
}

/** Events a run may report many times (one per publisher or subscriber VU) that mean one thing. */
const reportedOnce = new Set(["barrier-timeout", "publishing-unsettled", "drain-timeout"]);
/** Events that make the run's figures untrustworthy. */
const invalidating = new Set(["barrier-timeout", "oracle-mismatch", "publishing-unsettled"]);

function uniqueEvents(events: readonly RunEvent[]): RunEvent[] {
  const seen = new Set<string>();
  return [...events]
    .sort((a, b) => a.t - b.t)
    .filter((event) => {
      if (!reportedOnce.has(event.name)) return true;
      if (seen.has(event.name)) return false;
      seen.add(event.name);
      return true;
    });
}

function timeSeries(
  buckets: readonly MergedBucket[],
  published: readonly PublishedEntry[],
  startedAtMs: number,
  bucketSeconds: number,
): TimeSeriesPoint[] {
  const acceptedByBucket = new Map<number, number>();
  for (const entry of published) {
    const bucket = Math.max(0, Math.floor((entry.acceptedAtMs - startedAtMs) / (bucketSeconds * 1000)));
    acceptedByBucket.set(bucket, (acceptedByBucket.get(bucket) ?? 0) + 1);
  }
  // A point closes its bucket, as the Node engine samples at the end of each second.
  return buckets.map((bucket) => ({
    t: (bucket.bucket + 1) * bucketSeconds,
    connections: bucket.connections,
    triggers: acceptedByBucket.get(bucket.bucket) ?? 0,
    framesPerSecond: bucket.frames / bucketSeconds,
    fanoutP99Ms: bucket.fanout.count > 0 ? bucket.fanout.percentileMs(99) : 0,
    errors: bucket.errors,
  }));
}

async function buildRunReport(
  run: PreparedRun,
  summary: K6SummaryData,
  data: RunData,
  store: RunStore,
  segment: RunSegment,
) {
  const { profile } = run.config;
  const [snapshotTexts, published, triggerCounts, failureCauses, storeEvents] = await Promise.all([
    store.snapshots(),
    store.published(),
    store.triggerCounts(),
    store.failureCauses(),
    store.events(),
  ]);
  const merged = mergeSnapshots(snapshotTexts.map(parseSnapshot));
  const pods = merged.pods;
  const podOf = (name: string) => {
    let pod = pods.get(name);
    if (pod === undefined) {
      pod = new PodRecorder();
      pods.set(name, pod);
    }
    return pod;
  };
  for (const target of data.targets) podOf(target.pod);
  for (const [name, counts] of Object.entries(triggerCounts)) Object.assign(podOf(name).triggers, counts);

  const events = uniqueEvents([...merged.events, ...storeEvents]);
  const validityReasons: string[] = [];
  // k6 gives this runner its striped share of the subscriber VUs.
  const subscriberVus = scaleStriped(segment.tuple, run.timing.subscriberVus);
  if (merged.vus.length < subscriberVus) {
    const of = segment.partial ? ` of segment ${segment.text}` : "";
    validityReasons.push(
      `only ${merged.vus.length} of ${subscriberVus} subscriber VUs${of} reported their figures (a VU was cut off before it finished)`,
    );
  }
  for (const event of events) {
    if (invalidating.has(event.name)) {
      validityReasons.push(`${event.name}: ${event.detail ?? ""}`);
    }
  }
  const dropped = summary.metrics.dropped_iterations?.values.count ?? 0;
  if (dropped > 0) {
    validityReasons.push(
      `k6 dropped ${dropped} trigger iterations: the publisher VUs could not keep the rate`,
    );
  }
  const sent = Object.values(triggerCounts).reduce((sum, counts) => sum + counts.sent, 0);
  // Triggers the system refused are judged by crosspod_trigger_failures; only the generator's own invalidate.
  const failures = splitTriggerFailures(sent, failureCauses);
  if (failures.generatorReason) validityReasons.push(failures.generatorReason);

  const endedAtMs = Date.now();
  return buildReport({
    run: runHeader({
      runId: data.runId,
      profile,
      engine: "k6",
      startedAtMs: data.startedAtMs,
      endedAtMs,
      targets: data.targets,
      adapter: run.config.target.adapter.kind,
      accounting: run.config.target.adapter.accounting,
      settings: { connectionsPerVu: profile.connectionsPerVu, subscriberVus: run.timing.subscriberVus },
      ...(segment.partial ? { segment: segment.text } : {}),
    }),
    pods: Object.fromEntries(pods),
    matrix: merged.matrix,
    timeSeries: timeSeries(merged.buckets, published, data.startedAtMs, run.timing.bucketSeconds),
    events: failures.systemDetail
      ? [
          ...events,
          {
            t: Math.max(0, (endedAtMs - data.startedAtMs) / 1000),
            kind: "info",
            name: "triggers-failed",
            detail: failures.systemDetail,
          },
        ]
      : events,
    thresholds: profile.thresholds,
    validityReasons,
  });
}

/** Every runner's report goes to the run's hash, so `report merge --redis` finds one per segment ("0:1" unsplit). */
async function storePartialReport(
  run: PreparedRun,
  runId: string,
  segment: RunSegment,
  json: string,
): Promise<void> {
  const key = segmentReportsKey(runId);
  await run.client.sendCommand("HSET", key, segment.text, json);
  await run.client.expire(key, segmentReportsTtlSeconds);
}

export async function summarizeRun(
  run: PreparedRun,
  summary: K6SummaryData,
  storeFor: (runId: string) => RunStore,
  addSections?: AddReportSections,
): Promise<Record<string, string>> {
  const k6Text = renderK6TextSummary(summary);
  const data = setupData(summary.setup_data);
  if (data === undefined) {
    return {
      stdout: `${k6Text}\ncrosspod: no report was written: setup() did not complete, so the run has no data\n`,
    };
  }
  const store = storeFor(data.runId);
  const segment = runSegment();
  const report = await buildRunReport(run, summary, data, store, segment);
  if (addSections) await addSections(report, data.runId);
  await store.expire(keepKeysSeconds);
  const reportJson = reportJsonText(report);
  await storePartialReport(run, data.runId, segment, reportJson);
  const { reportPath, htmlPath } = run.config;
  const written = [reportPath, htmlPath].filter((path) => path !== "");
  const stored = segment.partial
    ? `crosspod: partial report of segment ${segment.text} stored in Redis; one verdict for all runners: crosspod report merge --redis <REDIS_URL> --run-id ${data.runId}\n`
    : "";
  // Under crosspod the report goes to a temporary file crosspod reads back; it says where it writes its own.
  const where = !run.config.consoleSummary
    ? ""
    : written.length > 0
      ? `crosspod: report written to ${written.join(" and ")}\n`
      : "crosspod: no report file written (set CROSSPOD_REPORT_DIR, or CROSSPOD_OUT and CROSSPOD_HTML)\n";
  const crosspodText = run.config.consoleSummary
    ? renderConsoleSummary(report, { color: summary.state.isStdOutTTY === true })
    : "";
  const files: Record<string, string> = { stdout: `${k6Text}\n${crosspodText}${where}${stored}` };
  if (reportPath !== "") files[reportPath] = reportJson;
  if (htmlPath !== "") files[htmlPath] = renderHtmlReport(report);
  return files;
}
