// Errors from starting or driving the local cluster, with a machine-readable code and the pod they concern.
import { CrosspodError } from "../core/crosspod-error.js";

export type ClusterErrorCode =
  | "CROSSPOD_CLUSTER_OPTIONS"
  | "CROSSPOD_CLI_NOT_BUILT"
  | "CROSSPOD_POD_NOT_READY"
  | "CROSSPOD_POD_EXITED"
  | "CROSSPOD_POD_UNKNOWN"
  | "CROSSPOD_CLUSTER_ABORTED";

export class ClusterError extends CrosspodError {
  override readonly kind = "environment";

  constructor(
    message: string,
    override readonly code: ClusterErrorCode,
  ) {
    super(message);
    this.name = "ClusterError";
  }
}
