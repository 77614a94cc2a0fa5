import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { LatencyHistogram } from "../../lib/core/latency-histogram.js";

const root = join(import.meta.dirname, "../..");
const coreDir = join(root, "lib/core");
const coreModules = readdirSync(coreDir).filter((file) => file.endsWith(".ts"));
/** Packages lib/core may import: both are pure JavaScript. */
const allowedPackages = [/^zod$/, /^hdr-histogram-js\/dist\/[A-Za-z0-9.]+\.js$/];
/** import/export … from "x", and side-effect import "x". */
const importPattern = /^\s*(?:import|export)\s(?:[^"';]*?\sfrom\s)?\s*["']([^"']+)["']/gm;

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: "ts", sourcefile: "neutral-entry.ts" },
    bundle: true,
    platform: "neutral",
    mainFields: ["module", "main"],
    format: "iife",
    globalName: "neutral",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

describe("lib/core outside Node", () => {
  let code = "";
  beforeAll(async () => {
    const imports = coreModules
      .map((file, i) => `import * as module${i} from "./lib/core/${file}";`)
      .join("\n");
    code = await bundle(
      `${imports}\nexport const loaded = [${coreModules.map((_, i) => `module${i}`).join(", ")}].length;\n` +
        `export { roundTrip, run } from "./test/core/runtime-neutral-entry.ts";`,
    );
  });

  it("imports nothing but relative modules, zod and hdr-histogram-js's pure-JS files", () => {
    for (const file of coreModules) {
      const source = readFileSync(join(coreDir, file), "utf8");
      for (const [, specifier = ""] of source.matchAll(importPattern)) {
        if (specifier.startsWith("./")) continue;
        expect(
          allowedPackages.some((pattern) => pattern.test(specifier)),
          `${file} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });

  it("loads every module and measures a run in a bare context without Node globals", () => {
    const context: Record<string, unknown> = {};
    runInNewContext(
      `${code}\nglobalThis.result = { loaded: neutral.loaded, outcome: neutral.run() };`,
      context,
      {
        timeout: 10_000,
      },
    );
    expect(runInNewContext("typeof process + typeof Buffer + typeof require", {})).toBe(
      "undefinedundefinedundefined",
    );
    const { loaded, outcome } = JSON.parse(JSON.stringify(context.result)) as {
      loaded: number;
      outcome: Record<string, unknown>;
    };
    expect(loaded).toBe(coreModules.length);
    expect(outcome.verdicts).toEqual(["ok", "ok", "ok", "out-of-order", "duplicate"]);
    expect(outcome.delivery).toMatchObject({
      expected: 5,
      received: 4,
      lost: 1,
      duplicates: 1,
      outOfOrder: 1,
    });
    // The uncompressed HdrHistogram V2 cookie (0x1c849313), base64.
    expect(outcome.encodedPrefix).toBe("HISTEwAA");
    expect(outcome.decodedP99).toBe(outcome.p99);
    expect(outcome.p99).toBeCloseTo(99, 0);
    expect(outcome.durationSeconds).toBe(60);
    expect(outcome.parsed).toEqual({ aggregation: "p", percentile: 99.9, op: "<", value: 400 });
    expect(outcome.thresholds).toEqual([false]);
    expect(outcome.reportThresholds).toContain("crosspod_fanout_latency p(99)<250 true");
    expect(outcome.reportThresholds).toContain("crosspod_lost count==0 false");
    expect(outcome.reportHistogram).toBe(1000);
  });

  it("decodes in Node what the bare context encoded, and the other way round", () => {
    const inNode = new LatencyHistogram();
    for (const ms of [1, 2, 3, 250]) inNode.recordMs(ms);
    const context: Record<string, unknown> = { encoded: inNode.encode() };
    runInNewContext(`${code}\nglobalThis.back = neutral.roundTrip(encoded);`, context);
    const back = LatencyHistogram.decode(context.back as string);
    inNode.recordMs(7);
    expect(back.summary()).toEqual(inNode.summary());
  });
});
