// How one k6 instance splits a test under --execution-segment and --execution-segment-sequence, emulated
// with k6's own rules (lib/core/segment-striping.ts, written from k6's lib/execution_segment.go and
// lib/executor): the instance runs ScaleInt64(n) of every VU count (per-vu-iterations `vus`,
// constant-arrival-rate `preAllocatedVUs` and `maxVUs`); its k-th VU gets exec.vu.idInTest = the k-th owned
// item of the whole test + 1 (idInInstance = k + 1), so VU ids never repeat across instances; its k-th
// iteration of a scenario gets exec.scenario.iterationInTest = the k-th owned item; and constant-arrival-rate
// runs only the ticks of the sequence re-split by maxVUs (GetNewExecutionTupleFromValue), at the whole
// test's tick times, so the instances together keep the test's rate. exec.test.options carries the segment
// and the sequence as k6 prints them ("1/3:2/3", "0,1/3,2/3,1"), null when not given.
import { parseSegment } from "../../lib/core/execution-segment.js";
import {
  parseSegmentSequence,
  resegment,
  type SegmentTuple,
  scaleStriped,
  segmentTuple,
  stripedIndex,
} from "../../lib/core/segment-striping.js";

/** What `k6 run --execution-segment … --execution-segment-sequence …` was given; nothing = the whole test. */
export interface SegmentFlags {
  segment?: string;
  sequence?: string;
}

/** exec.test.options' segment fields, as k6 marshals them. */
export interface SegmentOptions {
  executionSegment: string | null;
  executionSegmentSequence: string | null;
}

/** exec.test.options of a test run by one instance (no --execution-segment). */
export const wholeTestOptions: SegmentOptions = { executionSegment: null, executionSegmentSequence: null };

export interface EmulatedSegment {
  tuple: SegmentTuple;
  options: SegmentOptions;
}

export function emulatedSegment(flags: SegmentFlags = {}): EmulatedSegment {
  const segment = parseSegment(flags.segment ?? "0:1");
  const sequence = flags.sequence === undefined ? [] : parseSegmentSequence(flags.sequence);
  // k6 prints a sequence as its points: the first segment's start, then every segment's end.
  const points = sequence.map((item) => item.text.split(":"));
  const sequenceText = [points[0]?.[0], ...points.map(([, to]) => to)].join(",");
  return {
    tuple: segmentTuple(segment, sequence),
    options: {
      executionSegment: flags.segment === undefined ? null : segment.text,
      executionSegmentSequence: flags.sequence === undefined ? null : sequenceText,
    },
  };
}

/** This instance's share of a VU count. */
export function scaledVus(segment: EmulatedSegment, vus: number): number {
  return scaleStriped(segment.tuple, vus);
}

/** exec.vu.idInTest of this instance's k-th (0-based) initialized VU. */
export function vuIdInTest(segment: EmulatedSegment, k: number): number {
  return stripedIndex(segment.tuple, k) + 1;
}

/** exec.scenario.iterationInTest of this instance's k-th (0-based) iteration of a VU-based scenario. */
export function iterationInTest(segment: EmulatedSegment, k: number): number {
  return stripedIndex(segment.tuple, k);
}

/** The split a constant-arrival-rate scenario with `maxVUs` (unscaled) stripes its ticks and iterations by. */
export function arrivalRateTuple(segment: EmulatedSegment, maxVUs: number): SegmentTuple | undefined {
  return resegment(segment.tuple, maxVUs);
}

/** The whole test's tick numbers (below `ticks`) this instance runs, in order. */
export function arrivalRateTicks(tuple: SegmentTuple | undefined, ticks: number): number[] {
  const own: number[] = [];
  for (let k = 0; tuple !== undefined; k++) {
    const tick = stripedIndex(tuple, k);
    if (tick >= ticks) break;
    own.push(tick);
  }
  return own;
}
