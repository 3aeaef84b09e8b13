// The alignment qualifier of VLD1/VST1 (multiple single elements), :256 in particular,
// checked against the architecture's rule on hypwasm (fixtures/src/arch_neon_align256.S).
//
// ARMv7-A (DDI 0406C) A8.8.320 VLD1 / A8.8.404 VST1 (multiple single elements): bits 5:4
// (align) give alignment = if align == '00' then 1 else 4 << UInt(align), i.e. :64 = 8,
// :128 = 16, :256 = 32 bytes (align = 11 is only allowed with four registers); then
// "if (address MOD alignment) != 0 then GenerateAlignmentException()": a Data Abort with
// DFSR.FS = 0b00001 (alignment fault, short-descriptor format), DFSR.WnR = 1 for a store,
// DFAR = the address, taken before anything is transferred, so there is no writeback.
// Without a fault, Rm = 13 writes back Rn + 8 * registers, Rm = 15 none, else Rn + Rm.
//
// QEMU 7.2 checks :256 as 16-byte alignment (no fault at 16 mod 32), so QEMU is not the
// oracle here: each case's outcome is computed below from its encoding and its base
// register by the rule above. Each case in the fixture is `DUMP; insn; DUMP` (the first
// record holds the base; the instruction is the one after that DUMP).

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { JitMode } from "../../jit/jit.js";
import { parseRecords, type Rec } from "../../src/difftest/compare.js";
import { Kind, RW } from "../../src/difftest/layout.js";
import { runHypwasm } from "../../src/difftest/run.js";
import { CROSS, fixturesDir } from "../../src/difftest/toolchain.js";

const dir = fixturesDir();
const elf = join(dir, "build", "arch_neon_align256.elf");
const IMAGE_BASE = 0x40000000;
const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/** VLD1/VST1 multiple: type (bits 11:8) -> registers. */
const VLD1_REGS: Record<number, number> = { 7: 1, 10: 2, 6: 3, 2: 4 };

interface Case {
  /** Address and instruction set of the VLD1/VST1. */
  addr: number;
  thumb: boolean;
  /** Its A32 form (T32 1111 1001 ... -> A32 1111 0100 ...). */
  a32: number;
  base: number;
  /** Rm's value (post-index by a register). */
  step: number;
}

/** What the architecture requires of a case. */
function expected(c: Case) {
  const w = c.a32;
  const align = (w >>> 4) & 3;
  const alignment = align === 0 ? 1 : 4 << align;
  const regs = VLD1_REGS[(w >>> 8) & 15]!;
  const load = ((w >>> 21) & 1) === 1;
  const rm = w & 15;
  const fault = c.base % alignment !== 0;
  const rnAfter = fault || rm === 15 ? c.base : rm === 13 ? c.base + 8 * regs : c.base + c.step;
  return { alignment, fault, fsr: load ? 0x001 : 0x801, rnAfter };
}

function check(stdout: Buffer, text: Buffer): Case[] {
  const p = parseRecords(stdout, true);
  expect(p.error).toBeUndefined();
  const recs = p.records;
  const word = (a: number) => text.readUInt32LE(a - IMAGE_BASE);
  const half = (a: number) => text.readUInt16LE(a - IMAGE_BASE);
  const cases: Case[] = [];
  for (let i = 0; i < recs.length; i++) {
    const r: Rec = recs[i]!;
    if ((r[RW.KIND]! & 0xff) !== Kind.UND) continue;
    const thumb = (r[RW.PSR]! & 0x20) !== 0;
    const addr = r[RW.LR]!; // the instruction after the DUMP
    if (addr - IMAGE_BASE + 4 > text.length) continue;
    const raw = thumb ? ((half(addr) << 16) | half(addr + 2)) >>> 0 : word(addr);
    const a32 = thumb ? ((raw & 0x00ffffff) | 0xf4000000) >>> 0 : raw;
    if (a32 >>> 24 !== 0xf4 || (thumb && raw >>> 24 !== 0xf9) || (a32 >>> 23) & 1) continue;
    if (VLD1_REGS[(a32 >>> 8) & 15] === undefined) continue;
    const rn = (a32 >>> 16) & 15;
    const c: Case = { addr, thumb, a32, base: r[RW.R0 + rn]!, step: r[RW.R0 + (a32 & 15)] ?? 0 };
    cases.push(c);
    const e = expected(c);
    const where = `${thumb ? "T32" : "A32"} ${hex(a32)} at ${hex(addr)}, base ${hex(c.base)} (alignment ${e.alignment})`;
    let j = i + 1;
    const next = recs[j]!;
    if (e.fault) {
      expect(next[RW.KIND]! & 0xff, `${where}: Data Abort`).toBe(Kind.DABT);
      expect(hex(next[RW.LR]!), `${where}: LR_abt`).toBe(hex(addr + 8));
      expect(hex(next[RW.FSR]! & 0xc0f), `${where}: DFSR (FS, WnR)`).toBe(hex(e.fsr));
      expect(hex(next[RW.FAR]!), `${where}: DFAR`).toBe(hex(c.base));
      j++;
    }
    const after = recs[j]!;
    expect(after[RW.KIND]! & 0xff, `${where}: no exception`).toBe(Kind.UND);
    expect(hex(after[RW.LR]!), `${where}: the DUMP after it`).toBe(hex(addr + 4 + (thumb ? 2 : 4)));
    expect(hex(after[RW.R0 + rn]!), `${where}: Rn after`).toBe(hex(e.rnAfter));
    i = j;
  }
  return cases;
}

describe("VLD1/VST1 alignment qualifiers, :256 = 32 bytes (architecture rule)", () => {
  let text = Buffer.alloc(0);
  beforeAll(() => {
    execFileSync("make", ["-s", "-C", dir, "build/arch_neon_align256.elf"], { stdio: "inherit" });
    const bin = join(tmpdir(), `arch_neon_align256-${process.pid}.bin`);
    execFileSync(`${CROSS}objcopy`, ["-O", "binary", "--only-section=.text", elf, bin]);
    text = readFileSync(bin);
    rmSync(bin);
  });

  for (const mode of ["off", "on", "always"] as JitMode[])
    it(`hypwasm, jit ${mode}`, async () => {
      const r = await runHypwasm(elf, 10_000_000, 20_000, mode);
      expect(r.note, r.stderr).toBeUndefined();
      expect(r.code).toBe(0);
      const cases = check(r.stdout, text);
      // the fixture has the cases that matter: :256 at 16 mod 32 (fault) and at 0 mod 32
      // (none), loads and stores, A32 and T32
      const c256 = cases.filter((c) => ((c.a32 >>> 4) & 3) === 3);
      const at16 = c256.filter((c) => c.base % 32 === 16);
      expect(at16.length).toBeGreaterThanOrEqual(4);
      expect(c256.filter((c) => c.base % 32 === 0).length).toBeGreaterThanOrEqual(3);
      expect(at16.some((c) => c.thumb)).toBe(true);
      expect(at16.some((c) => !((c.a32 >>> 21) & 1))).toBe(true);
      expect(cases.length).toBe(13);
    }, 30_000);
});
