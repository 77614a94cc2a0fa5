// Renders a prometheus.yml for the live ports of a local run: which URLs to scrape, how often, which rules.
// Alert rules match on the job names below, so callers scrape backend pods as `scrapeJobs.backend`, each
// pod directly and labelled {pod} (never through a chaos failover proxy, which answers for a dead pod with
// another pod's metrics). Targets can live in file_sd files, so a kept Prometheus can stop scraping pods
// that were torn down instead of alerting on them.

import { stringify } from "yaml";
import { z } from "zod";
import { CrosspodError } from "../core/crosspod-error.js";

export const scrapeJobs = {
  backend: "crosspod-backend",
  engine: "crosspod-engine",
  /** The Faro collector's crosspod_browser_* metrics (`crosspod up --faro --prometheus`). */
  browser: "crosspod-browser",
} as const;

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const scrapeUrlSchema = z.url({ protocol: /^https?$/ });
const labelsSchema = z.record(
  z.string().regex(labelName, "label names are [a-zA-Z_][a-zA-Z0-9_]*"),
  z.string(),
);

const scrapeTargetSchema = z.object({
  job: z.string().min(1),
  /** A URL, or a URL with labels of its own (a pod's name). */
  targets: z
    .array(z.union([scrapeUrlSchema, z.object({ url: scrapeUrlSchema, labels: labelsSchema })]))
    .min(1),
  labels: labelsSchema.optional(),
  /** Keep the scraped series' labels where they clash with target labels (a pod labels its own series {pod}). */
  honorLabels: z.boolean().optional(),
});

export const prometheusConfigSchema = z.object({
  scrapeTargets: z.array(scrapeTargetSchema).min(1),
  ruleFiles: z.array(z.string().min(1)).default([]),
  scrapeIntervalSeconds: z.number().int().positive().default(1),
});

export type ScrapeTarget = z.infer<typeof scrapeTargetSchema>;
export type PrometheusConfigOptions = z.input<typeof prometheusConfigSchema>;

export class PrometheusConfigError extends CrosspodError {
  override readonly code = "CROSSPOD_PROMETHEUS_CONFIG";
  override readonly kind = "usage";
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

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * The backend job: every pod at its own address, labelled with its name, so a dead pod is up == 0 under
 * that name. The pods label their series {pod} themselves; honouring it keeps rules reading `pod`.
 */
export function backendScrapeTarget(pods: readonly { name: string; httpUrl: string }[]): ScrapeTarget {
  return {
    job: scrapeJobs.backend,
    targets: pods.map((pod) => ({
      url: `${pod.httpUrl.replace(/\/+$/, "")}/metrics`,
      labels: { pod: pod.name },
    })),
    honorLabels: true,
  };
}

/** One group per scheme, path and target labels, because Prometheus sets those per group, not per target. */
export function targetGroups(target: ScrapeTarget): TargetGroup[] {
  const groups = new Map<string, TargetGroup>();
  for (const entry of target.targets) {
    const { url: raw, labels = {} } = typeof entry === "string" ? { url: entry } : entry;
    const url = new URL(raw);
    const scheme = url.protocol.replace(":", "");
    const path = url.pathname === "/" ? "/metrics" : url.pathname;
    const key = JSON.stringify([scheme, path, Object.entries(labels).sort()]);
    const group = groups.get(key) ?? {
      targets: [],
      labels: { ...target.labels, ...labels, __scheme__: scheme, __metrics_path__: path },
    };
    group.targets.push(url.host);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * `targetFile(job)` names a file_sd file per job (which the caller writes with targetGroups, and may
 * empty later); without it the targets are static.
 */
export function renderPrometheusConfig(
  options: PrometheusConfigOptions,
  targetFile?: (job: string) => string,
): string {
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
      ...(target.honorLabels ? { honor_labels: true } : {}),
      ...(targetFile
        ? { file_sd_configs: [{ files: [targetFile(target.job)] }] }
        : { static_configs: targetGroups(target) }),
    })),
  });
}
