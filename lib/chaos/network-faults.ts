// The faults a fault proxy applies to its link at a given moment. Each can be on or off on its own;
// `heal` turns all of them off.
export interface NetworkFaults {
  /** Added to every chunk in each direction; jitter is uniform in ±jitterMs, never reordering bytes. */
  latency?: { latencyMs: number; jitterMs: number };
  /** Bytes per second per direction of each connection. */
  bandwidth?: { bytesPerSecond: number };
  /** Nothing is forwarded, sockets stay open; held bytes flow again after heal, as TCP would retransmit. */
  blackhole?: boolean;
  /** Every connection is reset (RST), and new ones are reset on arrival until heal. */
  reset?: boolean;
}
