// Renders a prometheus.yml for the live ports of a local run: which URLs to scrape, how often, which rules.
// Alert rules match on the job names below, so callers scrape backend pods as `scrapeJobs.backend`.
import { stringify } from "yaml";
import { z } from "zod";

export const scrapeJobs = {
  backend: "crosspod-backend",
  engine: "crosspod-engine",
  /** The Faro collector's crosspod_browser_* metrics (`crosspod up --faro --prometheus`). */
  browser: "crosspod-browser",
} as const;

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const scrapeTargetSchema = z.object({
  job: z.string().min(1),
  targets: z.array(z.url({ protocol: /^https?$/ })).min(1),
  labels: z
    .record(z.string().regex(labelName, "label names are [a-zA-Z_][a-zA-Z0-9_]*"), z.string())
    .optional(),
});

export const prometheusConfigSchema = z.object({
  scrapeTargets: z.array(scrapeTargetSchema).min(1),
  ruleFiles: z.array(z.string().min(1)).default([]),
  scrapeIntervalSeconds: z.number().int().positive().default(1),
});

export type ScrapeTarget = z.infer<typeof scrapeTargetSchema>;
export type PrometheusConfigOptions = z.input<typeof prometheusConfigSchema>;

export class PrometheusConfigError extends Error {
  readonly code = "CROSSPOD_PROMETHEUS_CONFIG";
}

export function parsePrometheusConfigOptions(options: unknown): z.output<typeof prometheusConfigSchema> {
  const parsed = prometheusConfigSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "options";
    throw new PrometheusConfigError(`invalid Prometheus options at ${where}: ${issue?.message}`);
  }
  return parsed.data;
}

/** One static_config per scheme and path, because Prometheus sets those per group, not per target. */
function staticConfigs(target: ScrapeTarget) {
  const groups = new Map<string, { targets: string[]; labels: Record<string, string> }>();
  for (const raw of target.targets) {
    const url = new URL(raw);
    const scheme = url.protocol.replace(":", "");
    const path = url.pathname === "/" ? "/metrics" : url.pathname;
    const key = `${scheme} ${path}`;
    const group = groups.get(key) ?? {
      targets: [],
      labels: { ...target.labels, __scheme__: scheme, __metrics_path__: path },
    };
    group.targets.push(url.host);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export function renderPrometheusConfig(options: PrometheusConfigOptions): string {
  const { scrapeTargets, ruleFiles, scrapeIntervalSeconds } = parsePrometheusConfigOptions(options);
  const jobs = scrapeTargets.map((t) => t.job);
  const duplicate = jobs.find((job, i) => jobs.indexOf(job) !== i);
  if (duplicate) throw new PrometheusConfigError(`scrape job "${duplicate}" is listed twice`);
  const interval = `${scrapeIntervalSeconds}s`;
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    rule_files: ruleFiles,
    scrape_configs: scrapeTargets.map((target) => ({
      job_name: target.job,
      static_configs: staticConfigs(target),
    })),
  });
}
