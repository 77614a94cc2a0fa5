// Bad input, from HTTP bodies to WebSocket frames: each gets the documented status or close code with
// the offending field named, and the pod keeps serving everyone else as if nothing happened.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { RedisServer } from "../../lib/cluster/redis-server.js";
import type { ErrorResponse } from "../../lib/core/threat-protocol.js";
import { skipWithoutRedis, startRedis } from "../fixtures/redis.js";
import { refusedUpgrade, TestClient } from "../fixtures/ws-client.js";
import { type Pod, request, startPod, stopPods, trigger } from "./support/backend-pods.js";

const token = "s3cret-token-for-tests";
const auth = { authorization: `Bearer ${token}` };
const json = { "content-type": "application/json", ...auth };

interface HttpCase {
  name: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  code: string;
  field?: string;
}

const httpCases: HttpCase[] = [
  {
    name: "malformed JSON",
    headers: json,
    body: '{"type": ',
    status: 400,
    code: "invalid_json",
    field: "body",
  },
  {
    name: "a body that is not an object",
    headers: json,
    body: "[1,2]",
    status: 400,
    code: "invalid_field",
    field: "body",
  },
  {
    name: "a wrong field type",
    headers: json,
    body: '{"type": 5}',
    status: 400,
    code: "invalid_field",
    field: "type",
  },
  {
    name: "an unknown severity",
    headers: json,
    body: '{"severity":"apocalyptic"}',
    status: 400,
    code: "invalid_field",
    field: "severity",
  },
  {
    name: "a bad nested probe field",
    headers: json,
    body: '{"probe":{"run":"r","publisher":"p","n":-1,"t":1}}',
    status: 400,
    code: "invalid_field",
    field: "probe.n",
  },
  {
    name: "a JSON null body (D6)",
    headers: json,
    body: "null",
    status: 400,
    code: "invalid_field",
    field: "body",
  },
  {
    name: "an unknown field inside probe (D7)",
    headers: json,
    body: '{"probe":{"run":"r","publisher":"p","n":1,"t":1,"tt":2}}',
    status: 400,
    code: "unknown_field",
    field: "probe.tt",
  },
  {
    name: "a hexadecimal since (D8)",
    path: "/api/threats?since=0x10",
    method: "GET",
    status: 400,
    code: "invalid_query",
    field: "since",
  },
  {
    name: "an exponent limit (D8)",
    path: "/api/threats?limit=1e2",
    method: "GET",
    status: 400,
    code: "invalid_query",
    field: "limit",
  },
  {
    name: "an unknown field",
    headers: json,
    body: '{"colour":"red"}',
    status: 400,
    code: "unknown_field",
    field: "colour",
  },
  {
    name: "an oversized body",
    headers: json,
    body: JSON.stringify({ description: "x".repeat(3000) }),
    status: 413,
    code: "body_too_large",
    field: "body",
  },
  {
    name: "a wrong content type",
    headers: { "content-type": "text/plain", ...auth },
    body: "{}",
    status: 415,
    code: "unsupported_media_type",
    field: "content-type",
  },
  {
    name: "a missing token",
    headers: { "content-type": "application/json" },
    body: "{}",
    status: 401,
    code: "unauthorized",
    field: "authorization",
  },
  {
    name: "a wrong token",
    headers: { "content-type": "application/json", authorization: "Bearer wrong-token-x" },
    body: "{}",
    status: 401,
    code: "unauthorized",
    field: "authorization",
  },
  {
    name: "a non-numeric since",
    path: "/api/threats?since=abc",
    method: "GET",
    status: 400,
    code: "invalid_query",
    field: "since",
  },
  {
    name: "a negative since",
    path: "/api/threats?since=-1",
    method: "GET",
    status: 400,
    code: "invalid_query",
    field: "since",
  },
  {
    name: "a limit over 1000",
    path: "/api/threats?limit=5000",
    method: "GET",
    status: 400,
    code: "invalid_query",
    field: "limit",
  },
  { name: "an unknown route", path: "/api/nope", method: "GET", status: 404, code: "not_found" },
  {
    name: "a wrong method",
    path: "/api/threats/trigger",
    method: "PUT",
    status: 405,
    code: "method_not_allowed",
    field: "method",
  },
  {
    name: "a plain GET of /ws",
    path: "/ws",
    method: "GET",
    status: 426,
    code: "upgrade_required",
    field: "upgrade",
  },
  {
    name: "an unknown threat id",
    path: "/api/threats/no-such-id",
    method: "GET",
    status: 404,
    code: "not_found",
    field: "id",
  },
];

interface UpgradeCase {
  name: string;
  path: string;
  status: number;
  code: string;
  field?: string;
}

