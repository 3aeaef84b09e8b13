// The load order of the NEON modules: a module after everything it depends on. (The
// .modinfo reader is checked against readelf on the fetched modules in fetch.test.ts.)
import { describe, expect, it } from "vitest";
import { loadOrder, type ModInfo, modInfo } from "../../src/images/modules.js";

describe("kernel modules", () => {
  it("load order: dependencies first, each once, cycles and missing modules named", () => {
    const known = new Map<string, ModInfo>([
      ["a", { name: "a", depends: ["b", "c"] }],
      ["b", { name: "b", depends: ["c"] }],
      ["c", { name: "c", depends: [] }],
      ["x", { name: "x", depends: ["y"] }],
      ["y", { name: "y", depends: ["x"] }],
    ]);
    expect(loadOrder(known, ["a", "c"])).toEqual(["c", "b", "a"]);
    expect(() => loadOrder(known, ["x"])).toThrow(/cycle: x -> y -> x/);
    expect(() => loadOrder(known, ["q-r"])).toThrow(/module q_r is not in the package/);
    expect(modInfo(new Uint8Array(64))).toBeNull();
  });
});
