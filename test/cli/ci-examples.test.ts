// examples/ci/: the GitHub Actions and GitLab CI soak gates users copy. Both parse as YAML, have what a gate
// needs (Redis service, Node, the HTML report kept, a baseline compared), and every `npx crosspod` command
// they run exists and takes the flags they give it, checked against the built CLI's own --help.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateThresholds } from "../../lib/core/thresholds.js";
import { repoRoot, runCli } from "../fixtures/node-process.js";

const ciDir = join(repoRoot, "examples", "ci");

function readYaml(name: string): Record<string, unknown> {
  return parse(readFileSync(join(ciDir, name), "utf8")) as Record<string, unknown>;
}

/** Shell words of a command line, with single and double quotes taken off. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? "");
  return words;
}

/** Every `npx crosspod …` command in a script, split off `;`, `&&`, `||`, `then`/`else` and line breaks. */
function crosspodCommands(script: string): string[][] {
  const joined = script.replace(/\\\n/g, " ");
  return joined
    .split(/\n|;|&&|\|\|/)
    .map((part) => part.replace(/^\s*(?:then|else|do)\s+/, ""))
    .filter((part) => part.includes("npx crosspod"))
    .map((part) => shellWords(part.slice(part.indexOf("npx crosspod") + "npx crosspod".length)));
}

function githubScripts(workflow: Record<string, unknown>): string[] {
  const jobs = workflow.jobs as Record<string, { steps: Array<{ run?: string }> }>;
  return Object.values(jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ? [step.run] : [])));
}

function gitlabScripts(pipeline: Record<string, unknown>): string[] {
  return Object.values(pipeline).flatMap((job) => {
    if (typeof job !== "object" || job === null || Array.isArray(job)) return [];
    const record = job as Record<string, unknown>;
    return ["before_script", "script", "after_script"].flatMap(
      (key) => (record[key] as string[] | undefined) ?? [],
    );
  });
}

const helpCache = new Map<string, Promise<string>>();

/** The --help text of the sub-command `words` names (at most two words: "run", "report compare"). */
function helpFor(words: string[]): Promise<string> {
  const key = words.join(" ");
  let help = helpCache.get(key);
  if (!help) {
    help = runCli([...words, "--help"]).then(({ code, stdout, stderr }) => {
      if (code !== 0) throw new Error(`crosspod ${key} --help exited ${code}: ${stderr}`);
      return stdout;
    });
    helpCache.set(key, help);
  }
  return help;
}

async function checkCommand(words: string[]): Promise<void> {
  const leading = words.slice(0, 2).filter((word) => !word.startsWith("-"));
  const help = await helpFor(leading);
  const usage = /^Usage: crosspod ((?:[a-z][a-z0-9-]* ?)+)/m.exec(help)?.[1]?.trim() ?? "";
  expect(
    usage.split(" ").length,
    `crosspod ${words.join(" ")}: no such command (usage: ${usage})`,
  ).toBeGreaterThan(0);
  expect(leading.join(" ").startsWith(usage), `crosspod ${words.join(" ")} is not a command`).toBe(true);
  for (const word of words.filter((w) => w.startsWith("--"))) {
    const flag = word.split("=")[0] as string;
    expect(help, `crosspod ${usage} has no ${flag}`).toMatch(new RegExp(`(^|\\s)${flag}(\\s|,|$)`, "m"));
  }
  words.forEach((word, index) => {
    if (word !== "--threshold") return;
    const value = words[index + 1] ?? "";
    const colon = value.indexOf(":");
    validateThresholds({ [value.slice(0, colon)]: [value.slice(colon + 1)] });
  });
}

describe("examples/ci", () => {
  const github = readYaml("github-actions-soak-gate.yml");
  const gitlab = readYaml("gitlab-ci-soak-gate.yml");

  it("has the GitHub workflow's gate: Redis service, Node 20, the HTML report uploaded, a baseline compared", () => {
    const job = (github.jobs as Record<string, Record<string, unknown>>).soak as Record<string, unknown>;
    expect(Object.keys(job.services as object)).toEqual(["redis"]);
    const steps = job.steps as Array<{ uses?: string; with?: Record<string, unknown> }>;
    expect(steps.find((step) => step.uses?.startsWith("actions/setup-node"))?.with?.["node-version"]).toBe(
      "20",
    );
    const upload = steps.find((step) => step.uses?.startsWith("actions/upload-artifact"));
    expect(String(upload?.with?.path)).toContain("soak.html");
  });

  it("has the GitLab job's gate: Redis service, Node 20 image, the HTML report kept always", () => {
    const job = gitlab["crosspod-soak"] as Record<string, unknown>;
    expect(job.image).toBe("node:20");
    expect(JSON.stringify(job.services)).toContain("redis:");
    expect(job.artifacts).toMatchObject({ when: "always", paths: expect.arrayContaining(["soak.html"]) });
  });

  it.each([
    ["github-actions-soak-gate.yml", () => githubScripts(github)],
    ["gitlab-ci-soak-gate.yml", () => gitlabScripts(gitlab)],
  ])(
    "%s runs only crosspod commands that exist, with flags they take",
    async (_name, scripts) => {
      const commands = scripts().flatMap(crosspodCommands);
      expect(commands.map((words) => words.slice(0, 2).join(" "))).toEqual([
        "target check",
        "run soak",
        expect.stringMatching(/^report (render|compare)$/),
        expect.stringMatching(/^report (render|compare)$/),
      ]);
      for (const words of commands) await checkCommand(words);
    },
    60_000,
  );
});
