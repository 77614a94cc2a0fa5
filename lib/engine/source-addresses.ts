// Which loopback source addresses a run's connections need. Unbound, each (destination) gets the whole
// ephemeral port range; a bound source address gets one range for all destinations. Past what one
// address can hold, connect() fails with EADDRNOTAVAIL, so connections spread over 127.0.0.2, .3, …,
// which all reach a pod listening on 127.0.0.1.

import { readFileSync } from "node:fs";
import { CrosspodError } from "../core/crosspod-error.js";

/** Linux's default range, 32768–60999, when /proc cannot be read. */
const defaultEphemeralPorts = 28_232;
/** Leave some ports for the rest of the machine (pods, Redis, other runs). */
const usableFraction = 0.8;
const maxSourceAddresses = 250;

export class SourceAddressError extends CrosspodError {
  override readonly code = "CROSSPOD_SOURCE_ADDRESSES";
  override readonly kind = "usage";
}

/** Size of the kernel's ephemeral port range. */
export function ephemeralPortCount(): number {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low !== undefined && high !== undefined && high >= low) return high - low + 1;
  } catch {
    // Not Linux, or /proc is hidden: assume the default range.
  }
  return defaultEphemeralPorts;
}

function isLoopbackHost(wsUrl: string): boolean {
  const host = new URL(wsUrl).hostname;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "localhost";
}

/**
 * Source addresses for `connections` spread round-robin over `targetUrls`, or undefined when the
 * kernel's default choice suffices (each target gets fewer connections than the port range holds).
 * Only loopback targets can be reached from 127.0.0.x; others past the range are an error.
 */
export function sourceAddressesFor(
  connections: number,
  targetUrls: readonly string[],
  portCount = ephemeralPortCount(),
): string[] | undefined {
  const usable = Math.floor(portCount * usableFraction);
  const perTarget = Math.ceil(connections / Math.max(1, targetUrls.length));
  if (perTarget <= usable) return undefined;
  if (!targetUrls.every(isLoopbackHost)) {
    throw new SourceAddressError(
      `${perTarget} connections per target exceed the ${usable} usable ephemeral ports and the targets are not on loopback: use more targets or fewer connections`,
    );
  }
  const count = Math.ceil(connections / usable);
  if (count > maxSourceAddresses) {
    throw new SourceAddressError(
      `${connections} connections need ${count} source addresses; at most ${maxSourceAddresses} are used`,
    );
  }
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}
