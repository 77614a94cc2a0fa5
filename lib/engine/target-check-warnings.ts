// What `crosspod target check` warns about after its round trip, for a target file that parses but reads
// the frames wrong: a configured JSON path (id, seq, publishedAt, origin, probe) that matched nothing in
// the frames that carried the probe; where the probe really was when the probe path found nothing; and
// origin values that name no pod (the origin matrix would then be labelled with strangers).
import type { TargetFile } from "../core/target-file.js";
import type { SmokeResult } from "./target-smoke.js";

type FieldName = "id" | "seq" | "publishedAt" | "origin" | "probe";

interface PayloadPaths {
  /** "frames" (generic-json) or "socketio.payload". */
  prefix: string;
  paths: Partial<Record<FieldName, string>>;
}

function payloadPaths(file: TargetFile): PayloadPaths | undefined {
  const fields =
    file.adapter === "generic-json"
      ? { prefix: "frames", source: file.frames }
      : file.adapter === "socketio"
        ? { prefix: "socketio.payload", source: file.socketio.payload }
        : undefined;
  if (fields === undefined) return undefined;
  const { id, seq, publishedAt, origin, probe } = fields.source;
  return { prefix: fields.prefix, paths: { id, seq, publishedAt: publishedAt?.path, origin, probe } };
}

/** The JSON value a frame's text carries: a plain JSON frame, or a Socket.IO EVENT's first argument. */
function frameValue(text: string, file: TargetFile): unknown {
  try {
    if (file.adapter !== "socketio") return JSON.parse(text);
    const start = text.indexOf("[");
    const packet = start === -1 ? undefined : (JSON.parse(text.slice(start)) as unknown[]);
    return Array.isArray(packet) ? packet[1] : undefined;
  } catch {
    return undefined;
  }
}

/** The dotted path of the first value that holds the probe (an object with its run id, or text with it). */
export function findProbePath(value: unknown, runId: string, path = "", depth = 0): string | undefined {
  if (depth > 16) return undefined;
  if (typeof value === "string") return value.includes(runId) ? path || "(the whole frame)" : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  if ((value as { run?: unknown }).run === runId) return path || "(the whole frame)";
  for (const [key, child] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
    const found = findProbePath(child, runId, childPath, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

const shown: Record<FieldName, (frame: SmokeResult["deliveries"][number]["frame"]) => unknown> = {
  id: (frame) => frame.id,
  seq: (frame) => frame.seq,
  publishedAt: (frame) => frame.publishedAtMs,
  origin: (frame) => (frame.podOrigin === "unknown" ? undefined : frame.podOrigin),
  probe: (frame) => frame.probe,
};

export function targetCheckWarnings(file: TargetFile, result: SmokeResult): string[] {
  const warnings: string[] = [];
  const config = payloadPaths(file);
  const podNames = result.pods.map((pod) => pod.pod);
  if (config !== undefined) {
    const { prefix, paths } = config;
    if (result.deliveries.length > 0) {
      for (const field of ["id", "seq", "publishedAt", "origin"] as const) {
        const path = paths[field];
        if (path === undefined) continue;
        if (result.deliveries.every((delivery) => shown[field](delivery.frame) === undefined)) {
          const name = field === "publishedAt" ? `${prefix}.publishedAt.path` : `${prefix}.${field}`;
          warnings.push(
            `${name}: "${path}" matched nothing in the ${result.deliveries.length} frames that carried the probe`,
          );
        }
      }
    }
    if (paths.probe !== undefined && result.deliveries.length === 0 && result.probeRunId !== undefined) {
      for (const other of result.others) {
        const found = findProbePath(frameValue(other.fullText, file), result.probeRunId);
        if (found === undefined) continue;
        warnings.push(
          `${prefix}.probe: "${paths.probe}" found no probe, but ${other.pod}'s frame has it at "${found}"`,
        );
        break;
      }
    }
  }
  const strangers = [
    ...new Set(
      result.deliveries
        .map((delivery) => delivery.frame.podOrigin)
        .filter((origin) => origin !== "unknown" && !podNames.includes(origin)),
    ),
  ];
  if (strangers.length > 0) {
    warnings.push(
      `origin values ${strangers.map((name) => `"${name}"`).join(", ")} match no pod name (${podNames.join(", ")}): the origin matrix would show them as unknown pods; name the pods as the backend does`,
    );
  }
  return warnings;
}