const upgradeCases: UpgradeCase[] = [
  { name: "a non-numeric since", path: "/ws?since=abc", status: 400, code: "invalid_query", field: "since" },
  { name: "a negative since", path: "/ws?since=-1", status: 400, code: "invalid_query", field: "since" },
  {
    name: "a malformed epoch",
    path: "/ws?epoch=not%20an%20epoch!",
    status: 400,
    code: "invalid_query",
    field: "epoch",
  },
  { name: "an unknown path", path: "/socket", status: 404, code: "not_found" },
];

interface FrameCase {
  name: string;
  send: (ws: WebSocket) => void;
  code: number;
  reason: RegExp;
}

const frameCases: FrameCase[] = [
  { name: "a non-JSON frame", send: (ws) => ws.send("hello?"), code: 1008, reason: /must be JSON/ },
  {
    name: "an unknown JSON frame",
    send: (ws) => ws.send('{"type":"subscribe"}'),
    code: 1008,
    reason: /unknown client frame/,
  },
  { name: "a binary frame", send: (ws) => ws.send(Buffer.from([1, 2, 3])), code: 1008, reason: /binary/ },
  {
    name: "a frame over WS_MAX_PAYLOAD_BYTES",
    send: (ws) => ws.send(JSON.stringify({ type: "ping", pad: "x".repeat(600) })),
    code: 1009,
    reason: /.*/,
  },
];

const requestTimeoutMs = 1500;

/** Raw requests node:http cannot parse (D3): each gets its status and the JSON error body, then a close. */
const malformedCases: Array<[name: string, request: string, status: number, code: string]> = [
  [
    "headers over 16 KiB",
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(20_000)}\r\n\r\n`,
    431,
    "headers_too_large",
  ],
  ["a URL over 16 KiB", `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, "headers_too_large"],
  ["a bad request line", "FLY /healthz NOPE\r\n\r\n", 400, "malformed_request"],
  [
    "Content-Length: -1",
    "POST /api/threats/trigger HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    400,
    "malformed_request",
  ],
];

