import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleRoutes } from "../../lib/backend/console-assets.js";
import { createRequestHandler } from "../../lib/backend/http-router.js";

async function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer(createRequestHandler(consoleRoutes(dir), pino({ level: "silent" })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("console assets", () => {
  let dir: string;
  let built: { server: Server; base: string };
  let missing: { server: Server; base: string };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "crosspod-console-"));
    await writeFile(join(dir, "index.html"), "<!doctype html><title>console</title>");
    await writeFile(join(dir, "console.js"), "export {};");
    built = await serve(dir);
    missing = await serve(join(dir, "absent"));
  });
  afterAll(async () => {
    built.server.close();
    missing.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the page at / with a strict content security policy", async () => {
    const res = await fetch(`${built.base}/?faro=http://127.0.0.1:1/collect`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await res.text()).toContain("<title>console</title>");
  });

  it("serves the bundle at /console.js as JavaScript", async () => {
    const res = await fetch(`${built.base}/console.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("claims no other path, and only GET", async () => {
    expect((await fetch(`${built.base}/api/threats`)).status).toBe(404);
    expect((await fetch(`${built.base}/console.css`)).status).toBe(404);
    expect((await fetch(`${built.base}/`, { method: "POST" })).status).toBe(405);
  });

  it("answers 404 saying to build when the bundle is missing", async () => {
    const res = await fetch(`${missing.base}/`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("console_not_built");
    expect(body.error.message).toContain("npm run build");
  });
});
