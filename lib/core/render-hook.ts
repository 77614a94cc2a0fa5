// The in-page hook a load engine can install (playwright's page.exposeFunction) to receive every render
// latency the console measures, one call per animation frame, without going through a collector.
export const renderHookName = "__crosspodRenderLatencies";

/**
 * `pod` is the pod the page is connected to (from its hello frame). Per attached row, in milliseconds:
 * `latenciesMs` published_at → row attached, `pageDelaysMs` message received by the page → row attached.
 * `skippedRows` arrived in the same frame as newer ones past the row cap and were never attached.
 */
export type RenderHook = (
  pod: string,
  latenciesMs: number[],
  skippedRows: number,
  pageDelaysMs: number[],
) => void;
