// Every pod of a local cluster gets the same OTEL_* variables (inherited from crosspod's environment) and,
// in OTEL_RESOURCE_ATTRIBUTES, its own service.instance.id: its pod name, so a trace shows which pod did
// what. The pod's entry goes last, because the resource detector lets a later key win.

export function withPodTraceIdentity(env: Record<string, string>, podName: string): Record<string, string> {
  const inherited = env.OTEL_RESOURCE_ATTRIBUTES?.trim() ?? "";
  const own = `service.instance.id=${encodeURIComponent(podName)}`;
  return { ...env, OTEL_RESOURCE_ATTRIBUTES: inherited === "" ? own : `${inherited},${own}` };
}
