// The `publishers` constant-arrival-rate scenario of an emulated k6 run, on a thread of its own: k6 runs
// VUs in parallel, and an emulated http.post blocks its thread, so sharing one with the subscribers would
// stall their sockets and skew the run. Started by k6-publisher-thread.mjs.

import {
  callExport,
  createVuFactory,
  durationSeconds,
  type EmulatedVu,
  sleepUntil,
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
  let factory: Awaited<ReturnType<typeof createVuFactory>> | undefined;
  let scenario: PublishersScenario | undefined;
  const idle: EmulatedVu[] = [];
  return {
    async prepare(bundleFile, env, publishers, firstVuId) {
      factory = await createVuFactory(bundleFile, env, firstVuId);
      scenario = publishers;
      for (let index = 0; index < publishers.preAllocatedVUs; index++) idle.push(factory.newVu("publishers"));
    },
    async run(data, startMs) {
      if (factory === undefined || scenario === undefined)
        throw new Error("emulator: publishers not prepared");
      const vus = factory;
      const { exec, rate, timeUnit, duration, maxVUs } = scenario;
      const intervalMs = (durationSeconds(timeUnit) * 1000) / rate;
      const iterations = Math.round((durationSeconds(duration) * 1000) / intervalMs);
      let droppedIterations = 0;
      let allocated = idle.length;
      const running: Promise<unknown>[] = [];
      try {
        for (let index = 0; index < iterations; index++) {
          await sleepUntil(startMs + index * intervalMs);
          // As k6's constant-arrival-rate: a free VU, else a new one up to maxVUs, else the iteration is dropped.
          let publisher = idle.pop();
          if (publisher === undefined && allocated < maxVUs) {
            allocated += 1;
            publisher = vus.newVu("publishers");
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
        await vus.close();
      }
    },
  };
}
