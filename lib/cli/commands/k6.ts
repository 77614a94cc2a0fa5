// `crosspod k6 <profile> [options] [-- k6 flags]`: the one obvious way to run a profile on k6. It finds k6
// (K6_BIN or PATH), reads `k6 version`, picks the bundle built for that k6 line (dist/k6/v2, dist/k6/v1,
// dist/k6/v1.0-1.5), sets the script variables, prints the exact `k6 run …` line before running it, and
// ends like `crosspod run` (summary once, exit 0 / 99). Without --targets it starts a local cluster. It is
// `crosspod run --engine k6` with k6's own flags passed through and reports written only where --out says.
import { mkdir } from "node:fs/promises";
import type { Command } from "commander";
import { addLocalClusterFlags, addProfileFlags } from "../profile-flags.js";
import { resolveRunConfig } from "../run-options.js";
import { runProfile } from "./run.js";

/** --out <dir> -> the run's JSON and HTML report files, named by the profile. */
function reportFiles(profileName: string, dir: unknown): { out?: string[]; html?: string } {
  if (typeof dir !== "string") return {};
  const base = `${dir.replace(/\/+$/, "")}/${profileName}-report`;
  // run's --out is repeatable (k6-style outputs); a bare path is the JSON report.
  return { out: [`${base}.json`], html: `${base}.html` };
}

export function registerK6Command(program: Command): void {
  addLocalClusterFlags(
    addProfileFlags(
      program
        .command("k6")
        .description(
          "Run a workload profile with k6: picks the bundle for the installed k6 and prints the k6 command",
        )
        .argument("<profile>", "cross-pod-load | soak | spike")
        .argument("[k6Flags...]", "after --: flags for `k6 run`, e.g. -- --quiet --no-color")
        .option(
          "--targets <urls>",
          "comma-separated pod base URLs (REDIS_URL names their Redis); default: start a local cluster",
        )
        .option(
          "--target <file>",
          "target file (YAML or JSON) for another backend (REDIS_URL names its Redis)",
        ),
    ),
  )
    .option("--profile-file <path>", "YAML or JSON profile fields overriding the profile")
    .option("--out <dir>", "write <profile>-report.json and <profile>-report.html into this folder")
    .option("--prometheus-rw <url>", "remote-write k6's metrics to this Prometheus endpoint")
    .action(async (profileName: string, k6Flags: string[], raw: Record<string, unknown>) => {
      const { out, ...runFlags } = raw;
      const config = resolveRunConfig(
        profileName,
        { ...runFlags, ...reportFiles(profileName, out), engine: "k6" },
        process.env,
      );
      if (typeof out === "string") await mkdir(out, { recursive: true });
      await runProfile({ ...config, k6Flags });
    });
}
