// Runs the built browser-console bundle through k6's lifecycle without k6: the emulator's modules
// (k6-emulated-modules.ts: real WebSockets, HTTP, redis-server) plus k6/browser emulated over playwright-core
// and Debian's Chromium, with the three scenarios of its options run side by side: subscribers, browsers
// and the publishers' constant arrival rate. Publishers share this thread (their emulated http.post blocks
// it for one request at a time), which k6-emulated-run.ts avoids with a worker that cannot load k6/browser;
// at a few triggers a second the pages and sockets only wait a few milliseconds. This checks the scenario's
// code, not k6's browser.
import type { Options } from "k6/options";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { K6SummaryData } from "../../scenarios/lib/k6-summary-data.js";
import { loadBundle } from "./k6-bundle-vm.js";
import { type ExecutionState, emulatedModules, newEmulatorResources } from "./k6-emulated-modules.js";
import { callExport, durationSeconds, sleepUntil } from "./k6-emulated-vus.js";
import type { MetricSink } from "./k6-metric-sink.js";

export interface BrowserRunResult {
  options: Options;
  files: Record<string, string>;
  sink: MetricSink;
  missingModules: string[];
  /** URLs the emulated k6 browser opened. */
  pageUrls: string[];
}

interface VuScenario {
  exec: string;
  vus: number;
}

interface ArrivalScenario {
  exec: string;
  rate: number;
  timeUnit: string;
  duration: string;
  startTime: string;
  preAllocatedVUs: number;
  maxVUs: number;
}

/** The k6/browser surface the scenario calls, over playwright; page results copied into the VU's realm. */
function browserModule(chromium: Browser, toRealm: (value: unknown) => unknown, pageUrls: string[]) {
  const wrapPage = (page: Page) => ({
    on(event: string, listener: (message: { type(): string; text(): string }) => void) {
      if (event !== "console") throw new Error(`emulated k6/browser: page.on("${event}") is not emulated`);
      page.on("console", (message) => listener({ type: () => message.type(), text: () => message.text() }));
    },
    async goto(url: string, options: { timeout?: number } = {}) {
      pageUrls.push(url);
      await page.goto(url, { timeout: options.timeout });
      return null;
    },
    async waitForSelector(selector: string, options: { timeout?: number } = {}) {
      await page.waitForSelector(selector, { timeout: options.timeout });
      return {};
    },
    async evaluate(pageFunction: (arg: unknown) => unknown, arg: unknown) {
      // Like k6, only a function's source reaches the page (playwright reads fn.toString()).
      if (typeof pageFunction !== "function")
        throw new Error("emulated k6/browser: evaluate takes a function");
      return toRealm(await page.evaluate(pageFunction, arg));
    },
    close: () => page.close(),
  });
  const wrapContext = (context: BrowserContext) => ({
    addInitScript: (script: string) => context.addInitScript(script),
    newPage: async () => wrapPage(await context.newPage()),
    close: () => context.close(),
  });
  return {
    browser: {
      newContext: async () =>
        wrapContext(await chromium.newContext({ viewport: { width: 1280, height: 800 } })),
    },
  };
}

export async function emulateBrowserRun(
  bundleFile: string,
  env: Record<string, string>,
  chromium: Browser,
): Promise<BrowserRunResult> {
  const bundle = await loadBundle(bundleFile);
  const resources = newEmulatorResources();
  const pageUrls: string[] = [];
  let nextVuId = 1;
  const newVu = (scenario: string) => {
    const execution: ExecutionState = {
      scenario: { name: scenario, iterationInTest: 0, startTime: Date.now() },
      vu: { idInTest: nextVuId++ },
    };
    const vu = bundle.newVu(env, (toRealm) => ({
      ...emulatedModules({ ...resources, toRealm }, execution),
      "k6/browser": browserModule(chromium, toRealm, pageUrls),
    }));
    return { vu, execution };
  };

  try {
    const options = JSON.parse(JSON.stringify(newVu("init").vu.exports.options)) as Options;
    const scenarios = options.scenarios as Record<string, unknown>;
    const subscribers = scenarios.subscribers as VuScenario;
    const browsers = scenarios.browsers as VuScenario;
    const publishers = scenarios.publishers as ArrivalScenario;

    // Like k6, every VU's init code runs before setup.
    const subscriberVus = Array.from({ length: subscribers.vus }, () => newVu("subscribers"));
    const browserVus = Array.from({ length: browsers.vus }, () => newVu("browsers"));
    const publisherVus = Array.from({ length: publishers.preAllocatedVUs }, () => newVu("publishers"));
    const data = JSON.parse(JSON.stringify(await callExport(newVu("setup").vu, "setup")));
    const startedAtMs = Date.now();

    const perVu = (vus: typeof subscriberVus, name: string, exec: string) =>
      vus.map(({ vu, execution }, index) => {
        execution.scenario = { name, iterationInTest: index, startTime: startedAtMs };
        return callExport(vu, exec, data);
      });
    const publishing = (async () => {
      const startMs = startedAtMs + durationSeconds(publishers.startTime) * 1000;
      const intervalMs = (durationSeconds(publishers.timeUnit) * 1000) / publishers.rate;
      const iterations = Math.ceil((durationSeconds(publishers.duration) * 1000) / intervalMs - 1e-9);
      const running: Promise<unknown>[] = [];
      let allocated = publisherVus.length;
      for (let index = 0; index < iterations; index++) {
        await sleepUntil(startMs + index * intervalMs);
        // As k6's constant-arrival-rate: an idle VU, else a new one up to maxVUs (none is dropped here).
        let publisher = publisherVus.pop();
        if (publisher === undefined && allocated < publishers.maxVUs) {
          allocated += 1;
          publisher = newVu("publishers");
        }
        if (publisher === undefined) throw new Error(`emulator: all ${allocated} publisher VUs are busy`);
        const vu = publisher;
        vu.execution.scenario = { name: "publishers", iterationInTest: index, startTime: startMs };
        running.push(callExport(vu.vu, publishers.exec, data).finally(() => publisherVus.push(vu)));
      }
      await Promise.all(running);
    })();
    await Promise.all([
      ...perVu(subscriberVus, "subscribers", subscribers.exec),
      ...perVu(browserVus, "browsers", browsers.exec),
      publishing,
    ]);

    await callExport(newVu("teardown").vu, "teardown", data);
    const summary: K6SummaryData = {
      ...resources.sink.summary(
        Date.now() - startedAtMs,
        (options.thresholds ?? {}) as Record<string, string[]>,
      ),
      setup_data: data,
    };
    const files = JSON.parse(JSON.stringify(await callExport(newVu("summary").vu, "handleSummary", summary)));
    return { options, files, sink: resources.sink, missingModules: [...bundle.missingModules], pageUrls };
  } finally {
    for (const socket of resources.sockets) socket.terminate();
    await Promise.all([...resources.redisClients].map((client) => client.quit().catch(() => undefined)));
    await resources.http.close();
  }
}
