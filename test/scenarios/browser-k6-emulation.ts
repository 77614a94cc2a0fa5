// Runs the built browser-console bundle through k6's lifecycle without k6: the emulator's modules
// (k6-emulated-modules.ts: real WebSockets, HTTP, redis-server) plus k6/browser emulated over playwright-core
// and Debian's Chromium, with the three scenarios of its options run side by side: subscribers, browsers
// and the publishers' constant arrival rate. Publishers share this thread (their emulated http.post blocks
// it for one request at a time), which k6-emulated-run.ts avoids with a worker that cannot load k6/browser;
// at a few triggers a second the pages and sockets only wait a few milliseconds. Chromium may take seconds
// to bring a page up on a busy machine, so instead of a ramp long enough to cover it, the emulator starts
// the run's clock (the subscribers, the publishers and every page's hold) only once each page's WebSocket
// has said hello. This checks the scenario's code, not k6's browser.
import type { Options } from "k6/options";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { K6SummaryData } from "../../scenarios/lib/k6-summary-data.js";
import { loadBundle } from "./k6-bundle-vm.js";
import { type ExecutionState, emulatedModules, newEmulatorResources } from "./k6-emulated-modules.js";
import { wholeTestOptions } from "./k6-emulated-segment.js";
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

/** How long every page gets to say hello before the emulated run gives up on it. */
const pagesLiveTimeoutMs = 60_000;

/**
 * The run's start, gated on the pages: each page's WebSocket hello is counted; the emulator starts the
 * run once all have come, and a page's wait for its live state returns only then.
 */
class PageGate {
  /** Pages to wait for: the browsers scenario's VUs. */
  pages = 0;
  private hellos = 0;
  private allLive: () => void = () => {};
  private started: () => void = () => {};
  readonly live: Promise<void>;
  readonly runStarted: Promise<void>;

  constructor() {
    this.live = new Promise((resolve) => {
      this.allLive = resolve;
    });
    this.runStarted = new Promise((resolve) => {
      this.started = resolve;
    });
  }

  /** Watches a page's WebSockets for the console's hello frame. */
  watch(page: Page): void {
    let said = false;
    page.on("websocket", (socket) =>
      socket.on("framereceived", ({ payload }) => {
        if (said || !String(payload).startsWith('{"type":"hello"')) return;
        said = true;
        this.hellos += 1;
        if (this.hellos === this.pages) this.allLive();
      }),
    );
  }

  /** Resolves once every page said hello; rejects, naming how many did, at the timeout or if the VUs end first. */
  async waitLive(browserRuns: Promise<unknown>[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `emulator: ${this.hellos} of ${this.pages} console pages said hello within ${pagesLiveTimeoutMs} ms`,
            ),
          ),
        pagesLiveTimeoutMs,
      );
    });
    const ended = Promise.all(browserRuns).then(() => {
      throw new Error(`emulator: the browser VUs ended with ${this.hellos} of ${this.pages} pages live`);
    });
    try {
      await Promise.race([this.live, timedOut, ended]);
    } finally {
      clearTimeout(timer);
    }
  }

  start(): void {
    this.started();
  }
}

/** The k6/browser surface the scenario calls, over playwright; page results copied into the VU's realm. */
function browserModule(
  chromium: Browser,
  toRealm: (value: unknown) => unknown,
  pageUrls: string[],
  gate: PageGate,
) {
  const wrapPage = (page: Page) => ({
    on(event: string, listener: (message: { type(): string; text(): string }) => void) {
      if (event !== "console") throw new Error(`emulated k6/browser: page.on("${event}") is not emulated`);
      page.on("console", (message) => listener({ type: () => message.type(), text: () => message.text() }));
    },
    async goto(url: string, options: { timeout?: number } = {}) {
      pageUrls.push(url);
      gate.watch(page);
      await page.goto(url, { timeout: options.timeout });
      return null;
    },
    async waitForSelector(selector: string, options: { timeout?: number } = {}) {
      await page.waitForSelector(selector, { timeout: options.timeout });
      await gate.runStarted;
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
  const gate = new PageGate();
  let nextVuId = 1;
  const newVu = (scenario: string) => {
    const execution: ExecutionState = {
      scenario: { name: scenario, iterationInTest: 0, startTime: Date.now() },
      vu: { idInTest: nextVuId, idInInstance: nextVuId++ },
      test: { options: wholeTestOptions },
    };
    const vu = bundle.newVu(env, (toRealm) => ({
      ...emulatedModules({ ...resources, toRealm }, execution),
      "k6/browser": browserModule(chromium, toRealm, pageUrls, gate),
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

    // The pages open first; each VU reads its scenario's start time once its page is live.
    gate.pages = browsers.vus;
    const browserRuns = browserVus.map(({ vu, execution }, index) => {
      execution.scenario = { name: "browsers", iterationInTest: index, startTime: Number.NaN };
      return callExport(vu, browsers.exec, data);
    });
    const startRun = () => {
      const atMs = Date.now();
      for (const { execution } of browserVus) execution.scenario.startTime = atMs;
      gate.start();
      return atMs;
    };
    try {
      await gate.waitLive(browserRuns);
    } catch (error) {
      startRun();
      await Promise.allSettled(browserRuns);
      throw error;
    }
    const startedAtMs = startRun();

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
    await Promise.all([...perVu(subscriberVus, "subscribers", subscribers.exec), ...browserRuns, publishing]);

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
