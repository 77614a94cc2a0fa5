// The in-page hook a load engine can install (playwright's page.exposeFunction) to receive every render
// latency the console measures, one call per animation frame, without going through a collector.
export const renderHookName = "__crosspodRenderLatencies";

/** `pod` is the pod the page is connected to (from its hello frame); latencies are in milliseconds. */
export type RenderHook = (pod: string, latenciesMs: number[]) => void;
