// One DeliveryChecker per WebSocket connection: judges each frame as it arrives (order, duplicates) and,
// when the run is over, how every published trigger fared on this connection (delivered, lost while
// connected, missed while disconnected, recovered after resume). receive() is the hot path: an in-order
// frame allocates nothing, and memory grows with gaps and reconnects, never with frames.
import { DeliveryCheckerError } from "./delivery-checker-error.js";
import { emptyDelivery, maxLostSamples } from "./delivery-figures.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import type { Probe } from "./probe.js";
import { PublisherLedger } from "./publisher-ledger.js";
import type { DeliveryFigures } from "./report-model.js";
import { SeqEpoch } from "./seq-epoch.js";
import type { Verdict } from "./sequence-tracker.js";

export { addDelivery, emptyDelivery } from "./delivery-figures.js";
export type { Verdict };
export { DeliveryCheckerError };

/** seq: the backend's global seq orders and identifies frames; publisher: the probe's (publisher, n) does. */
export type Accounting = "seq" | "publisher";

export interface PublishedTrigger {
  /** The seq the backend assigned (trigger response); needed for seq accounting. */
  seq?: number;
  publisher: string;
  n: number;
  /** When the backend accepted the trigger (epoch ms); places it in or out of a connection's windows. */
  acceptedAtMs: number;
}

export interface DeliveryCheckerOptions {
  /** Publisher accounting: tolerance around connects and disconnects (default 1000 ms). */
  graceMs?: number;
  /** Publisher accounting: frames whose probe carries another run id are ignored (replayed history). */
  runId?: string;
}

export const defaultGraceMs = 1000;

export class DeliveryChecker {
  private received = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private resets = 0;
  private up = false;
  private everConnected = false;
  /** Seq accounting: one epoch per backend history; the first covers all time before the first reset. */
  private readonly epochs: SeqEpoch[] = [];
  private epoch: SeqEpoch;
  /** Publisher accounting only. */
  private readonly ledger: PublisherLedger | undefined;
  private readonly runId: string | undefined;
  private highestSeq: number | undefined;

  constructor(
    readonly accounting: Accounting,
    options: DeliveryCheckerOptions = {},
  ) {
    if (accounting !== "seq" && accounting !== "publisher") {
      throw new DeliveryCheckerError(
        `accounting "${String(accounting)}" is unknown: expected "seq" or "publisher"`,
      );
    }
    const graceMs = options.graceMs ?? defaultGraceMs;
    if (!(graceMs >= 0 && graceMs < Number.POSITIVE_INFINITY)) {
      throw new DeliveryCheckerError(`graceMs ${graceMs} is invalid: expected a finite number of ms >= 0`);
    }
    this.runId = options.runId;
    this.ledger = accounting === "publisher" ? new PublisherLedger(graceMs) : undefined;
    this.epoch = new SeqEpoch(Number.NEGATIVE_INFINITY, "fresh");
    this.epochs.push(this.epoch);
  }

  /** Call on the hello frame (or on open when the backend sends none). A second call while up adds the hello. */
  connected(atMs: number, hello?: { seq: number; resume: boolean }): void {
    this.up = true;
    this.everConnected = true;
    if (this.ledger) this.ledger.connected(atMs);
    else this.epoch.connected(hello);
  }

  disconnected(atMs: number): void {
    this.up = false;
    if (this.ledger) this.ledger.disconnected(atMs);
    else this.epoch.disconnected();
  }

  /** The server lost its history: seqs restart, so seq accounting starts a new epoch at `atMs`. */
  reset(atMs: number): void {
    this.resets++;
    if (this.ledger) return;
    this.epoch = new SeqEpoch(atMs, !this.everConnected ? "fresh" : this.up ? "up" : "down");
    this.epochs.push(this.epoch);
  }

  /** A frame before any connected() call marks the connection up at `atMs` (an open without a hello). */
  receive(frame: { seq?: number; probe?: Probe }, atMs: number): Verdict {
    if (!this.everConnected) this.connected(atMs);
    const seq = frame.seq;
    let verdict: Verdict = "ok";
    const ledger = this.ledger;
    if (ledger === undefined) {
      if (seq !== undefined && Number.isSafeInteger(seq)) verdict = this.epoch.receive(seq);
    } else {
      if (seq !== undefined && (this.highestSeq === undefined || seq > this.highestSeq))
        this.highestSeq = seq;
      const probe = frame.probe;
      if (probe !== undefined) {
        if (this.runId !== undefined && probe.run !== this.runId) return "ok";
        if (Number.isSafeInteger(probe.n)) verdict = ledger.receive(probe.publisher, probe.n);
      }
    }
    if (verdict === "duplicate") {
      this.duplicates++;
    } else {
      this.received++;
      if (verdict === "out-of-order") this.outOfOrder++;
    }
    return verdict;
  }

  /** Highest seq received (or the hello's head when none yet), for `?since=` on reconnect. */
  get lastSeq(): number | undefined {
    return this.ledger ? this.highestSeq : this.epoch.lastSeq;
  }

  /** Ranges of missing numbers and windows held: the checker's memory, O(gaps) and not O(frames). */
  get gapCount(): number {
    if (this.ledger) return this.ledger.gapCount;
    let gaps = 0;
    for (const epoch of this.epochs) gaps += epoch.gapCount;
    return gaps;
  }

  /**
   * Judges every published trigger on this connection. `received` counts distinct frames (duplicates
   * apart); expected = delivered + lost + missedWhileDisconnected + recovered. Seq accounting expects
   * published seqs above the first hello's head (and up to `finalHeadSeq`); after a reset, triggers belong
   * to the epoch in force at their acceptedAtMs. Does not change the checker: it may be called again.
   */
  finish(published: readonly PublishedTrigger[], finalHeadSeq?: number): DeliveryFigures {
    const figures = emptyDelivery();
    figures.received = this.received;
    figures.duplicates = this.duplicates;
    figures.outOfOrder = this.outOfOrder;
    figures.resets = this.resets;
    const ledger = this.ledger;
    if (ledger) {
      for (const trigger of published) {
        const outcome = ledger.outcome(trigger.publisher, trigger.n, trigger.acceptedAtMs);
        if (count(figures, outcome)) figures.lostSamples.push(`${trigger.publisher}:${trigger.n}`);
      }
      return figures;
    }
    const last = this.epochs.length - 1;
    const outcomes = this.epochs.map((epoch, i) => epoch.outcomes(i === last ? finalHeadSeq : undefined));
    for (const trigger of published) {
      if (trigger.seq === undefined) continue;
      let i = last;
      while (i > 0 && trigger.acceptedAtMs < (this.epochs[i] as SeqEpoch).startMs) i--;
      const outcome = (outcomes[i] as (seq: number) => DeliveryOutcome)(trigger.seq);
      if (count(figures, outcome)) figures.lostSamples.push(String(trigger.seq));
    }
    return figures;
  }
}

/** Counts one outcome; true when it is a loss that should be kept as a sample. */
function count(figures: DeliveryFigures, outcome: DeliveryOutcome): boolean {
  switch (outcome) {
    case "unexpected":
      return false;
    case "delivered":
      break;
    case "lost":
      figures.lost++;
      break;
    case "missed":
      figures.missedWhileDisconnected++;
      break;
    case "recovered":
      figures.recovered++;
      break;
  }
  figures.expected++;
  return outcome === "lost" && figures.lostSamples.length < maxLostSamples;
}
