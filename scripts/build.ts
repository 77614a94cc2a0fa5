// Builds the crosspod CLI into one ESM file (dependencies stay external, resolved from node_modules).
// Further bundles (k6 scenarios, the browser console) register here as they are added.
import { chmod, copyFile, rm } from "node:fs/promises";
import { build } from "esbuild";
import { buildK6Bundles } from "./k6-bundles.js";

await build({
  entryPoints: ["lib/cli/main.ts"],
  outfile: "dist/cli.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: "linked",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
await chmod("dist/cli.js", 0o755);

// The browser console every backend pod serves at `/`: one minified ESM bundle plus its page.
await build({
  entryPoints: ["lib/console/main.ts"],
  outfile: "dist/console/console.js",
  bundle: true,
  platform: "browser",
  target: "es2022",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
});
await copyFile("lib/console/index.html", "dist/console/index.html");

// k6 scenarios: dist/k6/<k6 line>/<name>.js (v2, v1, v1.0-1.5); the stale dist/scenarios layout goes.
await rm("dist/scenarios", { recursive: true, force: true });
await buildK6Bundles();
