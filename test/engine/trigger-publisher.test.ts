// The Node engine's trigger publisher alone, against scripted HTTP pods on loopback that accept, refuse
// or hold each trigger: what it sends where, what reaches the published log, and how failures are counted.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { crosspodAdapter } from "../../lib/core/adapters/crosspod-adapter.js";
import type { Probe } from "../../lib/core/probe.js";
import { PodState } from "../../lib/engine/pod-state.js";
import { PublishedLog } from "../../lib/engine/published-log.js";
import { type PublisherOptions, TriggerPublisher } from "../../lib/engine/trigger-publisher.js";
import { waitFor } from "../fixtures/wait-for.js";

/** What a pod does with the k-th trigger the test's pods receive: a status to answer, or hold it. */
type Answer = (k: number) => number | "hold";

interface ScriptedPods {
  urls: string[];
  /** Probes received, in arrival order, with the pod that got each. */
  received: { pod: string; probe: Probe }[];
  /** Answers every held trigger with 202. */
  release(): void;
  close(): Promise<void>;
}

const openPods: ScriptedPods[] = [];

afterEach(async () => {
  for (const pods of openPods.splice(0)) await pods.close();
});

async function startPods(names: string[], answer: Answer): Promise<ScriptedPods> {
  const received: ScriptedPods["received"] = [];
  const held: (() => void)[] = [];
  let seq = 0;
  const servers = names.map((pod) =>
    createServer(async (request: IncomingMessage, response: ServerResponse) => {
      let text = "";
      for await (const chunk of request) text += chunk;
      const { probe } = JSON.parse(text) as { probe: Probe };
      const k = received.length;
      received.push({ pod, probe });
      const accept = () => {
        seq += 1;
        const body = { id: `t-${seq}`, seq, pod, published_at: Date.now() };
        response.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      const status = answer(k);
      if (status === "hold") held.push(accept);
      else if (status === 202) accept();
      else response.writeHead(status).end();
    }),
  );
  await Promise.all(
    servers.map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))),
  );
  const pods: ScriptedPods = {
    urls: servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    received,
    release: () => {
      for (const accept of held.splice(0)) accept();
    },
    close: async () => {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
  openPods.push(pods);
  return pods;
}

function publisherFor(pods: ScriptedPods, names: string[], options: Partial<PublisherOptions> = {}) {
  const states = new Map<string, PodState>();
  const pod = (name: string) => {
    let state = states.get(name);
    if (state === undefined) {
      state = new PodState(name, undefined);
      states.set(name, state);
    }
    return state;
  };
  const published = new PublishedLog();
  const publisher = new TriggerPublisher({
    adapter: crosspodAdapter(),
    runId: "run-t",
    publisherId: "run-t-node",
    targets: names.map((name, i) => ({ pod: name, url: pods.urls[i] ?? "" })),
    ratePerSecond: 40,
    durationSeconds: 0.25,
    published,
    pod,
    // Lateness is not what these tests judge; a busy machine must not fail them.
    lateStartToleranceMs: 60_000,
    ...options,
  });
  return { publisher, published, pod };
}

describe("TriggerPublisher", () => {
  it("sends rate × duration triggers round-robin, each with a probe of this run, and logs every accepted seq", async () => {
    const names = ["pod-a", "pod-b"];
    const pods = await startPods(names, () => 202);
    const { publisher, published, pod } = publisherFor(pods, names);
    await publisher.run();
    expect({ sent: publisher.sent, accepted: publisher.accepted, failed: publisher.failed }).toEqual({
      sent: 10,
      accepted: 10,
      failed: 0,
    });
    // Round-robin: half to each pod (requests to two pods may arrive in either order, so count them).
    const perPod = (name: string) => pods.received.filter((item) => item.pod === name).length;
    expect([perPod("pod-a"), perPod("pod-b")]).toEqual([5, 5]);
    for (const { probe } of pods.received) {
      expect(probe.run).toBe("run-t");
      expect(probe.publisher).toMatch(/^run-t-node-\d+$/);
    }
    // Within a lane (one probe publisher) n counts 1, 2, 3, … in send order.
    const lanes = new Map<string, number[]>();
    for (const { probe } of pods.received)
      lanes.set(probe.publisher, [...(lanes.get(probe.publisher) ?? []), probe.n]);
    for (const ns of lanes.values()) expect(ns).toEqual(ns.map((_, i) => i + 1));
    expect(published.sorted().map((trigger) => trigger.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(published.headSeq).toBe(10);
    expect([pod("pod-a").recorder.triggers, pod("pod-b").recorder.triggers]).toEqual([
      expect.objectContaining({ sent: 5, accepted: 5, failed: 0 }),
      expect.objectContaining({ sent: 5, accepted: 5, failed: 0 }),
    ]);
  });

  it("counts refused and unanswered triggers by cause, and reports each cause's first failure once", async () => {
    const pods = await startPods(["pod-a"], (k) => (k === 2 ? "hold" : k % 2 === 1 ? 503 : 202));
    const firstFailures: string[] = [];
    const { publisher, published } = publisherFor(pods, ["pod-a"], {
      requestTimeoutMs: 300,
      onFirstFailure: (pod, cause) => firstFailures.push(`${pod} ${cause}`),
    });
    await publisher.run();
    expect(publisher.failuresByCause()).toEqual({ "http-503": 5, timeout: 1 });
    expect(firstFailures.sort()).toEqual(["pod-a http-503", "pod-a timeout"]);
    expect(publisher.accepted).toBe(4);
    expect(published.sorted()).toHaveLength(4);
    // The unanswered trigger may still have been published: the log waits for a frame to tell.
    expect(published.awaiting).toBe(true);
  });

  it("sends nothing past maxInFlight: the excess counts as overloaded and never reaches a pod", async () => {
    const pods = await startPods(["pod-a"], () => "hold");
    const { publisher } = publisherFor(pods, ["pod-a"], { maxInFlight: 2 });
    const running = publisher.run();
    await waitFor(() => publisher.sent === 10, "all ten triggers to be due");
    await waitFor(() => pods.received.length === 2, "the two triggers in flight to reach the pod");
    pods.release();
    await running;
    expect(pods.received).toHaveLength(2);
    expect(publisher.accepted).toBe(2);
    expect(publisher.failuresByCause()).toEqual({ overloaded: 8 });
  });

  it("stops sending on stop(), while run() still waits for the replies in flight", async () => {
    const pods = await startPods(["pod-a"], () => "hold");
    const { publisher } = publisherFor(pods, ["pod-a"], { durationSeconds: 60 });
    const running = publisher.run();
    await waitFor(() => pods.received.length >= 2, "two triggers to arrive");
    publisher.stop();
    const sentAtStop = publisher.sent;
    await waitFor(() => pods.received.length === sentAtStop, "every trigger sent to reach the pod");
    let finished = false;
    void running.then(() => {
      finished = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(false);
    pods.release();
    await running;
    expect(publisher.sent).toBe(sentAtStop);
    expect(publisher.accepted).toBe(sentAtStop);
  });
});
