// Ping every connection each interval and terminate the ones that did not answer the previous ping:
// a peer that vanished without a close (cable pulled, process frozen) is found within two intervals.
import type { WebSocket } from "ws";

export function startHeartbeat(sockets: Set<WebSocket>, intervalMs: number): () => void {
  const answered = new WeakSet<WebSocket>();
  const watched = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    for (const ws of sockets) {
      if (!watched.has(ws)) {
        watched.add(ws);
        ws.on("pong", () => answered.add(ws));
      } else if (!answered.has(ws)) {
        ws.terminate();
        continue;
      }
      answered.delete(ws);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
