// In setup, one WebSocket per target reads its hello frame: the pod's name (metric tags, reports and
// CROSSPOD_TRIGGER_POD use it), whether it resumes (the delivery mode) and its head seq. A target that
// cannot say hello fails the run before any VU starts, as the Node engine's discovery does.
import { clearTimeout, setTimeout } from "k6/timers";
import { WebSocket } from "k6/websockets";
import { readCrosspodFrame } from "../../lib/core/adapters/crosspod-adapter.js";
import { webSocketUrl } from "./k6-targets.js";

export interface DiscoveredTarget {
  /** Base URL as given in TARGETS. */
  url: string;
  pod: string;
  resume: boolean;
  headSeq: number;
}

export class DiscoveryError extends Error {
  readonly code = "CROSSPOD_K6_DISCOVERY";
}

function helloFrom(url: string, timeoutMs: number): Promise<DiscoveredTarget> {
  const wsUrl = webSocketUrl(url);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close(1000);
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new DiscoveryError(`target ${url}: no hello frame within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.onmessage = (event) => {
      const frame = readCrosspodFrame(String(event?.data ?? ""));
      if (frame.type !== "hello") {
        const got = frame.type === "invalid" || frame.type === "refused" ? frame.reason : frame.type;
        settle(() => reject(new DiscoveryError(`target ${url}: expected a hello frame first, got ${got}`)));
        return;
      }
      settle(() => resolve({ url, pod: frame.pod ?? url, resume: frame.resume, headSeq: frame.seq ?? 0 }));
    };
    socket.onerror = (event) => {
      const reason = event?.error ?? "connection failed";
      settle(() => reject(new DiscoveryError(`target ${url}: cannot connect to ${wsUrl} (${reason})`)));
    };
  });
}

export async function discoverTargets(
  urls: readonly string[],
  timeoutMs = 5_000,
): Promise<DiscoveredTarget[]> {
  const targets = await Promise.all(urls.map((url) => helloFrom(url, timeoutMs)));
  const seen = new Map<string, string>();
  for (const target of targets) {
    const other = seen.get(target.pod);
    if (other !== undefined) {
      throw new DiscoveryError(`targets ${other} and ${target.url} both say they are pod "${target.pod}"`);
    }
    seen.set(target.pod, target.url);
  }
  return targets;
}

/** The targets triggers go to: all of them round-robin, or the one pod CROSSPOD_TRIGGER_POD names. */
export function triggerTargets(targets: readonly DiscoveredTarget[], triggerPod: string): DiscoveredTarget[] {
  if (triggerPod === "round-robin") return [...targets];
  const named = targets.filter((target) => target.pod === triggerPod);
  if (named.length === 0) {
    throw new DiscoveryError(
      `trigger pod "${triggerPod}" is not among the targets (pods: ${targets.map((target) => target.pod).join(", ")})`,
    );
  }
  return named;
}
