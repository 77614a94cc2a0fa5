// Bundles each k6 scenario (scenarios/<name>.ts) into one ESM file per supported k6 line, in a folder named
// by it: dist/k6/v2/<name>.js, dist/k6/v1/<name>.js (k6/experimental/redis), dist/k6/v1.0-1.5/<name>.js;
// module paths are rewritten per line (see lib/engine/k6-bundle-targets.ts). k6 modules stay external;
// lib/core and lib/report are inlined.
import { type BuildResult, build, type Plugin } from "esbuild";
import {
  bundleDir,
  bundledScenarioNames,
  type K6BundleTarget,
  k6BundleTargets,
} from "../lib/engine/k6-bundle-targets.js";

/** Rewrites k6 import paths (e.g. k6/x/redis -> k6/experimental/redis) and keeps every k6 module external. */
export function k6ModulePaths(moduleMap: Readonly<Record<string, string>>): Plugin {
  return {
    name: "crosspod-k6-module-paths",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^k6(\/|$)/ }, (args) => ({
        path: moduleMap[args.path] ?? args.path,
        external: true,
      }));
    },
  };
}

export async function buildK6Target(target: K6BundleTarget, distDir = "dist"): Promise<BuildResult> {
  return build({
    entryPoints: bundledScenarioNames.map((name) => `scenarios/${name}.ts`),
    outdir: bundleDir(target, distDir),
    bundle: true,
    format: "esm",
    platform: "neutral",
    // k6 (sobek) runs ES2020 natively since v0.53; later syntax is lowered.
    target: "es2020",
    mainFields: ["module", "main"],
    conditions: ["import", "default"],
    // No source map: k6 parses and compiles the script once per VU, and an inline map was 2.8 MB of every
    // 4 MB bundle. The bundles are not minified, so k6's stack traces already point at readable code
    // carrying the source's function names; `npm run build` builds the CLI with maps for crosspod itself.
    sourcemap: false,
    plugins: [k6ModulePaths(target.moduleMap)],
    metafile: true,
    logLevel: "warning",
  });
}

export async function buildK6Bundles(distDir = "dist"): Promise<BuildResult[]> {
  return Promise.all(k6BundleTargets.map((target) => buildK6Target(target, distDir)));
}
