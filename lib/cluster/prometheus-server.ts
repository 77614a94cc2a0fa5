// Runs Debian's prometheus binary on a free loopback port with a config generated for the live ports,
// the repo's recording and alert rules, and the remote-write receiver k6 needs; data lives in a temp dir.
// It resolves once Prometheus scrapes, so a run started right after is in its series from the first second.
// Targets live in file_sd files, so stopScraping() can drop them before the processes behind them go away:
// a Prometheus kept after a run then shows the run, not a torn-down cluster as pods down.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CrosspodError } from "../core/crosspod-error.js";
import { findBinary } from "../node-platform/find-binary.js";
import { registerTeardown } from "../node-platform/teardown-on-exit.js";
import { hasExited, terminate } from "./child-process-exit.js";
import { freePort } from "./free-port.js";
import {
  parsePrometheusConfigOptions,
  renderPrometheusConfig,
  type ScrapeTarget,
  targetGroups,
} from "./prometheus-config.js";
import { activeTargets, waitUntilScraping } from "./prometheus-targets.js";

export interface PrometheusOptions {
  scrapeTargets: ScrapeTarget[];
  /** Absolute paths; defaults to every rule file in observability/prometheus/rules. */
  ruleFiles?: string[];
  scrapeIntervalSeconds?: number;
  /** Path to prometheus; defaults to PROMETHEUS_BIN, then PATH. */
  binary?: string;
  /** For each of: ready, then every target scraped once (Prometheus applies targets on a 5 s tick). */
  startTimeoutMs?: number;
}

export interface PrometheusServer {
  url: string;
  port: number;
  /**
   * Empties every scrape job and resolves once Prometheus has dropped the targets (their series end with
   * staleness markers, so no alert reads a torn-down pod as down); throws after `timeoutMs`.
   */
  stopScraping(timeoutMs?: number): Promise<void>;
  /** Stops prometheus and removes its data; idempotent. */
  close(): Promise<void>;
}

export class PrometheusServerError extends CrosspodError {
  override readonly code = "CROSSPOD_PROMETHEUS_SERVER";
  override readonly kind = "environment";
}

const host = "127.0.0.1";
const portAttempts = 3;
/** Prometheus applies changed targets on a 5 s tick; a loaded machine adds seconds. */
const stopScrapingTimeoutMs = 15_000;

/** The prometheus executable: `override`, else PROMETHEUS_BIN, else PATH; undefined if not executable. */
export function findPrometheus(override?: string): string | undefined {
  return findBinary("prometheus", override ?? process.env.PROMETHEUS_BIN);
}

/** Walks up from this module (lib/cluster in source, dist/ when bundled) to the directory with package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  throw new PrometheusServerError(`no package.json above ${fileURLToPath(import.meta.url)}`);
}

export function defaultRuleFiles(): string[] {
  const dir = join(packageRoot(), "observability", "prometheus", "rules");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".rules.yml"))
    .sort()
    .map((name) => join(dir, name));
}

async function waitForReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new PrometheusServerError(
        `prometheus exited with code ${child.exitCode} while starting: ${output()}`,
      );
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new PrometheusServerError(`prometheus at ${url} was not ready within ${timeoutMs} ms: ${output()}`);
}

async function waitUntilNoTargets(url: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const targets = await activeTargets(url);
    if (targets.length === 0) return;
    if (performance.now() >= deadline) {
      const left = targets.map((target) => target.scrapeUrl).join(", ");
      throw new PrometheusServerError(`prometheus at ${url} still scrapes ${left} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function launch(binary: string, dataDir: string, configFile: string, timeoutMs: number) {
  const port = await freePort(host);
  const url = `http://${host}:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dataDir, "data")}`,
      `--web.listen-address=${host}:${port}`,
      "--web.enable-remote-write-receiver",
      // Exemplars (trace ids on the fan-out histograms) are kept only with this feature on.
      "--enable-feature=exemplar-storage",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on("error", (error) => {
    stderr += `${error.message}\n`;
  });
  try {
    await waitForReady(url, child, () => stderr, timeoutMs);
    await waitUntilScraping(url, timeoutMs).catch((error: unknown) => {
      throw new PrometheusServerError(error instanceof Error ? error.message : String(error));
    });
    return { child, port, url };
  } catch (error) {
    await terminate(child, "SIGKILL");
    throw error;
  }
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const binary = findPrometheus(options.binary);
  if (!binary) {
    const where = options.binary ? `at ${options.binary}` : "on PATH";
    throw new PrometheusServerError(
      `prometheus was not found ${where}; install it (apt-get install prometheus) or set PROMETHEUS_BIN`,
    );
  }
  const configOptions = parsePrometheusConfigOptions({
    scrapeTargets: options.scrapeTargets,
    ruleFiles: options.ruleFiles ?? defaultRuleFiles(),
    scrapeIntervalSeconds: options.scrapeIntervalSeconds ?? 1,
  });
  const dataDir = await mkdtemp(join(tmpdir(), "crosspod-prometheus-"));
  const configFile = join(dataDir, "prometheus.yml");
  const targetFile = (job: string) => join(dataDir, `targets-${job}.json`);
  try {
    await writeFile(configFile, renderPrometheusConfig(configOptions, targetFile));
    for (const target of configOptions.scrapeTargets) {
      await writeFile(targetFile(target.job), JSON.stringify(targetGroups(target)));
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const { child, port, url } = await launch(
          binary,
          dataDir,
          configFile,
          options.startTimeoutMs ?? 20_000,
        );
        // Killed with crosspod if it exits without closing (a second Ctrl-C), so none outlives it.
        const unregisterTeardown = registerTeardown({
          close: () => server.close(),
          killNow: () => {
            child.kill("SIGKILL");
            rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
          },
        });
        let closing: Promise<void> | undefined;
        const server: PrometheusServer = {
          url,
          port,
          async stopScraping(timeoutMs = stopScrapingTimeoutMs) {
            for (const target of configOptions.scrapeTargets) await writeFile(targetFile(target.job), "[]");
            await waitUntilNoTargets(url, timeoutMs);
          },
          close() {
            closing ??= (async () => {
              await terminate(child, "SIGTERM");
              await rm(dataDir, { recursive: true, force: true });
              unregisterTeardown();
            })();
            return closing;
          },
        };
        return server;
      } catch (error) {
        // Another process may take the free port between our probe and prometheus binding it.
        const portTaken = error instanceof Error && error.message.includes("address already in use");
        if (!portTaken || attempt >= portAttempts) throw error;
      }
    }
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
