// The report of a run still under way, for checkpoints: latencies, connections, triggers and frames so far.
// Loss is known only once the drain has settled every connection against the published log, so a partial
// report counts received frames, duplicates and reorders, never loss, and says it is partial (invalid).
import { emptyDelivery } from "../core/delivery-figures.js";
import type { Report } from "../core/report-model.js";
import { buildReport, PodRecorder, type ReportInput } from "../core/run-recorder.js";
import type { PodState } from "./pod-state.js";

function snapshot(pod: PodState): PodRecorder {
  const copy = new PodRecorder();
  pod.mergeFanoutInto(copy.fanout);
  copy.e2e.merge(pod.recorder.e2e);
  copy.reconnectTime.merge(pod.recorder.reconnectTime);
  Object.assign(copy.connections, pod.recorder.connections);
  Object.assign(copy.triggers, pod.recorder.triggers);
  copy.delivery = {
    ...emptyDelivery(),
    received: pod.framesReceived,
    duplicates: pod.duplicates,
    outOfOrder: pod.outOfOrder,
  };
  return copy;
}

/** `atSeconds`: how far into the run the checkpoint is. */
export function partialReport(
  input: Omit<ReportInput, "pods" | "matrix"> & { pods: ReadonlyMap<string, PodState>; atSeconds: number },
): Report {
  const { pods, atSeconds, ...rest } = input;
  return buildReport({
    ...rest,
    pods: Object.fromEntries([...pods].map(([name, pod]) => [name, snapshot(pod)])),
    matrix: [...pods.values()].flatMap((pod) => pod.matrixCells()),
    validityReasons: [
      `partial report: a checkpoint ${atSeconds.toFixed(0)} s into the run, before the drain; loss is judged only when the run ends`,
      ...(input.validityReasons ?? []),
    ],
  });
}
