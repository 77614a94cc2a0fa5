// Building a threat from a trigger body: given fields win, missing ones are random but realistic.
import { describe, expect, it } from "vitest";
import { buildThreat } from "../../lib/backend/random-threat.js";
import { severities } from "../../lib/core/threat-protocol.js";

describe("building a threat", () => {
  it("makes a complete, realistic threat from an empty body", () => {
    for (let n = 0; n < 200; n++) {
      const threat = buildThreat({});
      expect(threat.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(threat.type).toMatch(/^[a-z_]+$/);
      expect(severities).toContain(threat.severity);
      expect(threat.source_ip).toMatch(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
      expect(threat.source_ip).not.toMatch(/^(10|127|192\.168|0)\./);
      expect(threat.description).toContain(threat.source_ip);
      expect(threat).not.toHaveProperty("probe");
    }
  });

  it("keeps every field the body gives, probe included", () => {
    const probe = { run: "run-1", publisher: "p-1", n: 7, t: 1234.5 };
    const threat = buildThreat({
      type: "t",
      severity: "low",
      source_ip: "203.0.113.9",
      description: "d",
      probe,
    });
    expect(threat).toMatchObject({
      type: "t",
      severity: "low",
      source_ip: "203.0.113.9",
      description: "d",
      probe,
    });
  });

  it("gives every threat its own id", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => buildThreat({}).id));
    expect(ids.size).toBe(1000);
  });
});
