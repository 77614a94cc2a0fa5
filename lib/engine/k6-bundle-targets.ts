// Which k6 releases each scenario bundle is built for: the module paths rewritten at build time and the
// modules that exist there. The build, the runner (to pick a bundle by `k6 version`) and the bundle tests
// all read this one table, so a new k6 release is supported by editing it alone.
import { CrosspodError } from "../core/crosspod-error.js";
import type { K6Version } from "./k6-version.js";

export interface K6BundleTarget {
  /** Folder under dist/k6, named by the k6 line it runs on: v2, v1, v1.0-1.5. */
  dir: string;
  /** Which k6 releases run these bundles, for messages and the README. */
  describe: string;
  /** Import path rewrites applied by the bundler: source path -> path in that k6 release. */
  moduleMap: Readonly<Record<string, string>>;
  /** Every module a bundle for this target may import. */
  modules: readonly string[];
  accepts(version: K6Version): boolean;
}

export const scenarioNames = ["cross-pod-load", "soak", "spike"] as const;
export type ScenarioName = (typeof scenarioNames)[number];
/**
 * Every bundle built: the profiles' scenarios, chaos-pod-kill (cross-pod-load with the control API) and
 * browser-console (cross-pod-load with console pages in k6's browser).
 */
export const bundledScenarioNames = [...scenarioNames, "chaos-pod-kill", "browser-console"] as const;
export type BundledScenarioName = (typeof bundledScenarioNames)[number];

// Modules present in every supported release (k6 >= 1.0; k6/browser is stable since v0.52).
const coreModules = [
  "k6",
  "k6/http",
  "k6/metrics",
  "k6/execution",
  "k6/timers",
  "k6/encoding",
  "k6/crypto",
  "k6/browser",
];

export const k6BundleTargets: readonly K6BundleTarget[] = [
  {
    dir: "v2",
    describe: "k6 v2 and later (k6/websockets, xk6-redis as k6/x/redis)",
    moduleMap: {},
    modules: [...coreModules, "k6/websockets", "k6/x/redis"],
    accepts: (v) => v.major >= 2,
  },
  {
    // k6/websockets is stable from 1.6; Redis still ships in core as the experimental module.
    dir: "v1",
    describe: "k6 v1.6 to v1.x (k6/websockets, k6/experimental/redis)",
    moduleMap: { "k6/x/redis": "k6/experimental/redis" },
    modules: [...coreModules, "k6/websockets", "k6/experimental/redis"],
    accepts: (v) => v.major === 1 && v.minor >= 6,
  },
  {
    dir: "v1.0-1.5",
    describe: "k6 v1.0 to v1.5 (k6/experimental/websockets, k6/experimental/redis)",
    moduleMap: { "k6/x/redis": "k6/experimental/redis", "k6/websockets": "k6/experimental/websockets" },
    modules: [...coreModules, "k6/experimental/websockets", "k6/experimental/redis"],
    accepts: (v) => v.major === 1 && v.minor < 6,
  },
];

export class K6UnsupportedVersionError extends CrosspodError {
  override readonly code = "CROSSPOD_K6_UNSUPPORTED_VERSION";
  override readonly kind = "usage";
}

export function bundleTargetFor(version: K6Version): K6BundleTarget {
  const target = k6BundleTargets.find((candidate) => candidate.accepts(version));
  if (!target) {
    throw new K6UnsupportedVersionError(
      `k6 ${version.text} is not supported: crosspod's scenarios need k6 v1.0 or later (install a current k6)`,
    );
  }
  return target;
}

/** The folder of a target's bundles, e.g. dist/k6/v1. */
export function bundleDir(target: K6BundleTarget, distDir = "dist"): string {
  return `${distDir}/k6/${target.dir}`;
}

/** Path of a scenario bundle relative to the project root, e.g. dist/k6/v1/soak.js. */
export function bundlePath(target: K6BundleTarget, scenario: BundledScenarioName, distDir = "dist"): string {
  return `${bundleDir(target, distDir)}/${scenario}.js`;
}
