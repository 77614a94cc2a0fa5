// `crosspod run --dashboard[=PORT]`: a live page on 127.0.0.1 fed by server-sent events from the engine,
// like k6's web dashboard. GET / is the page, GET /events the stream (an `update` on every reading, about
// once a second, and one `final` with the verdict), GET /report the final HTML report once there is one.
// Loopback only; nothing is fetched from outside.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CrosspodError } from "../../core/crosspod-error.js";
import type { Report } from "../../core/report-model.js";
import { renderHtmlReport } from "../../report/html-report.js";
import { reportVerdict, verdictLine } from "../../report/report-verdict.js";
import type { MetricsReading, PodIntervalFigures } from "../outputs/pod-interval-figures.js";
import type { RunProgress } from "../run-progress.js";
import { renderDashboardPage } from "./dashboard-page.js";
import { DashboardState } from "./dashboard-state.js";
import { dashboardUpdate } from "./dashboard-view.js";

export class DashboardError extends CrosspodError {
  override readonly code = "CROSSPOD_DASHBOARD";
  override readonly kind = "usage";
}

export interface LiveDashboard {
  url: string;
  addReading(reading: MetricsReading, figures: readonly PodIntervalFigures[]): void;
  setProgress(progress: RunProgress): void;
  /** Sends the verdict and serves the report; resolves once every open page has been sent it. */
  finish(report: Report): Promise<void>;
  close(): Promise<void>;
}

const securityHeaders = {
  "content-security-policy":
    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export async function startDashboard(options: {
  port: number;
  runId: string;
  profile: string;
}): Promise<LiveDashboard> {
  const state = new DashboardState(options.runId);
  const page = renderDashboardPage(options.runId, options.profile);
  const clients = new Set<ServerResponse>();
  let reportHtml: string | undefined;
  let finalEvent: string | undefined;
  let lastUpdate: string | undefined;

  const send = (res: ServerResponse, text: string): Promise<void> =>
    new Promise((resolve) => {
      if (res.destroyed) return resolve();
      res.write(text, () => resolve());
    });
  const broadcast = (text: string) => Promise.all([...clients].map((res) => send(res, text)));
  const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...securityHeaders }).end(page);
    } else if (path === "/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      clients.add(res);
      res.on("close", () => clients.delete(res));
      if (lastUpdate) void send(res, lastUpdate);
      if (finalEvent) void send(res, finalEvent);
    } else if (path === "/report" && reportHtml !== undefined) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...securityHeaders }).end(reportHtml);
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new DashboardError(
          `--dashboard: cannot listen on 127.0.0.1:${options.port} (${error.code ?? error.message}); give another port or --dashboard alone for any free one`,
        ),
      ),
    );
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const update = () => {
    lastUpdate = event("update", dashboardUpdate(state, Date.now()));
    void broadcast(lastUpdate);
  };

  return {
    url: `http://127.0.0.1:${port}/`,
    addReading(reading, figures) {
      state.addReading(reading, figures);
      update();
    },
    setProgress(progress) {
      state.setProgress(progress);
    },
    async finish(report) {
      reportHtml = renderHtmlReport(report);
      const verdict = reportVerdict(report);
      update();
      finalEvent = event("final", { word: verdict.word, pass: verdict.pass, line: verdictLine(verdict) });
      await broadcast(finalEvent);
    },
    async close() {
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
