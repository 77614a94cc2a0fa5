// The engine against a scripted pod written here (plain http + ws): the pod answers triggers with a seq
// and then misdelivers on purpose (a gap, a duplicate, a swap, a dropped connection), so the report's
// counts can be checked against exactly what was injected.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import type { Profile } from "../../lib/core/profiles.js";
import { GeneratorHealth } from "../../lib/engine/generator-health.js";
import { RunSampler } from "../../lib/engine/phases/sample-phase.js";
import { runNodeEngine } from "../../lib/engine/run-node-engine.js";
import { waitUntil } from "../../lib/engine/wait-until.js";

interface ThreatLog {
  seq: number;
  frame: string;
}

interface ScriptedPod {
  url: string;
  /** ?since= of every WebSocket upgrade, in order ("" when absent). */
  sinces: string[];
  /** WebSocket clients connected right now. */
  openClients(): number;
  close(): Promise<void>;
}

/** After trigger `seq` was accepted, which logged seqs to push to every client, in order. */
type Script = (seq: number, clients: Set<WebSocket>, log: ThreatLog[]) => void;

const pod = "pod-s";

function send(clients: Set<WebSocket>, log: ThreatLog[], seqs: number[]): void {
  for (const seq of seqs) {
    const entry = log.find((item) => item.seq === seq);
    if (!entry) throw new Error(`script sends seq ${seq} before it was published`);
    for (const client of clients) client.send(entry.frame);
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return JSON.parse(text);
}

/** `withholdReply(seq)`: publish and fan out, but never answer the trigger request (a stalled pod). */
async function startScriptedPod(
  script: Script,
  withholdReply = (_seq: number) => false,
  /** Refuse the n-th WebSocket upgrade (1-based; the engine's target discovery is the first) with 503. */
  refuseUpgrade = (_n: number) => false,
): Promise<ScriptedPod> {
  const log: ThreatLog[] = [];
  const clients = new Set<WebSocket>();
  const sinces: string[] = [];
  const server: Server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/api/threats/trigger") {
      response.writeHead(404).end();
      return;
    }
    readBody(request).then((body) => {
      const seq = log.length + 1;
      const publishedAt = performance.timeOrigin + performance.now();
      const probe = (body as { probe?: unknown }).probe;
      const threat = {
        id: `t-${seq}`,
        type: "malware",
        severity: "high",
        source_ip: "10.0.0.1",
        description: "",
        probe,
      };
      const frame = {
        type: "threat",
        seq,
        id: `t-${seq}`,
        pod_origin: pod,
        published_at: publishedAt,
        threat,
      };
      log.push({ seq, frame: JSON.stringify(frame) });
      if (withholdReply(seq)) {
        script(seq, clients, log);
        return;
      }
      response
        .writeHead(202, { "content-type": "application/json" })
        .end(JSON.stringify({ id: `t-${seq}`, seq, pod, published_at: publishedAt }));
      script(seq, clients, log);
    });
  });
  let upgrades = 0;
  const wss = new WebSocketServer({
    server,
    path: "/ws",
    verifyClient: (_info, accept) => {
      upgrades += 1;
      if (refuseUpgrade(upgrades)) accept(false, 503, "not ready");
      else accept(true);
    },
  });
  wss.on("connection", (ws, request) => {
    const since = new URL(request.url ?? "/", "http://x").searchParams.get("since") ?? "";
    sinces.push(since);
    ws.send(JSON.stringify({ type: "hello", pod, seq: log.length, epoch: "e1", resume: true }));
    // Resume: what the client missed since `since`, then live frames (the reference backend's contract).
    if (since !== "")
      send(
        new Set([ws]),
        log,
        log.filter((item) => item.seq > Number(since)).map((item) => item.seq),
      );
    clients.add(ws);
    ws.on("close", () => clients.delete(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sinces,
    openClients: () => clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function profile(overrides: Partial<Profile>): Profile {
  return {
    name: "scripted",
    connections: 4,
    rampSeconds: 0,
    triggerRate: 20,
    durationSeconds: 0.3,
    drainSeconds: 3,
    triggerPod: "round-robin",
    connectionsPerVu: 50,
    thresholds: { crosspod_lost: ["count==0"] },
    ...overrides,
  };
}

let scripted: ScriptedPod | undefined;
afterEach(async () => {
  await scripted?.close();
  scripted = undefined;
});

describe("node engine against a scripted pod", () => {
  it("reports exactly the injected gap, duplicate and swap on every connection", async () => {
    // Published 1..6; delivered 1, 2, (3 never), 4, 4 again, 6, then 5.
    scripted = await startScriptedPod((seq, clients, log) => {
      const pushes: Record<number, number[]> = { 1: [1], 2: [2], 4: [4, 4], 6: [6, 5] };
      send(clients, log, pushes[seq] ?? []);
    });
    const connections = 4;
    const { report } = await runNodeEngine({
      runId: "scripted-1",
      profile: profile({ connections }),
      targets: [scripted.url],
      thresholds: { crosspod_lost: ["count==0"] },
    });
    const delivery = report.overall.delivery;
    expect(report.overall.triggers.accepted).toBe(6);
    expect(delivery.expected).toBe(6 * connections);
    expect(delivery.received).toBe(5 * connections);
    expect(delivery.lost).toBe(1 * connections);
    expect(delivery.duplicates).toBe(1 * connections);
    expect(delivery.outOfOrder).toBe(1 * connections);
    expect(delivery.lostSamples).toContain("3");
    expect(report.overall.fanout.count).toBe(6 * connections);
    expect(report.pods[pod]?.connections.opened).toBe(connections);
    expect(report.thresholds).toEqual([
      expect.objectContaining({ metric: "crosspod_lost", ok: false, actual: 4 }),
    ]);
  });

  it("reconnects after the pod drops every client, resumes with ?since= and loses nothing", async () => {
    let dropped = false;
    scripted = await startScriptedPod((seq, clients, log) => {
      send(clients, log, [seq]);
      if (seq === 2 && !dropped) {
        dropped = true;
        for (const client of clients) client.close(1001, "going away");
      }
    });
    const connections = 3;
    const { report } = await runNodeEngine({
      runId: "scripted-2",
      profile: profile({ connections, durationSeconds: 1 }),
      targets: [scripted.url],
      thresholds: {},
    });
    const delivery = report.overall.delivery;
    expect(report.overall.triggers.accepted).toBe(20);
    expect(report.overall.connections.reconnects).toBe(connections);
    expect(report.overall.reconnectTime.count).toBe(connections);
    expect(scripted.sinces.filter((since) => since === "2")).toHaveLength(connections);
    expect(delivery.lost).toBe(0);
    expect(delivery.missedWhileDisconnected).toBe(0);
    expect(delivery.duplicates).toBe(0);
    expect(delivery.outOfOrder).toBe(0);
    expect(delivery.received).toBe(20 * connections);
  });

  it("checks a trigger whose reply never came once a client receives it, and says so", async () => {
    scripted = await startScriptedPod(
      (seq, clients, log) => send(clients, log, [seq]),
      (seq) => seq === 2,
    );
    const connections = 2;
    const { report } = await runNodeEngine({
      runId: "scripted-4",
      profile: profile({ connections, durationSeconds: 0.2 }),
      targets: [scripted.url],
      thresholds: {},
      triggerTimeoutMs: 300,
    });
    expect(report.overall.triggers).toMatchObject({ sent: 4, accepted: 3, failed: 1 });
    expect(report.overall.delivery).toMatchObject({
      expected: 4 * connections,
      received: 4 * connections,
      lost: 0,
    });
    expect(report.events).toContainEqual(
      expect.objectContaining({
        name: "triggers-failed",
        detail:
          "1 of 4 triggers failed (timeout: 1); 1 of them reached clients anyway: judged by crosspod_trigger_failures",
      }),
    );
    expect(report.validity.reasons.join("; ")).not.toContain("triggers");
    expect(report.events).toContainEqual(
      expect.objectContaining({ kind: "error", name: "trigger-failed", target: pod, detail: "timeout" }),
    );
  });

  it("retries refused connects with backoff, counting each failure by cause", async () => {
    scripted = await startScriptedPod(
      (seq, clients, log) => send(clients, log, [seq]),
      undefined,
      (n) => n === 2 || n === 3,
    );
    const connections = 2;
    const { report } = await runNodeEngine({
      runId: "scripted-6",
      profile: profile({ connections }),
      targets: [scripted.url],
      thresholds: {},
    });
    expect(report.overall.connections).toMatchObject({ opened: connections, failed: 2, reconnects: 0 });
    expect(report.overall.delivery).toMatchObject({ expected: 6 * connections, lost: 0 });
    expect(report.events).toContainEqual(
      expect.objectContaining({ kind: "error", name: "connect-failed", target: pod, detail: "http-503" }),
    );
  });

  it("serves its live figures on /metrics while the run is going", async () => {
    scripted = await startScriptedPod((seq, clients, log) => send(clients, log, [seq]));
    let metricsUrl: string | undefined;
    let scraped: Promise<string> | undefined;
    const { report } = await runNodeEngine({
      runId: "scripted-5",
      profile: profile({ connections: 3, durationSeconds: 2.5, triggerRate: 10 }),
      targets: [scripted.url],
      thresholds: {},
      metricsPort: 0,
      onStarted: (info) => {
        metricsUrl = info.metricsUrl;
      },
      onProgress: (progress) => {
        if (progress.phase === "trigger" && progress.triggersAccepted > 0 && metricsUrl && !scraped) {
          scraped = fetch(metricsUrl).then((response) => response.text());
        }
      },
    });
    expect(report.overall.triggers.accepted).toBe(25);
    const text = await (scraped ?? Promise.reject(new Error("no progress update during the trigger phase")));
    expect(text).toContain('crosspod_connections{pod="pod-s",run="scripted-5"} 3');
    expect(text).toMatch(/crosspod_frames_received_total\{pod="pod-s",run="scripted-5"\} [1-9]/);
    expect(text).toMatch(/crosspod_fanout_latency_seconds_count\{pod="pod-s",run="scripted-5"\} [1-9]/);
  });

  it("closes its connections, /metrics, sampler and event-loop monitor when a phase throws", async () => {
    scripted = await startScriptedPod((seq, clients, log) => send(clients, log, [seq]));
    const monitorStopped = vi.spyOn(GeneratorHealth.prototype, "stop");
    const samplerStopped = vi.spyOn(RunSampler.prototype, "stop");
    let metricsUrl: string | undefined;
    try {
      await expect(
        runNodeEngine({
          runId: "scripted-6",
          profile: profile({ connections: 2, durationSeconds: 0.2 }),
          targets: [scripted.url],
          thresholds: {},
          metricsPort: 0,
          onStarted: (info) => {
            metricsUrl = info.metricsUrl;
          },
          beforeMetricsClose: async () => {
            expect(scripted?.openClients()).toBe(2);
            throw new Error("final scrape blew up");
          },
        }),
      ).rejects.toThrow("final scrape blew up");
      expect(monitorStopped).toHaveBeenCalledOnce();
      expect(samplerStopped).toHaveBeenCalledOnce();
      await expect(fetch(`${metricsUrl}`)).rejects.toThrow();
      const closed = await waitUntil(() => scripted?.openClients() === 0, { timeoutMs: 5_000 });
      expect(closed, "the pod still has the run's clients").toBe(true);
    } finally {
      monitorStopped.mockRestore();
      samplerStopped.mockRestore();
    }
  });

  it("fails fast naming a target that does not speak the protocol", async () => {
    scripted = await startScriptedPod(() => {});
    await expect(
      runNodeEngine({
        runId: "scripted-3",
        profile: profile({}),
        targets: [`${scripted.url}/nowhere`],
        thresholds: {},
      }),
    ).rejects.toThrow(/target http:\/\/127\.0\.0\.1:\d+\/nowhere: cannot connect .*http-\d{3}|nowhere/);
  });
});
