// The `publishers` constant-arrival-rate scenario of an emulated k6 run, on a thread of its own: k6 runs
// VUs in parallel, and an emulated http.post blocks its thread, so sharing one with the subscribers would
// stall their sockets and skew the run. Started by k6-publisher-thread.mjs.
// k6 initializes a VU it adds mid-run beside the running ones; here an initialization (a realm running the
// bundle's init code) blocks the thread, stalling every iteration under way, which on a loaded machine
// made iterations slower still and so needed yet more VUs. So the VUs k6 may add are initialized while the
// thread waits for the schedule, and an iteration that needs one only takes it.

import { setImmediate } from "node:timers/promises";
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

export interface PublisherThread {
  /** Initializes the pre-allocated VUs (as k6 does before setup). */
  prepare(
    bundleFile: string,
    env: Record<string, string>,
    scenario: PublishersScenario,
    firstVuId: number,
  ): Promise<void>;
  /** Runs the schedule from `startMs` with setup's data, then closes everything it opened. */
  run(data: unknown, startMs: number): Promise<PublisherRunOutput>;
}

export function publisherThread(): PublisherThread {
  let factory: VuFactory | undefined;
  let scenario: PublishersScenario | undefined;
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
      spare.push(vus.newVu("publishers"));
      lastMs = Date.now() - beganMs;
    }
  }

  return {
    async prepare(bundleFile, env, publishers, firstVuId) {
      factory = await createVuFactory(bundleFile, env, firstVuId);
      scenario = publishers;
      for (let index = 0; index < publishers.preAllocatedVUs; index++) idle.push(factory.newVu("publishers"));
      initializing = initializeSpares(factory, publishers.maxVUs - publishers.preAllocatedVUs);
    },
    async run(data, startMs) {
      if (factory === undefined || scenario === undefined)
        throw new Error("emulator: publishers not prepared");
      const vus = factory;
      initializeBeforeMs = startMs;
      const { exec, rate, timeUnit, duration, maxVUs } = scenario;
      const intervalMs = (durationSeconds(timeUnit) * 1000) / rate;
      // Like k6: an iteration at every tick before the duration ends (the epsilon absorbs float error).
      const iterations = Math.ceil((durationSeconds(duration) * 1000) / intervalMs - 1e-9);
      let droppedIterations = 0;
      let allocated = idle.length;
      const running: Promise<unknown>[] = [];
      try {
        for (let index = 0; index < iterations; index++) {
          await sleepUntil(startMs + index * intervalMs);
          // A free VU, else one more up to maxVUs, else the iteration is dropped. (Current k6 drops the
          // iteration while it initializes the VU; running it late on the new VU keeps the run's trigger count,
          // which is what these tests check.)
          let publisher = idle.pop();
          if (publisher === undefined && allocated < maxVUs) {
            allocated += 1;
            publisher = spare.pop() ?? vus.newVu("publishers");
          }
          if (publisher === undefined) {
            droppedIterations += 1;
            continue;
          }
          const vu = publisher;
          vu.execution.scenario = { name: "publishers", iterationInTest: index, startTime: startMs };
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
