// One round trip through a target, for `crosspod target check`: connect once to every pod, trigger one event
// with a probe through the first pod, and collect what the adapter read from each frame until every pod
// delivered the probe (or the timeout). Shows a newcomer what crosspod understood of their backend.
import WebSocket from "ws";
import type { AdapterFrame, DeliveryFrame, Target, TriggerReply } from "../core/adapters/protocol-adapter.js";
import { epochNowMs } from "../core/epoch-clock.js";
import type { Probe } from "../core/probe.js";
import type { DiscoveredTarget } from "../core/target-discovery.js";
import { TargetError } from "../core/target-error.js";
import { discoverPods } from "./target-discovery.js";
import { TriggerClient, TriggerRequestError } from "./trigger-request.js";
import { waitUntil } from "./wait-until.js";

export interface SmokeDelivery {
  pod: string;
  frame: DeliveryFrame;
  fanoutMs: number | undefined;
  e2eMs: number;
}

/** A frame that was not the probe's delivery: what the adapter made of it, and a sample of its text. */
export interface SmokeOtherFrame {
  pod: string;
  frame: AdapterFrame;
  /** About 200 characters: the start, or around the probe when it sits further in. */
  text: string;
  /** The whole text (bounded), for the warnings that search it. */
  fullText: string;
}

export interface SmokeResult {
  pods: DiscoveredTarget[];
  trigger: { pod: string; method: string; url: string; status: number | undefined; reply: TriggerReply };
  deliveries: SmokeDelivery[];
  /** Pods whose connection did not deliver the probe within the timeout. */
  missing: string[];
  others: SmokeOtherFrame[];
  /** The run id of the check's probe, as it appears in frames that carry it. */
  probeRunId?: string;
}

const maxOthers = 20;
const textSampleChars = 200;
const maxFullTextChars = 64 * 1024;

/** The start of `text`, or a window around `needle` when it sits past the start: never cut before it. */
export function sampleAround(text: string, needle: string, chars = textSampleChars): string {
  if (text.length <= chars) return text;
  const at = text.indexOf(needle);
  if (at === -1 || at + needle.length <= chars) return `${text.slice(0, chars)}…`;
  const start = Math.max(0, at - Math.floor(chars / 3));
  return `…${text.slice(start, start + chars)}…`;
}

function openConnection(
  target: Target,
  pod: DiscoveredTarget,
  timeoutMs: number,
  onFrame: (frame: AdapterFrame, text: string, atMs: number) => void,
): Promise<WebSocket> {
  const { adapter } = target;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(adapter.webSocketUrl(pod.wsUrl, undefined), {
      perMessageDeflate: false,
      ...(adapter.webSocketHeaders ? { headers: { ...adapter.webSocketHeaders } } : {}),
    });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new TargetError(`pod ${pod.pod}: the session was not up within ${timeoutMs} ms`));
    }, timeoutMs);
    const up = () => {
      clearTimeout(timer);
      resolve(ws);
    };
    ws.once("open", () => {
      for (const text of adapter.openingFrames(undefined)) ws.send(text);
      if (!adapter.sendsHello) up();
    });
    ws.on("message", (data) => {
      const text = data.toString();
      const frame = adapter.readFrame(text);
      if (frame.type === "ping") ws.send(frame.reply);
      if (frame.type === "hello") up();
      onFrame(frame, text, epochNowMs());
    });
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(new TargetError(`pod ${pod.pod}: ${error.message}`));
    });
  });
}

export async function smokeTarget(target: Target, timeoutMs = 10_000): Promise<SmokeResult> {
  const pods = await discoverPods(target.adapter, target.pods, timeoutMs);
  const probe: Probe = { run: `check-${Date.now().toString(36)}`, publisher: "crosspod-check", n: 1, t: 0 };
  const deliveries = new Map<string, SmokeDelivery>();
  const others: SmokeOtherFrame[] = [];
  const sockets: WebSocket[] = [];
  const client = new TriggerClient(timeoutMs);
  try {
    for (const pod of pods) {
      const socket = await openConnection(target, pod, timeoutMs, (frame, text, atMs) => {
        if (frame.type === "delivery" && frame.probe?.run === probe.run) {
          deliveries.set(pod.pod, {
            pod: pod.pod,
            frame,
            fanoutMs: frame.publishedAtMs === undefined ? undefined : atMs - frame.publishedAtMs,
            e2eMs: atMs - probe.t,
          });
        } else if (frame.type !== "ping" && frame.type !== "hello" && others.length < maxOthers) {
          // Keepalives repeat: one ignored frame per pod shows the ignore rules work.
          if (frame.type === "ignored" && others.some((o) => o.pod === pod.pod && o.frame.type === "ignored"))
            return;
          others.push({
            pod: pod.pod,
            frame,
            text: sampleAround(text, probe.run),
            fullText: text.slice(0, maxFullTextChars),
          });
        }
      });
      sockets.push(socket);
    }
    const via = pods[0] as DiscoveredTarget;
    probe.t = epochNowMs();
    const request = target.adapter.triggerRequest({ name: via.pod, httpUrl: via.url }, probe);
    let status: number | undefined;
    let reply: TriggerReply;
    try {
      const response = await client.send(request);
      status = response.status;
      reply = target.adapter.readTriggerReply(response.status, response.body);
    } catch (error) {
      reply = { accepted: false, cause: error instanceof TriggerRequestError ? error.code : String(error) };
    }
    await waitUntil(() => deliveries.size === pods.length, { timeoutMs });
    return {
      pods,
      trigger: { pod: via.pod, method: request.method, url: request.url, status, reply },
      deliveries: pods.flatMap((pod) => deliveries.get(pod.pod) ?? []),
      missing: pods.filter((pod) => !deliveries.has(pod.pod)).map((pod) => pod.pod),
      others,
      probeRunId: probe.run,
    };
  } finally {
    client.close();
    for (const socket of sockets) socket.terminate();
  }
}
