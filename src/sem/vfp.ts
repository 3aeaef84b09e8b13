// VFPv3/VFPv4-D32 floating point (Cortex-A15): data processing, conversions, register
// transfers, VMRS/VMSR, VLDR/VSTR, VLDM/VSTM/VPUSH/VPOP (incl. FLDMX/FSTMX).
//
// ISA-neutral decoding: VFP encodings are the same in A32 (cond in bits 31:28) and T32
// (hw1:hw2 with 0xE in bits 31:28), so one function decodes the low 28 bits for both:
//
//   decodeVfp(low28: number, isa: "A32" | "T32"): DecodeResult
//
// It returns null for words outside the VFP space (and for the Advanced SIMD forms of the
// scalar/VDUP transfers, which a later NEON decoder may claim), "undef"/"unpred" as usual,
// else a Decoded with the definitions below. The Thumb decoder calls it for
// "1110 110x ... 101x ..." and "1110 1110 ... 101x ..." words (raw & 0x0fffffff).
// Literal VLDR (Rn = PC) uses Align(PC, 4) at run time, correct for both ISAs.
//
// Definitions (params = decode-time, fields = runtime operands):
//   VFP_DP     "vfp_dp"     p {op: Vop, dp: 0|1}      f [d, n, m]
//       All data processing and conversions, done by the vfpDp helper (src/sem/helpers/vfp.ts).
//       Register numbers are the full 5-bit indexes (S: Vx:X, D: X:Vx). VMOV imm: n = the
//       expanded immediate (S: the word; D: the high word). Fixed point: m = frac bits.
//   VFP_MOV    "vfp_mov"    p {toCore: 0|1}           f [rt, w]     VMOV Rt <-> Sn / Dn[x]
//       w = word index into the register file (S n = n, Dn[x] = 2n + x).
//   VFP_MOV2   "vfp_mov2"   p {toCore: 0|1}           f [rt, rt2, w] VMOV Rt,Rt2 <-> Sm,Sm+1 / Dm
//   VFP_VMRS   "vfp_vmrs"   -                         f [reg, rt]   rt = 15: APSR_nzcv
//   VFP_VMSR   "vfp_vmsr"   -                         f [reg, rt]
//   VFP_LDST   "vfp_ldst"   p {l, dp, lit}            f [w, rn, off] off signed bytes; lit: base Align(PC,4)
//   VFP_LDM    "vfp_ldm"    p {l, dp}                 f [w, rn, imm, mode] mode = P | W << 1; imm = imm8
//
// Access control (CPACR.cp10, FPEXC.EN) and FPSCR.LEN/STRIDE (non-zero: the vector-capable
// data-processing forms UNDEF, as QEMU does for a core without short vectors) are checked
// at run time by the helpers.

import { PSR, S } from "../cpu/state.js";
import type { DecodeResult } from "../decode/pattern.js";
import { enc } from "../decode/pattern.js";
import { defineInsn } from "./defs.js";
import { N_VOP, Vop } from "./vfp_ops.js";

export { N_VOP, Vop, vopChecksVec } from "./vfp_ops.js";

export const VFP_DP = defineInsn("vfp_dp", { op: N_VOP, dp: 2 }, ["d", "n", "m"], (b, p, f) => {
  b.callMayExit("vfpDp", b.k(p.op! * 2 + p.dp!), f.d!, f.n!, f.m!);
});

export const VFP_MOV = defineInsn("vfp_mov", { toCore: 2 }, ["rt", "w"], (b, p, f) => {
  b.callMayExit("vfpAccess", b.k(0));
  if (p.toCore) b.setReg(f.rt!, b.call("vfpGet32", f.w!));
  else b.call("vfpSet32", f.w!, b.reg(f.rt!));
});

export const VFP_MOV2 = defineInsn("vfp_mov2", { toCore: 2 }, ["rt", "rt2", "w"], (b, p, f) => {
  b.callMayExit("vfpAccess", b.k(0));
  const w2 = b.let(b.add(f.w!, b.k(1)));
  if (p.toCore) {
    const lo = b.call("vfpGet32", f.w!);
    const hi = b.call("vfpGet32", w2);
    b.setReg(f.rt!, lo);
    b.setReg(f.rt2!, hi);
  } else {
    b.call("vfpSet32", f.w!, b.reg(f.rt!));
    b.call("vfpSet32", w2, b.reg(f.rt2!));
  }
});

