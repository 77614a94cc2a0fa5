// `crosspod up --faro` as a user runs it: the collector listens beside the cluster, the printed console URL
// carries it, a Faro payload shows up on its /metrics, and Ctrl-C stops it with the rest.
import { afterEach, describe, expect, it } from "vitest";
import { type NodeProcess, runNode, waitForOutput } from "../fixtures/node-process.js";
import { skipWithoutRedis } from "../fixtures/redis.js";

describe.skipIf(skipWithoutRedis)("crosspod up --faro", () => {
  let cli: NodeProcess | undefined;
  afterEach(async () => {
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill("SIGINT");
      await cli.exited;
    }
  });

  it("runs a Faro collector, prints the console URL wired to it, and stops it on Ctrl-C", async () => {
    cli = runNode(["dist/cli.js", "up", "--replicas", "1", "--faro"]);
    await waitForOutput(cli, /Press Ctrl-C to stop\./, 30_000);
    const printed = cli.stdout();
    const faro = /^ {2}faro {3}(http:\/\/\S+\/collect) {2}\(browser metrics (http:\/\/\S+\/metrics)\)$/m.exec(
      printed,
    );
    const consoleLine = /^SOC console \(served by every pod\): (http:\/\/\S+)$/m.exec(printed);
    expect(faro, printed).not.toBeNull();
    expect(consoleLine, printed).not.toBeNull();
    const [, collectUrl, metricsUrl] = faro as RegExpExecArray;
    const consoleUrl = new URL((consoleLine as RegExpExecArray)[1] as string);
    expect(consoleUrl.searchParams.get("faro")).toBe(collectUrl);

    const page = await fetch(consoleUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("SOC live console");

    const payload = {
      meta: { app: { name: "crosspod-console" } },
      measurements: [
        {
          type: "threat_render_latency",
          values: { threat_render_latency: 7 },
          timestamp: new Date().toISOString(),
          context: { pod: "pod-a" },
        },
      ],
    };
    const posted = await fetch(collectUrl as string, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    expect(posted.status).toBe(202);
    expect(await (await fetch(metricsUrl as string)).text()).toContain(
      'crosspod_browser_render_latency_seconds_count{pod="pod-a"} 1',
    );

    cli.child.kill("SIGINT");
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(metricsUrl as string)).rejects.toThrow();
  });
});
