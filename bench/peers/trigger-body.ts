// Reading the trigger body the bench sends to every peer: {"probe": {run, publisher, n, t}}, validated
// with the same zod schema as the reference backend, so all systems carry the same probe.
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { probeSchema } from "../../lib/core/probe-schema.js";

const bodySchema = z.object({ probe: probeSchema.optional() });
const maxBodyBytes = 16 * 1024;

export type PeerTriggerBody = z.infer<typeof bodySchema>;

/** The parsed body, or a reason the request is bad. */
export async function readTriggerBody(req: IncomingMessage): Promise<PeerTriggerBody | string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return `body over ${maxBodyBytes} bytes`;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let value: unknown;
  try {
    value = text === "" ? {} : JSON.parse(text);
  } catch {
    return "body is not JSON";
  }
  const parsed = bodySchema.safeParse(value);
  return parsed.success ? parsed.data : `body: ${parsed.error.issues[0]?.message ?? "invalid"}`;
}
