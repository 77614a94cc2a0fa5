// renderPrometheusConfig turns live scrape URLs into a prometheus.yml, and names the bad input when it cannot.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  backendScrapeTarget,
  PrometheusConfigError,
  renderPrometheusConfig,
  scrapeJobs,
  targetGroups,
} from "../../lib/cluster/prometheus-config.js";

describe("renderPrometheusConfig", () => {
  it("scrapes every URL, grouping targets by scheme and metrics path, with the given labels", () => {
    const config = parse(
      renderPrometheusConfig({
        scrapeTargets: [
          {
            job: scrapeJobs.backend,
            targets: [
              "http://127.0.0.1:4001/metrics",
              "http://127.0.0.1:4002",
              "http://127.0.0.1:4003/custom",
            ],
          },
          { job: scrapeJobs.engine, targets: ["http://127.0.0.1:4100/metrics"], labels: { engine: "node" } },
        ],
        ruleFiles: ["/rules/a.rules.yml"],
      }),
    );
    expect(config.global).toEqual({ scrape_interval: "1s", evaluation_interval: "1s", scrape_timeout: "1s" });
    expect(config.rule_files).toEqual(["/rules/a.rules.yml"]);
    expect(config.scrape_configs).toEqual([
      {
        job_name: "crosspod-backend",
        static_configs: [
          {
            targets: ["127.0.0.1:4001", "127.0.0.1:4002"],
            labels: { __scheme__: "http", __metrics_path__: "/metrics" },
          },
          { targets: ["127.0.0.1:4003"], labels: { __scheme__: "http", __metrics_path__: "/custom" } },
        ],
      },
      {
        job_name: "crosspod-engine",
        static_configs: [
          {
            targets: ["127.0.0.1:4100"],
            labels: { engine: "node", __scheme__: "http", __metrics_path__: "/metrics" },
          },
        ],
      },
    ]);
  });

  it("scrapes each pod at its own address labelled with its name, keeping the pod's own {pod} labels", () => {
    const target = backendScrapeTarget([
      { name: "pod-a", httpUrl: "http://127.0.0.1:4001" },
      { name: "pod-b", httpUrl: "http://127.0.0.1:4002/" },
    ]);
    const [job] = parse(renderPrometheusConfig({ scrapeTargets: [target] })).scrape_configs;
    expect(job).toEqual({
      job_name: "crosspod-backend",
      honor_labels: true,
      static_configs: [
        {
          targets: ["127.0.0.1:4001"],
          labels: { pod: "pod-a", __scheme__: "http", __metrics_path__: "/metrics" },
        },
        {
          targets: ["127.0.0.1:4002"],
          labels: { pod: "pod-b", __scheme__: "http", __metrics_path__: "/metrics" },
        },
      ],
    });
  });

  it("reads each job's targets from a file_sd file when given one, so they can be dropped later", () => {
    const target = { job: scrapeJobs.engine, targets: ["http://127.0.0.1:4100/metrics"] };
    const config = parse(
      renderPrometheusConfig({ scrapeTargets: [target] }, (job) => `/data/targets-${job}.json`),
    );
    expect(config.scrape_configs).toEqual([
      { job_name: "crosspod-engine", file_sd_configs: [{ files: ["/data/targets-crosspod-engine.json"] }] },
    ]);
    expect(targetGroups(target)).toEqual([
      { targets: ["127.0.0.1:4100"], labels: { __scheme__: "http", __metrics_path__: "/metrics" } },
    ]);
  });

  it("uses the requested scrape interval for scraping and rule evaluation", () => {
    const config = parse(
      renderPrometheusConfig({
        scrapeTargets: [{ job: "x", targets: ["http://127.0.0.1:1/metrics"] }],
        scrapeIntervalSeconds: 5,
      }),
    );
    expect(config.global.scrape_interval).toBe("5s");
    expect(config.global.evaluation_interval).toBe("5s");
  });

  it("rejects a target that is not an http URL, naming where it is", () => {
    expect(() =>
      renderPrometheusConfig({ scrapeTargets: [{ job: "x", targets: ["127.0.0.1:4001"] }] }),
    ).toThrowError(/scrapeTargets\.0\.targets\.0/);
    expect(() =>
      renderPrometheusConfig({ scrapeTargets: [{ job: "x", targets: ["ftp://127.0.0.1/metrics"] }] }),
    ).toThrowError(PrometheusConfigError);
  });

  it("rejects a label name Prometheus would refuse", () => {
    expect(() =>
      renderPrometheusConfig({
        scrapeTargets: [{ job: "x", targets: ["http://127.0.0.1:1/"], labels: { "bad-name": "v" } }],
      }),
    ).toThrowError(/scrapeTargets\.0\.labels\.bad-name/);
  });

  it("rejects the same job listed twice", () => {
    const target = { job: "twice", targets: ["http://127.0.0.1:1/metrics"] };
    expect(() => renderPrometheusConfig({ scrapeTargets: [target, target] })).toThrowError(
      'scrape job "twice" is listed twice',
    );
  });
});
