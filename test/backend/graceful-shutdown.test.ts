// Graceful shutdown: in-process through close(), and as a real `crosspod backend` process on SIGTERM.
// Clients get 1001, triggers already in flight are answered and published, and the process exits 0.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terminate } from "../../lib/cluster/child-process-exit.js";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import type { ThreatHistoryResponse, TriggerResponse } from "../../lib/core/threat-protocol.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";
import { TestClient } from "../fixtures/ws-client.js";
import { type Pod, request, startPod, stopPods, trigger, triggerAccepted } from "./support/backend-pods.js";

const cli = "dist/cli.js";

/** A POST whose body is sent in two parts, so the test decides when the request completes. */
function slowTrigger(pod: Pod): {
  sent: Promise<void>;
  finish: () => void;
  reply: Promise<{ status: number; body: TriggerResponse }>;
} {
  const req = httpRequest(`${pod.http}/api/threats/trigger`, {
    method: "POST",
    headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
  });
  const reply = new Promise<{ status: number; body: TriggerResponse }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
  });
  // Resolves once the head and the first part are on the wire (connected, then flushed to the socket).
  const sent = new Promise<void>((resolve) =>
    req.once("socket", (socket) => {
      const write = () => req.write('{"type":"in-flight-at-shutdown",', () => resolve());
      if (socket.connecting) socket.once("connect", write);
      else write();
    }),
  );
  return { sent, finish: () => req.end('"severity":"low"}'), reply };
}

describe.skipIf(skipWithoutRedis)("graceful shutdown", () => {
  let redis: RedisServer | undefined;
  let survivor: Pod | undefined;
  const clients: TestClient[] = [];
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    survivor = await startPod("survivor", redis.url);
  });

  afterAll(async () => {
    if (child) await terminate(child, "SIGKILL");
    await Promise.all(clients.map((client) => client.close()));
    await stopPods([survivor]);
    await redis?.dispose();
  });

  it("closes clients with 1001, answers the trigger in flight, and every 202 is in history", async () => {
    const pod = await startPod("leaving", (redis as RedisServer).url);
    const attached = await Promise.all([1, 2, 3].map(() => TestClient.connect(pod.ws)));
    clients.push(...attached);
    const inFlight = slowTrigger(pod);
    await inFlight.sent;
    // One more round trip, so the pod has read the slow request's head before shutdown starts.
    await fetch(`${pod.http}/healthz`);
    // A burst racing the shutdown: each one is answered 202 (and published) or refused, never lost.
    const burst = Array.from({ length: 20 }, () => trigger(pod).catch(() => undefined));
    const closing = pod.backend.close();
    inFlight.finish();
    await closing;

    for (const client of attached)
      expect(await client.waitForClose()).toEqual({ code: 1001, reason: "going away" });
    const slow = await inFlight.reply;
    expect(slow).toMatchObject({ status: 202, body: { seq: expect.any(Number) } });
    const accepted = [slow.body.seq];
    for (const reply of await Promise.all(burst)) {
      if (reply === undefined) continue;
      expect([202, 503]).toContain(reply.status);
      if (reply.status === 202) accepted.push(reply.body.seq);
    }
    const history = await request<ThreatHistoryResponse>(`${survivor?.http}/api/threats?since=0&limit=1000`);
    const stored = history.body.threats.map((frame) => frame.seq);
    for (const seq of accepted) expect(stored).toContain(seq);
    await expect(fetch(`${pod.http}/healthz`)).rejects.toThrow();
  });

  it("runs as `crosspod backend` from env, and on SIGTERM closes clients with 1001 and exits 0", async () => {
    expect(existsSync(cli), `${cli} is missing: run npm run build first`).toBe(true);
    child = spawn(process.execPath, [cli, "backend"], {
      env: {
        ...process.env,
        PORT: "0",
        POD_NAME: "cli-pod",
        REDIS_URL: (redis as RedisServer).url,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logs: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) =>
      logs.push(JSON.parse(line)),
    );
    const listening = await waitFor(
      () => logs.find((log) => log.msg === "backend listening"),
      "the listening log line",
      10_000,
    );
    expect(listening).toMatchObject({
      pod: "cli-pod",
      port: expect.any(Number),
      ws: expect.stringMatching(/\/ws$/),
    });
    const pod: Pod = {
      name: "cli-pod",
      port: listening.port as number,
      http: listening.http as string,
      ws: listening.ws as string,
      backend: { port: listening.port as number, close: async () => {} },
    };
    await waitFor(async () => (await fetch(`${pod.http}/readyz`)).status === 200, "cli-pod to be ready");
    const client = await TestClient.connect(pod.ws);
    clients.push(client);
    const accepted = await triggerAccepted(pod);
    await client.waitForThreats(1);

    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await client.waitForClose()).toEqual({ code: 1001, reason: "going away" });
    expect(await exited).toBe(0);
    expect(logs.map((log) => log.msg)).toEqual(
      expect.arrayContaining(["shutting down", "draining", "backend stopped"]),
    );
    expect(client.seqs()).toEqual([accepted.seq]);
  });

  it("refuses a bad environment with exit code 2 and a message naming the variable", async () => {
    const bad = spawn(process.execPath, [cli, "backend"], {
      env: { ...process.env, PORT: "eighty", REDIS_URL: (redis as RedisServer).url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    bad.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => bad.once("exit", (exit) => resolve(exit)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/PORT/);
    expect(stderr).toMatch(/eighty/);
  });
});
