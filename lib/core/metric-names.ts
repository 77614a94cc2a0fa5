// Prometheus / k6 metric names, in one place for the backend, both engines, rules and dashboards.
export const backendMetrics = {
  wsConnections: "crosspod_backend_ws_connections",
  published: "crosspod_backend_published_total",
  delivered: "crosspod_backend_delivered_total",
  fanoutSeconds: "crosspod_backend_fanout_seconds",
  backfilled: "crosspod_backend_backfilled_total",
  slowConsumerClosed: "crosspod_backend_slow_consumer_closed_total",
  redisUp: "crosspod_backend_redis_up",
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
} as const;
