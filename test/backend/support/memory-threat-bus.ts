// An in-memory ThreatBus for the fan-out hub's unit tests: history kept in an array, and live delivery
// under the test's control, so a test can drop a live frame (a gap), repeat one (a duplicate) or lose
// the whole history (a new epoch) exactly when it wants. It keeps the contract of lib/backend/redis-bus.ts:
// dense seqs per epoch, history in seq order, a position that names its epoch.
import type {
  BusEvents,
  BusFrame,
  BusPosition,
  PublishRequest,
  PublishResult,
  ThreatBus,
} from "../../../lib/backend/redis-bus.js";

export class MemoryThreatBus implements ThreatBus {
  ready = true;
  readonly primary = "memory";
  /** The seq the epoch began after: 0, or the head when rotate() started a new epoch. */
  private base = 0;
  private events: BusEvents | undefined;
  private frames: BusFrame[] = [];
  private epoch = "epoch-1";

  start(events: BusEvents): void {
    this.events = events;
  }

  /** Appends seqs to history without delivering them live; returns their frames. */
  append(count: number): BusFrame[] {
    const added: BusFrame[] = [];
    for (let i = 0; i < count; i++) {
      const seq = this.frames.length + 1;
      const publishedAt = Date.now();
      const text = JSON.stringify({
        type: "threat",
        seq,
        id: `t-${seq}`,
        pod_origin: "pod-x",
        published_at: publishedAt,
        threat: { id: `t-${seq}`, type: "malware", severity: "high", source_ip: "10.0.0.1", description: "" },
      });
      const frame = { seq, publishedAt, bytes: Buffer.from(text), traceparent: undefined };
      this.frames.push(frame);
      added.push(frame);
    }
    return added;
  }

  /** Delivers history frames live, in the order given (a test may skip or repeat seqs). */
  deliver(...seqs: number[]): void {
    for (const seq of seqs) {
      const frame = this.frames[seq - 1];
      if (frame === undefined) throw new Error(`memory bus: seq ${seq} was never published`);
      this.events?.onFrame(frame);
    }
  }

  /** Publishes `count` threats and delivers each live, as Redis pub/sub would. */
  publishLive(count: number): void {
    for (const frame of this.append(count)) this.events?.onFrame(frame);
  }

  /** The subscription is (re-)established: tells the hub the current position. */
  subscribed(): void {
    this.events?.onSubscribed({ epoch: this.epoch, head: this.frames.length, base: this.base });
  }

  /** Redis lost its data: a new epoch whose seqs start again at 1. */
  loseHistory(epoch: string): void {
    this.epoch = epoch;
    this.base = 0;
    this.frames = [];
  }

  /** A seq regression was found: a new epoch whose seqs continue after the current head. */
  rotate(epoch: string): void {
    this.epoch = epoch;
    this.base = this.frames.length;
    this.events?.onEpochChanged(epoch);
  }

  async publish(request: PublishRequest): Promise<PublishResult> {
    const [frame] = this.append(1);
    if (frame === undefined || request.id === "") throw new Error("memory bus: nothing published");
    return { seq: frame.seq, publishedAt: frame.publishedAt, epoch: this.epoch };
  }

  async history(fromSeq: number, limit: number): Promise<BusFrame[]> {
    return this.frames.filter((frame) => frame.seq >= fromSeq).slice(0, limit);
  }

  async find(id: string): Promise<string | undefined> {
    return this.frames.find((frame) => `t-${frame.seq}` === id)?.bytes.toString();
  }

  async position(): Promise<BusPosition> {
    return { epoch: this.epoch, head: this.frames.length, base: this.base };
  }

  async close(): Promise<void> {
    this.ready = false;
  }
}
