// Worker-thread entry for the emulated `publishers` scenario (k6-emulated-publishers.ts, loaded through
// tsx): {prepare} initializes its VUs and answers {ready}; {run} runs the schedule and answers {output}
// or {error}.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { publisherThread } = await import("./k6-emulated-publishers.ts");
const thread = publisherThread();

try {
  await thread.prepare(
    workerData.bundleFile,
    workerData.env,
    workerData.scenario,
    workerData.firstVuId,
    workerData.split,
  );
  parentPort?.postMessage({ ready: true });
  parentPort?.once("message", async ({ data, startMs }) => {
    try {
      parentPort?.postMessage({ output: await thread.run(data, startMs) });
    } catch (error) {
      parentPort?.postMessage({ error: String(error?.stack ?? error) });
    }
  });
} catch (error) {
  parentPort?.postMessage({ error: String(error?.stack ?? error) });
}
