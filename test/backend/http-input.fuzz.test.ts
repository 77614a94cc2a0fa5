// Fuzzing a real pod's client-facing parsers: trigger bodies (content types, JSON shapes, probes), history
// queries, and frames a WebSocket client sends. Every answer is a documented status with the JSON error
// body (never a 500), every offending socket is closed with a documented code, and the pod keeps serving.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { TestClient } from "../fixtures/ws-client.js";
import { type Pod, startPod, stopPods } from "./support/backend-pods.js";

const probe = { run: "r", publisher: "p", n: 1, t: 1 };
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      type: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue({ maxDepth: 1 })),
      severity: fc.constantFrom("low", "critical", "apocalyptic", 5, null),
      source_ip: fc.string({ maxLength: 70 }),
      description: fc.string({ maxLength: 100 }),
      probe: fc.oneof(
        fc.constant(probe),
        fc.record({ run: fc.string(), publisher: fc.string(), n: fc.double(), t: fc.double() }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
    },
    { requiredKeys: [] },
  ),
);
const body = fc.oneof(
  json.map((value) => JSON.stringify(value) ?? ""),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
);
const contentType = fc.constantFrom(
  "application/json",
  "application/x+json",
  "text/plain",
  "",
  "application/json; charset=latin1",
);
const triggerStatuses = [202, 400, 413, 415];

function isPing(text: string): boolean {
  try {
    const value = JSON.parse(text) as { type?: unknown } | null;
    return typeof value === "object" && value !== null && value.type === "ping";
  } catch {
    return false;
  }
}

describe.skipIf(skipWithoutRedis)("a pod under fuzzed client input", () => {
  let redis: RedisServer | undefined;
  let pod: Pod | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    pod = await startPod("fuzz-pod", redis.url, { MAX_BODY_BYTES: "256", TRIGGER_RATE_LIMIT: "0" });
  });
  afterAll(async () => {
    await stopPods([pod]);
    await redis?.dispose();
  });

  function http(): string {
    if (!pod) throw new Error("pod did not start");
    return pod.http;
  }

  it("answers any trigger body with 202 or a documented 4xx and a JSON error naming a field", async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, async (text, type) => {
        const reply = await fetch(`${http()}/api/threats/trigger`, {
          method: "POST",
          headers: type === "" ? {} : { "content-type": type },
          body: text,
        });
        const answer = (await reply.json()) as { error?: { code: string; field?: string } };
        expect(triggerStatuses, JSON.stringify({ text, type, answer })).toContain(reply.status);
        if (reply.status !== 202) expect(answer.error?.code).toEqual(expect.any(String));
      }),
      { numRuns: 60 },
    );
  });

  it("answers any history query with 200 or 400 naming since or limit", async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom("0x10", "1e3", "-0", "00", " 5", "9".repeat(30), "Infinity", "%00"),
    );
    await fc.assert(
      fc.asyncProperty(value, value, async (since, limit) => {
        const query = new URLSearchParams({ since, limit }).toString();
        const reply = await fetch(`${http()}/api/threats?${query}`);
        const answer = (await reply.json()) as { error?: { field?: string } };
        expect([200, 400]).toContain(reply.status);
        if (reply.status === 400) expect(["since", "limit"]).toContain(answer.error?.field);
      }),
      { numRuns: 60 },
    );
  });

  it("closes a client that sends any non-ping frame with 1008 or 1009, and answers pings", async () => {
    const frame = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? "null"),
      fc.constant('{"type":"ping"}'),
    );
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        const client = await TestClient.connect(pod?.ws ?? "");
        try {
          client.ws.send(text);
          if (isPing(text)) {
            await client.waitFor(
              () => client.closed !== undefined || client.frames.some((f) => f.type === "pong"),
              "a pong",
            );
            if (client.closed !== undefined) expect(client.closed.code).toBe(1008);
            return;
          }
          const closed = await client.waitForClose();
          expect([1008, 1009]).toContain(closed.code);
        } finally {
          await client.close();
        }
      }),
      { numRuns: 30 },
    );
    expect((await fetch(`${http()}/readyz`)).status).toBe(200);
  });
});
