// Proves every --out target usable before the run starts, so an hour-long run cannot end in a write
// error: a file's directory exists and is writable (and the path is not a directory); a remote-write URL
// answers an empty WriteRequest with 2xx (404 there usually means Prometheus runs without
// --web.enable-remote-write-receiver).
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { describeOutput, type OutputSpec, OutputSpecError } from "./output-spec.js";
import { remoteWriteBody, remoteWriteHeaders } from "./remote-write-encoding.js";

const probeTimeoutMs = 5000;

async function checkFile(spec: OutputSpec & { path: string }): Promise<void> {
  const path = resolve(spec.path);
  const fail = (why: string): never => {
    throw new OutputSpecError(`${describeOutput(spec)}: ${why}`);
  };
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) fail("is a directory; expected a file path");
  if (existing) {
    await access(path, constants.W_OK).catch(() => fail("the file exists and is not writable"));
    return;
  }
  const directory = await stat(dirname(path)).catch(() => undefined);
  if (!directory?.isDirectory()) fail(`the directory ${dirname(path)} does not exist`);
  await access(dirname(path), constants.W_OK).catch(() =>
    fail(`the directory ${dirname(path)} is not writable`),
  );
}

async function checkRemoteWrite(spec: OutputSpec & { url: string }): Promise<void> {
  const fail = (why: string): never => {
    throw new OutputSpecError(`${describeOutput(spec)}: ${why}`);
  };
  let response: Response;
  try {
    response = await fetch(spec.url, {
      method: "POST",
      headers: remoteWriteHeaders,
      body: remoteWriteBody([]),
      signal: AbortSignal.timeout(probeTimeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return fail(`cannot reach it (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
  await response.body?.cancel();
  if (response.status === 404) {
    fail(
      "answered 404: is this the remote-write path (/api/v1/write) of a Prometheus started with --web.enable-remote-write-receiver?",
    );
  }
  if (!response.ok) fail(`answered HTTP ${response.status} to an empty write request`);
}

/** Throws OutputSpecError for the first output that cannot work; two outputs may not share a file. */
export async function checkOutputs(specs: readonly OutputSpec[]): Promise<void> {
  const files = new Set<string>();
  for (const spec of specs) {
    if (spec.kind === "prometheus-rw") {
      await checkRemoteWrite(spec);
      continue;
    }
    const path = resolve(spec.path);
    if (files.has(path))
      throw new OutputSpecError(`${describeOutput(spec)}: another output writes the same file`);
    files.add(path);
    await checkFile(spec);
  }
}
