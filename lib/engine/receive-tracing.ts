// The receive side of sampled threats: for each (pod, frame traceparent) the first and last client that
// got the frame and how many did, recorded as one span per pod per threat (child of the publish span the
// frame names), not one per client. A frame's entry is ended once no client has received it for
// `quietMs`, and on close(). Only frames that carry a traceparent reach this class.
import type { SpanTracer } from "../tracing/span-tracer.js";

interface Reception {
  pod: string;
  traceparent: string;
  seq: number | undefined;
  firstMs: number;
  lastMs: number;
  clients: number;
}

/** Long enough for a fan-out to every client of a pod to finish; short enough to keep the map small. */
const defaultQuietMs = 2_000;

export class ReceiveTracing {
  private readonly open = new Map<string, Reception>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly tracer: SpanTracer,
    private readonly quietMs = defaultQuietMs,
  ) {
    this.timer = setInterval(() => this.endQuiet(performance.timeOrigin + performance.now()), quietMs);
    this.timer.unref();
  }

  received(pod: string, traceparent: string, seq: number | undefined, atMs: number): void {
    const key = `${pod} ${traceparent}`;
    const reception = this.open.get(key);
    if (reception === undefined) {
      this.open.set(key, { pod, traceparent, seq, firstMs: atMs, lastMs: atMs, clients: 1 });
      return;
    }
    reception.clients += 1;
    if (atMs > reception.lastMs) reception.lastMs = atMs;
  }

  /** Ends every reception still open. Idempotent. */
  close(): void {
    clearInterval(this.timer);
    this.endQuiet(Number.POSITIVE_INFINITY);
  }

  private endQuiet(nowMs: number): void {
    for (const [key, reception] of this.open) {
      if (nowMs - reception.lastMs < this.quietMs) continue;
      this.open.delete(key);
      this.tracer
        .startSpan("receive threat", {
          parent: reception.traceparent,
          role: "consumer",
          startMs: reception.firstMs,
          attributes: {
            "crosspod.pod": reception.pod,
            "crosspod.clients_received": reception.clients,
            "crosspod.first_client_ms": reception.firstMs,
            "crosspod.last_client_ms": reception.lastMs,
            ...(reception.seq === undefined ? {} : { "crosspod.seq": reception.seq }),
          },
        })
        .end(reception.lastMs);
    }
  }
}
