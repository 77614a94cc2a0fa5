// setup()'s target discovery: lib/core's (see lib/core/target-discovery.ts) over k6/websockets, so a
// target the Node engine rejects fails the k6 run too, before any VU starts.
import type { AdapterPod, ProtocolAdapter } from "../../lib/core/adapters/protocol-adapter.js";
import { type DiscoveredTarget, discoverPods } from "../../lib/core/target-discovery.js";
import { dialWebSocket, k6Timers } from "./k6-dial.js";

export function discoverTargets(
  adapter: ProtocolAdapter,
  pods: readonly AdapterPod[],
  timeoutMs = 5_000,
): Promise<DiscoveredTarget[]> {
  const runtime = {
    ...k6Timers,
    // Discovery reads one frame and closes: the socket's error always ends it.
    dial: (url: string, events: Parameters<typeof dialWebSocket>[1]) =>
      dialWebSocket(url, events, {}, () => false),
  };
  return discoverPods(adapter, pods, runtime, timeoutMs);
}
