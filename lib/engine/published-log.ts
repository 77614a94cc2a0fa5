// The run's published log: every trigger the backend published, with its seq when the backend has one,
// for the delivery checkers. Triggers are keyed by (publisher, n): the Node engine publishes over several
// lanes, each its own probe publisher with its own counter.
// A trigger whose request failed may still have been published (a timeout, a reset, a 5xx after the
// publish); when a client receives its probe, the frame tells its seq, and it joins the log so its
// delivery is checked like any other.
import type { PublishedTrigger } from "../core/delivery-checker.js";
import { PublishedHeads } from "../core/published-heads.js";

interface SeenFrame {
  seq: number | undefined;
  publishedAtMs: number;
}

/** One publisher's requests whose outcome is not settled yet. */
interface PublisherState {
  /** Probe `n` of requests still waiting for their reply. */
  readonly inFlight: Set<number>;
  /** Frames seen for requests still in flight: the fan-out can beat the reply. */
  readonly seenInFlight: Map<number, SeenFrame>;
  /** Probe `n` of triggers that got no reply and were not seen in any frame yet. */
  readonly unconfirmed: Set<number>;
}

export class PublishedLog {
  private readonly entries: PublishedTrigger[] = [];
  private readonly publishers = new Map<string, PublisherState>();
  private inFlightCount = 0;
  private unconfirmedCount = 0;
  private readonly published = new PublishedHeads();
  /** Failed triggers that clients received anyway. */
  confirmedByFrames = 0;
  /** Triggers the backend answered 202, in reply order: what a Redis failover must not lose. */
  readonly acknowledged: { publisher: string; n: number; acceptedAtMs: number }[] = [];

  /** Highest seq published: the head every connection must reach in the drain. */
  get headSeq(): number | undefined {
    return this.published.headSeq;
  }

  /** Highest probe n published per publisher: the drain's heads for backends without a seq (live). */
  get heads(): ReadonlyMap<string, number> {
    return this.published.byPublisher;
  }

  sending(publisher: string, n: number): void {
    let state = this.publishers.get(publisher);
    if (state === undefined) {
      state = { inFlight: new Set(), seenInFlight: new Map(), unconfirmed: new Set() };
      this.publishers.set(publisher, state);
    }
    if (!state.inFlight.has(n)) this.inFlightCount += 1;
    state.inFlight.add(n);
  }

  accepted(seq: number | undefined, publisher: string, n: number, acceptedAtMs: number): void {
    const state = this.publishers.get(publisher);
    if (state?.inFlight.delete(n)) this.inFlightCount -= 1;
    state?.seenInFlight.delete(n);
    this.acknowledged.push({ publisher, n, acceptedAtMs });
    this.add(seq, publisher, n, acceptedAtMs);
  }

  /** The request failed; `replied` is false when no HTTP reply came at all (timeout, reset). */
  failed(publisher: string, n: number, replied: boolean): void {
    const state = this.publishers.get(publisher);
    if (state === undefined) return;
    if (state.inFlight.delete(n)) this.inFlightCount -= 1;
    const seen = state.seenInFlight.get(n);
    if (seen) {
      state.seenInFlight.delete(n);
      this.confirmedByFrames += 1;
      this.add(seen.seq, publisher, n, seen.publishedAtMs);
    } else if (!replied && !state.unconfirmed.has(n)) {
      state.unconfirmed.add(n);
      this.unconfirmedCount += 1;
    }
  }

  /** False in the steady state between triggers, so most frames skip the lookup. */
  get awaiting(): boolean {
    return this.inFlightCount > 0 || this.unconfirmedCount > 0;
  }

  /** A client received publisher's probe `n`; publishers this log never sent for are ignored. */
  seenInFrame(publisher: string, n: number, seq: number | undefined, publishedAtMs: number): void {
    const state = this.publishers.get(publisher);
    if (state === undefined) return;
    if (state.unconfirmed.delete(n)) {
      this.unconfirmedCount -= 1;
      this.confirmedByFrames += 1;
      this.add(seq, publisher, n, publishedAtMs);
    } else if (state.inFlight.has(n) && !state.seenInFlight.has(n)) {
      state.seenInFlight.set(n, { seq, publishedAtMs });
    }
  }

  /** A trigger another runner of a split run published (segment sync): judged like this runner's own. */
  addShared(trigger: PublishedTrigger): void {
    this.add(trigger.seq, trigger.publisher, trigger.n, trigger.acceptedAtMs);
  }

  /** In seq order (publisher, then probe n order without a seq), as the checkers settle against it. */
  sorted(): PublishedTrigger[] {
    return [...this.entries].sort(
      (a, b) =>
        (a.seq ?? 0) - (b.seq ?? 0) ||
        (a.publisher < b.publisher ? -1 : a.publisher > b.publisher ? 1 : 0) ||
        a.n - b.n,
    );
  }

  private add(seq: number | undefined, publisher: string, n: number, acceptedAtMs: number): void {
    this.entries.push(
      seq === undefined ? { publisher, n, acceptedAtMs } : { seq, publisher, n, acceptedAtMs },
    );
    this.published.add(seq, publisher, n);
  }
}
