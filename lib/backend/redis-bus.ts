// The bus contract between pods: how a threat is published to history and to every pod, and what a pod
// may rely on when it fans threats out. RedisThreatBus (redis-threat-bus.ts) is the implementation.
import type { Threat } from "../core/threat-protocol.js";

/** A published threat as it travels between pods: its seq, publish time and the frame bytes clients get. */
export interface BusFrame {
  seq: number;
  /** Epoch milliseconds (µs resolution) from Redis's clock, the same value as the frame's `published_at`. */
  publishedAt: number;
  /** The serialized ThreatFrame, built once by the publish script and sent unchanged to every client. */
  bytes: Buffer;
  /** The publish span's context, when the publish was traced and sampled (the frame's `traceparent`). */
  traceparent: string | undefined;
}

export interface BusPosition {
  epoch: string;
  /** The last seq assigned in `epoch`. */
  head: number;
  /** The seq `epoch` began after: 0, or the head when a seq regression rotated the epoch. */
  base: number;
}

export interface PublishRequest {
  id: string;
  podOrigin: string;
  threat: Threat;
  /** Stored in the frame, so every pod and every client (live or resumed) can continue the trace. */
  traceparent?: string;
}

export interface PublishResult {
  seq: number;
  publishedAt: number;
  epoch: string;
}

export interface BusEvents {
  /** A live frame from the pub/sub channel, in the order Redis delivered it. */
  onFrame(frame: BusFrame): void;
  /**
   * The subscription is (re-)established and the position re-read, after start and after every
   * reconnect. Frames published while it was down never arrive through onFrame: a pod that promises
   * recovery must backfill them from history. Frames after `head` arrive through onFrame.
   */
  onSubscribed(position: BusPosition): void;
  /** The subscription or the command connection went down; onSubscribed follows when it is back. */
  onDown(reason: string): void;
  /**
   * A publish found a different epoch than the pod knew: history was lost under a running pod, or a
   * failover promoted a replica that was behind and the seq went back (see ThreatBus, "Seq regression").
   */
  onEpochChanged(epoch: string): void;
}

/**
 * ThreatBus: publish once, deliver to every pod, keep a bounded, seq-addressed history.
 *
 * Contract:
 * - publish() is atomic: one Redis script assigns the next seq, stores the threat by id (with TTL),
 *   appends it to the history stream under id `<seq>-0`, and PUBLISHes it. Either all four happen or
 *   none does, so a frame a pod receives is always in history and a 202 always means "published".
 *   Redis runs one script at a time, so publish order equals seq order across all pods, and every
 *   subscriber receives frames in seq order.
 * - Pub/sub is at-most-once: a subscriber that is disconnected misses frames, with no error. History is
 *   how a pod recovers them: seqs are dense (1, 2, 3, …) within an epoch, so a pod that sees seq N+2
 *   after N knows exactly what to read from history(N+1, …).
 * - history(from, limit) returns frames with seq >= from in seq order. It is trimmed to about
 *   STREAM_MAXLEN entries, so a position older than that is partly gone; callers get what is left.
 * - The epoch names one lifetime of the history. It is created once (SET NX) and changes only when
 *   Redis loses its data. A position (seq) is meaningful only together with its epoch.
 *
 * Why an epoch is needed, worked through: pods A and B and a client C on B have seen seq 1..500.
 * Redis restarts without persistence: seq, history and epoch are gone. A publishes; the script starts
 * a new sequence and assigns seq 1. B reconnects and receives seq 1. Without an epoch B must read that
 * as a duplicate (1 <= 500) and drop every frame until seq 501, silently losing 500 threats; and C,
 * reconnecting with ?since=500, would wait for seq 501 the same way. With the epoch, the publish script
 * refuses to write under an epoch the pod does not know, the pod re-reads the epoch, sees it changed,
 * and B tells C {"type":"reset","epoch"}: "positions you hold are void; continue from the new epoch".
 *
 * Seq regression, worked through: replication is asynchronous, so a primary can die after it assigned
 * seq 91..100 and before its replica got them. Sentinel promotes the replica; the epoch survived (it
 * was replicated long ago) but the head is 90, and the next publish would call a different threat
 * seq 91 under the same epoch, which clients that saw the old 91 would drop or, worse, take for it.
 * So a pod, before it serves again after any reconnect, checks that the last frame it saw is still in
 * history under its seq (same published_at); if not, it rotates the epoch (base = head, seqs continue
 * from there) and every pod resets its clients, exactly as after a loss of all data.
 */
export interface ThreatBus {
  /**
   * Starts connecting and keeps reconnecting until close(); progress arrives through `events`.
   * A pod may start before Redis does: it is simply not ready until the first onSubscribed.
   */
  start(events: BusEvents): void;
  /** True while commands can run and the subscription is live. */
  readonly ready: boolean;
  /** Rejects with BusUnavailableError when Redis cannot take the command now. */
  publish(request: PublishRequest): Promise<PublishResult>;
  history(fromSeq: number, limit: number): Promise<BusFrame[]>;
  /** The stored frame (JSON text) of threat `id`, or undefined when unknown or expired. */
  find(id: string): Promise<string | undefined>;
  /** The current epoch (creating one if Redis has none) and the last seq assigned in it. */
  position(): Promise<BusPosition>;
  /** "host:port" of the Redis primary the pod is using now; undefined while disconnected. */
  readonly primary: string | undefined;
  close(): Promise<void>;
}
