// `crosspod profiles`: the built-in workload profiles with every setting, so a newcomer can pick one and
// see what a flag would override. `--json` prints them as a profile file would hold them.
import type { Command } from "commander";
import { type Profile, profiles } from "../../core/profiles.js";
import { formatDuration } from "../../report/figure-format.js";
import { renderTextTable } from "../../report/text-table.js";

function thresholdText(profile: Profile): string {
  return Object.entries(profile.thresholds)
    .map(([metric, expressions]) => `${metric}: ${expressions.join(", ")}`)
    .join("; ");
}

export function renderProfiles(list: readonly Profile[]): string {
  const table = renderTextTable({
    header: ["profile", "connections", "ramp", "rate", "duration", "drain", "trigger pod"],
    rows: list.map((profile) => ({
      cells: [
        profile.name,
        String(profile.connections),
        formatDuration(profile.rampSeconds),
        `${profile.triggerRate}/s`,
        formatDuration(profile.durationSeconds),
        formatDuration(profile.drainSeconds),
        profile.triggerPod,
      ],
    })),
  });
  const thresholds = list.map((profile) => `  ${profile.name}: ${thresholdText(profile)}`);
  return [
    ...table,
    "",
    "thresholds:",
    ...thresholds,
    "",
    "Override any setting with a flag (--connections, --rate, --duration, --ramp, --drain, --trigger-pod,",
    "--threshold) or a --profile-file; `crosspod run <profile> --help` lists them.",
    "",
  ].join("\n");
}

export function registerProfilesCommand(program: Command): void {
  program
    .command("profiles")
    .description("List the built-in workload profiles and their settings")
    .option("--json", "print them as JSON (the fields a --profile-file takes)")
    .action((options: { json?: boolean }) => {
      const list = Object.values(profiles);
      process.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : renderProfiles(list));
    });
}
