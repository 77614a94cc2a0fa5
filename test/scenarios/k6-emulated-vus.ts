// Emulated k6 VUs of one thread: each a fresh realm running the bundle's init code, wired to emulated
// modules over this thread's shared resources (HTTP worker, metric sink, Redis clients, sockets).
import { type BundleVu, loadBundle } from "./k6-bundle-vm.js";
import { type ExecutionState, emulatedModules, newEmulatorResources } from "./k6-emulated-modules.js";
import { type EmulatedSegment, emulatedSegment } from "./k6-emulated-segment.js";
import type { MetricSink } from "./k6-metric-sink.js";

export interface EmulatedVu {
  vu: BundleVu;
  execution: ExecutionState;
}

export interface VuFactory {
  /** A VU; `idInTest` as k6 gives it under execution segments, else the next id of this thread. */
  newVu(scenario: string, idInTest?: number): EmulatedVu;
  readonly sink: MetricSink;
  /** Modules the bundle asked for that k6 would not have. */
  readonly missingModules: Set<string>;
  /** Ends every socket, Redis client and the HTTP worker this thread opened. */
  close(): Promise<void>;
}

/** `firstVuId` keeps VU ids unique across threads, as k6's are across a test. */
export async function createVuFactory(
  bundleFile: string,
  env: Record<string, string>,
  firstVuId: number,
  segment: EmulatedSegment = emulatedSegment(),
): Promise<VuFactory> {
  const bundle = await loadBundle(bundleFile);
  const resources = newEmulatorResources();
  let nextVuId = firstVuId;
  let initialized = 0;
  return {
    sink: resources.sink,
    missingModules: bundle.missingModules,
    newVu(scenario, idInTest) {
      initialized += 1;
      let inInitContext = true;
      const execution: ExecutionState = {
        scenario: { name: scenario, iterationInTest: 0, startTime: Date.now() },
        vu: { idInTest: idInTest ?? nextVuId++, idInInstance: initialized },
        // Like k6, exec.test.options throws in the init context: a scenario must read its segment later.
        get test() {
          if (inInitContext) throw new Error("getting test options in the init context is not supported");
          return { options: segment.options };
        },
      };
      const vu = bundle.newVu(env, (toRealm) => emulatedModules({ ...resources, toRealm }, execution));
      inInitContext = false;
      return { vu, execution };
    },
    async close() {
      for (const socket of resources.sockets) socket.terminate();
      await Promise.all([...resources.redisClients].map((client) => client.quit().catch(() => undefined)));
      await resources.http.close();
    },
  };
}

/** Calls an exported lifecycle or scenario function, arguments copied into the VU's realm. */
export function callExport(vu: BundleVu, name: string, ...args: unknown[]): Promise<unknown> {
  const fn = vu.exports[name];
  if (typeof fn !== "function") throw new Error(`emulator: the bundle exports no function ${name}()`);
  return Promise.resolve((fn as (...values: unknown[]) => unknown)(...args.map((arg) => vu.toRealm(arg))));
}

export function sleepUntil(atMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - Date.now())));
}

/** k6 durations as the scenarios' options write them ("4s", "500ms", "2m"), in seconds. */
export function durationSeconds(duration: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration ?? "0s");
  if (!match) throw new Error(`emulator: unsupported duration "${duration}"`);
  const value = Number(match[1]);
  return match[2] === "ms" ? value / 1000 : match[2] === "m" ? value * 60 : value;
}
