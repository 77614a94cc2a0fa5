// Turns a trigger body into a Threat, filling what the body leaves out with a random but realistic
// SOC alert (as the seed's bare `curl -X POST .../trigger` produced one).
import { randomUUID } from "node:crypto";
import { type Severity, severities, type Threat, type TriggerBody } from "../core/threat-protocol.js";

const scenarios: { type: string; describe: (ip: string) => string }[] = [
  { type: "brute_force", describe: (ip) => `Repeated failed SSH logins for root from ${ip}` },
  { type: "port_scan", describe: (ip) => `SYN scan of 1,024 ports on the DMZ from ${ip}` },
  { type: "malware", describe: (ip) => `Endpoint beaconing to known malware host ${ip}` },
  { type: "phishing", describe: (ip) => `Credential-harvesting link in mail relayed via ${ip}` },
  { type: "sql_injection", describe: (ip) => `UNION-based SQL injection against /api/login from ${ip}` },
  { type: "ddos", describe: (ip) => `HTTP flood of 40k req/s against the edge from ${ip}` },
  { type: "ransomware", describe: (ip) => `Mass file renames on a file share after a session from ${ip}` },
  { type: "data_exfiltration", describe: (ip) => `2.3 GB outbound over DNS tunnelling to ${ip}` },
  { type: "privilege_escalation", describe: (ip) => `sudo abuse by a service account logged in from ${ip}` },
];

/** Public-looking first octets (no private, loopback, multicast or reserved ranges). */
const firstOctets = [23, 31, 45, 62, 77, 89, 103, 118, 141, 157, 185, 193, 203, 212];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomIp(random: () => number): string {
  const octet = () => 1 + Math.floor(random() * 254);
  return `${pick(firstOctets, random)}.${octet()}.${octet()}.${octet()}`;
}

export function buildThreat(body: TriggerBody, random: () => number = Math.random): Threat {
  const scenario = pick(scenarios, random);
  const sourceIp = body.source_ip ?? randomIp(random);
  const threat: Threat = {
    id: randomUUID(),
    type: body.type ?? scenario.type,
    severity: body.severity ?? pick<Severity>(severities, random),
    source_ip: sourceIp,
    description: body.description ?? scenario.describe(sourceIp),
  };
  if (body.probe !== undefined) threat.probe = body.probe;
  return threat;
}
