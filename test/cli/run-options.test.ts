import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLIError } from "../../lib/cli/cli-error.js";
import { resolveRunConfig } from "../../lib/cli/run-options.js";

const dir = mkdtempSync(join(tmpdir(), "crosspod-run-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profileFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Commander's defaults, as the run command passes them. */
const defaults = { engine: "auto", threshold: [], maxGeneratorCpu: "80" };

function usageError(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(CLIError);
    expect((error as CLIError).kind).toBe("usage");
    return (error as CLIError).message;
  }
  throw new Error("expected a usage error");
}

describe("run configuration", () => {
  it("starts from the built-in profile and a local cluster of 3 replicas in recover mode", () => {
    const config = resolveRunConfig("cross-pod-load", defaults, {});
    expect(config.profile).toMatchObject({
      connections: 300,
      triggerRate: 20,
      durationSeconds: 30,
      drainSeconds: 5,
    });
    expect(config).toMatchObject({ engine: "auto", targets: [], replicas: 3, delivery: "recover" });
    // A tenth of cross-pod-load's tightest latency bound, p(99)<250.
    expect(config.saturationLimits).toMatchObject({ cpuFraction: 0.8, eventLoopLagP99Ms: 25 });
  });

  it("sizes the generator's lag limit to the tightest latency threshold, never under 10 ms", () => {
    const lagLimit = (threshold: string[], extra: Record<string, unknown> = {}) =>
      resolveRunConfig("cross-pod-load", { ...defaults, threshold, ...extra }, {}).saturationLimits
        .eventLoopLagP99Ms;
    expect(lagLimit(["crosspod_fanout_latency:p(99)<1000"])).toBe(100);
    expect(lagLimit(["crosspod_e2e_latency:max<120"])).toBe(12);
    expect(lagLimit(["crosspod_fanout_latency:p(99)<50"])).toBe(10);
    expect(lagLimit(["crosspod_fanout_latency:p(99)<1000"], { maxGeneratorLag: "7" })).toBe(7);
  });

  it("takes a flag over the environment, the environment over the profile file, the file over the built-in", () => {
    const file = profileFile("layers.yaml", "connections: 11\ntriggerRate: 3\ndurationSeconds: 7\n");
    const config = resolveRunConfig(
      "cross-pod-load",
      { ...defaults, profileFile: file, connections: "44" },
      { CROSSPOD_CONNECTIONS: "33", CROSSPOD_RATE: "4/s" },
    );
    expect(config.profile).toMatchObject({
      connections: 44,
      triggerRate: 4,
      durationSeconds: 7,
      rampSeconds: 3,
    });
  });

  it("reads durations and rates the way people write them", () => {
    const config = resolveRunConfig(
      "cross-pod-load",
      { ...defaults, duration: "2m", ramp: "500ms", drain: "1s", rate: "12.5/s", maxGeneratorLag: "25ms" },
      {},
    );
    expect(config.profile).toMatchObject({
      durationSeconds: 120,
      rampSeconds: 0.5,
      drainSeconds: 1,
      triggerRate: 12.5,
    });
    expect(config.saturationLimits.eventLoopLagP99Ms).toBe(25);
  });

  it("lets a --threshold replace the profile's expressions for its metric and keep the others", () => {
    const config = resolveRunConfig(
      "cross-pod-load",
      { ...defaults, threshold: ["crosspod_fanout_latency:p(99)<50", "crosspod_fanout_latency:max<500"] },
      {},
    );
    expect(config.profile.thresholds.crosspod_fanout_latency).toEqual(["p(99)<50", "max<500"]);
    expect(config.profile.thresholds.crosspod_lost).toEqual(["count==0"]);
  });

  it("judges steady-state latency and refused triggers under chaos, loss over the whole run, and takes tagged --threshold keys", () => {
    const plain = resolveRunConfig("cross-pod-load", defaults, {}).profile.thresholds;
    expect(plain.crosspod_fanout_latency).toEqual(["p(99)<250"]);
    expect(plain.crosspod_trigger_failures).toEqual(["rate<0.01"]);
    const chaos = resolveRunConfig(
      "cross-pod-load",
      {
        ...defaults,
        chaos: "kill-pod:pod-b@2s,restart-pod:pod-b@4s",
        threshold: ["crosspod_lost{phase:fault}:count==0"],
      },
      {},
    ).profile.thresholds;
    expect(chaos).toMatchObject({
      "crosspod_fanout_latency{phase:steady}": ["p(99)<250"],
      "crosspod_trigger_failures{phase:steady}": ["rate<0.01"],
      "crosspod_lost{phase:fault}": ["count==0"],
      crosspod_lost: ["count==0"],
      crosspod_rejoin_failures: ["count==0"],
    });
    expect(chaos.crosspod_fanout_latency).toBeUndefined();
    expect(chaos.crosspod_trigger_failures).toBeUndefined();
    expect(
      usageError(() =>
        resolveRunConfig(
          "cross-pod-load",
          { ...defaults, threshold: ["crosspod_lost{phase:later}:count==0"] },
          {},
        ),
      ),
    ).toMatch(/names phase "later"/);
  });

  it("takes --generator-cpus with --cluster-cpus for the local cluster only, or off", () => {
    const pinned = resolveRunConfig(
      "cross-pod-load",
      { ...defaults, generatorCpus: "1", clusterCpus: "0" },
      {},
    );
    expect(pinned.cpus).toEqual({ generator: "1", cluster: "0" });
    expect(
      resolveRunConfig("cross-pod-load", { ...defaults, generatorCpus: "off" }, {}).cpus,
    ).toBeUndefined();
    expect(
      usageError(() => resolveRunConfig("cross-pod-load", { ...defaults, generatorCpus: "1" }, {})),
    ).toBe("--generator-cpus and --cluster-cpus go together (or either is off)");
    expect(
      usageError(() =>
        resolveRunConfig("cross-pod-load", { ...defaults, generatorCpus: "1", clusterCpus: "zero" }, {}),
      ),
    ).toBe('--cluster-cpus: expected a CPU list such as 1, 0-2 or 0,2, or off (got "zero")');
    expect(
      usageError(() =>
        resolveRunConfig(
          "cross-pod-load",
          { ...defaults, targets: "http://127.0.0.1:1", generatorCpus: "1", clusterCpus: "0" },
          {},
        ),
      ),
    ).toMatch(/apply only to the auto-started local cluster/);
    expect(
      resolveRunConfig("cross-pod-load", { ...defaults, targets: "http://127.0.0.1:1" }, {}).cpus,
    ).toBeUndefined();
  });

  it("judges acknowledged triggers lost by default in Sentinel chaos runs, and takes --redis only for the local cluster", () => {
    const ha = resolveRunConfig(
      "cross-pod-load",
      { ...defaults, redis: "sentinel", chaos: "kill-redis-primary@10s" },
      {},
    );
    expect(ha.redisMode).toBe("sentinel");
    expect(ha.profile.thresholds.crosspod_acknowledged_lost).toEqual(["count==0"]);
    const overridden = resolveRunConfig(
      "cross-pod-load",
      {
        ...defaults,
        redis: "sentinel",
        chaos: "kill-redis-primary@10s",
        threshold: ["crosspod_acknowledged_lost:count<5"],
      },
      {},
    );
    expect(overridden.profile.thresholds.crosspod_acknowledged_lost).toEqual(["count<5"]);
    const plain = resolveRunConfig("cross-pod-load", { ...defaults, redis: "sentinel" }, {});
    expect(plain.profile.thresholds.crosspod_acknowledged_lost).toBeUndefined();
    expect(resolveRunConfig("cross-pod-load", defaults, {}).redisMode).toBe("single");
    expect(
      usageError(() => resolveRunConfig("cross-pod-load", { ...defaults, redis: "cluster" }, {})),
    ).toMatch(/--redis.*expected one of single, sentinel/);
    expect(
      usageError(() =>
        resolveRunConfig(
          "cross-pod-load",
          { ...defaults, redis: "sentinel", targets: "http://127.0.0.1:1" },
          {},
        ),
      ),
    ).toContain("--redis applies only to the auto-started local cluster");
  });

  it("runs a profile a file defines completely under its own name", () => {
    const file = profileFile(
      "mine.json",
      JSON.stringify({ name: "mine", connections: 5, triggerRate: 1, durationSeconds: 2 }),
    );
    const config = resolveRunConfig(
      "mine",
      { ...defaults, profileFile: file, targets: "http://127.0.0.1:8080" },
      {},
    );
    expect(config.profile).toMatchObject({
      name: "mine",
      connections: 5,
      drainSeconds: 5,
      triggerPod: "round-robin",
    });
    expect(config.targets).toEqual(["http://127.0.0.1:8080"]);
  });

  it("names the flag, variable or file in every error", () => {
    const cases: Array<[raw: Record<string, unknown>, env: Record<string, string>, message: RegExp]> = [
      [{ connections: "many" }, {}, /^--connections: expected a whole number of connections \(got "many"\)$/],
      [{ connections: "0" }, {}, /^--connections: .*connections: expected at least 1 connection/],
      [{ rate: "0" }, {}, /^--rate: .*more than 0 triggers per second/],
      [{ duration: "5x" }, {}, /^--duration: /],
      [{ threshold: ["p99 under 250"] }, {}, /^--threshold: expected metric:expression/],
      [{ threshold: ["crosspod_bogus:count==0"] }, {}, /^--threshold: .*unknown metric "crosspod_bogus"/],
      [{ threshold: ["crosspod_lost:p(99)<1"] }, {}, /^--threshold: .*a counter does not have/],
      [{ engine: "k7" }, {}, /^--engine: expected one of auto, node, k6/],
      [{ targets: "ws://127.0.0.1:1/ws" }, {}, /^--targets: .*expected a URL starting with http:\/\//],
      [{ targets: "http://127.0.0.1:80x" }, {}, /^--targets: "http:\/\/127\.0\.0\.1:80x": .*is not a host/],
      [
        { targets: "http://127.0.0.1:1", delivery: "pubsub" },
        {},
        /^--delivery applies only to the auto-started local cluster/,
      ],
      [{ replicas: "30" }, {}, /^--replicas: expected at most 26/],
      [{ metricsPort: "70000" }, {}, /^--metrics-port: expected a port number/],
      [{ maxGeneratorLag: "soon" }, {}, /^--max-generator-lag: expected milliseconds/],
      [{ surprise: true }, {}, /Unrecognized key/],
      [{}, { CROSSPOD_RATE: "fast" }, /^CROSSPOD_RATE: expected triggers per second/],
      [{}, { CROSSPOD_THRESHOLDS: "{" }, /^CROSSPOD_THRESHOLDS: expected JSON/],
    ];
    for (const [raw, env, message] of cases) {
      expect(usageError(() => resolveRunConfig("cross-pod-load", { ...defaults, ...raw }, env))).toMatch(
        message,
      );
    }
  });

  it("names the profile file and the field for a bad profile file", () => {
    const run = (file: string) =>
      usageError(() => resolveRunConfig("cross-pod-load", { ...defaults, profileFile: file }, {}));
    const wrongType = profileFile("wrong-type.yaml", "connections: lots\n");
    expect(run(wrongType)).toMatch(
      new RegExp(`^--profile-file ${wrongType}: .*connections: expected a number`),
    );
    expect(run(profileFile("misspelt.yaml", "conections: 5\n"))).toMatch(/unknown field "conections"/);
    expect(run(profileFile("broken.yaml", "connections: [1,\n"))).toMatch(
      /^--profile-file .*: not valid YAML or JSON/,
    );
    expect(run(profileFile("list.yaml", "- 1\n"))).toMatch(/expected a mapping of profile fields/);
    expect(run(join(dir, "absent.yaml"))).toMatch(
      /^--profile-file .*absent\.yaml: cannot read the file \(ENOENT\)/,
    );
    const renamed = profileFile("renamed.yaml", "name: other\n");
    expect(run(renamed)).toMatch(/its name "other" does not match the profile argument "cross-pod-load"/);
  });

  it("shows .inf and .nan as written and refuses a __proto__ key (D12)", () => {
    const run = (file: string) =>
      usageError(() => resolveRunConfig("cross-pod-load", { ...defaults, profileFile: file }, {}));
    expect(run(profileFile("inf.yaml", "connections: .inf\n"))).toMatch(/connections: .*\(got \.inf\)$/);
    expect(run(profileFile("nan.yaml", "triggerRate: .nan\n"))).toMatch(/triggerRate: .*\(got \.nan\)$/);
    expect(run(profileFile("proto.yaml", "__proto__: {connections: 5}\n"))).toMatch(
      /^--profile-file .*proto\.yaml: __proto__: "__proto__" is not accepted as a key$/,
    );
    expect(run(profileFile("nested.yaml", "thresholds:\n  __proto__: [count==0]\n"))).toMatch(
      /thresholds\.__proto__: "__proto__" is not accepted/,
    );
  });

  it("refuses a profile file over 1 MiB before parsing it (D2)", () => {
    const big = profileFile("big.yaml", `# ${"x".repeat(1024 * 1024)}\nconnections: 5\n`);
    expect(
      usageError(() => resolveRunConfig("cross-pod-load", { ...defaults, profileFile: big }, {})),
    ).toMatch(/^--profile-file .*big\.yaml: the file is larger than 1024 KiB/);
  });

  it("never echoes credentials given in --targets (D14)", () => {
    const message = usageError(() =>
      resolveRunConfig("cross-pod-load", { ...defaults, targets: "http://user:pw@127.0.0.1:80x" }, {}),
    );
    expect(message).not.toContain("pw");
    expect(message).toContain("http://***@127.0.0.1:80x");
  });

  it("names the built-in profiles for an unknown profile without a file", () => {
    expect(usageError(() => resolveRunConfig("no-such", defaults, {}))).toMatch(
      /unknown profile "no-such": expected one of cross-pod-load, soak, spike/,
    );
  });
});
