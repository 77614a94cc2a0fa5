// Validity: after the run, decides whether the generator did its job and says why not — saturated, triggers
// it could not send itself, an interrupted run — and notes on the timeline what a reader needs to interpret
// the figures (triggers the system refused, recovered sessions, the generator's own load). What the system
// under test does is a result judged by thresholds, never a reason to discard the run.

import { splitTriggerFailures } from "../../core/trigger-failure-split.js";
import { type GeneratorFigures, type SaturationLimits, saturationReasons } from "../generator-health.js";
import type { RunPhase } from "../run-progress.js";
import type { RunEventInput } from "./run-timeline.js";

export interface ValidityInput {
  generator: GeneratorFigures;
  limits: SaturationLimits;
  publisher: {
    readonly sent: number;
    readonly lateStarts: number;
    failuresByCause(): Record<string, number>;
  };
  /** Failed triggers whose probe reached clients anyway. */
  confirmedByFrames: number;
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
  const failures = splitTriggerFailures(publisher.sent, publisher.failuresByCause(), input.confirmedByFrames);
  if (failures.generatorReason) reasons.push(failures.generatorReason);
  if (failures.systemDetail) {
    events.push({ kind: "info", name: "triggers-failed", detail: failures.systemDetail });
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