export const VFP_VMRS = defineInsn("vfp_vmrs", {}, ["reg", "rt"], (b, _p, f) => {
  b.callMayExit("vfpVmrs", f.reg!, f.rt!);
});

export const VFP_VMSR = defineInsn("vfp_vmsr", {}, ["reg", "rt"], (b, _p, f) => {
  b.callMayExit("vfpVmsr", f.reg!, b.reg(f.rt!));
});

export const VFP_LDST = defineInsn("vfp_ldst", { l: 2, dp: 2, lit: 2 }, ["w", "rn", "off"], (b, p, f) => {
  b.callMayExit("vfpAccess", b.k(0));
  const base = p.lit ? b.and(b.pc(), b.k(~3)) : b.reg(f.rn!);
  const addr = b.let(b.add(base, f.off!));
  const al = { aligned: true };
  if (!p.dp) {
    if (p.l) b.call("vfpSet32", f.w!, b.load(32, addr, al));
    else b.store(32, addr, b.call("vfpGet32", f.w!), al);
    return;
  }
  // doubleword: the word at the lower address is the low half (little-endian) or the high half (CPSR.E)
  const be = b.let(b.and(b.getState(S.CPSR), b.k(PSR.E)));
  const w1 = b.let(b.add(f.w!, b.k(1)));
  const a2 = b.let(b.add(addr, b.k(4)));
  if (p.l) {
    const x = b.load(32, addr, al);
    const y = b.load(32, a2, al);
    b.call("vfpSet32", f.w!, b.select(be, y, x));
    b.call("vfpSet32", w1, b.select(be, x, y));
  } else {
    const lo = b.call("vfpGet32", f.w!);
    const hi = b.call("vfpGet32", w1);
    b.store(32, addr, b.select(be, hi, lo), al);
    b.store(32, a2, b.select(be, lo, hi), al);
  }
});

export const VFP_LDM = defineInsn("vfp_ldm", { l: 2, dp: 2 }, ["w", "rn", "imm", "mode"], (b, p, f) => {
  b.callMayExit("vfpLdm", b.k(p.l! | (p.dp! << 1)), f.w!, f.rn!, f.imm!, f.mode!);
});

// ---- decoding ------------------------------------------------------------------------

const bit = (x: number, n: number) => (x >>> n) & 1;
const bits = (x: number, hi: number, lo: number) => (x >>> lo) & ((1 << (hi - lo + 1)) - 1);

/** Vd / Vn / Vm register numbers for single (Vx:X) or double (X:Vx) precision. */
const regD = (x: number, dp: number) =>
  dp ? (bit(x, 22) << 4) | bits(x, 15, 12) : (bits(x, 15, 12) << 1) | bit(x, 22);
const regN = (x: number, dp: number) =>
  dp ? (bit(x, 7) << 4) | bits(x, 19, 16) : (bits(x, 19, 16) << 1) | bit(x, 7);
const regM = (x: number, dp: number) =>
  dp ? (bit(x, 5) << 4) | bits(x, 3, 0) : (bits(x, 3, 0) << 1) | bit(x, 5);

/** VFPExpandImm: the S word, or the high word of the D value. */
export function vfpExpandImm(imm8: number, dp: number): number {
  const s = bit(imm8, 7) ? 0x8000 : 0;
  if (dp) return ((s | (bit(imm8, 6) ? 0x3fc0 : 0x4000) | (imm8 & 0x3f)) << 16) | 0;
  return ((s | (bit(imm8, 6) ? 0x3e00 : 0x4000) | ((imm8 & 0x3f) << 3)) << 16) | 0;
}

function dpOp(op: number, dp: number, d: number, n: number, m: number): DecodeResult {
  return { def: VFP_DP, p: { op, dp }, f: { d, n, m } };
}

