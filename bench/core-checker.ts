// Micro-benchmark of lib/core's per-frame hot path: DeliveryChecker.receive (seq and publisher
// accounting, in order and with faults) and the two latency recordings each frame costs.
// Prints frames per CPU-second, and bytes per checker when run with --expose-gc:
//   node --expose-gc --import tsx bench/core-checker.ts
import { type Accounting, DeliveryChecker } from "../lib/core/delivery-checker.js";
import { LatencyHistogram } from "../lib/core/latency-histogram.js";
import type { Probe } from "../lib/core/probe.js";

const connections = 1000;
const framesPerConnection = 2000;
const publishers = 4;
/** Each scenario repeats passes (fresh checkers each) until it has used this much CPU, at most 20 passes. */
const minCpuMs = 400;

interface Frame {
  seq: number;
  probe: Probe;
}

/** One frame object per seq, shared by all connections: the bench measures the checker, not JSON.parse. */
function frames(faulty: boolean): Frame[] {
  const list: Frame[] = [];
  for (let seq = 1; seq <= framesPerConnection; seq++) {
    // Faults: drop every 100th, repeat every 1000th, swap every 1000th pair.
    if (faulty && seq % 100 === 0) continue;
    const frame = {
      seq,
      probe: { run: "bench", publisher: `pub-${seq % publishers}`, n: Math.ceil(seq / publishers), t: 0 },
    };
    if (faulty && seq % 1000 === 1 && list.length > 0) {
      const previous = list.pop() as Frame;
      list.push(frame, previous);
      continue;
    }
    list.push(frame);
    if (faulty && seq % 1000 === 500) list.push(frame);
  }
  return list;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function pass(accounting: Accounting, list: readonly Frame[], recordLatency: boolean): DeliveryChecker[] {
  const checkers = Array.from({ length: connections }, () => new DeliveryChecker(accounting));
  for (const checker of checkers) checker.connected(0, { seq: 0, resume: true });
  const fanout = new LatencyHistogram();
  const e2e = new LatencyHistogram();
  for (let i = 0; i < list.length; i++) {
    const frame = list[i] as Frame;
    for (let c = 0; c < connections; c++) {
      (checkers[c] as DeliveryChecker).receive(frame, i);
      if (recordLatency) {
        fanout.recordMs((i % 500) * 0.37);
        e2e.recordMs((i % 700) * 0.41);
      }
    }
  }
  return checkers;
}

function bench(name: string, accounting: Accounting, faulty: boolean, recordLatency: boolean): void {
  const list = frames(faulty);
  let checkers: DeliveryChecker[] = [];
  let received = 0;
  let elapsedMs = 0;
  for (let passes = 0; passes < 20 && elapsedMs < minCpuMs; passes++) {
    const started = cpuMs();
    checkers = pass(accounting, list, recordLatency);
    elapsedMs += cpuMs() - started;
    received += list.length * connections;
  }
  let gaps = 0;
  for (const checker of checkers) gaps += checker.gapCount;
  const perSecond = Math.round((received / elapsedMs) * 1000);
  console.log(
    `${name.padEnd(44)} ${perSecond.toLocaleString("en").padStart(12)} frames/CPU-s  ` +
      `(${received.toLocaleString("en")} frames in ${elapsedMs.toFixed(0)} ms CPU; ` +
      `${(gaps / connections).toFixed(1)} gap ranges held per connection)`,
  );
}

/** Retained heap per checker after connect and 100 in-order frames (needs --expose-gc). */
function memoryPerChecker(accounting: Accounting): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return "n/a (run with node --expose-gc --import tsx)";
  const list = frames(false).slice(0, 100);
  gc();
  const before = process.memoryUsage().heapUsed;
  const checkers = Array.from({ length: 10_000 }, () => new DeliveryChecker(accounting));
  for (const checker of checkers) {
    checker.connected(0, { seq: 0, resume: true });
    for (const frame of list) checker.receive(frame, 0);
  }
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / checkers.length;
  return `${bytes.toFixed(0)} B per checker (${checkers.length} checkers)`;
}

console.log(`${connections} connections x ${framesPerConnection} frames, ${publishers} publishers`);
bench("seq, in order", "seq", false, false);
bench("seq, 1% gaps + 0.1% duplicates and swaps", "seq", true, false);
bench("publisher, in order", "publisher", false, false);
bench("publisher, faults", "publisher", true, false);
bench("seq, in order + fanout and e2e recordMs", "seq", false, true);
console.log(`memory, seq accounting: ${memoryPerChecker("seq")}`);
console.log(`memory, publisher accounting: ${memoryPerChecker("publisher")}`);
