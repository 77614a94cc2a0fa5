// Execution segments with k6's semantics: a run's work (connections, triggers) split into fractions of
// [0, 1) written "from:to" ("1/3:2/3", "0:50%", "0.25:0.5"; a lone "to" means "0:to"), kept as exact
// fractions so segments like thirds tile [0, 1) without rounding gaps. Which items a segment owns is k6's
// own striping (segment-striping.ts), for the k6 scenarios and the Node engine's runners alike.
import { ExecutionSegmentError } from "./execution-segment-error.js";

export { ExecutionSegmentError };

/** A non-negative fraction kept exact: k6 segments like 1/3 must tile [0, 1) without rounding gaps. */
interface Fraction {
  numerator: number;
  denominator: number;
}

export interface ExecutionSegment {
  from: Fraction;
  to: Fraction;
  /** As written by `formatSegment`: "0:1/3", "1/3:2/3". */
  text: string;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function fraction(numerator: number, denominator: number): Fraction {
  const divisor = gcd(numerator, denominator) || 1;
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

const maxDenominator = 1_000_000;

function parseFraction(text: string, segment: string): Fraction {
  const trimmed = text.trim();
  const percent = /^(\d{1,3}(?:\.\d{1,4})?)%$/.exec(trimmed);
  const ratio = /^(\d{1,7})\/(\d{1,7})$/.exec(trimmed);
  const decimal = /^(\d)(?:\.(\d{1,6}))?$/.exec(trimmed);
  let value: Fraction | undefined;
  if (ratio) {
    const denominator = Number(ratio[2]);
    if (denominator > 0 && denominator <= maxDenominator) value = fraction(Number(ratio[1]), denominator);
  } else if (percent) {
    const [whole = "0", decimals = ""] = (percent[1] ?? "0").split(".");
    const scale = 10 ** decimals.length;
    value = fraction(Number(whole) * scale + Number(decimals || "0"), 100 * scale);
  } else if (decimal) {
    const decimals = decimal[2] ?? "";
    const scale = 10 ** decimals.length;
    value = fraction(Number(decimal[1]) * scale + Number(decimals || "0"), scale);
  }
  if (value === undefined || value.numerator > value.denominator) {
    throw new ExecutionSegmentError(
      `execution segment "${segment}": "${trimmed}" is not a fraction from 0 to 1 (write 1/3, 0.5 or 50%)`,
    );
  }
  return value;
}

function compare(a: Fraction, b: Fraction): number {
  return a.numerator * b.denominator - b.numerator * a.denominator;
}

function formatFraction(value: Fraction): string {
  if (value.numerator === 0) return "0";
  if (value.numerator === value.denominator) return "1";
  return `${value.numerator}/${value.denominator}`;
}

export function formatSegment(from: Fraction, to: Fraction): string {
  return `${formatFraction(from)}:${formatFraction(to)}`;
}

/** Parses k6's `--execution-segment` value. */
export function parseSegment(text: string): ExecutionSegment {
  if (text.length > 64) {
    throw new ExecutionSegmentError(`execution segment "${text.slice(0, 64)}…" is too long`);
  }
  const parts = text.split(":");
  if (parts.length > 2 || text.trim() === "") {
    throw new ExecutionSegmentError(`execution segment "${text}": expected from:to, e.g. 1/3:2/3`);
  }
  const from = parts.length === 2 ? parseFraction(parts[0] ?? "", text) : fraction(0, 1);
  const to = parseFraction(parts[parts.length - 1] ?? "", text);
  if (compare(from, to) >= 0) {
    throw new ExecutionSegmentError(`execution segment "${text}": its start must be below its end`);
  }
  return { from, to, text: formatSegment(from, to) };
}

/** `crosspod run --segment i/N`: the i-th (1-based) of N equal segments. */
export function nthSegment(index: number, count: number): ExecutionSegment {
  if (!(Number.isInteger(count) && count >= 1 && count <= 1000)) {
    throw new ExecutionSegmentError(`segment count ${count}: expected a whole number from 1 to 1000`);
  }
  if (!(Number.isInteger(index) && index >= 1 && index <= count)) {
    throw new ExecutionSegmentError(`segment ${index}/${count}: expected an index from 1 to ${count}`);
  }
  const from = fraction(index - 1, count);
  const to = fraction(index, count);
  return { from, to, text: formatSegment(from, to) };
}

/**
 * Checks that the given segments tile [0, 1) exactly once; the error names the missing ranges or the
 * overlap, so `report merge` can say which runner did not report.
 */
export function checkSegmentCover(texts: readonly string[]): void {
  const segments = texts.map(parseSegment).sort((a, b) => compare(a.from, b.from));
  const missing: string[] = [];
  let reached = fraction(0, 1);
  for (const segment of segments) {
    const order = compare(segment.from, reached);
    if (order < 0) {
      throw new ExecutionSegmentError(
        `execution segment ${segment.text} overlaps another part (covered up to ${formatFraction(reached)}): a runner reported twice?`,
      );
    }
    if (order > 0) missing.push(formatSegment(reached, segment.from));
    reached = segment.to;
  }
  if (compare(reached, fraction(1, 1)) < 0) missing.push(formatSegment(reached, fraction(1, 1)));
  if (missing.length > 0) {
    throw new ExecutionSegmentError(
      `execution segments missing: ${missing.join(", ")} (those runners did not report)`,
    );
  }
}
