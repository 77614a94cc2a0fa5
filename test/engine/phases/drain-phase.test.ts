import { describe, expect, it } from "vitest";
import { type DrainInput, drainPhase } from "../../../lib/engine/phases/drain-phase.js";
import { RunTimeline } from "../../../lib/engine/phases/run-timeline.js";

interface Waited {
  head?: number[];
  probes?: ReadonlyMap<string, number>;
  timeoutMs?: number;
}

function input(
  published: DrainInput["published"],
  accounting: DrainInput["accounting"],
  drained: boolean,
  waited: Waited,
): DrainInput {
  return {
    timeline: new RunTimeline(0, () => 0),
    pool: {
      waitForHead: async (head, timeoutMs) => {
        waited.head = [head()];
        waited.timeoutMs = timeoutMs;
        return drained;
      },
      waitForProbes: async (heads, timeoutMs) => {
        waited.probes = heads;
        waited.timeoutMs = timeoutMs;
        return drained;
      },
    },
    published,
    accounting,
    drainSeconds: 3,
  };
}

describe("drainPhase", () => {
  it("waits until every connection has the head seq, at most the drain", async () => {
    const waited: Waited = {};
    const run = input({ headSeq: 42, heads: new Map() }, "seq", true, waited);
    expect(await drainPhase(run)).toBe(true);
    expect(waited).toEqual({ head: [42], timeoutMs: 3_000 });
    expect(run.timeline.events).toEqual([
      { t: 0, kind: "phase", name: "drain", detail: "until every connection has seq 42, at most 3 s" },
    ]);
  });

  it("waits for the last probe of every publisher lane with publisher accounting", async () => {
    const waited: Waited = {};
    const heads = new Map([
      ["lane-0", 7],
      ["lane-1", 8],
    ]);
    const run = input({ headSeq: undefined, heads }, "publisher", false, waited);
    expect(await drainPhase(run)).toBe(false);
    expect(waited.probes).toBe(heads);
    expect(run.timeline.events.map((event) => event.name)).toEqual(["drain", "drain-timeout"]);
    expect(run.timeline.events[1]?.detail).toBe(
      "not every connection saw the last probe of all 2 publisher lanes",
    );
  });

  it("reports the head reached at the timeout, which may have risen while draining", async () => {
    const published = { headSeq: 5 as number | undefined, heads: new Map<string, number>() };
    const run = input(published, "seq", false, {});
    run.pool.waitForHead = async () => {
      published.headSeq = 6;
      return false;
    };
    await drainPhase(run);
    expect(run.timeline.events[1]?.detail).toBe("not every connection reached seq 6");
  });

  it("drains nothing when nothing was published or the run was aborted", async () => {
    expect(
      await drainPhase(input({ headSeq: undefined, heads: new Map() }, "seq", true, {})),
    ).toBeUndefined();
    const stop = new AbortController();
    stop.abort();
    const aborted = { ...input({ headSeq: 9, heads: new Map() }, "seq", true, {}), signal: stop.signal };
    expect(await drainPhase(aborted)).toBeUndefined();
    expect(aborted.timeline.events).toEqual([]);
  });
});