function decodeDataProc(x: number): DecodeResult {
  const dp = bit(x, 8);
  const opc1 = (bit(x, 23) << 2) | bits(x, 21, 20);
  const op6 = bit(x, 6);
  const d = regD(x, dp);
  const n = regN(x, dp);
  const m = regM(x, dp);
  switch (opc1) {
    case 0:
      return dpOp(op6 ? Vop.VMLS : Vop.VMLA, dp, d, n, m);
    case 1:
      return dpOp(op6 ? Vop.VNMLA : Vop.VNMLS, dp, d, n, m);
    case 2:
      return dpOp(op6 ? Vop.VNMUL : Vop.VMUL, dp, d, n, m);
    case 3:
      return dpOp(op6 ? Vop.VSUB : Vop.VADD, dp, d, n, m);
    case 4:
      return op6 ? "undef" : dpOp(Vop.VDIV, dp, d, n, m);
    case 5:
      return dpOp(op6 ? Vop.VFNMS : Vop.VFNMA, dp, d, n, m);
    case 6:
      return dpOp(op6 ? Vop.VFMS : Vop.VFMA, dp, d, n, m);
    default:
      break;
  }
  // opc1 = 1x11: other data processing
  if (!op6) {
    if (bits(x, 7, 4) !== 0) return "undef";
    const imm8 = (bits(x, 19, 16) << 4) | bits(x, 3, 0);
    return dpOp(Vop.VMOV_IMM, dp, d, vfpExpandImm(imm8, dp), 0);
  }
  const opc2 = bits(x, 19, 16);
  const b7 = bit(x, 7);
  const sm = regM(x, 0);
  const sd = regD(x, 0);
  switch (opc2) {
    case 0:
      return dpOp(b7 ? Vop.VABS : Vop.VMOV, dp, d, 0, m);
    case 1:
      return dpOp(b7 ? Vop.VSQRT : Vop.VNEG, dp, d, 0, m);
    case 2: // VCVTB/VCVTT f16 -> f32 (f64 needs the v8 conversions)
      if (dp) return "undef";
      return dpOp(b7 ? Vop.VCVTT_F16_TO : Vop.VCVTB_F16_TO, 0, sd, 0, sm);
    case 3:
      if (dp) return "undef";
      return dpOp(b7 ? Vop.VCVTT_TO_F16 : Vop.VCVTB_TO_F16, 0, sd, 0, sm);
    case 4:
      return dpOp(b7 ? Vop.VCMPE : Vop.VCMP, dp, d, 0, m);
    case 5:
      if (bit(x, 5) || bits(x, 3, 0)) return "undef";
      return dpOp(b7 ? Vop.VCMPEZ : Vop.VCMPZ, dp, d, 0, 0);
    case 7:
      if (!b7) return "undef"; // VRINTX (v8)
      // dp = 1: D -> S (Vd single); dp = 0: S -> D (Vd double)
      return dpOp(Vop.VCVT_FF, dp, regD(x, dp ^ 1), 0, m);
    case 8: // integer (Sm) to float
      return dpOp(b7 ? Vop.VCVT_F_S32 : Vop.VCVT_F_U32, dp, d, 0, sm);
    case 12:
    case 13: {
      const signed = opc2 & 1;
      const op = signed ? (b7 ? Vop.VCVT_S32 : Vop.VCVTR_S32) : b7 ? Vop.VCVT_U32 : Vop.VCVTR_U32;
      return dpOp(op, dp, sd, 0, m);
    }
    case 10:
    case 11:
    case 14:
    case 15: {
      const toFixed = bit(x, 18);
      const u = bit(x, 16);
      const sx = b7;
      const imm = regM(x, 0); // imm4:i
      const size = sx ? 32 : 16;
      const frac = size - imm;
      if (frac < 0) return "unpred";
      const opc = (toFixed << 2) | (u << 1) | sx;
      return dpOp(Vop.VCVT_FIX + opc, dp, d, 0, frac);
    }
    default:
      return "undef"; // VRINTR/VRINTZ (0110), VJCVT (1001): v8
  }
}

