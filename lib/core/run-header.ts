// The report's run header, written the same way by both engines: which targets, in which delivery mode,
// with which settings. Type-only imports: the k6 bundles use this without the report schema's zod.
import type { AdapterKind } from "./adapters/protocol-adapter.js";
import type { Accounting } from "./delivery-checker.js";
import type { Profile } from "./profiles.js";
import type { Report } from "./report-model.js";
import type { DiscoveredTarget } from "./target-discovery.js";

export type RunHeader = Report["run"];

/** recover when every pod resumes, pubsub when none does, unknown for a mix (a misconfigured cluster). */
export function deliveryMode(targets: readonly Pick<DiscoveredTarget, "resume">[]): RunHeader["delivery"] {
  if (targets.every((target) => target.resume)) return "recover";
  return targets.some((target) => target.resume) ? "unknown" : "pubsub";
}

export interface RunHeaderInput {
  runId: string;
  profile: Profile;
  engine: RunHeader["engine"];
  startedAtMs: number;
  endedAtMs: number;
  targets: readonly DiscoveredTarget[];
  adapter: AdapterKind;
  accounting: Accounting;
  /** Engine-specific facts (engine choice, VUs per connection), added after the profile's. */
  settings?: RunHeader["settings"];
  /** The execution segment this runner covered, when the run was split. */
  segment?: string;
}

export function runHeader(input: RunHeaderInput): RunHeader {
  const { profile, startedAtMs, endedAtMs } = input;
  return {
    id: input.runId,
    profile: profile.name,
    engine: input.engine,
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: new Date(endedAtMs).toISOString(),
    durationSeconds: (endedAtMs - startedAtMs) / 1000,
    targets: input.targets.map((target) => ({ pod: target.pod, url: target.url })),
    delivery: deliveryMode(input.targets),
    accounting: input.accounting,
    settings: {
      connections: profile.connections,
      rampSeconds: profile.rampSeconds,
      triggerRate: profile.triggerRate,
      durationSeconds: profile.durationSeconds,
      drainSeconds: profile.drainSeconds,
      triggerPod: profile.triggerPod,
      adapter: input.adapter,
      ...input.settings,
    },
    ...(input.segment ? { segments: [input.segment] } : {}),
  };
}
