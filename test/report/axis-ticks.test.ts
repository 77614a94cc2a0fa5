import { describe, expect, it } from "vitest";
import { niceDomainTicks, timeTicks } from "../../lib/report/axis-ticks.js";

describe("niceDomainTicks", () => {
  it("covers the maximum with round 1-2-5 steps from zero", () => {
    expect(niceDomainTicks(188.4).ticks.map((tick) => tick.value)).toEqual([0, 50, 100, 150, 200]);
    expect(niceDomainTicks(8000).ticks.map((tick) => tick.label)).toEqual(["0", "2k", "4k", "6k", "8k"]);
    expect(niceDomainTicks(0.37).ticks.map((tick) => tick.value)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });

  it("gives a usable domain when every value is zero", () => {
    const { top, ticks } = niceDomainTicks(0);
    expect(top).toBe(1);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });
});

describe("timeTicks", () => {
  it("steps 5 s over a 40 s run and labels m:ss", () => {
    expect(timeTicks(40).map((tick) => tick.label)).toEqual([
      "0:00",
      "0:05",
      "0:10",
      "0:15",
      "0:20",
      "0:25",
      "0:30",
      "0:35",
      "0:40",
    ]);
  });

  it("steps whole minutes or hours over a long soak", () => {
    expect(timeTicks(1800).map((tick) => tick.label)).toEqual([
      "0:00",
      "5:00",
      "10:00",
      "15:00",
      "20:00",
      "25:00",
      "30:00",
    ]);
    expect(timeTicks(86_400).at(-1)?.label).toBe("24:00:00");
  });
});
