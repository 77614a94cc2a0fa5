// Closes resources that started together: every step runs, in order, even when an earlier one throws, so
// one failing close never leaves the rest open. The failures are thrown once all have run.
export type CloseStep = () => unknown;

/** Runs each step in order; rejects with the one failure, or an AggregateError holding them all. */
export async function closeAll(steps: readonly CloseStep[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} resources failed to close`);
}
