// The k6 child is in the teardown registry: when crosspod ends without stopping it (an exit nobody
// prepared for, a second Ctrl-C), k6 is killed with it instead of running on.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../lib/engine/wait-until.js";
import { runNode, waitForOutput } from "../fixtures/node-process.js";
import { isAlive, procAvailable } from "../fixtures/process-tree.js";

const owner = fileURLToPath(new URL("../fixtures/k6-owner.ts", import.meta.url));

describe.skipIf(!procAvailable)("the k6 child", () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "crosspod-k6-teardown-"));
    // Answers `version` like k6 v1.8.1; `run` records its pid and sleeps (exec keeps the pid).
    await writeFile(
      join(workDir, "k6"),
      `#!/bin/sh
if [ "$1" = "version" ]; then echo "k6 v1.8.1 (commit/fake, go1.24.0, linux/amd64)"; exit 0; fi
echo $$ > "$FAKE_K6_PID"
exec sleep 30
`,
    );
    await chmod(join(workDir, "k6"), 0o755);
    for (const dir of ["v2", "v1", "v1.0-1.5"]) {
      await mkdir(join(workDir, "dist", "k6", dir), { recursive: true });
      await writeFile(join(workDir, "dist", "k6", dir, "cross-pod-load.js"), "// bundle\n");
    }
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("is killed when the process that started it exits without stopping it", async () => {
    const pidFile = join(workDir, "k6.pid");
    const run = runNode(["--import", "tsx", owner, join(workDir, "k6"), join(workDir, "dist"), pidFile], {
      FAKE_K6_PID: pidFile,
    });
    const [line] = await waitForOutput(run, /^\{.*\}$/m, 20_000);
    const { pid } = JSON.parse(line ?? "{}") as { pid: number };
    expect((await run.exited).code).toBe(0);
    const gone = await waitUntil(() => !isAlive(pid), { timeoutMs: 5_000 });
    if (!gone) process.kill(pid, "SIGKILL");
    expect(gone, `k6 (pid ${pid}) outlived the process that started it`).toBe(true);
  });
});
