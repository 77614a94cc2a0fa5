// JSON Schema of the k6-operator TestRun (k6.io/v1alpha1) fields crosspod renders, written from the
// operator's documented CRD (spec.parallelism and spec.script are required; runner is a pod spec subset).
// No cluster or CRD file is available offline here, so this is the contract crosspod's output is held to;
// unknown spec fields are refused so a typo in the renderer fails the test instead of being ignored by
// the API server's pruning.
export const testRunSchema = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "k6.io/v1alpha1" },
    kind: { const: "TestRun" },
    metadata: {
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" },
        namespace: { type: "string" },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    spec: {
      type: "object",
      required: ["parallelism", "script"],
      additionalProperties: false,
      properties: {
        parallelism: { type: "integer", minimum: 1, maximum: 2147483647 },
        separate: { type: "boolean" },
        arguments: { type: "string" },
        cleanup: { enum: ["post"] },
        quiet: { type: "string" },
        paused: { type: "string" },
        script: {
          type: "object",
          minProperties: 1,
          maxProperties: 1,
          additionalProperties: false,
          properties: {
            configMap: {
              type: "object",
              required: ["name"],
              additionalProperties: false,
              properties: { name: { type: "string" }, file: { type: "string" } },
            },
            volumeClaim: {
              type: "object",
              required: ["name"],
              additionalProperties: false,
              properties: {
                name: { type: "string" },
                file: { type: "string" },
                readOnly: { type: "boolean" },
              },
            },
            localFile: { type: "string" },
          },
        },
        runner: {
          type: "object",
          additionalProperties: false,
          properties: {
            image: { type: "string", pattern: ":[^:/]+$" },
            imagePullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
            env: {
              type: "array",
              items: {
                type: "object",
                required: ["name"],
                additionalProperties: false,
                properties: {
                  name: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
                  value: { type: "string" },
                  valueFrom: { type: "object" },
                },
              },
            },
            resources: { type: "object" },
            serviceAccountName: { type: "string" },
            nodeSelector: { type: "object", additionalProperties: { type: "string" } },
          },
        },
      },
    },
  },
} as const;
