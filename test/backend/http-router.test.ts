// The router's error door: a client that aborts mid-body is a debug line, not an error with a stack (D4);
// a handler's real failure is still logged at error level and answered 500.
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestHandler, type Route } from "../../lib/backend/http-router.js";
import { readJsonBody } from "../../lib/backend/json-body.js";
import { waitFor } from "../fixtures/wait-for.js";

interface LogLine {
  level: number;
  msg: string;
  err?: unknown;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(text));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

let echoStarted = false;

const routes: Route[] = [
  {
    path: /^\/echo$/,
    methods: {
      POST: async ({ req, res }) => {
        echoStarted = true;
        const body = await readJsonBody(req, 1024 * 1024);
        res.end(JSON.stringify(body));
      },
    },
  },
  {
    path: /^\/broken$/,
    methods: {
      GET: () => {
        throw new Error("a real bug");
      },
    },
  },
];

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(logger: ReturnType<typeof capturingLogger>["logger"]): Promise<number> {
  server = createServer(createRequestHandler(routes, logger));
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("http router errors", () => {
  it("logs a client that aborts mid-body at debug level, without a stack (D4)", async () => {
    const { logger, lines } = capturingLogger();
    const port = await serve(logger);
    echoStarted = false;
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    );
    // Wait until the handler is reading the body, then go away mid-body.
    await waitFor(async () => echoStarted, "the handler to start reading the body");
    socket.destroy();
    await waitFor(async () => lines.some((line) => line.msg === "client went away"), "the debug line");
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.find((line) => line.msg === "client went away")).not.toHaveProperty("err");
  });

  it("still logs a handler's real failure at error level and answers 500", async () => {
    const { logger, lines } = capturingLogger();
    const port = await serve(logger);
    const reply = await fetch(`http://127.0.0.1:${port}/broken`);
    expect(reply.status).toBe(500);
    expect(lines.some((line) => line.level === 50 && line.msg === "request failed")).toBe(true);
  });
});
