// The pod's fan-out hub: takes frames off the bus and writes them to every client socket in seq order,
// at most once per connection. In `recover` mode it backfills gaps from history and resumes clients
// from `since`; in `pubsub` mode it forwards what arrives, as the seed did (at-most-once).
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { epochNowMs } from "../core/epoch-clock.js";
import type { HelloFrame, ResetFrame } from "../core/threat-protocol.js";
import { closeCodes } from "../core/threat-protocol.js";
import type { BackendMetrics } from "./backend-metrics.js";
import type { BackendTracing } from "./backend-tracing.js";
import type { BusEvents, BusFrame, BusPosition, ThreatBus } from "./redis-bus.js";

export interface FanoutHubOptions {
  podName: string;
  delivery: "recover" | "pubsub";
  slowConsumerBytes: number;
  bus: ThreatBus;
  metrics: BackendMetrics;
  tracing: BackendTracing;
  logger: Logger;
}

interface HubClient {
  readonly ws: WebSocket;
  /** The upgraded TCP socket under `ws`, corked while a burst of frames is written (see cork()). */
  readonly socket: Duplex | undefined;
  corked: boolean;
  /** Highest seq written to this socket in the current epoch: the per-connection duplicate guard. */
  lastSent: number;
  /** Frames fanned out while this client's resume backfill runs; undefined once it is live. */
  pending: BusFrame[] | undefined;
  pendingBytes: number;
  /** Identity of the running resume; a reset or close replaces it, which cancels the resume. */
  resume: object | undefined;
}

const historyPageSize = 1000;
/** Upper bound on pages per backfill (1M frames), so no loop chases a runaway stream forever. */
const maxBackfillPages = 1000;
/** Live frames held while the pod synchronises; past this, recover mode re-reads them from history. */
const maxHeldFrames = 10_000;
const syncRetryMs = 500;
/** A resume span links to at most this many replayed traces: enough to find them, bounded per client. */
const maxResumeLinks = 32;
/** A slow consumer gets this long to read its close frame before its socket is destroyed. */
const slowCloseGraceMs = 2000;
const textFrame = { binary: false } as const;

function resetFrame(epoch: string): string {
  return JSON.stringify({ type: "reset", epoch } satisfies ResetFrame);
}

export class FanoutHub implements BusEvents {
  private readonly clients = new Set<HubClient>();
  /** Clients whose socket is corked for the frames of the current event-loop turn. */
  private corked: HubClient[] = [];
  private readonly recover: boolean;
  private readonly logger: Logger;
  /** Undefined until the first sync: until then the pod has no position and refuses clients. */
  private epoch: string | undefined;
  /** The seq `epoch` began after: a client reset into it starts there, never before (see redis-bus.ts). */
  private epochBase = 0;
  /** Highest seq this pod has fanned out in `epoch`. Frames go out strictly in order after it. */
  private lastSeq = 0;
  /**
   * Highest seq accounted for by the last sync (position read, history backfilled): a live frame at or
   * below it is a duplicate of what was already sent, not a sign that the epoch changed.
   */
  private settledThrough = 0;
  private syncing = true;
  private syncRequest: { position: BusPosition | undefined } | undefined;
  private syncRunning = false;
  private held: BusFrame[] = [];
  private heldOverflow = false;
  private closed = false;

  constructor(private readonly options: FanoutHubOptions) {
    this.recover = options.delivery === "recover";
    this.logger = options.logger.child({ component: "fanout-hub" });
  }

