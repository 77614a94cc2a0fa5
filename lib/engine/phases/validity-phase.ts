// Validity: after the run, decides whether its figures can be trusted and says why not — a saturated
// generator, triggers that failed (outside chaos), an interrupted run — and notes on the timeline what a
// reader needs to interpret them (recovered sessions, the generator's own load).
import { type GeneratorFigures, type SaturationLimits, saturationReasons } from "../generator-health.js";
import type { RunPhase } from "../run-progress.js";
import type { RunEventInput } from "./run-timeline.js";

export interface ValidityInput {
  generator: GeneratorFigures;
  limits: SaturationLimits;
  publisher: {
    readonly sent: number;
    readonly failed: number;
    readonly lateStarts: number;
    failuresByCause(): Record<string, number>;
  };
  /** Failed triggers whose probe reached clients anyway. */
  confirmedByFrames: number;
  /** Chaos actions carried out: under chaos a failing trigger is by design, not a reason to discard the run. */
  chaosEvents: number;
  /** The phase the run was in when it was interrupted; undefined when it ran to the end. */
  interruptedDuring: RunPhase | undefined;
  recoveredSessions: number;
  rssPerConnectionBytes: number | undefined;
}

export interface ValidityOutcome {
  reasons: string[];
  events: RunEventInput[];
}

export function judgeValidity(input: ValidityInput): ValidityOutcome {
  const { generator, publisher } = input;
  const reasons = saturationReasons(generator, publisher.lateStarts, publisher.sent, input.limits);
  const events: RunEventInput[] = [];
  if (publisher.failed > 0) {
    const failures = describeFailures(input);
    // Under chaos a trigger to a killed pod or a Redis that is down fails by design: the delivery
    // figures judge the run, and the failures are on the timeline rather than making the run invalid.
    if (input.chaosEvents > 0) events.push({ kind: "info", name: "triggers-failed", detail: failures });
    else reasons.push(failures);
  }
  if (input.interruptedDuring) reasons.push(`run interrupted during the ${input.interruptedDuring} phase`);
  if (input.recoveredSessions > 0) {
    events.push({
      kind: "info",
      name: "sessions-recovered",
      detail: `${input.recoveredSessions} reconnects resumed their session (missed frames replayed)`,
    });
  }
  events.push({ kind: "info", name: "generator", detail: describeGenerator(input) });
  return { reasons, events };
}

function describeFailures(input: ValidityInput): string {
  const { publisher } = input;
  const causes = Object.entries(publisher.failuresByCause())
    .map(([cause, count]) => `${cause}: ${count}`)
    .join(", ");
  const seen =
    input.confirmedByFrames > 0 ? `; ${input.confirmedByFrames} of them reached clients anyway` : "";
  return `${publisher.failed} of ${publisher.sent} triggers failed (${causes})${seen}`;
}

function describeGenerator({ generator, rssPerConnectionBytes, publisher }: ValidityInput): string {
  return [
    `cpu ${(generator.cpuFraction * 100).toFixed(0)}% of a core`,
    `event-loop lag p99 ${generator.eventLoopLagP99Ms.toFixed(1)} ms`,
    `peak rss ${(generator.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    rssPerConnectionBytes === undefined
      ? undefined
      : `${(rssPerConnectionBytes / 1024).toFixed(1)} KiB rss per connection`,
    `late trigger starts ${publisher.lateStarts}`,
  ]
    .filter(Boolean)
    .join(", ");
}
