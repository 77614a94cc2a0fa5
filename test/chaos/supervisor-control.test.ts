// A real `crosspod up --control-port` process driven by its two clients: `crosspod chaos`, and the
// chaos-pod-kill k6 bundle's chaos scenario run in the k6 emulator (test/scenarios). The emulated k6/http
// blocks this thread like k6 blocks a VU, so the control API must live in another process anyway.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChaosEvent } from "../../lib/chaos/chaos-controller.js";
import { k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { buildK6Target } from "../../scripts/k6-bundles.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";
import { callExport, createVuFactory, type VuFactory } from "../scenarios/k6-emulated-vus.js";

const cliPath = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const token = "chaos-scenario-test-token-123456";

interface Supervisor {
  child: ChildProcess;
  output: () => string;
  controlUrl: string;
  redisUrl: string;
  podUrls: string[];
}

async function startSupervisor(): Promise<Supervisor> {
  const child = spawn(process.execPath, [cliPath, "up", "--replicas", "2", "--control-port", "0"], {
    env: { ...process.env, CROSSPOD_CONTROL_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const controlUrl = await waitFor(
    () =>
      /chaos control API {2}(http:\/\/\S+)/.exec(text)?.[1] ??
      (child.exitCode !== null ? "exited" : undefined),
    "crosspod up to print its control API",
    30_000,
  );
  if (controlUrl === "exited") throw new Error(`crosspod up exited: ${text}`);
  return {
    child,
    output: () => text,
    controlUrl,
    redisUrl: /redis {2}(redis:\/\/\S+)/.exec(text)?.[1] ?? "",
    podUrls: [...text.matchAll(/pod-[a-z] {2}(http:\/\/\S+)/g)].map((match) => match[1] as string),
  };
}

async function stopSupervisor(supervisor: Supervisor | undefined): Promise<void> {
  if (!supervisor || supervisor.child.exitCode !== null) return;
  const exited = new Promise((resolve) => supervisor.child.once("exit", resolve));
  supervisor.child.kill("SIGINT");
  await exited;
}

/** Runs `crosspod chaos …` and resolves with its exit code and output. */
function crosspodChaos(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, "chaos", ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.skipIf(skipWithoutRedis)(
  "crosspod up --control-port with crosspod chaos and the chaos-pod-kill k6 scenario",
  () => {
    let workDir: string;
    let bundleFile: string;
    let supervisor: Supervisor | undefined;
    const factories: VuFactory[] = [];

    async function vuFactory(variables: Record<string, string>): Promise<VuFactory> {
      const factory = await createVuFactory(bundleFile, variables, 1 + 100 * factories.length);
      factories.push(factory);
      return factory;
    }

    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-chaos-"));
      const target = k6BundleTargets.find((candidate) => candidate.dir === "v2");
      if (!target) throw new Error("no default k6 bundle target");
      expect((await buildK6Target(target, workDir)).errors).toEqual([]);
      bundleFile = join(workDir, "k6", "v2", "chaos-pod-kill.js");
      supervisor = await startSupervisor();
    }, 60_000);

    afterAll(async () => {
      for (const factory of factories) await factory.close();
      await stopSupervisor(supervisor);
      await rm(workDir, { recursive: true, force: true });
    });

    function env(extra: Record<string, string> = {}): Record<string, string> {
      const running = supervisor as Supervisor;
      return {
        TARGETS: running.podUrls.join(","),
        REDIS_URL: running.redisUrl,
        CROSSPOD_CONTROL_URL: running.controlUrl,
        CROSSPOD_CONTROL_TOKEN: token,
        ...extra,
      };
    }

    it("runs crosspod chaos against the supervisor, with exit codes that say what went wrong", async () => {
      const api = {
        CROSSPOD_CONTROL_URL: (supervisor as Supervisor).controlUrl,
        CROSSPOD_CONTROL_TOKEN: token,
      };
      const stopped = await crosspodChaos(["stop-pod", "pod-a"], api);
      expect(stopped).toMatchObject({ code: 0 });
      expect(stopped.stdout).toMatch(/stop-pod pod-a: SIGTERM; exited with code 0 \(\d+ ms\)/);
      expect((await crosspodChaos(["restart-pod", "pod-a"], api)).stdout).toMatch(
        /restart-pod pod-a: ready after/,
      );
      const [unknown, wrongToken, unreachable] = await Promise.all([
        crosspodChaos(["kill-pod", "pod-q"], api),
        crosspodChaos(["kill-pod", "pod-a"], { ...api, CROSSPOD_CONTROL_TOKEN: "wrong-token-0123456789" }),
        crosspodChaos(["kill-pod", "pod-a", "--control-url", "http://127.0.0.1:9", "--token", token], {}),
      ]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no pod "pod-q" in this cluster (pods: pod-a, pod-b)');
      expect(wrongToken.code).toBe(2);
      expect(wrongToken.stderr).toContain("Authorization: Bearer <token>");
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain("is `crosspod up --control-port` running?");
      const listed = await crosspodChaos(["events", "--json"], api);
      const { events } = JSON.parse(listed.stdout) as { events: ChaosEvent[] };
      expect(events.map((event) => event.action)).toEqual(["stop-pod", "restart-pod"]);
    });

    it("adds a chaos scenario that starts with the first trigger", async () => {
      const vus = await vuFactory(env());
      const options = vus.newVu("init").vu.exports.options as {
        scenarios: Record<string, { exec: string; startTime?: string; vus?: number; iterations?: number }>;
      };
      expect(options.scenarios.chaos).toMatchObject({ exec: "chaos", vus: 1, iterations: 1 });
      expect(options.scenarios.chaos?.startTime).toBe(options.scenarios.publishers?.startTime);
      expect(Object.keys(options.scenarios).sort()).toEqual(["chaos", "publishers", "subscribers"]);
    });

    it("refuses to start without the control API's token, or with a step after the triggers end", async () => {
      const bad = env();
      delete bad.CROSSPOD_CONTROL_TOKEN;
      const factory = await vuFactory(bad);
      expect(() => factory.newVu("init")).toThrow(/CROSSPOD_CONTROL_TOKEN is invalid/);
      const late = await vuFactory(env({ CROSSPOD_DURATION: "3" }));
      expect(() => late.newVu("init")).toThrow(
        'CROSSPOD_CHAOS step "kill-pod:pod-b@10s" is at 10 s, after the 3 s of triggers',
      );
    });

    it("kills and restarts a pod through the control API, recording events and chaos series", async () => {
      const vus = await vuFactory(
        env({ CROSSPOD_DURATION: "3", CROSSPOD_CHAOS: "kill-pod:pod-b@0.2s,restart-pod:pod-b@0.5s" }),
      );
      const runId = `k6-chaos-${Date.now()}`;
      const data = { runId, startedAtMs: Date.now(), targets: [], seqAtStart: 0 };
      await callExport(vus.newVu("chaos").vu, "chaos", data);

      const response = await fetch(`${(supervisor as Supervisor).controlUrl}/chaos/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { events } = (await response.json()) as { events: ChaosEvent[] };
      expect(events.slice(-2).map((event) => [event.action, event.target, event.ok])).toEqual([
        ["kill-pod", "pod-b", true],
        ["restart-pod", "pod-b", true],
      ]);

      const redis = new Redis((supervisor as Supervisor).redisUrl);
      try {
        const stored = (await redis.lrange(`crosspod:k6:${runId}:events`, 0, -1)).map((text) =>
          JSON.parse(text),
        );
        expect(stored.map((event) => [event.kind, event.name, event.target])).toEqual([
          ["chaos", "kill-pod", "pod-b"],
          ["chaos", "restart-pod", "pod-b"],
        ]);
        expect(stored[0].detail).toBe("SIGKILL; exited on SIGKILL");
      } finally {
        redis.disconnect();
      }
      const series = vus.sink.export();
      const counts = series.find((item) => item.name === "crosspod_chaos_events");
      expect(counts?.tags).toEqual([
        { action: "kill-pod", target: "pod-b" },
        { action: "restart-pod", target: "pod-b" },
      ]);
      const times = series.find((item) => item.name === "crosspod_chaos_event_timestamp_seconds");
      expect(times?.values[0]).toBeCloseTo(Date.now() / 1000, -2);
      expect((supervisor as Supervisor).output()).not.toContain("exited unexpectedly");
    });
  },
);
