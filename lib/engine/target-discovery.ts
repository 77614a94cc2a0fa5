// Before a run, one WebSocket per target reads its hello: the pod's name (reports and --trigger-pod use it),
// whether it resumes (delivery mode) and its head seq. A target that cannot say hello fails the run early.
// Backends without a hello (the target's adapter says so) only have to accept the connection.
import WebSocket from "ws";
import { crosspodAdapter, crosspodPods } from "../core/adapters/crosspod-adapter.js";
import type { AdapterPod, ProtocolAdapter } from "../core/adapters/protocol-adapter.js";
import { connectErrorCause } from "./connect-error-cause.js";

export interface DiscoveredTarget {
  /** http://host:port as given: where triggers go. */
  url: string;
  wsUrl: string;
  pod: string;
  resume: boolean;
  /** Head seq at discovery, for backends with a seq. */
  headSeq: number | undefined;
}

export class TargetError extends Error {
  readonly code = "CROSSPOD_TARGET";
}

function helloFrom(adapter: ProtocolAdapter, pod: AdapterPod, timeoutMs: number): Promise<DiscoveredTarget> {
  const wsUrl = adapter.webSocketUrl(pod.wsUrl, undefined);
  const found = (name: string, resume: boolean, headSeq: number | undefined): DiscoveredTarget => ({
    url: pod.httpUrl,
    wsUrl: pod.wsUrl,
    pod: name,
    resume,
    headSeq,
  });
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const fail = (reason: string) => {
      clearTimeout(timer);
      ws.terminate();
      reject(new TargetError(`target ${pod.httpUrl}: ${reason}`));
    };
    const succeed = (target: DiscoveredTarget) => {
      clearTimeout(timer);
      ws.removeAllListeners("message");
      ws.close(1000);
      resolve(target);
    };
    const timer = setTimeout(() => fail(`no hello frame within ${timeoutMs} ms`), timeoutMs);
    ws.once("open", () => {
      for (const text of adapter.openingFrames(undefined)) ws.send(text);
      if (!adapter.sendsHello) succeed(found(pod.name, false, undefined));
    });
    ws.on("message", (data) => {
      const frame = adapter.readFrame(data.toString());
      switch (frame.type) {
        case "hello":
          succeed(found(frame.pod ?? pod.name, frame.resume, frame.seq));
          return;
        case "ping":
          ws.send(frame.reply);
          return;
        case "ignored":
          return;
        default:
          fail(
            `expected a hello frame first, got ${frame.type === "invalid" || frame.type === "refused" ? frame.reason : frame.type}`,
          );
      }
    });
    ws.once("error", (error) => fail(`cannot connect to ${wsUrl} (${connectErrorCause(error)})`));
  });
}

/** Checks every pod of a target answers, and learns each one's name (from its hello, where it sends one). */
export async function discoverPods(
  adapter: ProtocolAdapter,
  pods: readonly AdapterPod[],
  timeoutMs = 5_000,
): Promise<DiscoveredTarget[]> {
  const targets = await Promise.all(pods.map((pod) => helloFrom(adapter, pod, timeoutMs)));
  const seen = new Map<string, string>();
  for (const target of targets) {
    const other = seen.get(target.pod);
    if (other !== undefined && other !== target.url) {
      throw new TargetError(`targets ${other} and ${target.url} both say they are pod "${target.pod}"`);
    }
    seen.set(target.pod, target.url);
  }
  return targets;
}

/** The reference backend's pods at these base URLs (--targets). */
export function discoverTargets(urls: readonly string[], timeoutMs = 5_000): Promise<DiscoveredTarget[]> {
  return discoverPods(crosspodAdapter(), crosspodPods(urls), timeoutMs);
}
