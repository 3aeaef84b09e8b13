// VFP (src/sem/vfp.ts): data processing over S0-S31/D0-D31 (all operations, random
// conditions), conversions (int, fixed point, half precision), core register transfers,
// VMRS/VMSR FPSCR (random rounding mode / FZ / DN / AHP), VLDR/VSTR/VLDM/VSTM inside the
// scratch area. The harness starts each stream with random D registers (special values
// included) and a random FPSCR.

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { type GenCtx, randCond } from "./types.js";

/**
 * The condition of a generated word: randCond for A32; the Thumb generators
 * (thumb_vfp.ts) pass AL, so the word is the T32 encoding (hw1:hw2 = 0xE in bits 31:28).
 */
export type CondGen = (rng: Rng) => number;

/** Vd / Vn / Vm fields (Vx plus the D/N/M bit) for a 5-bit register number. */
function vd(r: number, dp: boolean): number {
  return dp ? ((r & 15) << 12) | ((r >> 4) << 22) : ((r >> 1) << 12) | ((r & 1) << 22);
}
function vn(r: number, dp: boolean): number {
  return dp ? ((r & 15) << 16) | ((r >> 4) << 7) : ((r >> 1) << 16) | ((r & 1) << 7);
}
function vm(r: number, dp: boolean): number {
  return dp ? (r & 15) | ((r >> 4) << 5) : (r >> 1) | ((r & 1) << 5);
}

const base = (rng: Rng, dp: boolean, cond: CondGen) =>
  ((cond(rng) << 28) | 0x0e000a00 | (dp ? 0x100 : 0)) >>> 0;

/** A random FPSCR value: flags, NZCV, AHP/DN/FZ, rounding mode; LEN/STRIDE stay zero. */
function randFpscr(rng: Rng): number {
  return (rng.u32() & 0xf7c0009f) >>> 0;
}

// 3-operand data processing: [opc1 bits 23,21,20, bit 6]
const OPS3: [number, number][] = [
  [0, 0], // VMLA
  [0, 1], // VMLS
  [1, 0], // VNMLS
  [1, 1], // VNMLA
  [2, 0], // VMUL
  [2, 1], // VNMUL
  [3, 0], // VADD
  [3, 1], // VSUB
  [4, 0], // VDIV
  [5, 0], // VFNMA
  [5, 1], // VFNMS
  [6, 0], // VFMA
  [6, 1], // VFMS
];

export function gen3(rng: Rng, cond: CondGen = randCond): number {
  const dp = rng.chance(0.5);
  const [opc1, op6] = rng.pick(OPS3);
  const w =
    base(rng, dp, cond) |
    ((opc1 >> 2) << 23) |
    ((opc1 & 3) << 20) |
    (op6 << 6) |
    vd(rng.int(32), dp) |
    vn(rng.int(32), dp) |
    vm(rng.int(32), dp);
  return w >>> 0;
}

/** "Other" data processing (opc1 = 1x11, bit 6 = 1): opc2, bit 7 choices and operand kinds. */
export function genOther(rng: Rng, cond: CondGen = randCond): number {
  let dp = rng.chance(0.5);
  const b = () => base(rng, dp, cond) | (1 << 23) | (3 << 20) | (1 << 6);
  const r = () => rng.int(32);
  switch (rng.int(12)) {
    case 0: // VMOV imm
      return (
        (base(rng, dp, cond) | (1 << 23) | (3 << 20) | (rng.int(16) << 16) | rng.int(16) | vd(r(), dp)) >>> 0
      );
    case 1: // VMOV / VABS
      return (b() | (rng.int(2) << 7) | vd(r(), dp) | vm(r(), dp)) >>> 0;
    case 2: // VNEG / VSQRT
      return (b() | (1 << 16) | (rng.int(2) << 7) | vd(r(), dp) | vm(r(), dp)) >>> 0;
    case 3: // VCMP{E}
      return (b() | (4 << 16) | (rng.int(2) << 7) | vd(r(), dp) | vm(r(), dp)) >>> 0;
    case 4: // VCMP{E} with zero
      return (b() | (5 << 16) | (rng.int(2) << 7) | vd(r(), dp)) >>> 0;
    case 5: // VCVT between single and double
      return (b() | (7 << 16) | (1 << 7) | vd(r(), !dp) | vm(r(), dp)) >>> 0;
    case 6: // VCVT int -> float (Vm single)
      return (b() | (8 << 16) | (rng.int(2) << 7) | vd(r(), dp) | vm(r(), false)) >>> 0;
    case 7: // VCVT{R} float -> int (Vd single)
      return (b() | ((12 | rng.int(2)) << 16) | (rng.int(2) << 7) | vd(r(), false) | vm(r(), dp)) >>> 0;
    case 8:
    case 9: {
      // fixed point: op (bit 18), U (bit 16), sx (bit 7), imm (frac bits = size - imm)
      const sx = rng.int(2);
      const imm = sx ? rng.int(32) : rng.int(17);
      const opc2 = 0b1010 | (rng.int(2) << 2) | rng.int(2);
      return (b() | (opc2 << 16) | (sx << 7) | vd(r(), dp) | vm(imm, false)) >>> 0;
    }
    default: {
      // VCVTB/VCVTT to/from half precision (single only)
      dp = false;
      return (b() | ((2 | rng.int(2)) << 16) | (rng.int(2) << 7) | vd(r(), false) | vm(r(), false)) >>> 0;
    }
  }
}

