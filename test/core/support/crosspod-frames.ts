// The reference backend's frames as text, for tests that script what a pod sends a subscriber.
import type { Probe } from "../../../lib/core/probe.js";

export function helloFrame(pod: string, seq: number, resume: boolean): string {
  return JSON.stringify({ type: "hello", pod, seq, epoch: "e1", resume });
}

/** A threat published by `origin` at `publishedAt` (epoch ms), carrying `probe` when given. */
export function threatFrame(seq: number, origin: string, publishedAt: number, probe?: Probe): string {
  const threat = {
    id: `t-${seq}`,
    type: "malware",
    severity: "high",
    source_ip: "10.0.0.1",
    description: "",
  };
  return JSON.stringify({
    type: "threat",
    seq,
    id: `t-${seq}`,
    pod_origin: origin,
    published_at: publishedAt,
    threat: probe === undefined ? threat : { ...threat, probe },
  });
}

export function resetFrame(epoch: string): string {
  return JSON.stringify({ type: "reset", epoch });
}
