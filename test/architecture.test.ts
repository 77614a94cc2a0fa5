// The architecture as a test: every import arrow in lib/, scenarios/, dashboards/ and bench/ against the
// layer rules of STYLE.md (test/architecture/layer-rules.ts), and no function over 120 lines where the
// orchestration lives (lib/engine, lib/cli). Read with the TypeScript compiler's API, so a type-only or a
// dynamic import counts as much as a value import.
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { layerOf, layerViolations, longFunctions } from "./architecture/layer-rules.js";
import { readSourceFacts, type SourceFacts } from "./architecture/source-files.js";

const root = fileURLToPath(new URL("..", import.meta.url));
let facts: SourceFacts;

beforeAll(() => {
  facts = readSourceFacts(root);
});

describe("the layering", () => {
  it("reads every layer's files", () => {
    const layers = new Set(facts.files.map(layerOf));
    for (const layer of [
      "lib/core",
      "lib/engine",
      "lib/cli",
      "lib/console",
      "scenarios",
      "dashboards",
      "bench",
    ]) {
      expect(layers, `no files of ${layer} were read`).toContain(layer);
    }
    expect(facts.arrows.length).toBeGreaterThan(500);
  });

  it("has no import against the layer rules", () => {
    expect(layerViolations(facts.arrows)).toEqual([]);
  });

  it("keeps every function in lib/engine and lib/cli at most 120 lines", () => {
    expect(longFunctions(facts.functions, ["lib/engine", "lib/cli"], 120)).toEqual([]);
  });
});

describe("the layer rules", () => {
  it("refuse an engine import of the CLI, a core import of the engine, and a scenario importing engine code", () => {
    expect(
      layerViolations([
        { from: "lib/engine/run-node-engine.ts", to: "lib/cli/cli-error" },
        { from: "lib/core/delivery-checker.ts", to: "lib/engine/connection-pool" },
        { from: "scenarios/lib/k6-subscriber.ts", to: "lib/engine/reconnect-backoff" },
        { from: "lib/backend/fanout-hub.ts", to: "lib/cluster/free-port" },
        { from: "lib/console/main.ts", to: "lib/report/html-report" },
        { from: "bench/run-bench.ts", to: "lib/cli/main" },
      ]),
    ).toEqual([
      "lib/engine/run-node-engine.ts imports lib/cli/cli-error: lib/engine may import lib/core, lib/node-platform, lib/report, lib/tracing",
      "lib/core/delivery-checker.ts imports lib/engine/connection-pool: lib/core may import nothing of ours",
      "scenarios/lib/k6-subscriber.ts imports lib/engine/reconnect-backoff: scenarios may import lib/core, lib/report",
      "lib/backend/fanout-hub.ts imports lib/cluster/free-port: lib/backend may import lib/core, lib/tracing",
      "lib/console/main.ts imports lib/report/html-report: lib/console may import lib/core",
      "bench/run-bench.ts imports lib/cli/main: bench may import lib/backend, lib/chaos, lib/cluster, lib/core, lib/engine, lib/kubernetes, lib/node-platform, lib/report, lib/tracing",
    ]);
  });

  it("allow the downward arrows: chaos → cluster → core, cli → anything, a layer into itself", () => {
    expect(
      layerViolations([
        { from: "lib/chaos/chaos-cluster.ts", to: "lib/cluster/local-cluster" },
        { from: "lib/cluster/redis-server.ts", to: "lib/node-platform/find-binary" },
        { from: "lib/cli/commands/run.ts", to: "lib/engine/run-node-engine" },
        { from: "lib/core/probe.ts", to: "lib/core/base64" },
        { from: "scenarios/lib/k6-summary.ts", to: "lib/report/html-report" },
      ]),
    ).toEqual([]);
  });

  it("refuse a new folder under lib until its rules are written down", () => {
    const helpers = [
      { from: "lib/utils/helpers.ts", to: "lib/core/probe" },
      { from: "lib/utils/helpers.ts", to: "lib/core/base64" },
    ];
    expect(layerViolations(helpers)).toEqual([
      "lib/utils/helpers.ts: lib/utils is not a known layer; add it to STYLE.md and test/architecture/layer-rules.ts",
    ]);
  });

  it("flag a function over the limit only in the folders checked", () => {
    const spans = [
      { file: "lib/engine/run-node-engine.ts", name: "runNodeEngine", line: 70, lines: 310 },
      { file: "lib/backend/backend-server.ts", name: "startBackend", line: 38, lines: 143 },
      { file: "lib/cli/main.ts", name: "main", line: 1, lines: 120 },
    ];
    expect(longFunctions(spans, ["lib/engine", "lib/cli"], 120)).toEqual([
      "lib/engine/run-node-engine.ts:70 runNodeEngine is 310 lines (at most 120)",
    ]);
  });
});
