// Synchronous HTTP requests for the emulated k6/http (k6's http.post blocks the VU and returns the
// response). A worker thread does the fetch; the caller blocks on Atomics.wait until it answers.
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";

export interface SyncResponse {
  status: number;
  body: string;
  /** k6's error_code: 0, or 1000+ for a network failure (status 0). */
  errorCode: number;
}

const workerSource = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", async ({ url, method, body, headers, timeoutMs, port, signal }) => {
  let answer;
  try {
    const response = await fetch(url, { method, body, headers, signal: AbortSignal.timeout(timeoutMs) });
    answer = { status: response.status, body: await response.text(), errorCode: 0 };
  } catch (error) {
    answer = { status: 0, body: "", errorCode: 1000 };
  }
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

export class SyncHttp {
  private readonly worker = new Worker(workerSource, { eval: true });

  request(
    method: string,
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
    timeoutMs = 10_000,
  ) {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ url, method, body, headers, timeoutMs, port: port2, signal }, [port2]);
    const waited = Atomics.wait(signal, 0, 0, timeoutMs + 1000);
    const answer = receiveMessageOnPort(port1)?.message as SyncResponse | undefined;
    port1.close();
    if (waited === "timed-out" || answer === undefined) return { status: 0, body: "", errorCode: 1050 };
    return answer;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
