// Both engines run lib/core's one subscriber session: one scripted frame sequence (a gap, a duplicate, a
// swap, a drop, a resume whose backfill is cut by a second drop, a resume that completes it) fed through
// the Node engine's wrapper (ws) and through the k6 wrapper (k6/websockets) in the k6 emulator's fresh
// realm must give identical DeliveryChecker figures, and exactly the injected ones.

import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import type { PublishedTrigger } from "../../lib/core/delivery-checker.js";
import type { DeliveryFigures } from "../../lib/core/report-model.js";
import { ConnectionPool } from "../../lib/engine/connection-pool.js";
import { PublishedLog } from "../../lib/engine/published-log.js";
import { k6ModulePaths } from "../../scripts/k6-bundles.js";
import { helloFrame, threatFrame } from "../core/support/crosspod-frames.js";
import { loadBundle } from "./k6-bundle-vm.js";
import { emulatedModules, newEmulatorResources } from "./k6-emulated-modules.js";
import { wholeTestOptions } from "./k6-emulated-segment.js";
import { callExport } from "./k6-emulated-vus.js";
import type { ScriptedOutput } from "./k6-scripted-subscriber-entry.js";

const pod = "pod-s";
const headSeq = 11;
const backoff = { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 5, giveUpAfterMs: 10_000 };
const timeoutMs = 10_000;
const published: PublishedTrigger[] = Array.from({ length: headSeq }, (_, i) => ({
  seq: i + 1,
  publisher: "p",
  n: i + 1,
  acceptedAtMs: 0,
}));

/**
 * What the pod sends each connection, by the ?since= it came with, and whether it then drops it (1012,
 * service restart). Fresh: 3 never comes (lost), 4 twice (duplicate), 6 before 5 (swap). since=7: the
 * backfill up to head 10 stops after 8. since=8: the rest of the backfill, then 11 live.
 */
const script: Record<string, { frames: string[]; drop: boolean }> = {
  "": { frames: [helloFrame(pod, 0, true), ...[1, 2, 4, 4, 6, 5, 7].map(threat)], drop: true },
  "7": { frames: [helloFrame(pod, 10, true), threat(8)], drop: true },
  "8": { frames: [helloFrame(pod, 10, true), ...[9, 10, 11].map(threat)], drop: false },
};

function threat(seq: number): string {
  return threatFrame(seq, "pod-o", Date.now());
}

function sinceOf(request: IncomingMessage): string {
  return new URL(request.url ?? "/", "http://pod").searchParams.get("since") ?? "";
}

describe("the subscriber session under both engines' wrappers", () => {
  let server: WebSocketServer;
  let wsUrl: string;
  let workDir: string;
  const sinces: string[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    server.on("connection", (socket: WebSocket, request: IncomingMessage) => {
      const since = sinceOf(request);
      sinces.push(since);
      const step = script[since];
      if (step === undefined) {
        socket.close(1011, `unscripted since=${since}`);
        return;
      }
      for (const frame of step.frames) socket.send(frame);
      if (step.drop) socket.close(1012, "scripted drop");
    });
    await new Promise((resolve) => server.once("listening", resolve));
    wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    workDir = await mkdtemp(join(tmpdir(), "crosspod-subscriber-wrappers-"));
  });

  afterAll(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function throughNodeWrapper(): Promise<{ figures: DeliveryFigures; reconnects: number }> {
    const pool = new ConnectionPool({
      runId: "scripted",
      published: new PublishedLog(),
      targets: [{ wsUrl, pod }],
      connections: 1,
      rampSeconds: 0,
      accounting: "seq",
      backoff,
    });
    try {
      await pool.open();
      expect(await pool.waitForHead(() => headSeq, timeoutMs), "the Node wrapper reached the head").toBe(
        true,
      );
      return {
        figures: pool.settle(published, headSeq),
        reconnects: pool.pods.get(pod)?.recorder.connections.reconnects ?? 0,
      };
    } finally {
      await pool.close();
    }
  }

  async function throughK6Wrapper(): Promise<ScriptedOutput> {
    const outfile = join(workDir, "k6-scripted-subscriber.js");
    const built = await build({
      entryPoints: ["test/scenarios/k6-scripted-subscriber-entry.ts"],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2020",
      mainFields: ["module", "main"],
      conditions: ["import", "default"],
      plugins: [k6ModulePaths({})],
      logLevel: "warning",
    });
    expect(built.errors).toEqual([]);
    const bundle = await loadBundle(outfile);
    const resources = newEmulatorResources();
    const execution = {
      scenario: { name: "subscribers", iterationInTest: 0, startTime: Date.now() },
      vu: { idInTest: 1, idInInstance: 1 },
      test: { options: wholeTestOptions },
    };
    try {
      const vu = bundle.newVu({}, (toRealm) => emulatedModules({ ...resources, toRealm }, execution));
      const input = { wsUrl, pod, headSeq, published, backoff, timeoutMs };
      const output = JSON.parse(JSON.stringify(await callExport(vu, "subscribeScripted", input)));
      expect(bundle.missingModules).toEqual(new Set());
      return output as ScriptedOutput;
    } finally {
      for (const socket of resources.sockets) socket.terminate();
      await resources.http.close();
    }
  }

  it("gives identical delivery figures, exactly the injected ones, from the Node and the k6 wrapper", async () => {
    const node = await throughNodeWrapper();
    const nodeSinces = sinces.splice(0);
    const k6 = await throughK6Wrapper();
    const k6Sinces = sinces.splice(0);

    expect(k6.reachedHead, k6.problems.join("; ")).toBe(true);
    expect(k6.figures).toEqual(node.figures);
    expect(node.figures).toMatchObject({
      expected: 11,
      received: 10,
      lost: 1,
      lostSamples: ["3"],
      duplicates: 1,
      outOfOrder: 1,
      missedWhileDisconnected: 0,
      recovered: 3,
    });
    // Each resumed from the last seq it received: 7 after the first drop, 8 mid-backfill.
    expect(nodeSinces).toEqual(["", "7", "8"]);
    expect(k6Sinces).toEqual(["", "7", "8"]);
    expect([node.reconnects, k6.reconnects]).toEqual([2, 2]);
    expect(k6).toMatchObject({ opened: 1, frames: 11, problems: [] });
  });
});
