// Shape checks for the values VUs leave in Redis for each other (published log entries, events, subscriber
// snapshots). This run's own VUs wrote them, so a check needs only to catch a truncated or foreign value
// before handleSummary trusts it; it is done by hand because a k6 VU compiles every byte of its bundle and
// a validation library was most of them. Each check throws a message naming the first bad field.
import { CrosspodError } from "../../lib/core/crosspod-error.js";
import type { DeliveryFigures, RunEvent } from "../../lib/core/report-model.js";

/** A value in Redis that this run's VUs could not have written: a broken invariant, not the user's input. */
export class StoredValueError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_STORED_VALUE";
  override readonly kind = "internal";
}

export type Fields = Record<string, unknown>;

function fail(path: string, expected: string): never {
  throw new StoredValueError(`${path}: expected ${expected}`);
}

export function record(value: unknown, path: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(path, "an object");
  return value as Fields;
}

export function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) return fail(path, "a list");
  return value;
}

export function count(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) return fail(path, "a count");
  return value;
}

export function text(value: unknown, path: string): string {
  if (typeof value !== "string") return fail(path, "text");
  return value;
}

const eventKinds: readonly string[] = ["phase", "chaos", "error", "reset", "info"];

export function runEvent(value: unknown, path = "event"): RunEvent {
  const fields = record(value, path);
  if (typeof fields.t !== "number" || !(fields.t >= 0)) fail(`${path}.t`, "seconds since the start");
  if (!eventKinds.includes(fields.kind as string)) fail(`${path}.kind`, `one of ${eventKinds.join(", ")}`);
  text(fields.name, `${path}.name`);
  if (fields.target !== undefined) text(fields.target, `${path}.target`);
  if (fields.detail !== undefined) text(fields.detail, `${path}.detail`);
  return fields as unknown as RunEvent;
}

const deliveryCounts = [
  "expected",
  "received",
  "lost",
  "missedWhileDisconnected",
  "recovered",
  "duplicates",
  "outOfOrder",
  "resets",
] as const;

export function delivery(value: unknown, path: string): DeliveryFigures {
  const fields = record(value, path);
  for (const name of deliveryCounts) count(fields[name], `${path}.${name}`);
  list(fields.lostSamples, `${path}.lostSamples`).forEach((sample, i) => {
    text(sample, `${path}.lostSamples[${i}]`);
  });
  return fields as unknown as DeliveryFigures;
}
