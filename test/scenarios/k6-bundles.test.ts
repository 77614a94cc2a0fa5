import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledScenarioNames, bundlePath, k6BundleTargets } from "../../lib/engine/k6-bundle-targets.js";
import { buildK6Bundles } from "../../scripts/k6-bundles.js";

interface ImportRecord {
  path: string;
  kind: string;
}

/** Every module a built file imports, read by esbuild's parser rather than a regex. */
async function importsOf(file: string): Promise<ImportRecord[]> {
  const code = await readFile(file, "utf8");
  const allExternal: Plugin = {
    name: "all-external",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) =>
        args.kind === "entry-point" ? undefined : { path: args.path, external: true },
      );
    },
  };
  const result = await build({
    stdin: { contents: code, loader: "js", sourcefile: file },
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "neutral",
    outdir: "out",
    logLevel: "silent",
    plugins: [allExternal],
  });
  return Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.map((record) => ({ path: record.path, kind: record.kind })),
  );
}

const nodeModules = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** k6 parses and compiles the whole bundle once per VU: the budget keeps a VU's start cheap. */
const bundleBudgetBytes = 300 * 1024;

describe("k6 scenario bundles", () => {
  let distDir: string;
  let builds: Awaited<ReturnType<typeof buildK6Bundles>>;

  beforeAll(async () => {
    distDir = await mkdtemp(join(tmpdir(), "crosspod-k6-bundles-"));
    builds = await buildK6Bundles(distDir);
  });

  it(`keeps every bundle within ${bundleBudgetBytes / 1024} KB`, async () => {
    for (const target of k6BundleTargets) {
      for (const scenario of bundledScenarioNames) {
        const file = bundlePath(target, scenario, distDir);
        expect((await stat(file)).size, `${file} is over budget`).toBeLessThanOrEqual(bundleBudgetBytes);
      }
    }
  });

  it("bundles no validation library, no deflate library and no histogram code k6 does not run", () => {
    const inputs = builds.flatMap((result) => Object.keys(result.metafile?.inputs ?? {}));
    expect(inputs.length).toBeGreaterThan(0);
    const unwanted = inputs.filter((input) =>
      /node_modules\/(zod|pako)\/|hdr-histogram-js\/dist\/(packedarray|wasm|PackedHistogram|JsHistogram\.encoding)/.test(
        input,
      ),
    );
    expect([...new Set(unwanted)]).toEqual([]);
  });

  afterAll(async () => {
    await rm(distDir, { recursive: true, force: true });
  });

  for (const target of k6BundleTargets) {
    it(`bundles in dist/k6/${target.dir} import only modules of ${target.describe}, none from Node`, async () => {
      for (const scenario of bundledScenarioNames) {
        const imports = await importsOf(bundlePath(target, scenario, distDir));
        expect(imports.length).toBeGreaterThan(0);
        for (const record of imports) {
          expect(record.kind, `${scenario}: ${record.path} must be a static import`).toBe("import-statement");
          expect(nodeModules.has(record.path), `${scenario} imports Node's ${record.path}`).toBe(false);
          expect(
            target.modules,
            `${scenario}: ${record.path} is not a module of ${target.describe}`,
          ).toContain(record.path);
        }
      }
    });
  }

  it("imports k6 2.x's module paths in v2, and k6/experimental/redis (and before 1.6 its websockets) in v1", async () => {
    const paths = async (dir: string) =>
      new Set((await importsOf(join(distDir, "k6", dir, "cross-pod-load.js"))).map((record) => record.path));
    expect([...(await paths("v2"))]).toEqual(expect.arrayContaining(["k6/x/redis", "k6/websockets"]));
    expect([...(await paths("v2"))].filter((path) => path.includes("experimental"))).toEqual([]);
    expect([...(await paths("v1"))]).toEqual(
      expect.arrayContaining(["k6/experimental/redis", "k6/websockets"]),
    );
    expect([...(await paths("v1.0-1.5"))]).toEqual(
      expect.arrayContaining(["k6/experimental/redis", "k6/experimental/websockets"]),
    );
  });

  it("carries no source map, which k6 would parse in every VU", async () => {
    const text = await readFile(join(distDir, "k6", "v2", "cross-pod-load.js"), "utf8");
    expect(text).not.toMatch(/sourceMappingURL/);
    expect(text).toMatch(/^export \{/m);
  });
});