function decodeXfer(x: number, isa: "A32" | "T32"): DecodeResult {
  const l = bit(x, 20);
  const c = bit(x, 8);
  const a = bits(x, 23, 21);
  const rt = bits(x, 15, 12);
  if (!c) {
    if (a === 0) {
      // VMOV Rt <-> Sn
      if (bits(x, 6, 5) || bits(x, 3, 0)) return "undef";
      if (rt === 15 || (rt === 13 && isa !== "A32")) return "unpred";
      return { def: VFP_MOV, p: { toCore: l }, f: { rt, w: regN(x, 0) } };
    }
    if (a === 7) {
      if (bits(x, 7, 5) || bits(x, 3, 0)) return "undef";
      const reg = bits(x, 19, 16);
      if (![0, 1, 6, 7, 8].includes(reg)) return "undef";
      if (rt === 15 && !(l && reg === 1)) return "unpred";
      if (rt === 13 && isa !== "A32") return "unpred";
      return { def: l ? VFP_VMRS : VFP_VMSR, f: { reg, rt } };
    }
    return "undef";
  }
  // C = 1: scalar transfers; only the 32-bit forms are VFP (the rest is Advanced SIMD)
  if (bits(x, 3, 0)) return "undef";
  if (!l) {
    if (bit(x, 23)) return null; // VDUP (NEON)
    if (bit(x, 22) || bits(x, 6, 5)) return null; // 8/16-bit lanes (NEON)
  } else {
    if (bit(x, 23) || bit(x, 22) || bits(x, 6, 5)) return null; // U / 8/16-bit lanes (NEON)
  }
  if (rt === 15 || (rt === 13 && isa !== "A32")) return "unpred";
  const dn = regN(x, 1);
  return { def: VFP_MOV, p: { toCore: l }, f: { rt, w: dn * 2 + bit(x, 21) } };
}

function decodeLdSt(x: number, isa: "A32" | "T32"): DecodeResult {
  const p = bit(x, 24);
  const u = bit(x, 23);
  const w = bit(x, 21);
  const l = bit(x, 20);
  const rn = bits(x, 19, 16);
  const dp = bit(x, 8);
  const imm8 = bits(x, 7, 0);
  if (!p && !u) {
    if (bits(x, 24, 21) !== 0b0010) return "undef";
    // 64-bit transfers: VMOV Rt, Rt2 <-> Sm, Sm+1 / Dm
    if (bits(x, 7, 6) || !bit(x, 4)) return "undef";
    const rt = bits(x, 15, 12);
    const rt2 = rn;
    const m = regM(x, dp);
    if (rt === 15 || rt2 === 15) return "unpred";
    if (isa !== "A32" && (rt === 13 || rt2 === 13)) return "unpred";
    if (!dp && m === 31) return "unpred";
    if (l && rt === rt2) return "unpred";
    return { def: VFP_MOV2, p: { toCore: l }, f: { rt, rt2, w: dp ? m * 2 : m } };
  }
  const d = regD(x, dp);
  if (p && !w) {
    // VLDR / VSTR
    const off = u ? imm8 * 4 : -imm8 * 4;
    const lit = rn === 15 ? 1 : 0;
    if (lit && !l && isa !== "A32") return "unpred";
    return { def: VFP_LDST, p: { l, dp, lit }, f: { w: dp ? d * 2 : d, rn, off } };
  }
  if (p === u) return "undef"; // P = U with writeback
  // VLDM / VSTM (IA with optional writeback, DB with writeback)
  const regs = dp ? imm8 >> 1 : imm8;
  if (regs === 0 || d + regs > 32 || (dp && regs > 16)) return "unpred";
  if (rn === 15 && (w || isa !== "A32")) return "unpred";
  return {
    def: VFP_LDM,
    p: { l, dp },
    f: { w: dp ? d * 2 : d, rn, imm: imm8, mode: p | (w << 1) },
  };
}

/** Decode the low 28 bits of a VFP instruction (A32 or T32, see the top of this file). */
export function decodeVfp(x: number, isa: "A32" | "T32"): DecodeResult {
  x &= 0x0fffffff;
  if (bits(x, 11, 9) !== 0b101) return null;
  const top = bits(x, 27, 24);
  if (top === 0b1110) return bit(x, 4) ? decodeXfer(x, isa) : decodeDataProc(x);
  if (top >> 1 === 0b110) return decodeLdSt(x, isa);
  return null;
}

// A32 encodings: the coprocessor 10/11 spaces.
enc("A32", "cccc 1110 xxxx xxxx xxxx 101x xxxx xxxx", (_x, raw) => decodeVfp(raw, "A32"));
enc("A32", "cccc 110x xxxx xxxx xxxx 101x xxxx xxxx", (_x, raw) => decodeVfp(raw, "A32"));
