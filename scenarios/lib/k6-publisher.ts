// The publisher VU code: one constant-arrival-rate iteration = one trigger over k6/http with a probe
// {run, publisher, n, t}, round-robin over the pods (or to the one trigger pod); the target's protocol
// adapter builds the request and reads the reply. Each trigger then makes one Redis round trip
// (RunStore.recordTrigger): its outcome, the published-log entry every subscriber settles against (seq and
// published time when the backend gives them), and the settled count, which is how subscribers learn that
// publishing is over.
// The first iteration of each publisher VU waits at the start barrier: every connection said hello.
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import type { Probe } from "../../lib/core/probe.js";
import { triggerTargets } from "../../lib/core/target-discovery.js";
import { mintTraceparent } from "../../lib/core/trace-context.js";
import type { PreparedRun, RunData } from "./k6-run.js";
import type { RunStore, TriggerRecord } from "./k6-run-store.js";
import { waitUntil } from "./k6-wait-until.js";

function parseBody(body: unknown): unknown {
  try {
    return typeof body === "string" ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}

const barrierPollMs = 100;

/** Trace and span ids for a traceparent: k6 has no SDK, and the ids need to be unique, not secret. */
function randomHex(digits: number): string {
  let hex = "";
  while (hex.length < digits)
    hex += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return hex.slice(0, digits);
}

/** Per publisher VU: triggers sent so far (the probe's n) and whether the start barrier has opened. */
const publisherState = { sent: 0, barrierPassed: false };

export async function runPublisherIteration(run: PreparedRun, store: RunStore, data: RunData): Promise<void> {
  // Subscribers wait for exactly the planned triggers to settle; one more (a tick at the very end of the
  // duration) would publish after they stopped waiting and break their accounting, so it does nothing.
  if (exec.scenario.iterationInTest >= run.timing.plannedTriggers) return;
  let recorded = false;
  try {
    await store.recordTrigger(await trigger(run, store, data));
    recorded = true;
  } finally {
    if (!recorded) await store.markSettled();
  }
}

async function trigger(run: PreparedRun, store: RunStore, data: RunData): Promise<TriggerRecord> {
  const { profile } = run.config;
  const { adapter } = run.config.target;
  if (!publisherState.barrierPassed) {
    publisherState.barrierPassed = true;
    const deadlineMs = exec.scenario.startTime + run.timing.barrierTimeoutSeconds * 1000;
    const allConnected = async () => (await store.connectedCount()) >= profile.connections;
    if (!(await waitUntil(allConnected, deadlineMs, barrierPollMs))) {
      const connected = await store.connectedCount();
      await store.pushEvent({
        t: (Date.now() - data.startedAtMs) / 1000,
        kind: "error",
        name: "barrier-timeout",
        detail: `only ${connected} of ${profile.connections} connections said hello ${run.timing.barrierTimeoutSeconds} s after publishing was due`,
      });
    }
  }

  const targets = triggerTargets(data.targets, profile.triggerPod);
  const target = targets[exec.scenario.iterationInTest % targets.length];
  if (target === undefined) throw new Error("setup discovered no trigger targets");
  publisherState.sent += 1;
  const probe: Probe = {
    run: data.runId,
    publisher: `${data.runId}-k6-${exec.vu.idInTest}`,
    n: publisherState.sent,
    t: Date.now(),
  };
  const request = adapter.triggerRequest({ name: target.pod, httpUrl: target.url }, probe);
  const { traceRatio } = run.config;
  const response = http.request(request.method, request.url, request.body ?? null, {
    headers:
      traceRatio === undefined
        ? request.headers
        : { ...request.headers, traceparent: mintTraceparent(randomHex, traceRatio, Math.random) },
    tags: { pod: target.pod, name: "trigger" },
    timeout: "10s",
  });
  const reply = adapter.readTriggerReply(response.status, parseBody(response.body));
  check(response, { "trigger accepted": () => reply.accepted });
  if (!reply.accepted) {
    return {
      sentTo: target.pod,
      failureCause: response.status === 0 ? `network-${response.error_code}` : reply.cause,
    };
  }
  return {
    sentTo: target.pod,
    published: {
      seq: reply.seq,
      publisher: probe.publisher,
      n: probe.n,
      // Without a published time in the reply, the reply's arrival bounds when the backend accepted it.
      acceptedAtMs: reply.publishedAtMs ?? Date.now(),
      pod: reply.pod ?? target.pod,
    },
  };
}
