import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesDriver, type KubernetesDriverOptions } from "../../lib/chaos/kubernetes-driver.js";
import { parseChaosAction } from "../../lib/core/chaos-schedule.js";

// A stand-in kubectl on PATH: appends its arguments as one JSON line to $KUBECTL_LOG, lists two pods for
// `get pods`, and fails like kubectl does for a pod called "missing".
const standIn = `#!/usr/bin/env node
const { appendFileSync } = require("node:fs");
const args = process.argv.slice(2);
appendFileSync(process.env.KUBECTL_LOG, JSON.stringify(args) + "\\n");
if (args[0] === "get") process.stdout.write("pod/backend-7c9f-x2\\npod/backend-7c9f-a1\\n");
if (args.includes("missing")) {
  process.stderr.write('Error from server (NotFound): pods "missing" not found\\n');
  process.exit(1);
}
`;

let binDir = "";
let log = "";

async function run(action: object, options: KubernetesDriverOptions = {}) {
  await writeFile(log, "");
  const driver = new KubernetesDriver({
    ...options,
    env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}`, KUBECTL_LOG: log },
  });
  return driver.apply(parseChaosAction(action));
}

async function recorded(): Promise<string[][]> {
  const text = await readFile(log, "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
}

beforeAll(async () => {
  binDir = await mkdtemp(join(tmpdir(), "crosspod-kubectl-"));
  log = join(binDir, "calls.jsonl");
  await writeFile(join(binDir, "kubectl"), standIn);
  await chmod(join(binDir, "kubectl"), 0o755);
});

afterAll(async () => {
  await rm(binDir, { recursive: true, force: true });
});

describe("kubernetes driver", () => {
  it("kills a pod with kubectl delete --grace-period=0 --force in the namespace", async () => {
    const result = await run({ action: "kill-pod", target: "backend-7c9f-x2" }, { namespace: "soc" });
    const expected = [
      "delete",
      "pod",
      "backend-7c9f-x2",
      "--namespace",
      "soc",
      "--grace-period=0",
      "--force",
      "--wait=false",
    ];
    expect(await recorded()).toEqual([expected]);
    expect(result.commands).toEqual([expected]);
  });

  it("stops a pod gracefully, without forcing", async () => {
    await run({ action: "stop-pod", target: "backend-7c9f-x2" });
    expect(await recorded()).toEqual([["delete", "pod", "backend-7c9f-x2", "--wait=false"]]);
  });

  it("checks the target against the label selector before deleting it", async () => {
    await run(
      { action: "kill-pod", target: "backend-7c9f-a1" },
      { namespace: "soc", selector: "app=backend" },
    );
    expect(await recorded()).toEqual([
      ["get", "pods", "--namespace", "soc", "-l", "app=backend", "-o", "name"],
      [
        "delete",
        "pod",
        "backend-7c9f-a1",
        "--namespace",
        "soc",
        "--grace-period=0",
        "--force",
        "--wait=false",
      ],
    ]);
  });

  it("refuses a pod the selector does not match, naming the ones it does", async () => {
    await expect(run({ action: "kill-pod", target: "redis-0" }, { selector: "app=backend" })).rejects.toThrow(
      'pod "redis-0" does not match -l app=backend (matching: backend-7c9f-a1, backend-7c9f-x2)',
    );
    expect((await recorded()).map((args) => args[0])).toEqual(["get"]);
  });

  it('picks the first matching pod for the target "any"', async () => {
    const result = await run({ action: "stop-pod", target: "any" }, { selector: "app=backend" });
    expect(result.target).toBe("backend-7c9f-a1");
    expect((await recorded())[1]).toEqual(["delete", "pod", "backend-7c9f-a1", "--wait=false"]);
  });

  it("restarts by rolling the deployment", async () => {
    const result = await run(
      { action: "restart-pod", target: "backend-7c9f-a1" },
      { namespace: "soc", deployment: "backend" },
    );
    expect(await recorded()).toEqual([["rollout", "restart", "deployment/backend", "--namespace", "soc"]]);
    expect(result.target).toBe("deployment/backend");
  });

  it("asks for --deployment to restart a pod", async () => {
    await expect(run({ action: "restart-pod", target: "backend-7c9f-a1" })).rejects.toThrow(
      "restart-pod on Kubernetes rolls a deployment: pass --deployment <name>",
    );
  });

  it("reports kubectl's error with the command it ran", async () => {
    await expect(run({ action: "kill-pod", target: "missing" })).rejects.toThrow(
      'kubectl delete pod missing --grace-period=0 --force --wait=false exited with code 1: Error from server (NotFound): pods "missing" not found',
    );
  });

  it("refuses Redis and network actions, which have no kubectl equivalent here", async () => {
    await expect(run({ action: "kill-redis" })).rejects.toMatchObject({
      code: "CROSSPOD_KUBERNETES_UNSUPPORTED",
    });
    await expect(run({ action: "latency", target: "redis@pod-a", latencyMs: 5 })).rejects.toThrow(
      "latency redis@pod-a 5 ms: the Kubernetes driver runs kill-pod, stop-pod and restart-pod only",
    );
    expect(await recorded()).toEqual([]);
  });

  it("says how to fix a missing kubectl", async () => {
    const driver = new KubernetesDriver({ kubectl: join(binDir, "no-such-kubectl") });
    await expect(driver.apply(parseChaosAction({ action: "kill-pod", target: "a" }))).rejects.toThrow(
      "was not found on PATH; install kubectl or pass --kubectl <path>",
    );
  });
});
