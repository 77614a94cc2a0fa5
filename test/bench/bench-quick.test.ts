// `npm run bench -- --quick` end to end: every section yields rows, and each row is either a valid
// measurement with finite numbers or says explicitly why it is invalid or skipped. A saturated, noisy
// machine may turn rows invalid; that is the bench working, so it never fails this test.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchRow } from "../../bench/bench-row.js";
import { defaultCpuSplit, tasksetAvailable } from "../../lib/cluster/cpu-pinning.js";
import { runNode } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

const benchTimeoutMs = 150_000;

describe.skipIf(skipWithoutRedis)("npm run bench -- --quick", () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    "prints one table and writes JSON where every row has a valid number or an explicit invalid or skip marker",
    async () => {
      dir = await mkdtemp(join(tmpdir(), "crosspod-bench-"));
      const out = join(dir, "bench.json");
      const run = runNode(["--import", "tsx", "bench/run-bench.ts", "--quick", "--out", out]);
      const timer = setTimeout(() => run.child.kill("SIGKILL"), benchTimeoutMs - 5_000);
      const exit = await run.exited;
      clearTimeout(timer);
      expect(exit, `bench exited badly\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`).toEqual({
        code: 0,
        signal: null,
      });
      expect(run.stdout()).toContain("crosspod bench (quick)");
      const split = tasksetAvailable() ? defaultCpuSplit() : undefined;
      expect(run.stdout()).toContain(
        split ? `cpus: generator ${split.generator}, systems ${split.cluster} (taskset)` : "no CPU pinning",
      );
      const document = JSON.parse(await readFile(out, "utf8")) as { rows: BenchRow[] };
      const sections = new Set(document.rows.map((row) => row.section));
      for (const expected of [
        "floor: loopback echo",
        "receive efficiency",
        "fan-out: reference backend",
        "fan-out: floor (ioredis → ws)",
        "fan-out: Socket.IO + redis-adapter",
        "targets",
        "connection density",
        "k6",
      ]) {
        expect(sections, `no row for ${expected}`).toContain(expected);
      }
      for (const row of document.rows) {
        const label = `${row.section} / ${row.name}: ${row.note ?? ""}`;
        expect(["valid", "invalid", "skip"], label).toContain(row.status);
        if (row.status === "valid") {
          expect(Object.keys(row.metrics).length, label).toBeGreaterThan(0);
          for (const value of Object.values(row.metrics)) expect(Number.isFinite(value), label).toBe(true);
        } else {
          expect(row.note, label).toMatch(/\S/);
        }
      }
    },
    benchTimeoutMs,
  );
});
