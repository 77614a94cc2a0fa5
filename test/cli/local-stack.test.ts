import { describe, expect, it } from "vitest";
import { LocalStack } from "../../lib/cli/local-stack.js";
import type { PrometheusServer } from "../../lib/cluster/prometheus-server.js";

function part(name: string, closed: string[], failure?: Error) {
  return {
    close: async () => {
      closed.push(name);
      if (failure) throw failure;
    },
  };
}

describe("LocalStack", () => {
  it("closes every part, the last started first", async () => {
    const closed: string[] = [];
    const stack = new LocalStack();
    stack.adopt("cluster", part("cluster", closed));
    stack.adopt("faro collector", part("faro", closed));
    stack.adopt("browser pages", part("pages", closed));
    await stack.close();
    expect(closed).toEqual(["pages", "faro", "cluster"]);
  });

  it("still closes the cluster when the Faro collector fails to close, then throws that failure", async () => {
    const closed: string[] = [];
    const boom = new Error("faro: server did not close");
    const stack = new LocalStack();
    stack.adopt("cluster", part("cluster", closed));
    stack.adopt("faro collector", part("faro", closed, boom));
    stack.adopt("browser pages", part("pages", closed));
    await expect(stack.close()).rejects.toBe(boom);
    expect(closed).toEqual(["pages", "faro", "cluster"]);
  });

  it("closes once however often close() is called, and refuses parts once closing", async () => {
    const closed: string[] = [];
    const stack = new LocalStack();
    stack.adopt("cluster", part("cluster", closed));
    const first = stack.close();
    const second = stack.close();
    expect(second).toBe(first);
    await Promise.all([first, second, stack.close()]);
    expect(closed).toEqual(["cluster"]);
    expect(() => stack.adopt("late", part("late", closed))).toThrow(/closed: cannot add the late/);
  });

  it("keeps Prometheus when asked, after it stopped scraping the pods, and closes the rest", async () => {
    const closed: string[] = [];
    const stack = new LocalStack();
    stack.adopt("cluster", part("cluster", closed));
    const prometheus = {
      ...part("prometheus", closed),
      stopScraping: async () => {
        closed.push("prometheus stops scraping");
      },
    };
    stack.prometheus = stack.adopt("prometheus", prometheus as unknown as PrometheusServer);
    await stack.close({ keepPrometheus: true });
    expect(closed).toEqual(["prometheus stops scraping", "cluster"]);
  });
});
