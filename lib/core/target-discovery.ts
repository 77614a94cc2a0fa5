// Before a run, one WebSocket per target reads its hello: the pod's name (reports, metric tags and the
// trigger pod use it), whether it resumes (the delivery mode) and its head seq. A target that cannot say
// hello fails the run before any load. Backends whose adapter sends no hello only have to accept the
// connection; their pod names come from the target file. Both engines discover through this module with
// their own socket (`ws` on Node, k6/websockets in k6's setup), so they accept and reject the same targets.
import type { AdapterPod, ProtocolAdapter } from "./adapters/protocol-adapter.js";
import type { SessionRuntime, SessionSocket } from "./subscriber-session.js";
import { TargetError } from "./target-error.js";

export { TargetError };

export interface DiscoveredTarget {
  /** Base URL as given (--targets, TARGETS or the target file): where triggers go. */
  url: string;
  /** The pod's WebSocket URL without a resume position. */
  wsUrl: string;
  pod: string;
  resume: boolean;
  /** Head seq at discovery, for backends with a seq. */
  headSeq?: number;
}

/** What discovery needs of the runtime: a socket and timers. */
export type DiscoveryRuntime = Pick<SessionRuntime, "dial" | "setTimeout" | "clearTimeout">;

/** Reads one pod's hello (or, without one, waits for the socket to open). */
export function readHello(
  adapter: ProtocolAdapter,
  pod: AdapterPod,
  timeoutMs: number,
  runtime: DiscoveryRuntime,
): Promise<DiscoveredTarget> {
  const wsUrl = adapter.webSocketUrl(pod.wsUrl, undefined);
  return new Promise((resolve, reject) => {
    let settled = false;
    let socket: SessionSocket | undefined;
    const settle = (found: DiscoveredTarget | undefined, failure: string | undefined) => {
      if (settled) return;
      settled = true;
      runtime.clearTimeout(timer);
      if (found !== undefined) {
        socket?.close(1000, "discovered");
        resolve(found);
        return;
      }
      if (socket?.terminate) socket.terminate();
      else socket?.close(1000, "discovery failed");
      reject(new TargetError(`target ${pod.httpUrl}: ${failure}`));
    };
    const found = (name: string, resume: boolean, headSeq: number | undefined) =>
      settle(
        {
          url: pod.httpUrl,
          wsUrl: pod.wsUrl,
          pod: name,
          resume,
          ...(headSeq === undefined ? {} : { headSeq }),
        },
        undefined,
      );
    const timer = runtime.setTimeout(
      () => settle(undefined, `no hello frame within ${timeoutMs} ms`),
      timeoutMs,
    );
    socket = runtime.dial(wsUrl, {
      opened() {
        for (const text of adapter.openingFrames(undefined)) socket?.send(text);
        if (!adapter.sendsHello) found(pod.name, false, undefined);
      },
      message(text) {
        const frame = adapter.readFrame(text);
        if (frame.type === "ping") socket?.send(frame.reply);
        if (frame.type === "ping" || frame.type === "ignored") return;
        if (frame.type === "hello") {
          found(frame.pod ?? pod.name, frame.resume, frame.seq);
          return;
        }
        const got = frame.type === "invalid" || frame.type === "refused" ? frame.reason : frame.type;
        settle(undefined, `expected a hello frame first, got ${got}`);
      },
      failed(cause) {
        settle(undefined, `cannot connect to ${wsUrl} (${cause})`);
      },
      closed() {
        settle(undefined, `${wsUrl} closed the connection before its hello frame`);
      },
    });
  });
}

/**
 * Checks every pod of a target answers and learns each one's name. A URL listed twice is rejected (it
 * would count one pod's deliveries as two pods' and skew the round-robin), and so are two URLs whose
 * hellos name the same pod.
 */
export async function discoverPods(
  adapter: ProtocolAdapter,
  pods: readonly AdapterPod[],
  runtime: DiscoveryRuntime,
  timeoutMs = 5_000,
): Promise<DiscoveredTarget[]> {
  if (pods.length === 0) throw new TargetError("no targets: give at least one pod URL");
  const listed = new Set<string>();
  for (const pod of pods) {
    if (listed.has(pod.wsUrl)) {
      throw new TargetError(`target ${pod.httpUrl} is listed twice: give each pod's URL once`);
    }
    listed.add(pod.wsUrl);
  }
  const targets = await Promise.all(pods.map((pod) => readHello(adapter, pod, timeoutMs, runtime)));
  const seen = new Map<string, string>();
  for (const target of targets) {
    const other = seen.get(target.pod);
    if (other !== undefined) {
      throw new TargetError(
        `targets ${other} and ${target.url} both say they are pod "${target.pod}": give each pod once`,
      );
    }
    seen.set(target.pod, target.url);
  }
  return targets;
}

/** The targets triggers go to: all of them round-robin, or the one pod the profile's trigger pod names. */
export function triggerTargets<T extends Pick<DiscoveredTarget, "pod">>(
  targets: readonly T[],
  triggerPod: string,
): T[] {
  if (triggerPod === "round-robin") return [...targets];
  const named = targets.filter((target) => target.pod === triggerPod);
  if (named.length === 0) {
    throw new TargetError(
      `trigger pod "${triggerPod}" (--trigger-pod, CROSSPOD_TRIGGER_POD) is not among the targets (pods: ${targets.map((target) => target.pod).join(", ")})`,
    );
  }
  return named;
}
