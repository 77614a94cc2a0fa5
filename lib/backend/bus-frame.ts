// Reading a threat frame that came off the bus (pub/sub message or history entry). Parsed once per pod,
// never per client: the hub needs only seq and published_at; clients get the original bytes.
import { CrosspodError } from "../core/crosspod-error.js";
import type { BusFrame } from "./redis-bus.js";

export class BusFrameError extends CrosspodError {
  override readonly code = "CROSSPOD_BUS_FRAME";
  override readonly kind = "internal";
}

export function parseBusFrame(text: string): BusFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BusFrameError(`bus message is not JSON: ${text.slice(0, 80)}`);
  }
  const frame = value as { type?: unknown; seq?: unknown; published_at?: unknown; traceparent?: unknown };
  if (
    frame.type !== "threat" ||
    typeof frame.seq !== "number" ||
    !Number.isSafeInteger(frame.seq) ||
    frame.seq < 1 ||
    typeof frame.published_at !== "number"
  ) {
    throw new BusFrameError(
      `bus message is not a threat frame with seq and published_at: ${text.slice(0, 80)}`,
    );
  }
  return {
    seq: frame.seq,
    publishedAt: frame.published_at,
    bytes: Buffer.from(text),
    traceparent: typeof frame.traceparent === "string" ? frame.traceparent : undefined,
  };
}
