// Publishes triggers at a constant arrival rate (open model) to the pods, round-robin or to one named pod.
// Each trigger carries a probe {run, publisher, n, t}, placed in the request by the target's protocol
// adapter; each accepted reply (its seq and published time, when the backend gives them) goes into the
// published log the delivery checkers settle against. Sends never wait for earlier responses.
// Triggers go out over lanes, each at most one request in flight and its own probe publisher
// (`<publisherId>-<lane>`) and counter: within a publisher the sends are then causally ordered, so a
// lower n arriving after a higher one is a real ordering violation, not two concurrent requests that the
// backend may publish either way round.
import type { ProtocolAdapter, TriggerPod } from "../core/adapters/protocol-adapter.js";
import { epochNowMs } from "../core/epoch-clock.js";
import type { Probe } from "../core/probe.js";
import type { SpanTracer } from "../tracing/span-tracer.js";
import { type ArrivalSchedule, arrivalSchedule, dueAtMs, dueCount } from "./arrival-schedule.js";
import type { PodState } from "./pod-state.js";
import type { PublishedLog } from "./published-log.js";
import { TriggerClient, TriggerRequestError } from "./trigger-request.js";
import { type TracedTrigger, traceTrigger } from "./trigger-tracing.js";

export interface TriggerTarget {
  /** http://host:port */
  url: string;
  pod: string;
}

export interface PublisherOptions {
  /** Builds each request and reads each reply. */
  adapter: ProtocolAdapter;
  runId: string;
  publisherId: string;
  /** The pods triggers go to, in round-robin order (one entry for a named trigger pod). */
  targets: readonly TriggerTarget[];
  ratePerSecond: number;
  durationSeconds: number;
  published: PublishedLog;
  pod(name: string): PodState;
  requestTimeoutMs?: number;
  /** A send starting more than this after its due time counts as a late start. */
  lateStartToleranceMs: number;
  /** In-flight requests above this are not sent but counted as failed ("overloaded"), so memory stays bounded. */
  maxInFlight?: number;
  /** Called on each accepted trigger with the pod that took it (chaos runs: when a pod serves again). */
  onAccepted?: (pod: string) => void;
  /** Called on the first failure of each cause, for the run's events. */
  onFirstFailure?: (pod: string, cause: string) => void;
  /** When the engine traces: a span per trigger, its traceparent sent on the request. */
  tracer?: SpanTracer;
  /**
   * The schedule's indices this publisher sends (an execution segment's share of the run's triggers); the
   * others are other runners'. Default: all.
   */
  ownsTrigger?: (index: number) => boolean;
}

export class TriggerPublisher {
  readonly failures = new Map<string, number>();
  sent = 0;
  accepted = 0;
  failed = 0;
  lateStarts = 0;
  private schedule: ArrivalSchedule | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Per lane: whether a request is in flight, the probe n last sent, and its publisher id. */
  private readonly laneBusy: boolean[] = [];
  private readonly laneSent: number[] = [];
  private readonly lanePublisher: string[] = [];
  private stopped = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly client: TriggerClient;
  private readonly pods: TriggerPod[];

  constructor(private readonly options: PublisherOptions) {
    this.client = new TriggerClient(options.requestTimeoutMs ?? 10_000);
    this.pods = options.targets.map((target) => ({ name: target.pod, httpUrl: target.url }));
  }

