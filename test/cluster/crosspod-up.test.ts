// `crosspod up` as a user runs it: a real process that prints where everything listens, carries a POST on
// pod A to a WebSocket client on pod C, and on Ctrl-C (SIGINT) stops with no child process left.
import { afterEach, describe, expect, it } from "vitest";
import { parseUpOptions } from "../../lib/cli/commands/up.js";
import { freePort } from "../../lib/cluster/free-port.js";
import { type NodeProcess, runNode, waitForOutput } from "../fixtures/node-process.js";
import { descendantPids, isAlive, procAvailable } from "../fixtures/process-tree.js";
import { skipWithoutRedis } from "../fixtures/redis.js";
import { triggerThreat } from "../fixtures/trigger.js";
import { TestClient } from "../fixtures/ws-client.js";

describe("crosspod up flags", () => {
  it("parses the defaults commander passes", () => {
    expect(parseUpOptions({ replicas: "3", delivery: "recover" })).toEqual({
      replicas: 3,
      delivery: "recover",
      redis: "single",
      persistence: false,
      logToConsole: false,
    });
  });

  it("gives each pod its port from a list or counted up from a base port", () => {
    expect(parseUpOptions({ replicas: "3", delivery: "recover", ports: "8081,8082,8083" }).ports).toEqual([
      8081, 8082, 8083,
    ]);
    expect(parseUpOptions({ replicas: "3", delivery: "recover", ports: "9001" }).ports).toEqual([
      9001, 9002, 9003,
    ]);
  });

  it.each([
    [{ replicas: "0", delivery: "recover" }, '--replicas: expected at least 1 (got "0")'],
    [{ replicas: "three", delivery: "recover" }, "--replicas: expected a whole number from 1 to 26"],
    [{ replicas: "27", delivery: "recover" }, "--replicas: expected at most 26"],
    [
      { replicas: "3", delivery: "at-least-once" },
      '--delivery: expected one of recover, pubsub (got "at-least-once")',
    ],
    [
      { replicas: "3", delivery: "recover", redisUrl: "localhost:6379" },
      "--redis-url: expected a redis:// or",
    ],
    [
      { replicas: "3", delivery: "recover", redisUrl: "redis://127.0.0.1:6379", persistence: true },
      "--persistence: applies only to the private redis-server and cannot be combined with --redis-url",
    ],
    [
      { replicas: "3", delivery: "recover", ports: "8081,8082" },
      "--ports: expected 3 ports, one per replica",
    ],
    [{ replicas: "2", delivery: "recover", ports: "8081,8081" }, "--ports: expected each port once"],
    [{ replicas: "2", delivery: "recover", ports: "65535" }, "--ports: port 65536 is out of range"],
    [{ replicas: "2", delivery: "recover", ports: "80x" }, "--ports: expected ports such as 8081,8082,8083"],
    [
      { replicas: "2", delivery: "recover", ports: "8081", controlPort: "0" },
      "--ports: cannot be combined with --control-port",
    ],
    [
      { replicas: "3", delivery: "recover", redis: "cluster" },
      '--redis: expected one of single, sentinel (got "cluster")',
    ],
    [
      { replicas: "3", delivery: "recover", redis: "sentinel", redisUrl: "redis://127.0.0.1:6379" },
      "--redis: sentinel starts its own Redis nodes and cannot be combined with --redis-url or --persistence",
    ],
  ])("rejects %j naming the flag", (raw, message) => {
    expect(() => parseUpOptions(raw)).toThrow(message);
  });
});

describe.skipIf(skipWithoutRedis || !procAvailable)("crosspod up", () => {
  let cli: NodeProcess | undefined;
  let client: TestClient | undefined;

  afterEach(async () => {
    await client?.close();
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill("SIGINT");
      await cli.exited;
    }
  });

  it("starts the pods on the ports --ports names, so a target file's fixed URLs work", async () => {
    const ports = [await freePort(), await freePort()];
    cli = runNode(["dist/cli.js", "up", "--replicas", "2", "--ports", ports.join(",")]);
    await waitForOutput(cli, /Press Ctrl-C to stop\./, 30_000);
    for (const [index, port] of ports.entries()) {
      expect(cli.stdout()).toContain(`pod-${"ab"[index]}  http://127.0.0.1:${port}`);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    }
    cli.child.kill("SIGINT");
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it("exits with code 2 and names the flag when a flag value is invalid", async () => {
    cli = runNode(["dist/cli.js", "up", "--replicas", "0"]);
    expect(await cli.exited).toEqual({ code: 2, signal: null });
    expect(cli.stderr()).toContain("--replicas: expected at least 1");
  });

  it("prints pod and Redis URLs, carries a POST on pod A to a client on pod C, and stops cleanly on Ctrl-C", async () => {
    cli = runNode(["dist/cli.js", "up", "--replicas", "3"]);
    await waitForOutput(cli, /Press Ctrl-C to stop\./, 30_000);
    const printed = cli.stdout();
    console.log(printed);
    const pods = [...printed.matchAll(/^ {2}(pod-[a-z]) {2}(http:\/\/\S+) {2}(ws:\/\/\S+)/gm)].map(
      (match) => ({
        name: match[1],
        httpUrl: match[2] as string,
        wsUrl: match[3] as string,
      }),
    );
    expect(pods.map((pod) => pod.name)).toEqual(["pod-a", "pod-b", "pod-c"]);
    expect(printed).toMatch(/^ {2}redis {2}redis:\/\/127\.0\.0\.1:\d+/m);
    const children = descendantPids(cli.child.pid as number);
    expect(children).toHaveLength(4);

    const [podA, , podC] = pods;
    client = await TestClient.connect(podC?.wsUrl as string, { label: "client on pod-c" });
    const { id } = await triggerThreat(podA?.httpUrl as string);
    const frame = await client.waitFor(
      () => client?.threats().find((candidate) => candidate.id === id),
      id,
      5000,
    );
    expect(frame.pod_origin).toBe("pod-a");

    cli.child.kill("SIGINT");
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toContain("Stopped");
    expect(children.filter(isAlive)).toEqual([]);
  });
});
