// Bounded waiting for VU code on a condition another VU or a socket makes true (every connection said
// hello, every trigger settled, every connection reached the head seq): VUs share nothing but Redis and
// k6 has no cross-VU signal, so it looks every `intervalMs` until the condition holds or the deadline passes.
import { setTimeout } from "k6/timers";

/** True once `condition` held; false when `deadlineMs` (epoch ms) came first. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  deadlineMs: number,
  intervalMs: number,
): Promise<boolean> {
  for (;;) {
    if (await condition()) return true;
    const leftMs = deadlineMs - Date.now();
    if (leftMs <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, leftMs)));
  }
}
