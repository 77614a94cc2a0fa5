// Before a run, one WebSocket per target reads its hello: the pod's name (reports and --trigger-pod use it),
// whether it resumes (delivery mode) and its head seq. A target that cannot say hello fails the run early.
import WebSocket from "ws";
import { connectErrorCause } from "./connect-error-cause.js";
import { readFrame } from "./frame-reader.js";

export interface DiscoveredTarget {
  /** http://host:port as given. */
  url: string;
  wsUrl: string;
  pod: string;
  resume: boolean;
  headSeq: number;
}

export class TargetError extends Error {
  readonly code = "CROSSPOD_TARGET";
}

/** ws://host:port/ws for a pod base URL http://host:port (https -> wss). */
export function webSocketUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/ws`;
  url.search = "";
  return url.toString();
}

function helloFrom(url: string, timeoutMs: number): Promise<DiscoveredTarget> {
  const wsUrl = webSocketUrl(url);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const fail = (reason: string) => {
      clearTimeout(timer);
      ws.terminate();
      reject(new TargetError(`target ${url}: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no hello frame within ${timeoutMs} ms`), timeoutMs);
    ws.once("message", (data) => {
      const frame = readFrame(data.toString());
      if (frame.type !== "hello") {
        fail(`expected a hello frame first, got ${frame.type === "invalid" ? frame.reason : frame.type}`);
        return;
      }
      clearTimeout(timer);
      ws.close(1000);
      resolve({ url, wsUrl, pod: frame.pod, resume: frame.resume, headSeq: frame.seq });
    });
    ws.once("error", (error) => fail(`cannot connect to ${wsUrl} (${connectErrorCause(error)})`));
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
    if (other !== undefined && other !== target.url) {
      throw new TargetError(`targets ${other} and ${target.url} both say they are pod "${target.pod}"`);
    }
    seen.set(target.pod, target.url);
  }
  return targets;
}
