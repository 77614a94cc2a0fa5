// k6's striped split of a run between the segments of an execution segment sequence (what a k6 runner
// started with --execution-segment and --execution-segment-sequence does with its share): within every
// block of LCD items (LCD = least common denominator of the segments' lengths), each segment owns as many
// items as its length's numerator scaled to the LCD, handed out biggest segment first and as far apart as
// possible. A runner's VU counts are its owned items among the first n (ScaleInt64 in k6), and its k-th
// iteration or VU is the k-th owned item of the whole test (k6's SegmentedIndex: exec.scenario.iterationInTest,
// exec.vu.idInTest). Arrival-rate executors re-split the sequence by maxVUs first (resegment).
// Written from k6's lib/execution_segment.go; the k6 scenarios use it to know their share, the k6 emulator to
// split work as k6 does.
import {
  type ExecutionSegment,
  ExecutionSegmentError,
  formatSegment,
  parseSegment,
} from "./execution-segment.js";

type Fraction = ExecutionSegment["from"];

/** A runner's place in the run: the whole (filled) sequence and which of its segments this runner runs. */
export interface SegmentTuple {
  sequence: ExecutionSegment[];
  index: number;
}

interface Stripes {
  lcd: number;
  /** Per segment, the positions in [0, lcd) it owns, ascending. */
  positions: number[][];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function fraction(numerator: number, denominator: number): Fraction {
  const divisor = gcd(numerator, denominator) || 1;
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

function length(segment: ExecutionSegment): Fraction {
  const { from, to } = segment;
  return fraction(
    to.numerator * from.denominator - from.numerator * to.denominator,
    to.denominator * from.denominator,
  );
}

function equal(a: Fraction, b: Fraction): boolean {
  return a.numerator * b.denominator === b.numerator * a.denominator;
}

function segmentOf(from: Fraction, to: Fraction): ExecutionSegment {
  return { from, to, text: formatSegment(from, to) };
}

const zero = fraction(0, 1);
const one = fraction(1, 1);

/** Parses k6's `--execution-segment-sequence` ("0,1/3,2/3,1") into its segments. */
export function parseSegmentSequence(text: string): ExecutionSegment[] {
  const points = text.split(",");
  if (points.length < 2) {
    throw new ExecutionSegmentError(
      `execution segment sequence "${text}": expected at least two points, e.g. 0,1/2,1`,
    );
  }
  return points.slice(1).map((to, index) => parseSegment(`${points[index]}:${to}`));
}

/** k6's filled sequence: the given one (or the lone segment) with gaps before and after made segments. */
export function segmentTuple(segment: ExecutionSegment, sequence: readonly ExecutionSegment[]): SegmentTuple {
  const filled = sequence.length > 0 ? [...sequence] : [segment];
  const first = filled[0] as ExecutionSegment;
  const last = filled[filled.length - 1] as ExecutionSegment;
  if (!equal(first.from, zero)) filled.unshift(segmentOf(zero, first.from));
  if (!equal(last.to, one)) filled.push(segmentOf(last.to, one));
  const index = filled.findIndex((item) => item.text === segment.text);
  if (index < 0) {
    throw new ExecutionSegmentError(
      `execution segment ${segment.text} is not one of the sequence ${filled.map((item) => item.text).join(", ")}`,
    );
  }
  return { sequence: filled, index };
}

const stripesCache = new Map<string, Stripes>();

function stripes(sequence: readonly ExecutionSegment[]): Stripes {
  const key = sequence.map((segment) => segment.text).join(",");
  const cached = stripesCache.get(key);
  if (cached !== undefined) return cached;
  const lengths = sequence.map(length);
  const lcd = lengths.reduce((acc, { denominator }) => (acc * denominator) / gcd(acc, denominator), 1);
  // Biggest segments first (stable for equal ones), as k6 orders them before striping.
  const order = lengths
    .map((value, index) => ({ share: value.numerator * (lcd / value.denominator), index }))
    .sort((a, b) => b.share - a.share);
  const chosen = order.map(() => 0);
  const positions: number[][] = sequence.map(() => []);
  for (let item = 0; item < lcd; item++) {
    for (const [rank, { share, index }] of order.entries()) {
      const taken = (chosen[rank] as number) * lcd;
      const due = Math.floor(taken / share);
      // A segment takes the item once it is at or past its next evenly spaced slot.
      if (item > due || (item === due && taken % share === 0)) {
        chosen[rank] = (chosen[rank] as number) + 1;
        positions[index]?.push(item);
        break;
      }
    }
  }
  const result = { lcd, positions };
  stripesCache.set(key, result);
  return result;
}

/** How many of a run's first `value` items this runner owns (k6's ExecutionTuple.ScaleInt64). */
export function scaleStriped(tuple: SegmentTuple, value: number): number {
  if (tuple.sequence.length === 1) return value;
  const { lcd, positions } = stripes(tuple.sequence);
  const own = positions[tuple.index] ?? [];
  const rest = value % lcd;
  return Math.floor(value / lcd) * own.length + own.filter((position) => position < rest).length;
}

/** The 0-based index in the whole run of this runner's `k`-th (0-based) item. */
export function stripedIndex(tuple: SegmentTuple, k: number): number {
  if (tuple.sequence.length === 1) return k;
  const { lcd, positions } = stripes(tuple.sequence);
  const own = positions[tuple.index] ?? [];
  return Math.floor(k / own.length) * lcd + (own[k % own.length] as number);
}

/** The indices (0-based, ascending) of a run's `n` items that this runner owns. */
export function stripedItems(tuple: SegmentTuple, n: number): number[] {
  return Array.from({ length: scaleStriped(tuple, n) }, (_, k) => stripedIndex(tuple, k));
}

/**
 * The sequence re-split by a value (k6's GetNewExecutionTupleFromValue: arrival-rate executors stripe their
 * iterations by maxVUs' split); undefined when this runner's share of the value is 0 (it has no work).
 */
export function resegment(tuple: SegmentTuple, value: number): SegmentTuple | undefined {
  const { lcd } = stripes(tuple.sequence);
  if (value % lcd === 0) return tuple;
  const sequence: ExecutionSegment[] = [];
  let index = -1;
  let reached = 0;
  for (const [position] of tuple.sequence.entries()) {
    const share = scaleStriped({ sequence: tuple.sequence, index: position }, value);
    if (share === 0) continue;
    if (position === tuple.index) index = sequence.length;
    sequence.push(segmentOf(fraction(reached, value), fraction(reached + share, value)));
    reached += share;
  }
  return index < 0 ? undefined : { sequence, index };
}
