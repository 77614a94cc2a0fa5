// WebSocket authentication for targets: the credential comes from the variable the target file names, goes
// into the handshake header, a cookie, the query or the first message, and a real `ws` server that refuses
// anything else lets the Node engine's discovery in only with it. The value never appears in errors.
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { loadTarget } from "../../lib/core/target-file.js";
import { discoverPods } from "../../lib/engine/target-discovery.js";

const secret = "s3cret-ws-token";

function target(port: number, auth: Record<string, string>, hello = false) {
  return {
    adapter: "generic-json",
    pods: [{ name: "a", url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` }],
    trigger: { path: "/t", body: { d: "{{probe}}" } },
    frames: { probe: "d", ...(hello ? { hello: { path: "type", equals: "connected" } } : {}) },
    websocket: { auth },
  };
}

function authorised(request: IncomingMessage): boolean {
  const url = new URL(request.url ?? "/", "http://x");
  return (
    request.headers.authorization === `Bearer ${secret}` ||
    (request.headers.cookie ?? "").includes(`session=${secret}`) ||
    url.searchParams.get("token") === secret ||
    url.searchParams.get("mode") === "message"
  );
}

describe("WebSocket auth in target files", () => {
  let server: WebSocketServer;
  let port = 0;
  beforeAll(async () => {
    server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      verifyClient: ({ req }: { req: IncomingMessage }) => authorised(req),
    });
    // The first-message variant: the session is up (hello) only once the first message carries the token.
    server.on("connection", (ws) => {
      ws.once("message", (data) => {
        if (data.toString() === JSON.stringify({ op: "auth", token: secret }))
          ws.send('{"type":"connected"}');
        else ws.close(1008, "unauthorised");
      });
    });
    await new Promise((resolve) => server.once("listening", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ["a header", { header: "Authorization", prefix: "Bearer ", env: "WS_TOKEN" }],
    ["a cookie", { cookie: "session", env: "WS_TOKEN" }],
    ["the query", { query: "token", env: "WS_TOKEN" }],
  ])("passes the credential in %s, from the environment", async (_name, auth) => {
    const { adapter, pods } = loadTarget(target(port, auth), { WS_TOKEN: secret });
    await expect(discoverPods(adapter, pods, 3000)).resolves.toHaveLength(1);
    const refused = loadTarget(target(port, auth), { WS_TOKEN: "wrong" });
    await expect(discoverPods(refused.adapter, refused.pods, 3000)).rejects.toThrow(
      /401|Unexpected server response/,
    );
  });

  it("sends the credential as the first message, before any subscribe message", async () => {
    const file = target(port, { message: '{"op":"auth","token":"{{token}}"}', env: "WS_TOKEN" }, true);
    file.pods[0] = { ...file.pods[0], ws: `ws://127.0.0.1:${port}/ws?mode=message` } as (typeof file.pods)[0];
    const { adapter, pods } = loadTarget({ ...file, subscribe: { op: "sub" } }, { WS_TOKEN: secret });
    expect(adapter.openingFrames(undefined)).toEqual([
      JSON.stringify({ op: "auth", token: secret }),
      '{"op":"sub"}',
    ]);
    await expect(discoverPods(adapter, pods, 3000)).resolves.toHaveLength(1);
  });

  it("names the variable, never the value, and refuses two places or none", () => {
    const error = (file: unknown, env: Record<string, string> = {}) => {
      try {
        loadTarget(file, env);
      } catch (caught) {
        return (caught as Error).message;
      }
      return "no error";
    };
    expect(error(target(1, { header: "Authorization", env: "WS_TOKEN" }))).toBe(
      "websocket.auth.env: environment variable WS_TOKEN is not set (it holds the WebSocket credential)",
    );
    expect(
      error(target(1, { header: "Authorization", query: "t", env: "WS_TOKEN" }), { WS_TOKEN: secret }),
    ).toMatch(/^websocket\.auth: expected exactly one of header, cookie, query, message/);
    expect(error(target(1, { message: "no placeholder", env: "WS_TOKEN" }))).toMatch(
      /^websocket\.auth\.message: expected \{\{token\}\}/,
    );
    expect(error(target(1, { header: "Authorization", env: "WS_TOKEN", token: secret }))).toMatch(
      /^websocket\.auth: .*token/,
    );
  });
});
