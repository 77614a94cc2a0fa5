// Errors from starting or driving the local cluster, with a machine-readable code and the pod they concern.
export type ClusterErrorCode =
  | "CROSSPOD_CLUSTER_OPTIONS"
  | "CROSSPOD_CLI_NOT_BUILT"
  | "CROSSPOD_POD_NOT_READY"
  | "CROSSPOD_POD_EXITED"
  | "CROSSPOD_POD_UNKNOWN"
  | "CROSSPOD_CLUSTER_ABORTED";

export class ClusterError extends Error {
  constructor(
    message: string,
    readonly code: ClusterErrorCode,
  ) {
    super(message);
    this.name = "ClusterError";
  }
}
