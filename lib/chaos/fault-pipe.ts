// One direction of one proxied TCP connection: bytes read from `source` are written to `destination`
// after the link's current latency (+ jitter), within its bandwidth, and not at all while it is
// blackholed. Chunks leave in the order they arrived, so a stream protocol (Redis, WebSocket) stays intact.
import type { Socket } from "node:net";
import type { NetworkFaults } from "./network-faults.js";

interface QueuedChunk {
  bytes: Buffer;
  dueAtMs: number;
}

/** Above this many held bytes the source is paused, so a slow or blackholed link applies backpressure. */
const highWaterBytes = 1024 * 1024;
const lowWaterBytes = 256 * 1024;
/** The token bucket holds at most this much of a second's allowance, so bursts stay short. */
const burstSeconds = 0.05;

export class FaultPipe {
  private readonly queue: QueuedChunk[] = [];
  private queuedBytes = 0;
  private lastDueAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingForDrain = false;
  private sourcePaused = false;
  private ended = false;
  private tokens = 0;
  private tokensAtMs = 0;

  constructor(
    private readonly source: Socket,
    private readonly destination: Socket,
    private readonly faults: () => NetworkFaults,
    private readonly random: () => number,
  ) {
    source.on("data", (chunk: Buffer) => this.push(chunk));
    source.on("end", () => {
      this.ended = true;
      this.flush();
    });
    destination.on("drain", () => {
      this.waitingForDrain = false;
      this.flush();
    });
  }

  /** Writes what is due; called again by the pipe's own timer, and by the proxy after heal. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.destination.destroyed) {
      this.stop();
      return;
    }
    const faults = this.faults();
    if (faults.blackhole || this.waitingForDrain) return;
    while (this.queue.length > 0) {
      const chunk = this.queue[0] as QueuedChunk;
      const nowMs = performance.now();
      if (chunk.dueAtMs > nowMs) {
        this.wakeIn(chunk.dueAtMs - nowMs);
        return;
      }
      let bytes = chunk.bytes;
      if (faults.bandwidth) {
        const allowed = this.takeTokens(faults.bandwidth.bytesPerSecond, bytes.length, nowMs);
        if (allowed === 0) {
          this.wakeIn((1000 * Math.min(bytes.length, 1024)) / faults.bandwidth.bytesPerSecond);
          return;
        }
        if (allowed < bytes.length) {
          chunk.bytes = bytes.subarray(allowed);
          bytes = bytes.subarray(0, allowed);
        } else {
          this.queue.shift();
        }
      } else {
        this.queue.shift();
      }
      this.queuedBytes -= bytes.length;
      const more = this.destination.write(bytes);
      if (!more) this.waitingForDrain = true;
      if (this.sourcePaused && this.queuedBytes <= lowWaterBytes) {
        this.sourcePaused = false;
        this.source.resume();
      }
      if (!more) return;
    }
    if (this.ended) this.destination.end();
  }

  /** Drops everything held and stops the timer: the connection is gone. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private push(bytes: Buffer): void {
    const faults = this.faults();
    const nowMs = performance.now();
    const idle = this.queue.length === 0 && !this.waitingForDrain;
    if (idle && !faults.latency && !faults.bandwidth && !faults.blackhole) {
      this.lastDueAtMs = nowMs;
      if (!this.destination.write(bytes)) this.waitingForDrain = true;
      return;
    }
    const latency = faults.latency;
    const delayMs = latency ? Math.max(0, latency.latencyMs + (2 * this.random() - 1) * latency.jitterMs) : 0;
    // Jitter may make a chunk due before the one ahead of it; it waits for it instead, as on a TCP stream.
    const dueAtMs = Math.max(nowMs + delayMs, this.lastDueAtMs);
    this.lastDueAtMs = dueAtMs;
    this.queue.push({ bytes, dueAtMs });
    this.queuedBytes += bytes.length;
    if (!this.sourcePaused && this.queuedBytes > highWaterBytes) {
      this.sourcePaused = true;
      this.source.pause();
    }
    if (this.queue.length === 1) this.flush();
  }

  private takeTokens(bytesPerSecond: number, wanted: number, nowMs: number): number {
    const burst = Math.max(1, bytesPerSecond * burstSeconds);
    if (this.tokensAtMs === 0) this.tokens = burst;
    else this.tokens = Math.min(burst, this.tokens + ((nowMs - this.tokensAtMs) / 1000) * bytesPerSecond);
    this.tokensAtMs = nowMs;
    const allowed = Math.min(wanted, Math.floor(this.tokens));
    this.tokens -= allowed;
    return allowed;
  }

  private wakeIn(ms: number): void {
    this.timer = setTimeout(() => this.flush(), Math.max(1, Math.ceil(ms)));
  }
}
