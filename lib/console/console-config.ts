// The console's settings, read once at start: the pod's WebSocket URL (same origin, /ws) and the optional
// Faro collector URL from `?faro=URL` or `<html data-faro-url="URL">` (the query parameter wins).
import { CrosspodError } from "../core/crosspod-error.js";

export interface ConsoleConfig {
  wsUrl: string;
  /** Undefined: Faro stays off. */
  collectorUrl: string | undefined;
  /** Why a given collector URL was ignored, to show on the page. */
  collectorProblem: string | undefined;
  /** Rows kept in the DOM; older ones are dropped (the total counter keeps counting). */
  maxRows: number;
}

export class ConsoleConfigError extends CrosspodError {
  override readonly code = "CROSSPOD_CONSOLE_CONFIG";
  override readonly kind = "usage";
}

function parseCollectorUrl(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined || raw === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConsoleConfigError(
      `faro collector URL "${raw}" is not a URL; expected http(s)://host:port/collect`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConsoleConfigError(`faro collector URL "${raw}" must be http or https`);
  }
  return url.href;
}

export function readConsoleConfig(location: Location, root: HTMLElement): ConsoleConfig {
  const params = new URLSearchParams(location.search);
  const wsProtocol = location.protocol === "https:" ? "wss:" : "ws:";
  let collectorUrl: string | undefined;
  let collectorProblem: string | undefined;
  try {
    collectorUrl = parseCollectorUrl(params.get("faro") ?? root.dataset.faroUrl);
  } catch (error) {
    if (!(error instanceof ConsoleConfigError)) throw error;
    collectorProblem = `${error.message}; RUM is off`;
  }
  return { wsUrl: `${wsProtocol}//${location.host}/ws`, collectorUrl, collectorProblem, maxRows: 500 };
}
