import { describe, expect, it } from "vitest";
import { closeAll } from "../../lib/core/close-all.js";

describe("closeAll", () => {
  it("closes every resource in order", async () => {
    const closed: string[] = [];
    await closeAll([() => closed.push("a"), async () => closed.push("b"), () => undefined]);
    expect(closed).toEqual(["a", "b"]);
  });

  it("still closes the rest when one close throws, then throws that failure", async () => {
    const closed: string[] = [];
    const boom = new Error("pod-b would not stop");
    await expect(
      closeAll([
        () => closed.push("a"),
        async () => {
          throw boom;
        },
        () => closed.push("c"),
      ]),
    ).rejects.toBe(boom);
    expect(closed).toEqual(["a", "c"]);
  });

  it("throws every failure when several closes fail", async () => {
    const failure = closeAll([
      () => {
        throw new Error("one");
      },
      () => {
        throw new Error("two");
      },
    ]);
    await expect(failure).rejects.toMatchObject({
      errors: [expect.objectContaining({ message: "one" }), expect.objectContaining({ message: "two" })],
    });
  });
});
