import { describe, expect, it } from "vitest";
import { parseTargets, TargetsError } from "../../scenarios/lib/k6-targets.js";

describe("parseTargets", () => {
  it("reads comma-separated base URLs in order, without trailing slashes", () => {
    expect(parseTargets(" http://127.0.0.1:8081/, http://127.0.0.1:8082 ")).toEqual([
      "http://127.0.0.1:8081",
      "http://127.0.0.1:8082",
    ]);
  });

  it("asks for TARGETS when it is missing, with an example", () => {
    expect(() => parseTargets(undefined)).toThrow(TargetsError);
    expect(() => parseTargets("")).toThrow(/TARGETS=http:\/\/127\.0\.0\.1:8081/);
  });

  it("names an entry that is not an http(s) base URL", () => {
    expect(() => parseTargets("http://127.0.0.1:8081,ws://127.0.0.1:8082")).toThrow(
      /"ws:\/\/127\.0\.0\.1:8082" is not a base URL/,
    );
  });

  it("refuses the same pod twice", () => {
    expect(() => parseTargets("http://a:1,http://a:1/")).toThrow(/same URL twice/);
  });
});
