// How the engine splits connections over worker processes and source addresses.
import { describe, expect, it } from "vitest";
import { EngineWorkersError, planWorkerShares } from "../../lib/engine/engine-workers.js";
import { SourceAddressError, sourceAddressesFor } from "../../lib/engine/source-addresses.js";

describe("planWorkerShares", () => {
  it("uses one worker while the connections fit under the per-worker cap", () => {
    expect(planWorkerShares(10_000, 18_500)).toEqual([10_000]);
  });

  it("spreads 20,000 connections over two workers when one process may hold 18,500", () => {
    expect(planWorkerShares(20_000, 18_500)).toEqual([10_000, 10_000]);
  });

  it("gives shares that differ by at most one and add up to the total", () => {
    const shares = planWorkerShares(1_001, 500);
    expect(shares).toEqual([334, 334, 333]);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(1_001);
  });

  it("rejects a connection count or cap that is not a positive whole number", () => {
    expect(() => planWorkerShares(0, 10)).toThrow(EngineWorkersError);
    expect(() => planWorkerShares(10, 0.5)).toThrow(/maxConnectionsPerWorker/);
  });
});

describe("sourceAddressesFor", () => {
  const pods = ["ws://127.0.0.1:8001/ws", "ws://127.0.0.1:8002/ws", "ws://127.0.0.1:8003/ws"];

  it("leaves the source address to the kernel while each pod gets fewer connections than the port range", () => {
    expect(sourceAddressesFor(20_000, pods, 28_232)).toBeUndefined();
  });

  it("spreads over 127.0.0.2, .3, … when one pod would need more ports than the range holds", () => {
    expect(sourceAddressesFor(50_000, ["ws://127.0.0.1:8001/ws"], 28_232)).toEqual([
      "127.0.0.2",
      "127.0.0.3",
      "127.0.0.4",
    ]);
  });

  it("refuses to bind loopback addresses for a target that is not on loopback", () => {
    expect(() => sourceAddressesFor(50_000, ["ws://10.0.0.5:8001/ws"], 28_232)).toThrow(SourceAddressError);
  });
});
