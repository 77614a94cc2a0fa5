// Open-model arrival schedule: trigger i is due at start + i / rate, whatever happened to earlier ones.
// Scheduling by absolute time (not "wait 1/rate after the last send") avoids coordinated omission:
// a slow response never delays later triggers, and a late start is counted rather than hidden.

export interface ArrivalSchedule {
  startMs: number;
  ratePerSecond: number;
  total: number;
}

export function arrivalSchedule(
  startMs: number,
  ratePerSecond: number,
  durationSeconds: number,
): ArrivalSchedule {
  return { startMs, ratePerSecond, total: Math.round(ratePerSecond * durationSeconds) };
}

export function dueAtMs(schedule: ArrivalSchedule, index: number): number {
  return schedule.startMs + (index * 1000) / schedule.ratePerSecond;
}

/** How many triggers (counted from index 0) are due at `nowMs`, capped at the schedule's total. */
export function dueCount(schedule: ArrivalSchedule, nowMs: number): number {
  if (nowMs < schedule.startMs) return 0;
  const due = Math.floor(((nowMs - schedule.startMs) * schedule.ratePerSecond) / 1000) + 1;
  return Math.min(schedule.total, due);
}
