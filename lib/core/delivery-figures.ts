// Delivery figures (Jepsen-style counts) and how they add up across connections, pods and processes.
import type { DeliveryFigures } from "./report-model.js";

/** Reports keep a few lost ids for debugging, never a list that grows with the run. */
export const maxLostSamples = 20;

export function emptyDelivery(): DeliveryFigures {
  return {
    expected: 0,
    received: 0,
    lost: 0,
    missedWhileDisconnected: 0,
    recovered: 0,
    duplicates: 0,
    outOfOrder: 0,
    resets: 0,
    lostSamples: [],
  };
}

/** Adds `other` into `into`; lostSamples keeps the first ones up to the cap. */
export function addDelivery(into: DeliveryFigures, other: DeliveryFigures): void {
  into.expected += other.expected;
  into.received += other.received;
  into.lost += other.lost;
  into.missedWhileDisconnected += other.missedWhileDisconnected;
  into.recovered += other.recovered;
  into.duplicates += other.duplicates;
  into.outOfOrder += other.outOfOrder;
  into.resets += other.resets;
  for (const sample of other.lostSamples) {
    if (into.lostSamples.length >= maxLostSamples) break;
    into.lostSamples.push(sample);
  }
}
