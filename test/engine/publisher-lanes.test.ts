// The Node engine's publisher lanes against a scripted pod without a seq (publisher accounting): the pod
// answers triggers after varying delays and publishes each when it answers, so triggers in flight at once
// reach clients in another order than they were sent. That is no ordering violation, and must not count
// as one; a pod that swaps two frames of one lane's causally ordered triggers must still be caught.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { loadTarget } from "../../lib/core/target-file.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";

interface LaneProbe {
  publisher: string;
  n: number;
}

interface LanePod {
  url: string;
  wsUrl: string;
  /** Distinct probe publishers the pod saw: the engine's lanes. */
  publishers: Set<string>;
  /** Triggers published after a later-sent one (by the engine's send order). */
  publishedOutOfSendOrder: number;
  close(): Promise<void>;
}

/** Reply (and publish) delay of the k-th trigger the pod receives: 0, 40 or 80 ms, so sends overlap. */
const replyDelayMs = (k: number) => (k % 3) * 40;

async function readBody(request: IncomingMessage): Promise<{ probe: LaneProbe }> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return JSON.parse(text) as { probe: LaneProbe };
}

/**
 * `swapInLane`: hold the frame of the first lane's trigger n=2 back and deliver it right after n=3's, a
 * real reversal of two triggers the engine sent one after the other's reply.
 */
async function startLanePod(swapInLane: boolean): Promise<LanePod> {
  const clients = new Set<WebSocket>();
  const publishers = new Set<string>();
  let received = 0;
  let highestSentIndex = -1;
  let publishedOutOfSendOrder = 0;
  let held: string | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const publish = (frame: string) => {
    for (const client of clients) client.send(frame);
  };
  const server: Server = createServer((request, response) => {
    const index = received++;
    readBody(request).then(({ probe }) => {
      publishers.add(probe.publisher);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (index < highestSentIndex) publishedOutOfSendOrder += 1;
        highestSentIndex = Math.max(highestSentIndex, index);
        const frame = JSON.stringify({ type: "event", data: { probe } });
        const firstLane = probe.publisher.endsWith("-0");
        if (swapInLane && firstLane && probe.n === 2) held = frame;
        else publish(frame);
        if (swapInLane && firstLane && probe.n === 3 && held !== undefined) publish(held);
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      }, replyDelayMs(index));
      timers.add(timer);
    });
  });
  const wss = new WebSocketServer({ server, path: "/ws" });
  wss.on("connection", (ws) => {
    clients.add(ws);
    ws.on("close", () => clients.delete(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    publishers,
    get publishedOutOfSendOrder() {
      return publishedOutOfSendOrder;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function target(pod: LanePod) {
  return loadTarget(
    {
      adapter: "generic-json",
      pods: [{ name: "pod-l", url: pod.url, ws: pod.wsUrl }],
      trigger: { path: "/trigger", body: { probe: "{{probe}}" }, accept: [200] },
      frames: { delivery: [{ path: "type", equals: "event" }], probe: "data.probe" },
    },
    {},
  );
}

async function runAgainst(pod: LanePod, runId: string) {
  return runNodeEngine({
    runId,
    profile: {
      name: "lanes",
      connections: 3,
      rampSeconds: 0,
      triggerRate: 50,
      durationSeconds: 0.6,
      drainSeconds: 3,
      triggerPod: "round-robin",
      connectionsPerVu: 50,
      thresholds: {},
    },
    targets: [],
    target: target(pod),
    thresholds: {},
  });
}

let pod: LanePod | undefined;
afterEach(async () => {
  await pod?.close();
  pod = undefined;
});

describe("node engine publisher lanes without a seq", () => {
  it("counts no out-of-order frames when concurrent triggers are published out of send order", async () => {
    pod = await startLanePod(false);
    const { report } = await runAgainst(pod, "lanes-1");
    const delivery = report.overall.delivery;
    const context = JSON.stringify({ delivery, triggers: report.overall.triggers, events: report.events });
    expect(report.run.accounting).toBe("publisher");
    expect(report.overall.triggers.accepted, context).toBe(30);
    expect(pod.publishedOutOfSendOrder, context).toBeGreaterThan(0);
    expect(delivery, context).toMatchObject({
      expected: 30 * 3,
      received: 30 * 3,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
    expect(pod.publishers.size, context).toBeGreaterThan(1);
  });

  it("still counts a pod swapping two frames of one lane as out of order, once per connection", async () => {
    pod = await startLanePod(true);
    const { report } = await runAgainst(pod, "lanes-2");
    const delivery = report.overall.delivery;
    const context = JSON.stringify({ delivery, triggers: report.overall.triggers, events: report.events });
    expect(report.overall.triggers.accepted, context).toBe(30);
    expect(delivery, context).toMatchObject({
      expected: 30 * 3,
      received: 30 * 3,
      lost: 0,
      duplicates: 0,
      outOfOrder: 3,
    });
  });
});
