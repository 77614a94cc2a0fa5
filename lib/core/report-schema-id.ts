// The report document's schema id, apart from report-model.ts's zod schema so that code building a report
// inside k6 (run-recorder.ts) does not bundle zod.
export const reportSchemaId = "crosspod.report/v1" as const;
