// In setup, one WebSocket per target reads its hello frame: the pod's name (metric tags, reports and
// CROSSPOD_TRIGGER_POD use it), whether it resumes (the delivery mode) and its head seq. A target that
// cannot say hello fails the run before any VU starts, as the Node engine's discovery does. Backends whose
// adapter sends no hello only have to accept the connection; their pod names come from the target file.
import { clearTimeout, setTimeout } from "k6/timers";
import { WebSocket } from "k6/websockets";
import type { AdapterPod, ProtocolAdapter } from "../../lib/core/adapters/protocol-adapter.js";

export interface DiscoveredTarget {
  /** Base URL as given in TARGETS (or the target file): where triggers go. */
  url: string;
  /** The pod's WebSocket URL without a resume position. */
  wsUrl: string;
  pod: string;
  resume: boolean;
  headSeq: number;
}

export class DiscoveryError extends Error {
  readonly code = "CROSSPOD_K6_DISCOVERY";
}

function helloFrom(adapter: ProtocolAdapter, pod: AdapterPod, timeoutMs: number): Promise<DiscoveredTarget> {
  const wsUrl = adapter.webSocketUrl(pod.wsUrl, undefined);
  const url = pod.httpUrl;
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
    const found = (name: string, resume: boolean, headSeq: number) =>
      settle(() => resolve({ url, wsUrl: pod.wsUrl, pod: name, resume, headSeq }));
    const timer = setTimeout(
      () => settle(() => reject(new DiscoveryError(`target ${url}: no hello frame within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.onopen = () => {
      for (const text of adapter.openingFrames(undefined)) socket.send(text);
      if (!adapter.sendsHello) found(pod.name, false, 0);
    };
    socket.onmessage = (event) => {
      const frame = adapter.readFrame(String(event?.data ?? ""));
      if (frame.type === "ping") socket.send(frame.reply);
      if (frame.type === "ping" || frame.type === "ignored") return;
      if (frame.type !== "hello") {
        const got = frame.type === "invalid" || frame.type === "refused" ? frame.reason : frame.type;
        settle(() => reject(new DiscoveryError(`target ${url}: expected a hello frame first, got ${got}`)));
        return;
      }
      found(frame.pod ?? pod.name, frame.resume, frame.seq ?? 0);
    };
    socket.onerror = (event) => {
      const reason = event?.error ?? "connection failed";
      settle(() => reject(new DiscoveryError(`target ${url}: cannot connect to ${wsUrl} (${reason})`)));
    };
  });
}

export async function discoverTargets(
  adapter: ProtocolAdapter,
  pods: readonly AdapterPod[],
  timeoutMs = 5_000,
): Promise<DiscoveredTarget[]> {
  const targets = await Promise.all(pods.map((pod) => helloFrom(adapter, pod, timeoutMs)));
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
