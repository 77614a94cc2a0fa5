// The adapters and the target file live in lib/core so k6 scenarios can bundle them: they must load and work
// in a bare JavaScript context (no Node globals, no URL, no Buffer), as in k6, and import nothing but zod.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const adapterDir = join(root, "lib/core/adapters");
const importPattern = /^\s*(?:import|export)\s(?:[^"';]*?\sfrom\s)?\s*["']([^"']+)["']/gm;

const entry = `
import { loadTarget } from "./lib/core/target-file.ts";
export function run() {
  const { adapter, pods } = loadTarget({
    adapter: "socketio",
    pods: [{ name: "io-a", url: "http://127.0.0.1:3000" }],
    trigger: { path: "/t/{{probe.n}}", body: { probe: "{{probe}}" }, accept: [202] },
    socketio: { event: "threat", payload: { probe: "threat.probe", publishedAt: { path: "at", unit: "iso" } } },
  }, {});
  const probe = { run: "r", publisher: "p", n: 3, t: 1 };
  return {
    url: adapter.webSocketUrl(pods[0].wsUrl, undefined),
    opening: adapter.openingFrames({ session: "p1", offset: "1-0" }),
    request: adapter.triggerRequest({ name: "io-a", httpUrl: pods[0].httpUrl }, probe),
    frame: adapter.readFrame('42["threat",{"at":"2026-01-01T00:00:00.000Z","threat":{"probe":{"run":"r","publisher":"p","n":3,"t":1}}},"5-0"]'),
  };
}`;

describe("protocol adapters outside Node", () => {
  it("import nothing but relative modules and zod", () => {
    for (const file of readdirSync(adapterDir)) {
      const source = readFileSync(join(adapterDir, file), "utf8");
      for (const [, specifier = ""] of source.matchAll(importPattern)) {
        expect(
          specifier.startsWith("./") || specifier.startsWith("../") || specifier === "zod",
          `${file} imports ${specifier}`,
        ).toBe(true);
        expect(
          specifier.startsWith("../")
            ? !specifier.includes("/engine/") && !specifier.includes("/cli/")
            : true,
        ).toBe(true);
      }
    }
  });

  it("build a target and read Socket.IO frames in a bare context", async () => {
    const result = await build({
      stdin: { contents: entry, resolveDir: root, loader: "ts", sourcefile: "adapters-entry.ts" },
      bundle: true,
      platform: "neutral",
      mainFields: ["module", "main"],
      format: "iife",
      globalName: "neutral",
      write: false,
      logLevel: "silent",
    });
    const context: Record<string, unknown> = {};
    runInNewContext(`${result.outputFiles[0]?.text}\nglobalThis.result = neutral.run();`, context, {
      timeout: 5_000,
    });
    expect(JSON.parse(JSON.stringify(context.result))).toEqual({
      url: "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket",
      opening: ['40{"pid":"p1","offset":"1-0"}'],
      request: {
        method: "POST",
        url: "http://127.0.0.1:3000/t/3",
        headers: { "content-type": "application/json" },
        body: '{"probe":{"run":"r","publisher":"p","n":3,"t":1}}',
      },
      frame: {
        type: "delivery",
        publishedAtMs: Date.parse("2026-01-01T00:00:00.000Z"),
        podOrigin: "unknown",
        probe: { run: "r", publisher: "p", n: 3, t: 1 },
        offset: "5-0",
      },
    });
  });
});
