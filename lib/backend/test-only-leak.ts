// TEST ONLY: a deliberate memory leak, so the soak verdict can be shown to catch one. With
// TEST_ONLY_LEAK_BYTES_PER_THREAT=N the pod keeps N bytes for every threat frame it receives from Redis,
// forever. Never set it outside a test of crosspod itself; the pod warns at start when it is set.

/** A frame listener that retains `bytesPerThreat` per call, or undefined when the leak is off (0). */
export function createTestOnlyLeak(bytesPerThreat: number): (() => void) | undefined {
  if (bytesPerThreat <= 0) return undefined;
  const retained: Buffer[] = [];
  return () => {
    // Filled, not zeroed: calloc'd pages that were never written would not count in the RSS being judged.
    retained.push(Buffer.alloc(bytesPerThreat, 0x5a));
  };
}
