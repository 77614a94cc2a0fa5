// Entry point of the console bundle (dist/console/console.js): the pod's threat socket feeds the list,
// the list reports what it attached, and the header and Faro hear about it.

import { type RenderHook, renderHookName } from "../core/render-hook.js";
import { readConsoleConfig } from "./console-config.js";
import { startTelemetry } from "./faro-telemetry.js";
import { createLatencyWindow } from "./latency-window.js";
import { createStatusBar } from "./status-bar.js";
import { createThreatList } from "./threat-list.js";
import { openThreatSocket } from "./threat-socket.js";

const config = readConsoleConfig(location, document.documentElement);
const telemetry = startTelemetry(config.collectorUrl);
const status = createStatusBar(document, document.body);
const recentLatencies = createLatencyWindow(1000);
const feed = document.querySelector<HTMLElement>("#feed");
const template = document.querySelector<HTMLTemplateElement>("#row-template");
if (!feed || !template)
  throw new Error("the console page lacks #feed or #row-template; rebuild dist/console");

let pod = "unknown";
let total = 0;
let receivedThisSecond = 0;

const list = createThreatList(feed, template, {
  maxRows: config.maxRows,
  onRendered(rows, skipped) {
    const latenciesMs = rows.map((row) => row.latencyMs);
    for (const row of rows) {
      recentLatencies.add(row.latencyMs);
      telemetry.renderLatency(pod, row.frame.pod_origin, row.latencyMs);
    }
    const hook = (window as unknown as Record<string, unknown>)[renderHookName];
    if (typeof hook === "function")
      (hook as RenderHook)(
        pod,
        latenciesMs,
        skipped,
        rows.map((row) => row.pageDelayMs),
      );
    status.setCounts(total, list.shown);
  },
});

openThreatSocket(config.wsUrl, {
  onState(state, detail) {
    status.setState(state, detail);
  },
  onHello(frame, reconnectMs) {
    pod = frame.pod;
    status.setPod(frame.pod, frame.resume);
    telemetry.setPod(frame.pod);
    if (reconnectMs !== undefined) {
      telemetry.reconnectDuration(frame.pod, reconnectMs);
      const replay = frame.resume ? "missed threats replayed" : "threats published meanwhile are missed";
      status.setState("live", `reconnected in ${(reconnectMs / 1000).toFixed(2)} s; ${replay}`);
    }
  },
  onThreat(frame) {
    total += 1;
    receivedThisSecond += 1;
    list.push(frame);
  },
  onHistoryLost(frame) {
    const at = status.showHistoryLost(frame.epoch);
    list.divide(`History reset at ${at}: the sequence restarts below this line`);
  },
});

setInterval(() => {
  status.setRate(receivedThisSecond, recentLatencies.percentiles());
  receivedThisSecond = 0;
}, 1000);

if (config.collectorProblem) console.warn(`crosspod console: ${config.collectorProblem}`);
document.body.dataset.rum = telemetry.enabled ? "on" : "off";
