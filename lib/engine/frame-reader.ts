// Reads one WebSocket message from a crosspod pod: parses the JSON once and classifies it.
// Hot path (one call per received frame): structural checks only, no schema library.
import { isProbe, type Probe } from "../core/probe.js";

export type ReadFrame =
  | { type: "hello"; pod: string; seq: number; epoch: string; resume: boolean }
  | { type: "threat"; seq: number; podOrigin: string; publishedAtMs: number; probe: Probe | undefined }
  | { type: "reset"; epoch: string }
  | { type: "pong" }
  | { type: "invalid"; reason: string };

function invalid(reason: string): ReadFrame {
  return { type: "invalid", reason };
}

export function readFrame(text: string): ReadFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid("not JSON");
  }
  if (typeof value !== "object" || value === null) return invalid("not an object");
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case "threat": {
      const { seq, pod_origin, published_at, threat } = frame;
      if (typeof seq !== "number" || typeof published_at !== "number") {
        return invalid("threat frame without numeric seq and published_at");
      }
      const probe =
        typeof threat === "object" && threat !== null ? (threat as { probe?: unknown }).probe : undefined;
      return {
        type: "threat",
        seq,
        podOrigin: typeof pod_origin === "string" ? pod_origin : "unknown",
        publishedAtMs: published_at,
        probe: isProbe(probe) ? probe : undefined,
      };
    }
    case "hello": {
      const { pod, seq, epoch, resume } = frame;
      if (typeof pod !== "string" || typeof seq !== "number") {
        return invalid("hello frame without pod and numeric seq");
      }
      return { type: "hello", pod, seq, epoch: String(epoch ?? ""), resume: resume === true };
    }
    case "reset":
      return { type: "reset", epoch: String(frame.epoch ?? "") };
    case "pong":
      return { type: "pong" };
    default:
      return invalid(`unknown frame type ${JSON.stringify(frame.type)}`);
  }
}
