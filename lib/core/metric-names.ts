// Prometheus / k6 metric names, in one place for the backend, both engines, rules and dashboards.
export const backendMetrics = {
  wsConnections: "crosspod_backend_ws_connections",
  published: "crosspod_backend_published_total",
  delivered: "crosspod_backend_delivered_total",
  fanoutSeconds: "crosspod_backend_fanout_seconds",
  backfilled: "crosspod_backend_backfilled_total",
  slowConsumerClosed: "crosspod_backend_slow_consumer_closed_total",
  redisUp: "crosspod_backend_redis_up",
  /** Threat frames this pod received from Redis Pub/Sub (each pod receives every publish once). */
  redisReceived: "crosspod_backend_redis_received_total",
  redisPrimary: "crosspod_backend_redis_primary",
  redisPrimaryChanges: "crosspod_backend_redis_primary_changes_total",
} as const;

/** Load-side names as k6 custom metrics; the Node engine exports the same with Prometheus suffixes. */
export const loadMetrics = {
  fanoutLatency: "crosspod_fanout_latency",
  e2eLatency: "crosspod_e2e_latency",
  framesReceived: "crosspod_frames_received",
  lost: "crosspod_lost",
  duplicates: "crosspod_duplicates",
  outOfOrder: "crosspod_out_of_order",
  reconnects: "crosspod_reconnects",
  reconnectTime: "crosspod_reconnect_time",
  connections: "crosspod_connections",
  chaosEvents: "crosspod_chaos_events",
  /** A gauge (unix seconds) under this exact name in both engines: dashboards annotate chaos with it. */
  chaosEventTimestamp: "crosspod_chaos_event_timestamp_seconds",
  /** Published while a client was disconnected and not recovered by resume; and what resume recovered. */
  missed: "crosspod_missed",
  recovered: "crosspod_recovered",
  /** Node engine: triggers by the pod they went to and outcome (accepted, failed); k6 maps http_reqs. */
  triggers: "crosspod_triggers",
  /** Node engine: triggers sent later than the lag limit after their due time (k6: dropped_iterations). */
  triggerLateStarts: "crosspod_trigger_late_starts",
  /** Node engine: frames received by origin pod (took the trigger) and delivering pod. */
  originFramesReceived: "crosspod_origin_frames_received",
  /** Node engine: fan-out latency per origin and delivering pod, in coarse buckets (pods² series). */
  originFanoutLatency: "crosspod_origin_fanout_latency",
  /** Node engine: the generator's own CPU time, event-loop lag p99, and validity (1 valid so far, 0 not). */
  generatorCpu: "crosspod_generator_cpu_seconds",
  generatorEventLoopLagP99: "crosspod_generator_event_loop_lag_p99_seconds",
  runValid: "crosspod_run_valid",
} as const;