  /** True once the pod knows its epoch and head, i.e. it can tell a client where it starts. */
  get accepting(): boolean {
    return this.epoch !== undefined && !this.closed;
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  onFrame(frame: BusFrame): void {
    this.options.metrics.redisReceived.inc();
    if (this.closed) return;
    if (this.syncing) this.hold(frame);
    else this.accept(frame);
  }

  onSubscribed(position: BusPosition): void {
    this.requestSync(position);
  }

  onDown(): void {
    // Nothing arrives while the subscription is down; hold whatever races in until the resync.
    this.syncing = true;
  }

  onEpochChanged(epoch: string): void {
    if (this.epoch !== undefined && epoch !== this.epoch) this.requestSync(undefined);
  }

  /**
   * Registers a connected client: hello first, then, in recover mode, frames after `since` (from
   * history, then live, with nothing skipped or repeated). A `clientEpoch` other than the pod's means
   * the client's position belongs to lost history: it gets a reset and everything in this epoch.
   */
  add(ws: WebSocket, since: number | undefined, clientEpoch: string | undefined, socket?: Duplex): void {
    const epoch = this.epoch ?? "";
    const client: HubClient = {
      ws,
      socket,
      corked: false,
      lastSent: this.lastSeq,
      pending: undefined,
      pendingBytes: 0,
      resume: undefined,
    };
    const hello: HelloFrame = {
      type: "hello",
      pod: this.options.podName,
      seq: this.lastSeq,
      epoch,
      resume: this.recover,
    };
    ws.send(JSON.stringify(hello));
    this.clients.add(client);
    this.options.metrics.wsConnections.inc();
    ws.once("close", () => this.remove(client));
    if (!this.recover) return;
    let from = since;
    if (clientEpoch !== undefined && clientEpoch !== epoch) {
      ws.send(resetFrame(epoch));
      from = this.epochBase;
    }
    if (from === undefined) return;
    client.lastSent = from;
    if (from !== this.lastSeq) void this.resumeClient(client, this.lastSeq);
  }

  /** Closes every client (1001 on shutdown) and stops fan-out; resolves when all sockets are closed. */
  async closeAll(code: number, reason: string, timeoutMs: number): Promise<void> {
    this.closed = true;
    const sockets = [...this.clients].map((client) => client.ws);
    const allClosed = Promise.all(
      sockets.map((ws) =>
        ws.readyState === ws.CLOSED ? undefined : new Promise((r) => ws.once("close", r)),
      ),
    );
    for (const ws of sockets) ws.close(code, reason);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([allClosed, timedOut]);
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
  }

  private accept(frame: BusFrame): void {
    if (frame.seq === this.lastSeq + 1 || (!this.recover && frame.seq > this.lastSeq)) {
      this.fanOut(frame);
    } else if (frame.seq > this.lastSeq) {
      // A gap: frames were published that never reached this pod. History has them (and this one).
      this.hold(frame);
      this.requestSync(undefined);
    } else if (frame.seq > this.settledThrough) {
      // An old seq that no backfill explains: the sequence restarted, so the epoch must have changed.
      this.hold(frame);
      this.requestSync(undefined);
    }
  }

  private hold(frame: BusFrame): void {
    if (this.held.length < maxHeldFrames) {
      this.held.push(frame);
      return;
    }
    if (!this.heldOverflow)
      this.logger.warn({ held: this.held.length }, "too many frames held during a resync");
    // Recover mode re-reads them from history; pubsub mode promises nothing for them.
    this.held = [];
    this.heldOverflow = true;
  }

  /** Writes one frame to every live client: the hot path, one serialization shared by all sockets. */
  private fanOut(frame: BusFrame): void {
    this.lastSeq = frame.seq;
    const { metrics, slowConsumerBytes } = this.options;
    const traceparent = frame.traceparent;
    const startMs = traceparent === undefined ? 0 : epochNowMs();
    let delivered = 0;
    let coalesced = 0;
    let slow = 0;
    for (const client of this.clients) {
      if (client.pending !== undefined) {
        client.pending.push(frame);
        client.pendingBytes += frame.bytes.length;
        if (client.pendingBytes > slowConsumerBytes) {
          this.closeSlow(client, client.pendingBytes);
          slow++;
        }
        continue;
      }
      if (frame.seq <= client.lastSent) continue;
      client.lastSent = frame.seq;
      if (client.corked) coalesced++;
      this.cork(client);
      client.ws.send(frame.bytes, textFrame);
      delivered++;
      if (client.ws.bufferedAmount > slowConsumerBytes) {
        this.closeSlow(client, client.ws.bufferedAmount);
        slow++;
      }
    }
    if (traceparent !== undefined) {
      this.options.tracing.delivery(traceparent, {
        seq: frame.seq,
        startMs,
        clientsWritten: delivered,
        bytesWritten: delivered * frame.bytes.length,
        coalescedWrites: coalesced,
        slowConsumersSkipped: slow,
      });
    }
    if (delivered === 0) return;
    metrics.delivered.inc(delivered);
    // Once per frame, at the last client's write: the time until every client on this pod had it.
    // (An observation costs microseconds; one per delivery would dominate a 10k-client fan-out.)
    metrics.observeFanout((epochNowMs() - frame.publishedAt) / 1000, traceparent);
  }

  /**
   * Frames that arrive in one event-loop turn (a burst read off the Redis socket) leave in one write per
   * client instead of one per frame: the socket stays corked until the turn's microtasks run. The write
   * syscall per frame per client is most of a pod's CPU under load (a CPU profile at 1,000 clients put
   * about half of it in writev), and bursts are what a pod near its knee sees.
   */
  private cork(client: HubClient): void {
    if (client.corked || client.socket === undefined) return;
    client.corked = true;
    client.socket.cork();
    this.corked.push(client);
    if (this.corked.length === 1) queueMicrotask(() => this.uncorkAll());
  }

  private uncorkAll(): void {
    const corked = this.corked;
    this.corked = [];
    for (const client of corked) {
      client.corked = false;
      client.socket?.uncork();
    }
  }

  private requestSync(position: BusPosition | undefined): void {
    if (this.closed) return;
    this.syncing = true;
    // The latest request wins: a position from onSubscribed is the freshest, none means "read it".
    this.syncRequest = { position };
    void this.syncLoop();
  }

  /** Runs requested syncs one at a time, then replays held frames; replay may request another sync. */
  private async syncLoop(): Promise<void> {
    if (this.syncRunning) return;
    this.syncRunning = true;
    try {
      for (
        let request = this.syncRequest;
        request !== undefined && !this.closed;
        request = this.syncRequest
      ) {
        this.syncRequest = undefined;
        try {
          await this.synchronise(request.position);
        } catch (error) {
          this.logger.warn({ err: error }, "resync failed");
          // Bus down: its next onSubscribed requests the sync again. Otherwise retry shortly.
          if (!this.options.bus.ready) return;
          await new Promise((resolve) => setTimeout(resolve, syncRetryMs).unref());
          this.syncRequest ??= { position: undefined };
          continue;
        }
        if (this.syncRequest !== undefined) continue;
        this.syncing = false;
        this.replayHeld();
      }
    } finally {
      this.syncRunning = false;
    }
  }

  private async synchronise(known: BusPosition | undefined): Promise<void> {
    const position = known ?? (await this.options.bus.position());
    if (this.epoch === undefined) {
      // First contact: start at the head; nothing before it was promised to anyone.
      this.epoch = position.epoch;
      this.epochBase = position.base;
      this.lastSeq = position.head;
      this.settledThrough = position.head;
      this.logger.info(position, "hub positioned");
      return;
    }
    if (position.epoch !== this.epoch) this.reset(position.epoch, position.base);
    if (this.recover) {
      do {
        this.heldOverflow = false;
        await this.backfill();
      } while (this.heldOverflow && !this.closed);
    }
    this.heldOverflow = false;
    // Same epoch, history read: any held frame at or below this point is a duplicate to drop.
    this.settledThrough = this.lastSeq;
  }

  /** Reads history after lastSeq and fans it out, so the pod's stream of frames has no gap. */
  private async backfill(): Promise<void> {
    const startSeq = this.lastSeq;
    for (let page = 0; page < maxBackfillPages; page++) {
      const frames = await this.options.bus.history(this.lastSeq + 1, historyPageSize);
      for (const frame of frames) {
        if (frame.seq <= this.lastSeq) continue;
        if (frame.seq !== this.lastSeq + 1) {
          this.logger.warn(
            { from: this.lastSeq + 1, to: frame.seq - 1 },
            "history trimmed: these seqs are gone",
          );
        }
        this.fanOut(frame);
      }
      if (frames.length < historyPageSize) break;
    }
    const count = this.lastSeq - startSeq;
    if (count > 0) {
      this.options.metrics.backfilled.inc({ reason: "gap" }, count);
      this.logger.info({ from: startSeq + 1, to: this.lastSeq }, "backfilled a gap from history");
    }
  }

  /** History is gone: every position held by the pod or its clients is void. */
  private reset(epoch: string, base: number): void {
    this.logger.warn({ previous: this.epoch, epoch, base }, "epoch changed: resetting clients");
    this.epoch = epoch;
    this.epochBase = base;
    this.lastSeq = base;
    this.settledThrough = base;
    // Held frames may belong to either epoch; recover mode re-reads the new epoch from seq 1.
    this.held = [];
    const reset = Buffer.from(resetFrame(epoch));
    for (const client of this.clients) {
      client.lastSent = base;
      client.pending = undefined;
      client.pendingBytes = 0;
      client.resume = undefined;
      client.ws.send(reset, textFrame);
    }
  }

  private replayHeld(): void {
    const held = this.held;
    this.held = [];
    let index = 0;
    for (; index < held.length && !this.syncing; index++) {
      this.accept(held[index] as BusFrame);
    }
    // accept() held the frame that stopped the loop; the rest follow it, in order.
    if (index < held.length) this.held = this.held.concat(held.slice(index));
  }

  /**
   * Brings one client from its `since` (client.lastSent) to live: history (since, target] where target
   * is the pod's position at registration, then the frames the hub fanned out meanwhile (pending).
   */
  private async resumeClient(client: HubClient, target: number): Promise<void> {
    const token = {};
    client.resume = token;
    const pending: BusFrame[] = [];
    client.pending = pending;
    const cancelled = () => client.resume !== token || this.closed;
    const startMs = epochNowMs();
    let resumed = 0;
    const links: string[] = [];
    try {
      if (client.lastSent > target && client.lastSent > (await this.options.bus.position()).head) {
        // Ahead of this pod is fine (it may lag a little); ahead of Redis's head is a position from an
        // epoch that is gone. Tell the client, then give it this epoch from the start.
        if (cancelled()) return;
        client.ws.send(resetFrame(this.epoch ?? ""));
        client.lastSent = this.epochBase;
      }
      if (cancelled()) return;
      while (client.lastSent < target) {
        const from = client.lastSent + 1;
        const frames = await this.options.bus.history(
          from,
          Math.min(historyPageSize, target - client.lastSent),
        );
        if (cancelled()) return;
        const before = client.lastSent;
        for (const frame of frames) {
          if (frame.seq > target) break;
          if (frame.seq <= client.lastSent) continue;
          await this.writePaced(client, frame);
          if (cancelled()) return;
          resumed++;
          if (frame.traceparent !== undefined && links.length < maxResumeLinks) links.push(frame.traceparent);
        }
        if (client.lastSent === before) break;
      }
      // Go live: replay what was fanned out meanwhile. The array may grow while this loop awaits.
      for (let index = 0; index < pending.length; index++) {
        const frame = pending[index] as BusFrame;
        client.pendingBytes -= frame.bytes.length;
        if (frame.seq <= client.lastSent) continue;
        await this.writePaced(client, frame);
        if (cancelled()) return;
      }
    } catch (error) {
      if (cancelled()) return;
      this.logger.warn({ err: error }, "resume from history failed; asking the client to reconnect");
      this.remove(client);
      client.ws.close(closeCodes.tryAgainLater, "history unavailable; reconnect with since");
      return;
    }
    client.pending = undefined;
    client.pendingBytes = 0;
    client.resume = undefined;
    if (resumed > 0) this.options.metrics.backfilled.inc({ reason: "resume" }, resumed);
    if (links.length > 0) this.options.tracing.resume(links, resumed, startMs);
  }

  private write(client: HubClient, frame: BusFrame, onWritten?: () => void): void {
    client.lastSent = frame.seq;
    client.ws.send(frame.bytes, textFrame, onWritten);
    this.options.metrics.delivered.inc();
    this.options.metrics.observeFanout((epochNowMs() - frame.publishedAt) / 1000, frame.traceparent);
    if (client.ws.bufferedAmount > this.options.slowConsumerBytes) {
      this.closeSlow(client, client.ws.bufferedAmount);
    }
  }

  /**
   * Writes one frame of a resume; past half the slow-consumer limit it waits until the socket has
   * taken the frame, so a large resume is paced by the client and never mistaken for a slow consumer.
   */
  private async writePaced(client: HubClient, frame: BusFrame): Promise<void> {
    if (client.ws.bufferedAmount <= this.options.slowConsumerBytes / 2) {
      this.write(client, frame);
      return;
    }
    await new Promise<void>((resolve) => this.write(client, frame, () => resolve()));
  }

  private closeSlow(client: HubClient, bufferedBytes: number): void {
    this.remove(client);
    this.options.metrics.slowConsumerClosed.inc();
    this.logger.warn({ bufferedBytes }, "closing a slow consumer");
    client.ws.close(closeCodes.tryAgainLater, "slow consumer: too many bytes buffered");
    const timer = setTimeout(() => client.ws.terminate(), slowCloseGraceMs);
    timer.unref();
    client.ws.once("close", () => clearTimeout(timer));
  }

  private remove(client: HubClient): void {
    client.resume = undefined;
    client.pending = undefined;
    if (this.clients.delete(client)) this.options.metrics.wsConnections.dec();
  }
}
