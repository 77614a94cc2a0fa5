// The one-line verdict a release manager reads: PASS only when every threshold passed, the run is
// valid (a saturated generator's numbers cannot pass anything) and something was measured at all.
// The line repeats the delivery facts so a PASS with no thresholds set cannot hide a loss, and says whose
// failure a FAIL is: failed thresholds judge the system under test, an invalid run the load generator.
import type { Report } from "../core/report-model.js";
import { formatCount, formatMs } from "./figure-format.js";

export interface ReportVerdict {
  pass: boolean;
  word: "PASS" | "FAIL";
  /** Why it failed (failed thresholds, invalid run, nothing measured); empty on PASS. */
  reasons: string[];
  /** Facts that hold either way: thresholds passed, validity, frames, lost, duplicates, order, p99. */
  facts: string[];
}

export function reportVerdict(report: Report): ReportVerdict {
  const reasons: string[] = [];
  const facts: string[] = [];
  const total = report.thresholds.length;
  const failed = report.thresholds.filter((threshold) => !threshold.ok);
  if (failed.length > 0) {
    const names = failed.map((threshold) => `${threshold.metric} ${threshold.expression}`).join(", ");
    reasons.push(`${failed.length}/${total} thresholds failed, judging the system under test (${names})`);
  } else {
    facts.push(total === 0 ? "no thresholds set" : `${total}/${total} thresholds passed`);
  }
  if (report.validity.valid) {
    facts.push("run valid (the load generator kept up)");
  } else {
    const why = report.validity.reasons.length > 0 ? report.validity.reasons.join("; ") : "no reason given";
    reasons.push(`run INVALID: the load generator could not do its job (${why})`);
  }
  const delivery = report.overall.delivery;
  if (delivery.expected === 0) {
    const connections = report.overall.connections;
    reasons.push(
      `nothing measured (no frames expected; ${formatCount(connections.opened)} connections opened, ${formatCount(connections.failed)} failed)`,
    );
  }
  facts.push(
    `${formatCount(delivery.received)}/${formatCount(delivery.expected)} frames received`,
    `${formatCount(delivery.lost)} lost`,
    `${formatCount(delivery.duplicates)} duplicates`,
    `${formatCount(delivery.outOfOrder)} out of order`,
    report.overall.fanout.count > 0
      ? `fan-out p99 ${formatMs(report.overall.fanout.p99)} ms`
      : "no fan-out samples",
  );
  const pass = reasons.length === 0;
  return { pass, word: pass ? "PASS" : "FAIL", reasons, facts };
}

/** The verdict as one plain line: "PASS · 4/4 thresholds passed · run valid (the load generator kept up) · …". */
export function verdictLine(verdict: ReportVerdict): string {
  return [verdict.word, ...verdict.reasons, ...verdict.facts].join(" · ");
}