describe.skipIf(skipWithoutRedis)("bad input", () => {
  let redis: RedisServer | undefined;
  let pod: Pod | undefined;
  let limited: Pod | undefined;
  let watcher: TestClient | undefined;
  const clients: TestClient[] = [];

  function target(): Pod {
    if (!pod) throw new Error("pod did not start");
    return pod;
  }

  beforeAll(async () => {
    redis = await startRedis();
    const env = {
      AUTH_TOKEN: token,
      MAX_BODY_BYTES: "1024",
      WS_MAX_PAYLOAD_BYTES: "512",
      REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
    };
    [pod, limited] = await Promise.all([
      startPod("strict-pod", redis.url, env),
      startPod("limited-pod", redis.url, { TRIGGER_RATE_LIMIT: "5", KEY_PREFIX: "limited:" }),
    ]);
    watcher = await TestClient.connect(pod.ws);
  });

  afterAll(async () => {
    await Promise.all([watcher, ...clients].map((client) => client?.close()));
    await stopPods([pod, limited]);
    await redis?.dispose();
  });

  it.each(httpCases)("answers $name with $status ($code) naming the field", async (testCase) => {
    const reply = await request<ErrorResponse>(`${target().http}${testCase.path ?? "/api/threats/trigger"}`, {
      method: testCase.method ?? "POST",
      headers: testCase.headers,
      body: testCase.body,
    });
    expect(reply.status).toBe(testCase.status);
    expect(reply.body.error.code).toBe(testCase.code);
    expect(reply.body.error.message).toEqual(expect.any(String));
    expect(reply.body.error.field).toBe(testCase.field);
    if (testCase.status === 401) expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
    if (testCase.status === 405) expect(reply.headers.get("allow")).toBe("POST");
  });

  it.each(upgradeCases)("refuses an upgrade with $name: $status naming the field", async (testCase) => {
    const refused = await refusedUpgrade(`ws://127.0.0.1:${target().port}${testCase.path}`);
    expect(refused.status).toBe(testCase.status);
    expect(refused.body).toMatchObject({ error: { code: testCase.code } });
    expect((refused.body as ErrorResponse).error.field).toBe(testCase.field);
  });

  it.each(frameCases)("closes a client that sends $name with $code", async (testCase) => {
    const offender = await TestClient.connect(target().ws);
    clients.push(offender);
    testCase.send(offender.ws);
    const closed = await offender.waitForClose();
    expect(closed.code).toBe(testCase.code);
    expect(closed.reason).toMatch(testCase.reason);
  });

  it("answers a ping frame with a pong and keeps the connection", async () => {
    const client = await TestClient.connect(target().ws);
    clients.push(client);
    client.ws.send('{"type":"ping"}');
    await client.waitFor(() => client.frames.some((frame) => frame.type === "pong"), "a pong frame");
    expect(client.closed).toBeUndefined();
  });

  it("accepts an empty body as a random threat, with the token", async () => {
    const reply = await trigger(target(), undefined, auth);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ pod: "strict-pod", seq: expect.any(Number), id: expect.any(String) });
  });

  it("still serves the client that watched all of the above, without a gap", async () => {
    const client = watcher;
    if (!client) throw new Error("watcher did not connect");
    const body = JSON.stringify({ type: "after-bad-input" });
    const accepted = await request<{ seq: number }>(`${target().http}/api/threats/trigger`, {
      method: "POST",
      headers: json,
      body,
    });
    expect(accepted.status).toBe(202);
    await client.waitFor(
      () => client.seqs().includes(accepted.body.seq),
      "the threat triggered after the bad input",
    );
    expect(client.closed).toBeUndefined();
    const seqs = client.seqs();
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] ?? 0) + i));
    expect((await fetch(`${target().http}/healthz`)).status).toBe(200);
    expect((await fetch(`${target().http}/readyz`)).status).toBe(200);
  });

  it("answers triggers over TRIGGER_RATE_LIMIT with 429 and Retry-After", async () => {
    if (!limited) throw new Error("limited pod did not start");
    const replies = await Promise.all(Array.from({ length: 12 }, () => trigger(limited as Pod)));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 202).length).toBeGreaterThanOrEqual(5);
    const rejected = replies.filter((reply) => reply.status === 429);
    expect(rejected.length).toBeGreaterThan(0);
    for (const reply of rejected) {
      expect(Number(reply.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(reply.body).toMatchObject({ error: { code: "rate_limited" } });
    }
    expect(statuses.every((status) => status === 202 || status === 429)).toBe(true);
  });

  it("answers a streamed (chunked) body that passes MAX_BODY_BYTES with 413 once the limit is crossed", async () => {
    const chunk = new TextEncoder().encode(`"${"x".repeat(400)}",`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 50) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const reply = await request<ErrorResponse>(`${target().http}/api/threats/trigger`, {
      method: "POST",
      headers: json,
      body,
      duplex: "half",
    } as RequestInit);
    expect(reply.status).toBe(413);
    expect(reply.body.error).toMatchObject({ code: "body_too_large", field: "body" });
  });

  it.each(malformedCases)(
    "answers %s with its status and a JSON error body (D3)",
    async (_name, text, status, code) => {
      const reply = await rawRequest(target().port, text);
      expect(reply).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(reply).toMatch(/content-type: application\/json/i);
      expect(reply).toContain(`"code":"${code}"`);
      expect((await fetch(`${target().http}/healthz`)).status).toBe(200);
    },
  );

  it("answers a stalled body with 408 once REQUEST_TIMEOUT_MS has passed (D3)", async () => {
    const started = Date.now();
    const reply = await rawRequest(
      target().port,
      `POST /api/threats/trigger HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: 100\r\n\r\n{"type":`,
      { keepOpen: true },
    );
    const elapsedMs = Date.now() - started;
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(reply).toContain('"code":"request_timeout"');
    // node checks timeouts once a second; well before its 30 s default that held a socket ~55 s.
    expect(elapsedMs).toBeGreaterThanOrEqual(requestTimeoutMs - 100);
    expect(elapsedMs).toBeLessThan(requestTimeoutMs + 10_000);
  });

  it("answers HEAD /healthz like GET, without a body (D9)", async () => {
    const head = await fetch(`${target().http}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await head.text()).toBe("");
    const wrong = await fetch(`${target().http}/healthz`, { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
  });

  it.each([
    ["an HTTP request", ""],
    [
      "a WebSocket upgrade",
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
    ],
  ])("answers %s for an unparseable URL with 400, and stays up", async (_name, extraHeaders) => {
    const reply = await rawRequest(target().port, `GET //[ HTTP/1.1\r\nHost: x\r\n${extraHeaders}\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toContain('"code":"invalid_url"');
    expect((await fetch(`${target().http}/healthz`)).status).toBe(200);
  });
});

/**
 * Sends raw bytes (for requests fetch refuses to make) and resolves with everything the pod answers;
 * `keepOpen` leaves the sending side open, as a client stalled mid-body does.
 */
function rawRequest(port: number, text: string, options: { keepOpen?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () =>
      options.keepOpen ? socket.write(text) : socket.end(text),
    );
    let reply = "";
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString();
    });
    socket.on("close", () => resolve(reply));
    socket.on("error", reject);
  });
}
