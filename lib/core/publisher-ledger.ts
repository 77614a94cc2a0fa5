// Publisher accounting for one connection, for backends without a seq: order and duplicates per publisher
// by the probe's n, and expectations by time: a trigger is expected when it was accepted while the
// connection was up. Within `graceMs` of a connect or disconnect a trigger is borderline: counted when it
// arrived, neither expected nor lost when it did not (it may have raced the subscription).
import type { DeliveryOutcome } from "./delivery-outcome.js";
import { SequenceTracker, type Verdict } from "./sequence-tracker.js";

export class PublisherLedger {
  private readonly trackers = new Map<string, SequenceTracker>();
  /** One-entry cache: frames mostly come from few publishers, often the same one in a row. */
  private lastPublisher: string | undefined;
  private lastTracker: SequenceTracker | undefined;
  /** Up windows in time, flat [connectedAtMs, disconnectedAtMs, …]; +Infinity while up. */
  private readonly windows: number[] = [];
  private up = false;

  constructor(private readonly graceMs: number) {}

  get gapCount(): number {
    let gaps = this.windows.length / 2;
    for (const tracker of this.trackers.values()) gaps += tracker.gapCount;
    return gaps;
  }

  connected(atMs: number): void {
    if (this.up) return;
    this.up = true;
    this.windows.push(atMs, Number.POSITIVE_INFINITY);
  }

  disconnected(atMs: number): void {
    if (!this.up) return;
    this.up = false;
    this.windows[this.windows.length - 1] = atMs;
  }

  receive(publisher: string, n: number): Verdict {
    let tracker = publisher === this.lastPublisher ? this.lastTracker : this.trackers.get(publisher);
    if (tracker === undefined) {
      tracker = new SequenceTracker(n - 1);
      this.trackers.set(publisher, tracker);
    }
    this.lastPublisher = publisher;
    this.lastTracker = tracker;
    return tracker.observe(n);
  }

  outcome(publisher: string, n: number, acceptedAtMs: number): DeliveryOutcome {
    const received = this.trackers.get(publisher)?.seen(n) ?? false;
    switch (this.timing(acceptedAtMs)) {
      case "before":
        return "unexpected";
      case "borderline":
        return received ? "delivered" : "unexpected";
      case "up":
        return received ? "delivered" : "lost";
      case "down":
        return received ? "recovered" : "missed";
    }
  }

  private timing(atMs: number): "before" | "borderline" | "up" | "down" {
    const windows = this.windows;
    const count = windows.length / 2;
    // The last window that began at or before atMs (-1: none).
    let index = -1;
    let low = 0;
    let high = count - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((windows[middle * 2] as number) <= atMs) {
        index = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    const grace = this.graceMs;
    const nextStart = index + 1 < count ? (windows[(index + 1) * 2] as number) : Number.POSITIVE_INFINITY;
    if (nextStart - atMs < grace) return "borderline";
    if (index < 0) return "before";
    const start = windows[index * 2] as number;
    const end = windows[index * 2 + 1] as number;
    if (atMs - start < grace) return "borderline";
    if (atMs < end) return end - atMs < grace ? "borderline" : "up";
    return atMs - end < grace ? "borderline" : "down";
  }
}
