// The Kubernetes manifests (deploy/kubernetes) and `crosspod k8s render` output, checked offline: every
// object against the Kubernetes API schemas (kubernetes-models), the TestRun against k6-operator's
// documented fields (ajv), each overlay built by the real `kubectl kustomize`, and a golden render.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { StatefulSet } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { ConfigMap, Namespace, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { resolveProfile } from "../../lib/core/profiles.js";
import { distributedK6RunObjects } from "../../lib/kubernetes/distributed-k6-run.js";
import { repoRoot, runCli } from "../fixtures/node-process.js";
import { testRunSchema } from "./support/testrun-schema.js";

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } } & Record<string, unknown>;

const models: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "apps/v1/StatefulSet": StatefulSet,
  "batch/v1/Job": Job,
};
const validateTestRun = new Ajv({ allErrors: true, strict: true }).compile(testRunSchema);

/** Throws naming the object and the schema's complaint. */
function validate(object: Manifest): void {
  const where = `${object.kind} ${object.metadata.name}`;
  if (object.kind === "TestRun") {
    if (!validateTestRun(object)) throw new Error(`${where}: ${JSON.stringify(validateTestRun.errors)}`);
    return;
  }
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) throw new Error(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object as never).validate();
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

function documents(yaml: string): Manifest[] {
  return parseAllDocuments(yaml).map((document) => document.toJS() as Manifest);
}

const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
const hasKubectl = kubectl.status === 0;
if (!hasKubectl) {
  const message = "kubectl not found: install kubernetes-client (scripts/setup does) to build the overlays";
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPING kustomize builds: ${message}`);
}

const overlays = ["local", "external-redis", "tracing"];

describe("deploy/kubernetes", () => {
  it.skipIf(!hasKubectl).each(overlays)(
    "builds the %s overlay into objects the Kubernetes schemas accept",
    (overlay) => {
      const yaml = execFileSync(
        "kubectl",
        ["kustomize", join(repoRoot, "deploy/kubernetes/overlays", overlay)],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      const objects = documents(yaml);
      expect(objects.map((object) => object.kind)).toContain("StatefulSet");
      for (const object of objects) validate(object);
      const backend = objects.find(
        (object) => object.metadata.name === "crosspod-backend" && object.kind === "StatefulSet",
      );
      const env = (
        backend as unknown as { spec: { template: { spec: { containers: { env: { name: string }[] }[] } } } }
      ).spec.template.spec.containers[0]?.env;
      expect(env?.filter((variable) => variable.name === "REDIS_URL")).toHaveLength(1);
    },
  );

  it("gives each pod time to drain: grace period >= preStop + the backend's shutdown timeout", () => {
    const backend = documents(
      readFileSync(join(repoRoot, "deploy/kubernetes/base/backend-statefulset.yaml"), "utf8"),
    )[0];
    const pod = (backend as unknown as { spec: { template: { spec: unknown } } }).spec.template.spec as {
      terminationGracePeriodSeconds: number;
      containers: {
        env: { name: string; value?: string }[];
        lifecycle: { preStop: { exec: { command: string[] } } };
      }[];
    };
    const container = pod.containers[0];
    const preStopSeconds = Number(container?.lifecycle.preStop.exec.command[1]);
    const shutdownMs = Number(
      container?.env.find((variable) => variable.name === "SHUTDOWN_TIMEOUT_MS")?.value,
    );
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + shutdownMs / 1000);
    expect(container?.env.find((variable) => variable.name === "HOST")?.value).toBe("0.0.0.0");
  });
});

describe("crosspod k8s render", () => {
  const golden = join(repoRoot, "test/kubernetes/golden/distributed-k6-run.yaml");

  it("renders the ConfigMap, TestRun and merge Job of a 4-runner run as the golden file says", () => {
    const objects = distributedK6RunObjects({
      profile: { ...resolveProfile("cross-pod-load", {}), connections: 3000 },
      overrides: ["connections"],
      parallelism: 4,
      runId: "golden",
      namespace: "crosspod",
      targets: ["http://crosspod-backend-0.crosspod-backend-pods:8080"],
      redisUrl: "redis://crosspod-redis:6379",
      k6Image: "grafana/k6:1.8.1",
      crosspodImage: "crosspod-backend:0.1.0",
      script: { file: "cross-pod-load.js", content: "// the k6 bundle\n" },
      prometheusRemoteWrite: "http://prometheus:9090/api/v1/write",
      mergeTimeoutSeconds: 900,
    });
    for (const object of objects) validate(object as Manifest);
    const yaml = objects
      .map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }))
      .join("---\n");
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, yaml);
    expect(yaml).toBe(readFileSync(golden, "utf8"));
  });

  it("puts the bundle built for the runner image's k6 in the ConfigMap, under 1 MiB", async () => {
    const out = join(repoRoot, "dist", "k8s-render-test.yaml");
    for (const [image, redisModule] of [
      ["grafana/k6:1.8.1", "k6/experimental/redis"],
      ["grafana/k6:2.0.0", "k6/x/redis"],
    ] as const) {
      const { code, stderr } = await runCli([
        "k8s",
        "render",
        "cross-pod-load",
        "--parallelism",
        "3",
        "--run-id",
        "r1",
        "--k6-image",
        image,
        "--out",
        out,
      ]);
      expect(code, stderr).toBe(0);
      const objects = documents(readFileSync(out, "utf8"));
      for (const object of objects) validate(object);
      const script =
        (objects[0] as unknown as { data: Record<string, string> }).data["cross-pod-load.js"] ?? "";
      expect(Buffer.byteLength(script)).toBeLessThan(1_048_576);
      expect(script).toContain(`"${redisModule}"`);
      expect((objects[1] as unknown as { spec: { parallelism: number } }).spec.parallelism).toBe(3);
    }
  });

  it("exits 2 naming the flag for a bad parallelism, run id or unpinned image", async () => {
    for (const [args, message] of [
      [["--parallelism", "0"], "--parallelism: expected a whole number from 1 to 100"],
      [["--run-id", "Has_Caps"], "--run-id: expected 1 to 40 lowercase"],
      [["--k6-image", "grafana/k6"], '--k6-image: "grafana/k6" has no version tag'],
    ] as const) {
      const { code, stderr } = await runCli(["k8s", "render", "cross-pod-load", ...args]);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
  });
});
