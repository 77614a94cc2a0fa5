// crosspod's one clock (engine, backend and console alike): epoch milliseconds with sub-millisecond resolution, agreeing with the wall clock.
// Date.now() has 1 ms steps, which would quantise fan-out latencies that are often below 1 ms on loopback,
// so readings come from the monotonic clock plus an offset. The offset is NOT performance.timeOrigin: that
// is sampled apart from the wall clock at process start and drifts with NTP slew, and a backend stamps
// published_at with its wall clock, so a few ms between the two showed up as fan-out p50 above end-to-end
// p50 (impossible: a frame is published after its probe was sent). The offset is taken at a wall-clock
// tick (exact to the monotonic clock's resolution) and taken again when a reading leaves the wall clock's
// current millisecond; every engine process (main and workers) anchors the same way, so they agree too.

export interface ClockSources {
  /** Wall clock, whole epoch milliseconds (Date.now). */
  wallMs(): number;
  /** Monotonic clock, fractional milliseconds from an arbitrary origin (performance.now). */
  monotonicMs(): number;
}

/** How often a reading is checked against the wall clock, in monotonic ms. */
const recheckEveryMs = 1000;

export function createEpochClock(sources: ClockSources): () => number {
  let offsetMs = 0;
  let nextCheckMs = Number.NEGATIVE_INFINITY;

  const anchor = (): void => {
    // Spin to the next wall-clock tick (at most ~1 ms): at that instant the wall time is exactly `tick`.
    const start = sources.wallMs();
    let tick = start;
    let monotonic = sources.monotonicMs();
    for (let spins = 0; tick === start && spins < 1_000_000; spins++) {
      tick = sources.wallMs();
      monotonic = sources.monotonicMs();
    }
    offsetMs = tick - monotonic;
  };

  return () => {
    const monotonic = sources.monotonicMs();
    if (monotonic >= nextCheckMs) {
      nextCheckMs = monotonic + recheckEveryMs;
      const wall = sources.wallMs();
      const now = monotonic + offsetMs;
      // A tick may pass between the two reads, hence the margin of one more millisecond.
      if (now < wall - 1 || now >= wall + 2) {
        anchor();
        return sources.monotonicMs() + offsetMs;
      }
    }
    return monotonic + offsetMs;
  };
}

/**
 * The clock of a runtime with Date.now and performance.now (Node, browsers). Read lazily, so importing
 * core stays runtime-neutral; k6, which lacks performance.now, passes its own sources to createEpochClock.
 */
export const epochNowMs: () => number = createEpochClock({
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
});
