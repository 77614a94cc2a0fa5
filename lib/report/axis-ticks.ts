// Tick positions for chart axes: round values (1, 2, 5 x 10^k) for quantities, and clock-friendly
// steps (5 s, 30 s, 5 min, 1 h...) for run time, so labels read like a person would write them.
import { formatCompact, formatOffset } from "./figure-format.js";

export interface Tick {
  value: number;
  label: string;
}

/** A domain [0, top] that covers `max` with round ticks; never empty (max 0 -> [0, 1]). */
export function niceDomainTicks(max: number, targetCount = 5): { top: number; ticks: Tick[] } {
  const safeMax = Number.isFinite(max) && max > 0 ? max : 1;
  const step = niceStep(safeMax / targetCount);
  const top = Math.ceil(safeMax / step - 1e-9) * step;
  const ticks: Tick[] = [];
  for (let index = 0; index * step <= top + step / 2; index += 1) {
    const value = roundToStep(index * step, step);
    ticks.push({ value, label: formatCompact(value) });
  }
  return { top, ticks };
}

const timeSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Ticks over [0, maxSeconds] at a clock-friendly step, labelled "m:ss" or "h:mm:ss". */
export function timeTicks(maxSeconds: number, targetCount = 8): Tick[] {
  const span = Number.isFinite(maxSeconds) && maxSeconds > 0 ? maxSeconds : 1;
  const step = timeSteps.find((candidate) => span / candidate <= targetCount) ?? niceStep(span / targetCount);
  const ticks: Tick[] = [];
  for (let index = 0; index * step <= span + 1e-9; index += 1) {
    ticks.push({ value: index * step, label: formatOffset(index * step) });
  }
  return ticks;
}

function niceStep(rough: number): number {
  const exponent = Math.floor(Math.log10(rough));
  const base = 10 ** exponent;
  const fraction = rough / base;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * base;
}

function roundToStep(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(decimals));
}
