// Runs a `--chaos` schedule against a controller: each step at its offset from start(), on a timer, never
// waiting for an earlier step on another target (the controller orders steps on the same target), except
// the steps of one rolling rule (`restart-pod:*@every 10m`), which wait for each other: one pod at a time.
import type { AcknowledgedTrigger, ChaosTimeline, ChaosTimelineEvent } from "../core/chaos-impact.js";
import type { ChaosStep } from "../core/chaos-schedule.js";
import type { ChaosController } from "./chaos-controller.js";

export class ChaosScheduleRunner implements ChaosTimeline {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  /** The last step issued of each rolling sequence, which its next step waits for. */
  private readonly sequences = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly steps: readonly ChaosStep[],
    private readonly controller: ChaosController,
  ) {
    for (const step of steps) controller.check(step.action);
  }

  start(onEvent: (event: ChaosTimelineEvent) => void): void {
    for (const step of this.steps) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.stopped) return;
        const apply = (): Promise<void> =>
          this.stopped
            ? Promise.resolve()
            : this.controller
                .apply(step.action)
                .then((event) => onEvent({ ...event, scheduledAtSeconds: step.atSeconds }));
        const prior = step.sequence === undefined ? undefined : this.sequences.get(step.sequence);
        const run = prior ? prior.then(apply, apply) : apply();
        if (step.sequence !== undefined) this.sequences.set(step.sequence, run);
        this.running.add(run);
        const forget = () => this.running.delete(run);
        run.then(forget, forget);
      }, step.atSeconds * 1000);
      this.timers.add(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  acknowledgedLost(acknowledged: readonly AcknowledgedTrigger[]): Promise<AcknowledgedTrigger[] | undefined> {
    return this.controller.acknowledgedLost(acknowledged);
  }

  /** Steps not issued yet. */
  get pending(): number {
    return this.timers.size;
  }
}
