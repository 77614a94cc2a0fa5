// `crosspod run --out`: every output is checked before anything starts (exit 2 naming it, no cluster
// started), and a real run writes the JSON report, a per-pod CSV time series and remote-writes the load
// metrics to a real Prometheus (2.42, --web.enable-remote-write-receiver), where they are queryable by
// the run's id. The summary is printed whatever happens to the outputs.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/cluster/free-port.js";
import { queryPrometheus } from "../../lib/cluster/prometheus-query.js";
import {
  findPrometheus,
  type PrometheusServer,
  startPrometheus,
} from "../../lib/cluster/prometheus-server.js";
import { reportSchema } from "../../lib/core/report-model.js";
import { runCli } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { waitFor } from "../fixtures/wait-for.js";

const dir = mkdtempSync(join(tmpdir(), "crosspod-run-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("crosspod run --out: checked before the run", () => {
  it.each([
    [
      ["--out", "csv=/no/such/dir/x.csv"],
      /^crosspod: --out csv=\/no\/such\/dir\/x\.csv: the directory \/no\/such\/dir does not exist/m,
    ],
    [["--out", `json=${tmpdir()}`], /--out json=.*: is a directory/],
    [["--html", "/no/such/dir/r.html"], /--html \/no\/such\/dir\/r\.html: the directory/],
    [
      ["--out", "prometheus-rw=ftp://x"],
      /--out prometheus-rw="ftp:\/\/x": expected a URL starting with http/,
    ],
    [["--out", "parquet=x.pq"], /unknown output "parquet": expected json, csv, prometheus-rw/],
    [
      ["--out", `csv=${join(dir, "a.csv")}`, "--out", `csv=${join(dir, "a.csv")}`],
      /another output writes the same file/,
    ],
  ])("refuses %j with exit 2 before starting anything", async (flags, message) => {
    const started = Date.now();
    const result = await runCli(["run", "cross-pod-load", "--engine", "node", ...flags]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("starting a local cluster");
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("refuses a remote-write URL nothing listens on", async () => {
    const port = await freePort();
    const result = await runCli([
      "run",
      "cross-pod-load",
      "--out",
      `prometheus-rw=http://127.0.0.1:${port}/api/v1/write`,
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `--out prometheus-rw=http://127.0.0.1:${port}/api/v1/write: cannot reach it (ECONNREFUSED)`,
    );
  });
});

const prometheusBinary = findPrometheus();

describe.skipIf(skipWithoutRedis || prometheusBinary === undefined)(
  "crosspod run --out with a real run",
  () => {
    let prometheus: PrometheusServer | undefined;
    // Prometheus needs a scrape job to start; the run's series arrive only by remote write.
    const idle = createServer((_req, res) => res.end(""));
    beforeAll(async () => {
      await new Promise<void>((resolve) => idle.listen(0, "127.0.0.1", resolve));
      const { port } = idle.address() as AddressInfo;
      prometheus = await startPrometheus({
        scrapeTargets: [{ job: "idle", targets: [`http://127.0.0.1:${port}/metrics`] }],
      });
    });
    afterAll(async () => {
      await prometheus?.close();
      await new Promise((resolve) => idle.close(resolve));
    });

    it("writes json and per-pod csv, and remote-writes the load metrics queryable by run id", async () => {
      const url = prometheus?.url ?? "";
      const json = join(dir, "report.json");
      const csv = join(dir, "series.csv");
      const result = await runCli(
        [
          "run",
          "cross-pod-load",
          "--engine",
          "node",
          "--connections",
          "12",
          "--ramp",
          "1s",
          "--rate",
          "10",
          "--duration",
          "3s",
          "--drain",
          "1s",
          "--out",
          `json=${json}`,
          "--out",
          `csv=${csv}`,
          "--out",
          `prometheus-rw=${url}/api/v1/write`,
        ],
        {},
        120_000,
      );
      expect([0, 99], result.stderr).toContain(result.code);
      expect(result.stdout).toMatch(/PASS|FAIL|INVALID/);
      expect(result.stdout).toContain(`time series: ${csv}`);
      const report = reportSchema.parse(JSON.parse(readFileSync(json, "utf8")));
      const runId = report.run.id;

      const [header, ...rows] = readFileSync(csv, "utf8").trim().split("\n");
      expect(header).toBe(
        "time,elapsed_seconds,run,pod,connections,frames_received,frames_per_second,fanout_p50_ms,fanout_p99_ms,e2e_p99_ms,lost,duplicates,out_of_order,reconnects",
      );
      const cells = rows.map((row) => row.split(","));
      expect(new Set(cells.map((row) => row[3]))).toEqual(new Set(["pod-a", "pod-b", "pod-c"]));
      expect(cells.every((row) => row[2] === runId)).toBe(true);
      // The last rows are the final reading: every frame counted, per pod, adding up to the report.
      const lastFrames = new Map(cells.map((row) => [row[3], Number(row[5])]));
      expect([...lastFrames.values()].reduce((a, b) => a + b, 0)).toBe(report.overall.delivery.received);
      expect(cells.some((row) => row[7] !== "" && Number(row[7]) > 0)).toBe(true);

      const series = await waitFor(
        async () => {
          const found = await queryPrometheus(url, `crosspod_frames_received_total{testid="${runId}"}`);
          return found.length === 3 ? found : undefined;
        },
        "the pushed crosspod_frames_received_total series",
        15_000,
        200,
      );
      expect(series.map((one) => one.labels.pod).sort()).toEqual(["pod-a", "pod-b", "pod-c"]);
      expect(series.every((one) => one.labels.run === runId && one.labels.job === "crosspod-engine")).toBe(
        true,
      );
      expect(series.reduce((sum, one) => sum + one.value, 0)).toBe(report.overall.delivery.received);
      const buckets = await queryPrometheus(
        url,
        `crosspod_fanout_latency_seconds_bucket{testid="${runId}",le="+Inf"}`,
      );
      expect(buckets.length).toBe(3);
    });
  },
);
