// Decoding of the A32 load/store encodings (src/sem/ldst.ts): definitions, params,
// fields, block ends, and the UNPREDICTABLE classification.

import { describe, expect, it } from "vitest";
import { decodeWord } from "../../src/decode/pattern.js";
import { paramCombos } from "../../src/sem/defs.js";
import "../../src/sem/all.js";

function dec(w: number) {
  const d = decodeWord("A32", w >>> 0);
  if (typeof d === "string") return d;
  const combo = [...paramCombos(d.def)][d.opcode - d.def.base]!;
  const f: Record<string, number> = {};
  d.def.fields.forEach((n, i) => {
    f[n] = d.fields[i]!;
  });
  return { name: d.def.name, p: combo, f, ends: d.ends, rel: d.rel.map((i) => d.def.fields[i]) };
}

describe("A32 load/store decoding", () => {
  it("single loads/stores", () => {
    // ldr r1, [r2, #-4]!
    expect(dec(0xe5321004)).toMatchObject({
      name: "ldst_imm",
      p: { op: 3, am: 1 },
      f: { rt: 1, rn: 2, imm: -4 },
    });
    // strb r3, [r4], #7
    expect(dec(0xe4c43007)).toMatchObject({
      name: "ldst_imm",
      p: { op: 1, am: 2 },
      f: { rt: 3, rn: 4, imm: 7 },
    });
    // ldrt r1, [r2], #4
    expect(dec(0xe4b21004)).toMatchObject({ name: "ldst_imm", p: { op: 3, am: 4 } });
    // ldr r0, [r1, -r2, asr #3]
    expect(dec(0xe71101c2)).toMatchObject({
      name: "ldst_reg",
      p: { op: 3, am: 0, add: 0, sh: 3 },
      f: { amt: 3 },
    });
    // ldr pc, [r0]
    expect(dec(0xe590f000)).toMatchObject({ name: "ldst_imm", p: { op: 8 }, ends: true });
    // ldr r0, [pc, #-8]  (literal: base relative to the instruction)
    expect(dec(0xe51f0008)).toMatchObject({ name: "ld_lit", f: { base: 0, off: 0 }, rel: ["base"] });
    // ldrsh r1, [r2, #-3]
    expect(dec(0xe15210f3)).toMatchObject({ name: "ldst_imm", p: { op: 7, am: 0 }, f: { imm: -3 } });
    // ldrd r4, r5, [r6, -r7]!
    expect(dec(0xe12640d7)).toMatchObject({
      name: "ldrd_reg",
      p: { ld: 1, am: 1, add: 0 },
      f: { rt: 4, rt2: 5 },
    });
    // strd r2, r3, [r0], #8
    expect(dec(0xe0c020f8)).toMatchObject({ name: "ldrd_imm", p: { ld: 0, am: 2 }, f: { imm: 8 } });
  });

  it("block transfers", () => {
    // push {r4-r11, lr}
    expect(dec(0xe92d4ff0)).toMatchObject({ name: "stm", p: { mode: 2, wb: 1, user: 0 }, f: { rn: 13 } });
    // pop {r4, pc}
    expect(dec(0xe8bd8010)).toMatchObject({ name: "ldm", p: { mode: 1, wb: 1, kind: 0 }, ends: true });
    // ldm sp, {r0-r3}^ (user registers)
    expect(dec(0xe8dd000f)).toMatchObject({ name: "ldm", p: { kind: 1 }, ends: false });
    // ldmfd sp!, {r0, pc}^ (exception return)
    expect(dec(0xe8fd8001)).toMatchObject({ name: "ldm", p: { kind: 2, wb: 1 }, ends: true });
  });

  it("exclusives, swap, hints", () => {
    expect(dec(0xe1912f9f)).toMatchObject({ name: "ldrex", p: { sz: 2 }, f: { rt: 2, rn: 1 } });
    expect(dec(0xe1b14f9f)).toMatchObject({ name: "ldrex", p: { sz: 3 }, f: { rt: 4, rt2: 5 } });
    expect(dec(0xe1c10f92)).toMatchObject({ name: "strex", p: { sz: 0 }, f: { rd: 0, rt: 2, rn: 1 } });
    expect(dec(0xf57ff01f)).toMatchObject({ name: "clrex" });
    expect(dec(0xe1002091)).toMatchObject({ name: "swp", p: { b: 0 }, f: { rt: 2, rt2: 1, rn: 0 } });
    expect(dec(0xf5d0f004)).toMatchObject({ name: "preload" }); // pld [r0, #4]
    expect(dec(0xf790f001)).toMatchObject({ name: "preload" }); // pldw [r0, r1]
    expect(dec(0xf450f004)).toMatchObject({ name: "preload" }); // pli [r0, #4]
  });

  it("UNPREDICTABLE forms", () => {
    for (const w of [
      0xe5b11004, // ldr r1, [r1, #4]!  (wb, n == t)
      0xe4b33004, // ldrt r3, [r3], #4
      0xe5ff1000, // ldrb pc... (ldrb r1, [pc, #0]! : wb with n == 15)
      0xe18010d0, // ldrd r1, r2, [r0, r0] (odd Rt)
      0xe8bd2002, // pop {r1, sp} (wb with the base in the list)
      0xe92d2002 | (1 << 2), // stmdb sp!, {r1, r2, sp}: base not lowest
      0xe8800000, // stm r0, {} (empty list)
      0xe1803f93 | (3 << 12), // strex r3, r3, [r0] (d == t)
      0xe1000090, // swp r0, r0, [r0] (n == t)
      0xe8fd0001, // ldm sp!, {r0}^ (user registers with writeback)
    ]) {
      expect(decodeWord("A32", w >>> 0), w.toString(16)).toBe("unpred");
    }
  });
});
