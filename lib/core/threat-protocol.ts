// The reference backend's wire protocol: trigger body, trigger response, and WebSocket frames.
// Shared by the backend (which produces it) and the engines (which check it), so both sides agree.
import { z } from "zod";
import { probeSchema } from "./probe.js";

export const severities = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof severities)[number];

export const triggerBodySchema = z
  .object({
    type: z.string().min(1).max(64).optional(),
    severity: z.enum(severities).optional(),
    source_ip: z.string().min(1).max(64).optional(),
    description: z.string().max(2000).optional(),
    probe: probeSchema.optional(),
  })
  .strict();

export type TriggerBody = z.infer<typeof triggerBodySchema>;

export interface Threat {
  id: string;
  type: string;
  severity: Severity;
  source_ip: string;
  description: string;
  probe?: z.infer<typeof probeSchema>;
}

export interface TriggerResponse {
  id: string;
  seq: number;
  pod: string;
  /** Epoch milliseconds at which Redis accepted the publish. */
  published_at: number;
}

export interface HelloFrame {
  type: "hello";
  pod: string;
  /** Head seq at connect time. */
  seq: number;
  epoch: string;
  /** True when the pod honours `?since=` and backfills gaps (DELIVERY=recover). */
  resume: boolean;
}

export interface ThreatFrame {
  type: "threat";
  seq: number;
  id: string;
  pod_origin: string;
  published_at: number;
  threat: Threat;
}

export interface ResetFrame {
  type: "reset";
  epoch: string;
}

export type ServerFrame = HelloFrame | ThreatFrame | ResetFrame;

/** WebSocket close codes the backend uses, named for what they mean to a client. */
export const closeCodes = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
} as const;
