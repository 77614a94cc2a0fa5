// A SessionRuntime under the test's control: sockets whose frames the test pushes, timers that run only
// when the test moves the clock, and a clock that stands still otherwise. A client's close is delivered
// as a timer at the current time, as a real socket reports it on a later turn of the event loop.
import type { SessionRuntime, SessionSocket, SocketEvents } from "../../../lib/core/subscriber-session.js";

export class ScriptedSocket implements SessionSocket {
  readonly sent: string[] = [];
  /** The code the client closed with, once it did. */
  closedWith: number | undefined;
  ended = false;

  constructor(
    readonly url: string,
    private readonly events: SocketEvents,
    private readonly runtime: ScriptedRuntime,
  ) {}

  send(text: string): void {
    this.sent.push(text);
  }

  close(code: number): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = code;
    this.runtime.setTimeout(() => this.end(code), 0);
  }

  open(): this {
    this.events.opened();
    return this;
  }

  push(...frames: string[]): this {
    for (const frame of frames) this.events.message(frame);
    return this;
  }

  fail(cause: string): this {
    this.events.failed(cause);
    return this;
  }

  /** The server (or the network) ends the socket. */
  end(code = 1006): void {
    if (this.ended) return;
    this.ended = true;
    this.events.closed(code);
  }
}

interface Timer {
  id: number;
  atMs: number;
  callback: () => void;
}

export class ScriptedRuntime implements SessionRuntime {
  readonly sockets: ScriptedSocket[] = [];
  private timers: Timer[] = [];
  private nextTimerId = 1;

  constructor(private clockMs = 1_000_000) {}

  readonly random = () => 0.5;

  nowMs(): number {
    return this.clockMs;
  }

  dial(url: string, events: SocketEvents): ScriptedSocket {
    const socket = new ScriptedSocket(url, events, this);
    this.sockets.push(socket);
    return socket;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.nextTimerId++, atMs: this.clockMs + delayMs, callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** The socket dialled last. */
  get socket(): ScriptedSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (socket === undefined) throw new Error("nothing was dialled");
    return socket;
  }

  /** Moves the clock by `ms`, running every timer that falls due, in order. */
  advance(ms = 0): void {
    const untilMs = this.clockMs + ms;
    for (;;) {
      const due = this.timers
        .filter((timer) => timer.atMs <= untilMs)
        .sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.clockMs = Math.max(this.clockMs, due.atMs);
      due.callback();
    }
    this.clockMs = untilMs;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}
