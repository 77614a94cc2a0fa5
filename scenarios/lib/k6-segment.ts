// This k6 runner's execution segment, as k6 reports it (exec.test.options, VU context only: setup, VU
// code, teardown and handleSummary). k6-operator starts each runner of a TestRun with --execution-segment
// and --execution-segment-sequence; k6 then splits the VUs and arrival-rate iterations itself (striped,
// segment-sequence.ts in core), and exec.scenario.iterationInTest and exec.vu.idInTest stay unique across
// runners — which the subscribers (connection indexes) and publishers (probe names, round-robin) rely on.
// What k6 does not split is the run's shared state in Redis: RunStore keys a runner's own figures by this
// segment and reads the shared logs of every segment of the sequence.
import exec from "k6/execution";
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import { parseSegment } from "../../lib/core/execution-segment.js";
import { parseSegmentSequence, type SegmentTuple, segmentTuple } from "../../lib/core/segment-striping.js";

export interface RunSegment {
  /** This runner's segment, normalized ("1/3:2/3"); "0:1" when the run is not split. */
  text: string;
  /** Whether this runner runs only part of the run (its figures are a partial report). */
  partial: boolean;
  /** Every segment of the run: the runners that share the run's Redis keys. */
  all: string[];
  tuple: SegmentTuple;
}

export class RunSegmentError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_SEGMENT";
  override readonly kind = "usage";
}

/** Read once per VU: k6 fixes the options before any VU code runs. */
let cached: RunSegment | undefined;

/** The segment k6 gave this runner; throws RunSegmentError for a split run without a sequence. */
export function runSegment(): RunSegment {
  if (cached !== undefined) return cached;
  const options = exec.test.options;
  const segment = parseSegment(options.executionSegment ?? "0:1");
  const sequenceText = options.executionSegmentSequence;
  const partial = segment.text !== "0:1";
  if (partial && !sequenceText) {
    // Without one shared sequence each runner stripes by its own, so their iteration numbers overlap.
    throw new RunSegmentError(
      `k6 runs execution segment ${segment.text} without --execution-segment-sequence: give every runner the same sequence (k6-operator does), e.g. 0,1/3,2/3,1`,
    );
  }
  const tuple = segmentTuple(segment, sequenceText ? parseSegmentSequence(sequenceText) : []);
  cached = {
    text: segment.text,
    partial,
    all: tuple.sequence.map((item) => item.text),
    tuple,
  };
  return cached;
}
