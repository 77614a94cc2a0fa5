// The target file for the bench's Socket.IO peer (bench/peers/socketio-pod.ts): how its trigger replies and
// `threat` events carry the probe and published time. Shared by the Node-engine and k6 Socket.IO tests.
export function socketIoPeerTargetFile(pods: readonly { name: string; url: string }[]) {
  return {
    adapter: "socketio",
    pods: pods.map((pod) => ({ name: pod.name, url: pod.url })),
    trigger: {
      path: "/api/threats/trigger",
      body: { probe: "{{probe}}" },
      accept: [202],
      response: { publishedAt: { path: "published_at" }, pod: "pod" },
    },
    socketio: {
      event: "threat",
      payload: {
        id: "id",
        publishedAt: { path: "published_at" },
        probe: "threat.probe",
        origin: "pod_origin",
      },
    },
  };
}
