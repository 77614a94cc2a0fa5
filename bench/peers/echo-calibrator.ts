// The loopback echo calibrator: answers each client message `N` at once with a threat frame (seq N)
// stamped with its own clock just before the write. Receive time − published_at on the engine side is
// then what the tool itself adds (loopback, ws framing, event loop, parse, record), with no backend work.
// Run as a child process (`--main`), so the two ends do not share an event loop.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { epochNowMs } from "../../lib/core/epoch-clock.js";
import { isMain } from "./peer-process.js";

export interface EchoCalibrator {
  readonly port: number;
  close(): Promise<void>;
}

export async function startEchoCalibrator(): Promise<EchoCalibrator> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      const seq = Number(data.toString());
      if (!Number.isSafeInteger(seq)) return;
      ws.send(
        `{"type":"threat","seq":${seq},"id":"echo-${seq}","pod_origin":"echo","published_at":${epochNowMs()},"threat":{}}`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (isMain(process.argv)) {
  const calibrator = await startEchoCalibrator();
  process.once("SIGTERM", () => void calibrator.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ listening: calibrator.port }));
}
