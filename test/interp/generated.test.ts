import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateInterpreter } from "../../src/interp/gen.js";

describe("generated interpreter", () => {
  it("is up to date with the semantic definitions (run `npm run gen`)", () => {
    const checkedIn = readFileSync(new URL("../../src/interp/ops.generated.ts", import.meta.url), "utf8");
    expect(checkedIn === generateInterpreter()).toBe(true);
  });
});
