// The Node engine's target discovery: lib/core's, over `ws` (see lib/core/target-discovery.ts).
import { crosspodAdapter, crosspodPods } from "../core/adapters/crosspod-adapter.js";
import type { AdapterPod, ProtocolAdapter } from "../core/adapters/protocol-adapter.js";
import { type DiscoveredTarget, discoverPods as discover } from "../core/target-discovery.js";
import { dialWebSocket, nodeTimers } from "./ws-dial.js";

/** Checks every pod of a target answers, and learns each one's name (from its hello, where it sends one). */
export function discoverPods(
  adapter: ProtocolAdapter,
  pods: readonly AdapterPod[],
  timeoutMs = 5_000,
): Promise<DiscoveredTarget[]> {
  const runtime = {
    ...nodeTimers,
    dial: (url: string, events: Parameters<typeof dialWebSocket>[1]) =>
      dialWebSocket(url, events, { handshakeTimeoutMs: timeoutMs, headers: adapter.webSocketHeaders }),
  };
  return discover(adapter, pods, runtime, timeoutMs);
}

/** The reference backend's pods at these base URLs (--targets). */
export function discoverTargets(urls: readonly string[], timeoutMs = 5_000): Promise<DiscoveredTarget[]> {
  return discoverPods(crosspodAdapter(), crosspodPods(urls), timeoutMs);
}
