import { describe, expect, it } from "vitest";
import { arrivalSchedule, dueAtMs, dueCount } from "../../lib/engine/arrival-schedule.js";

describe("arrival schedule", () => {
  it("spaces triggers by 1/rate from the start, whatever happened before", () => {
    const schedule = arrivalSchedule(1000, 20, 30);
    expect(schedule.total).toBe(600);
    expect(dueAtMs(schedule, 0)).toBe(1000);
    expect(dueAtMs(schedule, 1)).toBe(1050);
    expect(dueAtMs(schedule, 599)).toBe(1000 + 599 * 50);
  });

  it("counts every trigger due by a late wake-up, so a stalled sender catches up instead of skipping", () => {
    const schedule = arrivalSchedule(0, 10, 5);
    expect(dueCount(schedule, -1)).toBe(0);
    expect(dueCount(schedule, 0)).toBe(1);
    expect(dueCount(schedule, 99)).toBe(1);
    expect(dueCount(schedule, 100)).toBe(2);
    expect(dueCount(schedule, 2_000)).toBe(21);
  });

  it("never makes more triggers due than rate × duration", () => {
    const schedule = arrivalSchedule(0, 7, 3);
    expect(schedule.total).toBe(21);
    expect(dueCount(schedule, 1e9)).toBe(21);
  });
});
