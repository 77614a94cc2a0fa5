// Durations as users write them ("30s", "2m", "1h30m", "500ms", or plain seconds), in seconds. The one
// duration grammar: profiles, flags and chaos schedule times all read durations here.
import { ProfileError } from "./profile-error.js";

const unitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Seconds, or undefined when `text` is not a duration; for callers with their own error. */
export function durationSeconds(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (!durationPattern.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(partPattern)) {
    seconds += Number(amount) * (unitSeconds[unit as string] as number);
  }
  return seconds;
}

export function parseDuration(text: string): number {
  const seconds = durationSeconds(text.trim());
  if (seconds === undefined) {
    throw new ProfileError(
      `invalid duration "${text}": expected seconds or a duration such as 30s, 2m, 1h or 1m30s`,
      "duration",
    );
  }
  return seconds;
}