  /** Triggers due so far by the schedule (sent or not). */
  get due(): number {
    return this.schedule ? dueCount(this.schedule, performance.now()) : 0;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Sends the whole schedule, then waits for the responses still in flight. `startAtEpochMs` starts the
   * schedule at a time shared with other runners instead of now.
   */
  async run(startAtEpochMs?: number): Promise<void> {
    const { ratePerSecond, durationSeconds, ownsTrigger } = this.options;
    const startMs =
      startAtEpochMs === undefined ? performance.now() : performance.now() + (startAtEpochMs - epochNowMs());
    const schedule = arrivalSchedule(startMs, ratePerSecond, durationSeconds);
    this.schedule = schedule;
    let next = 0;
    while (next < schedule.total && !this.stopped) {
      const nowMs = performance.now();
      const due = dueCount(schedule, nowMs);
      for (; next < due; next++) {
        if (ownsTrigger && !ownsTrigger(next)) continue;
        if (nowMs - dueAtMs(schedule, next) > this.options.lateStartToleranceMs) this.lateStarts += 1;
        this.send(next);
      }
      if (next < schedule.total) await this.sleepUntil(dueAtMs(schedule, next));
    }
    await Promise.all(this.inFlight);
    this.client.close();
  }

  /** Stops sending; responses in flight are still awaited by run(). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  failuresByCause(): Record<string, number> {
    return Object.fromEntries(this.failures);
  }

  private sleepUntil(atMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, Math.max(0, atMs - performance.now()));
    });
  }

  private send(index: number): void {
    const { targets, runId } = this.options;
    const target = targets[index % targets.length] as TriggerTarget;
    const triggerPod = this.pods[index % targets.length] as TriggerPod;
    const podState = this.options.pod(target.pod);
    this.sent += 1;
    podState.recorder.triggers.sent += 1;
    if (this.inFlight.size >= (this.options.maxInFlight ?? 1000)) {
      this.fail(podState, "overloaded");
      return;
    }
    const lane = this.takeLane();
    const n = (this.laneSent[lane] ?? 0) + 1;
    this.laneSent[lane] = n;
    const probe: Probe = { run: runId, publisher: this.lanePublisher[lane] as string, n, t: epochNowMs() };
    this.options.published.sending(probe.publisher, n);
    const request = this.post(triggerPod, probe, podState).finally(() => {
      this.inFlight.delete(request);
      this.laneBusy[lane] = false;
    });
    this.inFlight.add(request);
  }

  /** The lowest free lane, or a new one when all are busy (at most maxInFlight, checked by the caller). */
  private takeLane(): number {
    let lane = this.laneBusy.indexOf(false);
    if (lane === -1) {
      lane = this.laneBusy.length;
      this.laneSent.push(0);
      this.lanePublisher.push(`${this.options.publisherId}-${lane}`);
    }
    this.laneBusy[lane] = true;
    return lane;
  }

  private async post(target: TriggerPod, probe: Probe, podState: PodState): Promise<void> {
    const { adapter, tracer } = this.options;
    let request = adapter.triggerRequest(target, probe);
    let traced: TracedTrigger | undefined;
    if (tracer !== undefined) {
      traced = traceTrigger(tracer, target.name, probe, request);
      request = traced.request;
    }
    try {
      const { status, body } = await this.client.send(request);
      const reply = adapter.readTriggerReply(status, body);
      traced?.end({ reply });
      if (!reply.accepted) {
        this.options.published.failed(probe.publisher, probe.n, true);
        this.fail(podState, reply.cause);
        return;
      }
      this.accepted += 1;
      const taker = reply.pod === undefined ? podState : this.options.pod(reply.pod);
      taker.recorder.triggers.accepted += 1;
      this.options.onAccepted?.(taker.name);
      // Without a published time in the reply, the reply's arrival bounds when the backend accepted it.
      this.options.published.accepted(
        reply.seq,
        probe.publisher,
        probe.n,
        reply.publishedAtMs ?? epochNowMs(),
      );
    } catch (error) {
      const cause = error instanceof TriggerRequestError ? error.code : "request-error";
      traced?.end({ error: cause });
      this.options.published.failed(probe.publisher, probe.n, false);
      this.fail(podState, cause);
    }
  }

  private fail(podState: PodState, cause: string): void {
    this.failed += 1;
    podState.recorder.triggers.failed += 1;
    const count = (this.failures.get(cause) ?? 0) + 1;
    this.failures.set(cause, count);
    if (count === 1) this.options.onFirstFailure?.(podState.name, cause);
  }
}
