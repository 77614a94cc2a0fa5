// A scripted pod for the emulated k6 runs, started as a worker thread (the emulator's synchronous http.post
// blocks the test's own thread). It answers triggers with seq 1, 2, … and misdelivers on purpose: seq 3
// is never sent (a gap), seq 5 is sent twice (a duplicate), seq 7 is held back and sent after 8 (a swap).
// It also answers trigger 10 (the last of a 10-trigger run) late, after delivering it: later than the
// drain would have ended had subscribers kept to the schedule instead of waiting for every trigger.
// Posts {port} to its parent once it listens.
import { createServer } from "node:http";
import { parentPort } from "node:worker_threads";
import { WebSocketServer } from "ws";

const pod = "pod-s";
const lateReplySeq = 10;
const lateReplyMs = 2000;
const frames = new Map();
const clients = new Set();

function send(seqs) {
  for (const seq of seqs) {
    const frame = frames.get(seq);
    for (const client of clients) client.send(frame);
  }
}

/** What to push to every client once trigger `seq` is published. */
function deliveriesAfter(seq) {
  if (seq === 3 || seq === 7) return [];
  if (seq === 5) return [5, 5];
  if (seq === 8) return [8, 7];
  return [seq];
}

const server = createServer(async (request, response) => {
  if (request.method !== "POST" || request.url !== "/api/threats/trigger") {
    response.writeHead(404).end();
    return;
  }
  let text = "";
  for await (const chunk of request) text += chunk;
  const probe = JSON.parse(text || "{}").probe;
  const seq = frames.size + 1;
  const publishedAt = Date.now();
  const threat = {
    id: `t-${seq}`,
    type: "malware",
    severity: "high",
    source_ip: "192.0.2.1",
    description: "",
    probe,
  };
  frames.set(
    seq,
    JSON.stringify({
      type: "threat",
      seq,
      id: `t-${seq}`,
      pod_origin: pod,
      published_at: publishedAt,
      threat,
    }),
  );
  const reply = () =>
    response
      .writeHead(202, { "content-type": "application/json" })
      .end(JSON.stringify({ id: `t-${seq}`, seq, pod, published_at: publishedAt }));
  if (seq === lateReplySeq) {
    send(deliveriesAfter(seq));
    setTimeout(reply, lateReplyMs);
    return;
  }
  reply();
  send(deliveriesAfter(seq));
});

const wss = new WebSocketServer({ server, path: "/ws" });
wss.on("connection", (ws) => {
  ws.send(JSON.stringify({ type: "hello", pod, seq: frames.size, epoch: "e1", resume: true }));
  clients.add(ws);
  ws.on("close", () => clients.delete(ws));
});

server.listen(0, "127.0.0.1", () => parentPort?.postMessage({ port: server.address().port }));
