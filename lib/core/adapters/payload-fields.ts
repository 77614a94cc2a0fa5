// Where a backend puts the facts crosspod measures inside a delivery's JSON payload: id, seq, published
// time (and its unit), the echoed probe, the origin pod. Compiled once into one reader per adapter, shared
// by generic-json (the frame is the payload) and socketio (the event's first argument is).
import { isProbe, type Probe } from "../probe.js";
import { compileJsonPath } from "./json-path.js";
import type { DeliveryFrame } from "./protocol-adapter.js";

export const timeUnits = ["ms", "s", "us", "iso"] as const;
export type TimeUnit = (typeof timeUnits)[number];

export interface PayloadFields {
  id?: string;
  seq?: string;
  publishedAt?: { path: string; unit: TimeUnit };
  /** Where the probe comes back: a JSON object, or a string that contains the probe's JSON. */
  probe?: string;
  origin?: string;
}

/** A frame whose value at `path` equals `equals`. */
export interface FrameMatch {
  path: string;
  equals: string | number | boolean | null;
}

export type PayloadReader = (payload: unknown, offset: string | undefined) => DeliveryFrame;

/** A probe object, or one embedded as JSON text in a string field ("load test {…}"). */
export function readProbe(value: unknown): Probe | undefined {
  if (typeof value === "string") {
    const start = value.indexOf("{");
    const end = value.lastIndexOf("}");
    if (start < 0 || end <= start) return undefined;
    try {
      value = JSON.parse(value.slice(start, end + 1));
    } catch {
      return undefined;
    }
  }
  return isProbe(value) ? value : undefined;
}

/** A time value in `unit` as epoch ms; undefined when it is missing or not a time. */
export function toEpochMs(value: unknown, unit: TimeUnit): number | undefined {
  if (unit === "iso") {
    const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
    return Number.isFinite(ms) ? ms : undefined;
  }
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return undefined;
  return unit === "s" ? n * 1000 : unit === "us" ? n / 1000 : n;
}

/** `prefix` names the fields' place in the target file for errors (e.g. "frames"). */
export function compilePayloadReader(fields: PayloadFields, prefix: string): PayloadReader {
  const id = fields.id === undefined ? undefined : compileJsonPath(fields.id, `${prefix}.id`);
  const seq = fields.seq === undefined ? undefined : compileJsonPath(fields.seq, `${prefix}.seq`);
  const probe = fields.probe === undefined ? undefined : compileJsonPath(fields.probe, `${prefix}.probe`);
  const origin = fields.origin === undefined ? undefined : compileJsonPath(fields.origin, `${prefix}.origin`);
  const publishedAtPath =
    fields.publishedAt === undefined
      ? undefined
      : compileJsonPath(fields.publishedAt.path, `${prefix}.publishedAt.path`);
  const unit = fields.publishedAt?.unit ?? "ms";
  return (payload, offset) => {
    const idValue = id?.(payload);
    const seqValue = seq?.(payload);
    const originValue = origin?.(payload);
    return {
      type: "delivery",
      id: typeof idValue === "string" ? idValue : typeof idValue === "number" ? String(idValue) : undefined,
      seq: typeof seqValue === "number" ? seqValue : undefined,
      publishedAtMs: publishedAtPath === undefined ? undefined : toEpochMs(publishedAtPath(payload), unit),
      podOrigin: typeof originValue === "string" ? originValue : "unknown",
      probe: probe === undefined ? undefined : readProbe(probe(payload)),
      offset,
    };
  };
}

/** True when the payload's value at the match's path equals its value; `field` names it for errors. */
export function compileMatch(match: FrameMatch, field: string): (payload: unknown) => boolean {
  const read = compileJsonPath(match.path, `${field}.path`);
  const equals = match.equals;
  return (payload) => read(payload) === equals;
}

/** True when every match holds (an empty list matches everything). */
export function compileAllMatch(
  matches: readonly FrameMatch[],
  prefix: string,
): (payload: unknown) => boolean {
  const checks = matches.map((match, i) => compileMatch(match, `${prefix}[${i}]`));
  if (checks.length === 0) return () => true;
  return (payload) => checks.every((check) => check(payload));
}

/** True when any of the matches holds (an empty list matches nothing). */
export function compileAnyMatch(
  matches: readonly FrameMatch[],
  prefix: string,
): (payload: unknown) => boolean {
  const checks = matches.map((match, i) => compileMatch(match, `${prefix}[${i}]`));
  if (checks.length === 0) return () => false;
  return (payload) => checks.some((check) => check(payload));
}
