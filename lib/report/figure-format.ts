// Number formatting shared by the console and HTML renderers. Deliberately avoids Intl and
// toLocaleString: the renderers also run inside k6 (Sobek), where Intl is not available.

/** Integer with comma thousands separators: 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = value < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Milliseconds with precision that shrinks as the value grows: 0.853, 12.3, 312. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const magnitude = Math.abs(ms);
  if (magnitude === 0) return "0";
  if (magnitude < 1) return ms.toFixed(3);
  if (magnitude < 10) return ms.toFixed(2);
  if (magnitude < 100) return ms.toFixed(1);
  return formatCount(ms);
}

/** A duration for prose: "850 ms", "38.0 s", "4 m 05 s", "2 h 10 m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds === 0) return "0 s";
  if (seconds < 1) return `${formatMs(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const secs = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${twoDigits(minutes)} m`;
  return `${minutes} m ${twoDigits(secs)} s`;
}

/** A run offset for time axes and event lists: "0:07", "1:30", "1:02:05". */
export function formatOffset(seconds: number): string {
  const totalSeconds = Math.max(0, Math.round(seconds));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const secs = totalSeconds % 60;
  if (hours > 0) return `${hours}:${twoDigits(minutes)}:${twoDigits(secs)}`;
  return `${minutes}:${twoDigits(secs)}`;
}

/** When something happened in the run: "12.4 s" early on, "4:05" later. */
export function formatRunTime(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : formatOffset(seconds);
}

/** A fraction as a percentage with enough digits to tell 99.9 % from 100 %. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  const percent = fraction * 100;
  if (percent === 100 || percent === 0) return `${percent}%`;
  if (percent > 99 && percent < 100) return `${trimZeros(Math.min(percent, 99.999).toFixed(3))}%`;
  return `${percent.toFixed(1)}%`;
}

/** Compact axis label: 1500 -> "1.5k", 2000000 -> "2M", 0.25 -> "0.25". */
export function formatCompact(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${trimZeros((value / 1e6).toFixed(2))}M`;
  if (magnitude >= 1e4) return `${trimZeros((value / 1e3).toFixed(1))}k`;
  if (magnitude >= 1e3) return `${trimZeros((value / 1e3).toFixed(2))}k`;
  if (magnitude >= 10 || magnitude === 0) return trimZeros(value.toFixed(0));
  if (magnitude >= 1) return trimZeros(value.toFixed(1));
  return trimZeros(value.toPrecision(2));
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}