/** Core <-> extension register transfers (never to the PC or SP). */
export function genXfer(rng: Rng, condGen: CondGen = randCond): number {
  const cond = condGen(rng) << 28;
  const rt = rng.int(13);
  const rt2 = rng.int(13);
  switch (rng.int(4)) {
    case 0: // VMOV Rt <-> Sn
      return (cond | 0x0e000a10 | (rng.int(2) << 20) | vn(rng.int(32), false) | (rt << 12)) >>> 0;
    case 1: // VMOV.32 Rt <-> Dn[x]
      return (
        (cond | 0x0e000b10 | (rng.int(2) << 20) | (rng.int(2) << 21) | vn(rng.int(32), true) | (rt << 12)) >>>
        0
      );
    case 2: {
      // VMOV Rt, Rt2 <-> Sm, Sm+1
      const l = rng.int(2);
      const t2 = l && rt2 === rt ? (rt + 1) % 13 : rt2;
      return (cond | 0x0c400a10 | (l << 20) | (t2 << 16) | (rt << 12) | vm(rng.int(31), false)) >>> 0;
    }
    default: {
      // VMOV Rt, Rt2 <-> Dm
      const l = rng.int(2);
      const t2 = l && rt2 === rt ? (rt + 1) % 13 : rt2;
      return (cond | 0x0c400b10 | (l << 20) | (t2 << 16) | (rt << 12) | vm(rng.int(32), true)) >>> 0;
    }
  }
}

/** VMRS / VMSR of FPSCR (a new random FPSCR set through r0..r12). */
export function genSys(rng: Rng, ctx: GenCtx, cond: CondGen = randCond): number[] {
  const rt = rng.int(13);
  switch (rng.int(3)) {
    case 0:
      return [((cond(rng) << 28) | 0x0ef10a10 | (rt << 12)) >>> 0]; // VMRS Rt, FPSCR
    case 1:
      return [((cond(rng) << 28) | 0x0ef1fa10) >>> 0]; // VMRS APSR_nzcv, FPSCR
    default:
      return [...ctx.movImm32(rt, randFpscr(rng)), ((cond(rng) << 28) | 0x0ee10a10 | (rt << 12)) >>> 0];
  }
}

/** VLDR/VSTR/VLDM/VSTM with the base register pointing into the scratch area. */
export function genMem(rng: Rng, ctx: GenCtx, condGen: CondGen = randCond): number[] {
  const rn = rng.int(13);
  const dp = rng.chance(0.5);
  const cond = condGen(rng) << 28;
  const l = rng.int(2);
  if (rng.chance(0.5)) {
    // VLDR/VSTR [Rn, #+/-imm]: base in the middle of the scratch area
    const mid = ctx.scratchBase + (ctx.scratchSize >> 1);
    const imm8 = rng.int(((ctx.scratchSize >> 1) - 8) >> 2);
    const u = rng.int(2);
    const w =
      (cond |
        0x0d000a00 |
        (u << 23) |
        (l << 20) |
        (rn << 16) |
        vd(rng.int(32), dp) |
        (dp ? 0x100 : 0) |
        imm8) >>>
      0;
    return [...ctx.movImm32(rn, mid), w];
  }
  // VLDM/VSTM: IA (optional writeback) from the start, DB! from the end
  const first = rng.int(32);
  const maxRegs = Math.min(32 - first, dp ? 16 : 32, dp ? ctx.scratchSize >> 3 : ctx.scratchSize >> 2);
  const n = 1 + rng.int(Math.max(1, Math.min(maxRegs, 8)));
  const imm8 = dp ? 2 * n + (rng.chance(0.1) ? 1 : 0) : n;
  const db = rng.int(2);
  const wb = db ? 1 : rng.int(2);
  const start = db ? ctx.scratchBase + ctx.scratchSize : ctx.scratchBase;
  const w =
    (cond |
      0x0c000a00 |
      ((db ? 1 : 0) << 24) |
      ((db ? 0 : 1) << 23) |
      (wb << 21) |
      (l << 20) |
      (rn << 16) |
      vd(first, dp) |
      (dp ? 0x100 : 0) |
      imm8) >>>
    0;
  return [...ctx.movImm32(rn, start), w];
}

/** Any word of the VFP data-processing space (bit 4 = 0): VFP operation or UNDEFINED. */
export function genRawDp(rng: Rng, cond: CondGen = randCond): number {
  return (
    ((cond(rng) << 28) |
      0x0e000a00 |
      (rng.bits(4) << 16) |
      (rng.bits(4) << 12) |
      (rng.int(2) << 8) |
      (rng.bits(3) << 5) |
      rng.bits(4) |
      (rng.bits(4) << 20)) >>>
    0
  );
}

registerGen(
  { name: "vfp", isa: "arm", vfp: true, weight: 1, gen: (rng) => genRawDp(rng) },
  { name: "vfp", isa: "arm", vfp: true, weight: 6, gen: (rng) => gen3(rng) },
  { name: "vfp", isa: "arm", vfp: true, weight: 5, gen: (rng) => genOther(rng) },
  { name: "vfp", isa: "arm", vfp: true, weight: 2, gen: (rng) => genXfer(rng) },
  { name: "vfp", isa: "arm", vfp: true, weight: 1, gen: (rng, ctx) => ({ words: genSys(rng, ctx) }) },
  { name: "vfp", isa: "arm", vfp: true, weight: 1, gen: (rng, ctx) => ({ words: genMem(rng, ctx) }) },
);
