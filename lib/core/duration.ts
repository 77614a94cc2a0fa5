// Durations as users write them ("30s", "2m", "1h30m", "500ms", or plain seconds), in seconds.
import { ProfileError } from "./profile-error.js";

const unitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (!durationPattern.test(trimmed)) {
    throw new ProfileError(
      `invalid duration "${text}": expected seconds or a duration such as 30s, 2m, 1h or 1m30s`,
      "duration",
    );
  }
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(partPattern)) {
    seconds += Number(amount) * (unitSeconds[unit as string] as number);
  }
  return seconds;
}
