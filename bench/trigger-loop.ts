// Triggers at a constant arrival rate (open model) to pods round-robin, for one step of the fan-out
// bench. The same loop drives every system, so the workload is identical; a reply's seq is kept when
// the system has one (the reference backend and the floor), and the probe's n always.
import { Agent, request } from "node:http";
import type { PublishedTrigger } from "../lib/core/delivery-checker.js";
import { epochNowMs } from "../lib/core/epoch-clock.js";
import { arrivalSchedule, dueAtMs, dueCount } from "../lib/engine/arrival-schedule.js";

export interface StepTriggers {
  sent: number;
  accepted: number;
  failed: number;
  /** Sends that started more than 10 ms after their due time. */
  lateStarts: number;
}

const lateToleranceMs = 10;
const maxInFlight = 500;
const requestTimeoutMs = 10_000;

export class TriggerLoop {
  readonly published: PublishedTrigger[] = [];
  headSeq: number | undefined;
  private n = 0;
  // Its own keep-alive client (not the engine's), so the bench drives every system the same way.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    private readonly runId: string,
    private readonly publisher: string,
    private readonly urls: readonly string[],
  ) {}

  async run(ratePerSecond: number, seconds: number): Promise<StepTriggers> {
    const step: StepTriggers = { sent: 0, accepted: 0, failed: 0, lateStarts: 0 };
    const schedule = arrivalSchedule(performance.now(), ratePerSecond, seconds);
    const inFlight = new Set<Promise<void>>();
    let next = 0;
    while (next < schedule.total) {
      const nowMs = performance.now();
      for (const due = dueCount(schedule, nowMs); next < due; next++) {
        if (nowMs - dueAtMs(schedule, next) > lateToleranceMs) step.lateStarts++;
        step.sent++;
        if (inFlight.size >= maxInFlight) {
          step.failed++;
          continue;
        }
        const request = this.send(next, step).finally(() => inFlight.delete(request));
        inFlight.add(request);
      }
      if (next < schedule.total) {
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, dueAtMs(schedule, next) - performance.now())),
        );
      }
    }
    await Promise.all(inFlight);
    return step;
  }

  close(): void {
    this.agent.destroy();
  }

  private async send(index: number, step: StepTriggers): Promise<void> {
    this.n += 1;
    const probe = { run: this.runId, publisher: this.publisher, n: this.n, t: epochNowMs() };
    const url = this.urls[index % this.urls.length] as string;
    try {
      const { status, body } = await this.post(url, JSON.stringify({ probe }));
      const reply = body as { seq?: unknown; published_at?: unknown } | undefined;
      if (status !== 202 || typeof reply?.published_at !== "number") {
        step.failed++;
        return;
      }
      step.accepted++;
      const seq = typeof reply.seq === "number" ? reply.seq : undefined;
      this.published.push({
        ...(seq === undefined ? {} : { seq }),
        publisher: this.publisher,
        n: probe.n,
        acceptedAtMs: reply.published_at,
      });
      if (seq !== undefined && (this.headSeq === undefined || seq > this.headSeq)) this.headSeq = seq;
    } catch {
      step.failed++;
    }
  }

  private post(baseUrl: string, body: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${baseUrl}/api/threats/trigger`,
        {
          method: "POST",
          agent: this.agent,
          timeout: requestTimeoutMs,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no reply within ${requestTimeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }
}
