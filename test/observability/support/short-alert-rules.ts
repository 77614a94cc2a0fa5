// The repo's rule files for a live test, with chosen alerts' `for:` shortened: the same expressions and
// labels as shipped, so a test can see an alert fire and resolve within a short run.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse, stringify } from "yaml";
import { defaultRuleFiles } from "../../../lib/cluster/prometheus-server.js";

interface RuleFile {
  groups: { name: string; rules: { alert?: string; for?: string }[] }[];
}

export interface ShortAlertRules {
  files: string[];
  remove(): Promise<void>;
}

export async function shortAlertRules(forByAlert: Record<string, string>): Promise<ShortAlertRules> {
  const dir = await mkdtemp(join(tmpdir(), "crosspod-rules-"));
  const pending = new Set(Object.keys(forByAlert));
  const files: string[] = [];
  for (const source of defaultRuleFiles()) {
    const rules = parse(await readFile(source, "utf8")) as RuleFile;
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
      const shortFor = rule.alert === undefined ? undefined : forByAlert[rule.alert];
      if (rule.alert === undefined || shortFor === undefined) continue;
      rule.for = shortFor;
      pending.delete(rule.alert);
    }
    const file = join(dir, basename(source));
    await writeFile(file, stringify(rules));
    files.push(file);
  }
  if (pending.size > 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`no alert rule named ${[...pending].join(", ")} in ${defaultRuleFiles().join(", ")}`);
  }
  return { files, remove: () => rm(dir, { recursive: true, force: true }) };
}
