// The `publishers` constant-arrival-rate scenario of an emulated k6 run, on a thread of its own: k6 runs
// VUs in parallel, and an emulated http.post blocks its thread, so sharing one with the subscribers would
// stall their sockets and skew the run. Started by k6-publisher-thread.mjs.
// k6 initializes a VU it adds mid-run beside the running ones; here an initialization (a realm running the
// bundle's init code) blocks the thread, stalling every iteration under way, which on a loaded machine
// made iterations slower still and so needed yet more VUs. So the VUs k6 may add are initialized while the
// thread waits for the schedule, and an iteration that needs one only takes it.
// Under an execution segment the thread runs this instance's share as k6 does (k6-emulated-segment.ts):
// scaled VU counts, the whole test's VU ids it owns, and only its striped ticks at the test's tick times.

import { setImmediate } from "node:timers/promises";
import { stripedIndex } from "../../lib/core/segment-striping.js";
import {
  arrivalRateTicks,
  arrivalRateTuple,
  emulatedSegment,
  type SegmentFlags,
  scaledVus,
} from "./k6-emulated-segment.js";
import {
  callExport,
  createVuFactory,
  durationSeconds,
  type EmulatedVu,
  sleepUntil,
  type VuFactory,
} from "./k6-emulated-vus.js";
import type { Series } from "./k6-metric-sink.js";

export interface PublishersScenario {
  exec: string;
  rate: number;
  timeUnit: string;
  duration: string;
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface PublisherRunOutput {
  series: Series[];
  droppedIterations: number;
  missingModules: string[];
}

/** This instance's execution segment and the exec.vu.idInTest of each VU it may initialize, in order. */
export interface PublisherSplit {
  flags: SegmentFlags;
  vuIds: number[];
}

export interface PublisherThread {
  /** Initializes the pre-allocated VUs (as k6 does before setup). */
  prepare(
    bundleFile: string,
    env: Record<string, string>,
    scenario: PublishersScenario,
    firstVuId: number,
    split?: PublisherSplit,
  ): Promise<void>;
  /** Runs the schedule from `startMs` with setup's data, then closes everything it opened. */
  run(data: unknown, startMs: number): Promise<PublisherRunOutput>;
}

export function publisherThread(): PublisherThread {
  let factory: VuFactory | undefined;
  let scenario: PublishersScenario | undefined;
  let segment = emulatedSegment();
  let vuIds: number[] = [];
  const idle: EmulatedVu[] = [];
  /** VUs initialized ahead for k6 to add mid-run: not allocated until an iteration takes one. */
  const spare: EmulatedVu[] = [];
  /** Initializing stops when the next one would end past this: the schedule's first tick, once known. */
  let initializeBeforeMs = Number.POSITIVE_INFINITY;
  let initializing: Promise<void> = Promise.resolve();

  async function initializeSpares(vus: VuFactory, count: number): Promise<void> {
    let lastMs = 0;
    while (spare.length < count) {
      // Between two initializations the thread serves its sockets and the run message.
      await setImmediate();
      const beganMs = Date.now();
      if (beganMs + lastMs >= initializeBeforeMs) return;
      spare.push(newVu(vus));
      lastMs = Date.now() - beganMs;
    }
  }

  function newVu(vus: VuFactory): EmulatedVu {
    return vus.newVu("publishers", vuIds.shift());
  }

  return {
    async prepare(bundleFile, env, publishers, firstVuId, split) {
      segment = emulatedSegment(split?.flags);
      vuIds = [...(split?.vuIds ?? [])];
      factory = await createVuFactory(bundleFile, env, firstVuId, segment);
      scenario = publishers;
      const preAllocated = scaledVus(segment, publishers.preAllocatedVUs);
      for (let index = 0; index < preAllocated; index++) idle.push(newVu(factory));
      initializing = initializeSpares(factory, scaledVus(segment, publishers.maxVUs) - preAllocated);
    },
    async run(data, startMs) {
      if (factory === undefined || scenario === undefined)
        throw new Error("emulator: publishers not prepared");
      const vus = factory;
      initializeBeforeMs = startMs;
      const { exec, rate, timeUnit, duration } = scenario;
      const maxVUs = scaledVus(segment, scenario.maxVUs);
      const intervalMs = (durationSeconds(timeUnit) * 1000) / rate;
      // Like k6: an iteration at every tick before the duration ends (the epsilon absorbs float error).
      const iterations = Math.ceil((durationSeconds(duration) * 1000) / intervalMs - 1e-9);
      const striped = arrivalRateTuple(segment, scenario.maxVUs);
      let started = 0;
      let droppedIterations = 0;
      let allocated = idle.length;
      const running: Promise<unknown>[] = [];
      try {
        for (const tick of arrivalRateTicks(striped, iterations)) {
          await sleepUntil(startMs + tick * intervalMs);
          // A free VU, else one more up to maxVUs, else the iteration is dropped. (Current k6 drops the
          // iteration while it initializes the VU; running it late on the new VU keeps the run's trigger count,
          // which is what these tests check.)
          let publisher = idle.pop();
          if (publisher === undefined && allocated < maxVUs) {
            allocated += 1;
            publisher = spare.pop() ?? newVu(vus);
          }
          if (publisher === undefined) {
            droppedIterations += 1;
            continue;
          }
          const vu = publisher;
          // k6 numbers an iteration when it starts (a dropped tick takes no number).
          const iterationInTest = striped === undefined ? started : stripedIndex(striped, started);
          started += 1;
          vu.execution.scenario = { name: "publishers", iterationInTest, startTime: startMs };
          running.push(callExport(vu.vu, exec, data).finally(() => idle.push(vu)));
        }
        await Promise.all(running);
        return { series: vus.sink.export(), droppedIterations, missingModules: [...vus.missingModules] };
      } finally {
        await initializing;
        await vus.close();
      }
    },
  };
}
