// Tracks one stream of increasing numbers (a backend seq, or one publisher's probe n) as seen by one
// connection: the highest number and the numbers below it not yet seen. In-order arrivals only bump a
// number; memory is O(gaps). Everything up to the baseline counts as not seen, so a late frame from before
// the connection began is out-of-order the first time and a duplicate after.
import { RangeSet } from "./range-set.js";

export type Verdict = "ok" | "duplicate" | "out-of-order";

export class SequenceTracker {
  private highestSeen: number;
  private readonly missing = new RangeSet();

  constructor(baseline: number) {
    this.highestSeen = baseline;
    this.missing.addAscending(Number.NEGATIVE_INFINITY, baseline);
  }

  get highest(): number {
    return this.highestSeen;
  }

  /** Ranges of unseen numbers (the baseline's counts as one), a measure of the memory held. */
  get gapCount(): number {
    return this.missing.rangeCount;
  }

  observe(value: number): Verdict {
    const next = this.highestSeen + 1;
    if (value === next) {
      this.highestSeen = value;
      return "ok";
    }
    if (value > next) {
      this.missing.addAscending(next, value - 1);
      this.highestSeen = value;
      return "ok";
    }
    return this.missing.delete(value) ? "out-of-order" : "duplicate";
  }

  seen(value: number): boolean {
    return value <= this.highestSeen && !this.missing.has(value);
  }
}
