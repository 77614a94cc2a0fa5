import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../../lib/core/base64.js";

describe("decodeBase64", () => {
  it("decodes what Node's Buffer encodes, with and without padding", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const padded = Buffer.from(bytes).toString("base64");
        expect(decodeBase64(padded)).toEqual(bytes);
        expect(decodeBase64(padded.replace(/=+$/, ""))).toEqual(bytes);
      }),
    );
  });

  it("returns undefined for text that is not base64", () => {
    for (const text of ["a", "ab$d", "abc=d", "ab=", "=abc", "ab c"])
      expect(decodeBase64(text)).toBeUndefined();
  });
});

describe("encodeBase64", () => {
  it("encodes as Node's Buffer does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
      }),
    );
  });
});
