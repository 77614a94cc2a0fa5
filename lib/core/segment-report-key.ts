// Where the runners of a split run (Node engine or k6, execution segments) store their partial reports for
// `crosspod report merge --redis`: one Redis hash per run id, one field per segment ("1/3:2/3"), the report
// JSON as value. One definition, so writers and the reader cannot drift apart.

/** The hash of a run's partial reports. */
export function segmentReportsKey(runId: string): string {
  return `crosspod:segments:${runId}:reports`;
}

/** How long stored partial reports stay for a merge: a day covers a CI job waiting on slow runners. */
export const segmentReportsTtlSeconds = 24 * 3600;
