// Who a failed trigger says something about. A trigger the generator could not send (its own in-flight cap,
// out of file descriptors or source ports) is the generator failing its job: the run is invalid. Every
// other failure (refused, reset, timed out, 5xx, a pod that is down) is the system under test answering:
// a result, judged by the crosspod_trigger_failures threshold, never a reason to discard the run.

/** Causes that name the generator's own limits, as counted by both engines. */
const generatorCauses: ReadonlySet<string> = new Set([
  "overloaded",
  "EMFILE",
  "ENFILE",
  "EADDRNOTAVAIL",
  "ENOBUFS",
  "ENOMEM",
]);

export function isGeneratorCause(cause: string): boolean {
  return generatorCauses.has(cause);
}

export interface TriggerFailureSplit {
  /** Why the run is invalid, when the generator itself could not send some triggers. */
  generatorReason: string | undefined;
  /** What the system refused, for the run's events; undefined when it refused nothing. */
  systemDetail: string | undefined;
}

function describe(counts: readonly (readonly [string, number])[]): string {
  return counts.map(([cause, count]) => `${cause}: ${count}`).join(", ");
}

/**
 * Splits `failuresByCause` into the generator's share and the system's. `seenAnyway` counts failed triggers
 * whose probe reached clients regardless (the reply was lost, not the publish).
 */
export function splitTriggerFailures(
  sent: number,
  failuresByCause: Record<string, number>,
  seenAnyway = 0,
): TriggerFailureSplit {
  const entries = Object.entries(failuresByCause).filter(([, count]) => count > 0);
  const own = entries.filter(([cause]) => isGeneratorCause(cause));
  const system = entries.filter(([cause]) => !isGeneratorCause(cause));
  const sum = (list: typeof entries) => list.reduce((total, [, count]) => total + count, 0);
  const seen = seenAnyway > 0 ? `; ${seenAnyway} of them reached clients anyway` : "";
  return {
    generatorReason:
      own.length === 0
        ? undefined
        : `the load generator could not send ${sum(own)} of ${sent} triggers (${describe(own)})`,
    systemDetail:
      system.length === 0
        ? undefined
        : `${sum(system)} of ${sent} triggers failed (${describe(system)})${seen}: judged by crosspod_trigger_failures`,
  };
}
