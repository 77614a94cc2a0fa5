// The reference backend's wire protocol: trigger body, trigger response, and WebSocket frames.
// Shared by the backend (which produces it) and the engines (which check it), so both sides agree.
import { z } from "zod";
import type { Probe } from "./probe.js";
import { probeSchema } from "./probe-schema.js";

export const severities = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof severities)[number];

export const triggerBodySchema = z
  .object({
    type: z.string().min(1).max(64).optional(),
    severity: z.enum(severities).optional(),
    source_ip: z.string().min(1).max(64).optional(),
    description: z.string().max(2000).optional(),
    // Strict here, at the edge: a misspelt probe field is refused by name rather than dropped.
    probe: probeSchema.strict().optional(),
  })
  .strict();

export type TriggerBody = z.infer<typeof triggerBodySchema>;

export interface Threat {
  id: string;
  type: string;
  severity: Severity;
  source_ip: string;
  description: string;
  probe?: Probe;
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
  /** W3C trace context of the publish, present when the trigger was traced and sampled. */
  traceparent?: string;
}

export interface ResetFrame {
  type: "reset";
  epoch: string;
}

/** Answer to a client's `{"type":"ping"}` (for clients, such as browsers, that cannot send WS pings). */
export interface PongFrame {
  type: "pong";
}

export type ServerFrame = HelloFrame | ThreatFrame | ResetFrame | PongFrame;

/**
 * The only frame a client may send. Anything else (non-JSON, unknown type, extra keys) closes the
 * connection with 1008; frames over the server's max payload close it with 1009.
 */
export const clientFrameSchema = z.object({ type: z.literal("ping") }).strict();
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** Every 4xx/5xx response body. `field` names the offending input (body field, query or header). */
export interface ErrorResponse {
  error: { code: string; message: string; field?: string };
}

/** `GET /api/threats?since=SEQ&limit=N`: frames with seq > since in seq order, as sent over WebSocket. */
export interface ThreatHistoryResponse {
  epoch: string;
  /** Last seq assigned in this epoch when the history was read. */
  head: number;
  threats: ThreatFrame[];
}

/** WebSocket close codes the backend uses, named for what they mean to a client. */
export const closeCodes = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
} as const;
