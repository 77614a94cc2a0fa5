// Seq accounting for one connection within one history epoch of the backend: the seqs it received,
// its down windows, and how each published seq fared. A `reset` (history lost, seqs restart) starts a new
// epoch, because seqs from different epochs cannot be compared.
import type { DeliveryOutcome } from "./delivery-outcome.js";
import { RangeSet } from "./range-set.js";
import { SequenceTracker, type Verdict } from "./sequence-tracker.js";

/** fresh: never connected in this epoch; up/down: the connection's state when the epoch began at seq 0. */
export type EpochStart = "fresh" | "up" | "down";

export class SeqEpoch {
  private tracker: SequenceTracker | undefined;
  private baseline = Number.NaN;
  private up: boolean;
  /**
   * Down windows, flat [after, upTo, …]: seqs in (after, upTo] were published while this connection was
   * down; `after` is the highest seq received before the disconnect, `upTo` the head in the next hello
   * (+Infinity while still down).
   */
  private readonly windows: number[] = [];
  /** Reconnected without a hello: the first frame after the reconnect tells where the window ended. */
  private awaitingWindowEnd = false;

  constructor(
    readonly startMs: number,
    start: EpochStart,
  ) {
    this.up = start === "up";
    if (start === "fresh") return;
    this.startTracking(0);
    if (start === "down") this.windows.push(0, Number.POSITIVE_INFINITY);
  }

  get lastSeq(): number | undefined {
    return this.tracker?.highest;
  }

  get gapCount(): number {
    return (this.tracker?.gapCount ?? 0) + this.windows.length / 2;
  }

  connected(hello?: { seq: number }): void {
    if (this.up) {
      // Already up: a hello after an open that had none fills in what the open could not know.
      if (hello === undefined) return;
      if (this.tracker === undefined) this.startTracking(hello.seq);
      else if (this.awaitingWindowEnd) this.closeWindow(hello.seq);
      return;
    }
    this.up = true;
    if (this.tracker === undefined) {
      if (hello !== undefined) this.startTracking(hello.seq);
      return;
    }
    if (hello === undefined) this.awaitingWindowEnd = true;
    else this.closeWindow(hello.seq);
  }

  disconnected(): void {
    if (!this.up) return;
    this.up = false;
    if (this.tracker === undefined) return;
    if (this.awaitingWindowEnd) {
      // Up again without a hello or a frame: the previous window simply continues.
      this.awaitingWindowEnd = false;
      return;
    }
    this.windows.push(this.tracker.highest, Number.POSITIVE_INFINITY);
  }

  receive(seq: number): Verdict {
    if (this.tracker === undefined) this.startTracking(seq - 1);
    if (this.awaitingWindowEnd) this.closeWindow(seq - 1);
    const tracker = this.tracker as SequenceTracker;
    const verdict = tracker.observe(seq);
    // A frame processed after the disconnect was still received before the window began.
    if (!this.up && this.hasOpenWindow()) this.windows[this.windows.length - 2] = tracker.highest;
    return verdict;
  }

  /** Classifies published seqs; expected are those above the first hello's head (and up to `finalHeadSeq`). */
  outcomes(finalHeadSeq?: number): (seq: number) => DeliveryOutcome {
    const tracker = this.tracker;
    if (tracker === undefined) return () => "unexpected";
    const down = new RangeSet();
    for (let i = 0; i < this.windows.length; i += 2) {
      down.addAscending((this.windows[i] as number) + 1, this.windows[i + 1] as number);
    }
    const baseline = this.baseline;
    const lastExpected = finalHeadSeq ?? Number.POSITIVE_INFINITY;
    return (seq) => {
      if (seq <= baseline || seq > lastExpected) return "unexpected";
      const received = tracker.seen(seq);
      if (down.has(seq)) return received ? "recovered" : "missed";
      return received ? "delivered" : "lost";
    };
  }

  private startTracking(baseline: number): void {
    this.baseline = baseline;
    this.tracker = new SequenceTracker(baseline);
  }

  private hasOpenWindow(): boolean {
    return this.windows[this.windows.length - 1] === Number.POSITIVE_INFINITY;
  }

  private closeWindow(head: number): void {
    this.awaitingWindowEnd = false;
    if (!this.hasOpenWindow()) return;
    const end = this.windows.length - 1;
    this.windows[end] = Math.max(this.windows[end - 1] as number, head);
  }
}
