// The run's published log: every trigger the backend published, with its seq when the backend has one,
// for the delivery checkers.
// A trigger whose request failed may still have been published (a timeout, a reset, a 5xx after the
// publish); when a client receives its probe, the frame tells its seq, and it joins the log so its
// delivery is checked like any other.
import type { PublishedTrigger } from "../core/delivery-checker.js";

interface SeenFrame {
  seq: number | undefined;
  publishedAtMs: number;
}

export class PublishedLog {
  private readonly entries: PublishedTrigger[] = [];
  /** Probe `n` of requests still waiting for their reply. */
  private readonly inFlight = new Set<number>();
  /** Frames seen for requests still in flight: the fan-out can beat the reply. */
  private readonly seenInFlight = new Map<number, SeenFrame>();
  /** Probe `n` of triggers that got no reply and were not seen in any frame yet. */
  private readonly unconfirmed = new Set<number>();
  /** Highest seq published: the head every connection must reach in the drain. */
  headSeq: number | undefined;
  /** Highest probe n published: the drain's head for backends without a seq. */
  highestN: number | undefined;
  /** Failed triggers that clients received anyway. */
  confirmedByFrames = 0;

  constructor(private readonly publisher: string) {}

  sending(n: number): void {
    this.inFlight.add(n);
  }

  accepted(seq: number | undefined, n: number, acceptedAtMs: number): void {
    this.inFlight.delete(n);
    this.seenInFlight.delete(n);
    this.add(seq, n, acceptedAtMs);
  }

  /** The request failed; `replied` is false when no HTTP reply came at all (timeout, reset). */
  failed(n: number, replied: boolean): void {
    this.inFlight.delete(n);
    const seen = this.seenInFlight.get(n);
    if (seen) {
      this.seenInFlight.delete(n);
      this.confirmedByFrames += 1;
      this.add(seen.seq, n, seen.publishedAtMs);
    } else if (!replied) {
      this.unconfirmed.add(n);
    }
  }

  /** False in the steady state between triggers, so most frames skip the lookup. */
  get awaiting(): boolean {
    return this.inFlight.size > 0 || this.unconfirmed.size > 0;
  }

  seenInFrame(publisher: string, n: number, seq: number | undefined, publishedAtMs: number): void {
    if (publisher !== this.publisher) return;
    if (this.unconfirmed.delete(n)) {
      this.confirmedByFrames += 1;
      this.add(seq, n, publishedAtMs);
    } else if (this.inFlight.has(n) && !this.seenInFlight.has(n)) {
      this.seenInFlight.set(n, { seq, publishedAtMs });
    }
  }

  /** In seq order (probe n order without a seq), as the checkers settle against it. */
  sorted(): PublishedTrigger[] {
    return [...this.entries].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.n - b.n);
  }

  private add(seq: number | undefined, n: number, acceptedAtMs: number): void {
    this.entries.push(
      seq === undefined
        ? { publisher: this.publisher, n, acceptedAtMs }
        : { seq, publisher: this.publisher, n, acceptedAtMs },
    );
    if (seq !== undefined && (this.headSeq === undefined || seq > this.headSeq)) this.headSeq = seq;
    if (this.highestN === undefined || n > this.highestN) this.highestN = n;
  }
}
