// Reads one WebSocket message from a pod into a typed frame, or undefined when it is not one the console
// understands. A structural check rather than zod: it runs once per threat on the render path and keeps
// the bundle small; anything it lets through is only ever shown as text.
import type { HelloFrame, ResetFrame, Severity, ThreatFrame } from "../core/threat-protocol.js";

/** The frames the console acts on; anything else the pod sends (pongs, future types) is ignored. */
export type ConsoleFrame = HelloFrame | ThreatFrame | ResetFrame;

const knownSeverities: ReadonlySet<string> = new Set<Severity>(["low", "medium", "high", "critical"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

export function parseServerFrame(data: unknown): ConsoleFrame | undefined {
  if (typeof data !== "string") return undefined;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(frame)) return undefined;
  switch (frame.type) {
    case "hello":
      return typeof frame.pod === "string" &&
        isFiniteNumber(frame.seq) &&
        typeof frame.epoch === "string" &&
        typeof frame.resume === "boolean"
        ? (frame as unknown as ConsoleFrame)
        : undefined;
    case "threat": {
      const threat = frame.threat;
      return isFiniteNumber(frame.seq) &&
        typeof frame.id === "string" &&
        typeof frame.pod_origin === "string" &&
        isFiniteNumber(frame.published_at) &&
        isRecord(threat) &&
        typeof threat.type === "string" &&
        typeof threat.severity === "string" &&
        knownSeverities.has(threat.severity) &&
        typeof threat.source_ip === "string" &&
        typeof threat.description === "string"
        ? (frame as unknown as ConsoleFrame)
        : undefined;
    }
    case "reset":
      return typeof frame.epoch === "string" ? (frame as unknown as ConsoleFrame) : undefined;
    default:
      return undefined;
  }
}
