// A run's timeline: the phase it is in and the events it records, each stamped in seconds since the run
// started. Every phase module writes here, so the report's events and the progress line agree on the phase.
import type { RunEvent } from "../../core/report-model.js";
import type { RunPhase } from "../run-progress.js";

export type RunEventInput = Omit<RunEvent, "t">;

export class RunTimeline {
  readonly events: RunEvent[] = [];
  private current: RunPhase = "discover";

  constructor(
    readonly startedAtMs: number,
    private readonly nowMs: () => number,
  ) {}

  get phase(): RunPhase {
    return this.current;
  }

  /** Records an event now. */
  event(item: RunEventInput): void {
    this.eventAt(this.nowMs(), item);
  }

  /** Records an event that happened at `atMs` (chaos actions report when they were issued, once done). */
  eventAt(atMs: number, item: RunEventInput): void {
    this.events.push({ t: Math.max(0, (atMs - this.startedAtMs) / 1000), ...item });
  }

  enter(next: RunPhase, detail?: string): void {
    this.current = next;
    this.event({ kind: "phase", name: next, ...(detail ? { detail } : {}) });
  }

  /** Events in time order: chaos events arrive once done, so they may have been recorded out of order. */
  sorted(): RunEvent[] {
    return [...this.events].sort((a, b) => a.t - b.t);
  }
}
