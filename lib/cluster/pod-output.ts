// Where a pod's stdout/stderr go: appended to a log file that the child writes directly (so a busy pod
// costs the supervisor nothing), or to the console prefixed with the pod's name. Either way the last lines
// of the current run are at hand for error messages.
import type { ChildProcess } from "node:child_process";
import { closeSync, openSync, readSync, statSync } from "node:fs";

const tailBytes = 16_384;
const consoleRingLines = 200;

type Stdio = ["ignore", number | "pipe", number | "pipe"];

export class PodOutput {
  private runOffset = 0;
  private fd: number | undefined;
  private readonly ring: string[] = [];

  /** `logFile` undefined means console output. */
  constructor(
    private readonly name: string,
    readonly logFile: string | undefined,
  ) {}

  /** Opens the output for a new run of the process and returns the `stdio` to spawn it with. */
  beginRun(): Stdio {
    this.ring.length = 0;
    if (this.logFile === undefined) return ["ignore", "pipe", "pipe"];
    this.fd = openSync(this.logFile, "a");
    this.runOffset = statSync(this.logFile).size;
    return ["ignore", this.fd, this.fd];
  }

  /** Called once the child is spawned: the file descriptor now belongs to the child. */
  attach(child: ChildProcess): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (child.stdout) this.forwardLines(child.stdout);
    if (child.stderr) this.forwardLines(child.stderr);
  }

  /** The last `maxLines` lines the current run wrote. */
  tail(maxLines = 20): string {
    const lines = this.logFile === undefined ? this.ring : this.readFileTail();
    return lines.slice(-maxLines).join("\n");
  }

  private forwardLines(stream: NodeJS.ReadableStream): void {
    let carry = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (carry + chunk.toString()).split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) {
        process.stdout.write(`${this.name} | ${line}\n`);
        this.ring.push(line);
      }
      this.ring.splice(0, Math.max(0, this.ring.length - consoleRingLines));
    });
  }

  private readFileTail(): string[] {
    if (this.logFile === undefined) return [];
    let fd: number | undefined;
    try {
      fd = openSync(this.logFile, "r");
      const size = statSync(this.logFile).size;
      const start = Math.max(this.runOffset, size - tailBytes);
      const buffer = Buffer.alloc(size - start);
      readSync(fd, buffer, 0, buffer.length, start);
      return buffer.toString().split("\n").filter(Boolean);
    } catch {
      // The tail only decorates an error message; a missing log file must not hide the original error.
      return [];
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}
