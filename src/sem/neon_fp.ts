// Advanced SIMD floating point (issue 7): the single-precision forms of three registers
// of the same length, two registers and a scalar, two registers miscellaneous (compares
// with zero, VABS, VNEG, VRECPE, VRSQRTE, VCVT between F32 and S32/U32 and between F16 and
// F32) and shifts by an immediate (VCVT between F32 and fixed point). Decoded from
// src/sem/neon.ts (decodeNeonDp, A32 form; T32 through t32ToA32Dp); the validity rules are
// ARM DDI 0406C A7.4. The half-precision arithmetic forms (size<0> = 1) are ARMv8.2:
// UNDEFINED here, as on QEMU's Cortex-A15.
//
// One definition, NEON_FP "neon_fp" f [sel, d, n, m] with sel = fpSel(op, Q, aux)
// (neon_fp_ops.ts), registered at the end of ./neon.ts (after the integer definitions,
// which keeps their opcode numbers); the decoders are used only at decode time, so the
// import cycle with ./neon.ts is harmless. Runtime: helpers/neon_fp.ts (standard FPSCR
// value; flags into FPSCR).

import type { DecodeResult } from "../decode/pattern.js";
import { NEON_FP } from "./neon.js";
import { FOP, fpSel } from "./neon_fp_ops.js";

const bit = (x: number, n: number) => (x >>> n) & 1;
const bits = (x: number, hi: number, lo: number) => (x >>> lo) & ((1 << (hi - lo + 1)) - 1);
const vd = (x: number) => (bit(x, 22) << 4) | bits(x, 15, 12);
const vn = (x: number) => (bit(x, 7) << 4) | bits(x, 19, 16);
const vm = (x: number) => (bit(x, 5) << 4) | bits(x, 3, 0);

const fp = (op: number, q: number, d: number, n: number, m: number, aux = 0): DecodeResult => ({
  def: NEON_FP,
  f: { sel: fpSel(op, q, aux), d, n, m },
});

/**
 * Three registers of the same length, floating point (A = bits 11:8 = 1100..1111; U = bit
 * 24, sz = bit 21, B = bit 4).
 */
export function decodeF3Same(x: number): DecodeResult {
  const a = bits(x, 11, 8);
  const b = bit(x, 4);
  const u = bit(x, 24);
  const sz = bit(x, 21);
  const q = bit(x, 6);
  const d = vd(x);
  const n = vn(x);
  const m = vm(x);
  if (bit(x, 20)) return "undef"; // half precision
  if (q && (d & 1 || n & 1 || m & 1)) return "undef";
  let op: number;
  switch (a) {
    case 12:
      if (!b || u) return "undef";
      op = sz ? FOP.VFMS : FOP.VFMA;
      break;
    case 13:
      if (!b) op = u ? (sz ? FOP.VABD : FOP.VPADD) : sz ? FOP.VSUB : FOP.VADD;
      else {
        if (u && sz) return "undef";
        op = u ? FOP.VMUL : sz ? FOP.VMLS : FOP.VMLA;
      }
      break;
    case 14:
      if (!b) {
        if (!u && sz) return "undef";
        op = u ? (sz ? FOP.VCGT : FOP.VCGE) : FOP.VCEQ;
      } else {
        if (!u) return "undef";
        op = sz ? FOP.VACGT : FOP.VACGE;
      }
      break;
    case 15:
      if (!b) op = u ? (sz ? FOP.VPMIN : FOP.VPMAX) : sz ? FOP.VMIN : FOP.VMAX;
      else {
        if (u) return "undef"; // VMAXNM/VMINNM: ARMv8
        op = sz ? FOP.VRSQRTS : FOP.VRECPS;
      }
      break;
    default:
      return "undef";
  }
  if (q && (op === FOP.VPADD || op === FOP.VPMAX || op === FOP.VPMIN)) return "undef";
  return fp(op, q, d, n, m);
}

/** Two registers and a scalar, floating point (A = 0001 VMLA, 0101 VMLS, 1001 VMUL; Q = bit 24). */
export function decodeFByScalar(x: number): DecodeResult {
  const a = bits(x, 11, 8);
  const q = bit(x, 24);
  const d = vd(x);
  const n = vn(x);
  if (bits(x, 21, 20) !== 2) return "undef"; // .F16 (size 01) is ARMv8.2, size 00 unallocated
  if (q && (d & 1 || n & 1)) return "undef";
  const op = a === 1 ? FOP.VMLA_SC : a === 5 ? FOP.VMLS_SC : FOP.VMUL_SC;
  return fp(op, q, d, n, bits(x, 3, 0), bit(x, 5));
}

/**
 * Two registers miscellaneous, floating-point forms: A = 01 with B = 1xxxx (compares with
 * zero, VABS, VNEG), A = 10 with B = 11x00 (VCVT between F16 and F32), A = 11 (VRECPE,
 * VRSQRTE, VCVT between F32 and S32/U32). A = bits 17:16, B = bits 10:6.
 */
export function decodeF2Misc(x: number): DecodeResult {
  const A = bits(x, 17, 16);
  const B = bits(x, 10, 6);
  const size = bits(x, 19, 18);
  const q = bit(x, 6);
  const d = vd(x);
  const m = vm(x);
  if (A === 2) {
    if ((B & 0b11011) !== 0b11000 || size !== 1) return "undef";
    if (B & 4) return d & 1 ? "undef" : fp(FOP.VCVT_F32_F16, 0, d, 0, m);
    return m & 1 ? "undef" : fp(FOP.VCVT_F16_F32, 0, d, 0, m);
  }
  if (size !== 2 || (q && (d & 1 || m & 1))) return "undef";
  if (A === 1) {
    if (!(B & 16)) return "undef";
    const ops = [FOP.VCGT0, FOP.VCGE0, FOP.VCEQ0, FOP.VCLE0, FOP.VCLT0, -1, FOP.VABS, FOP.VNEG];
    const op = ops[(B >> 1) & 7]!;
    return op < 0 ? "undef" : fp(op, q, d, 0, m);
  }
  if (A !== 3) return "undef";
  const f = (B >> 2) & 1;
  if ((B & 0b11010) === 0b10000) return fp(f ? FOP.VRECPE_F32 : FOP.VRECPE_U32, q, d, 0, m);
  if ((B & 0b11010) === 0b10010) return fp(f ? FOP.VRSQRTE_F32 : FOP.VRSQRTE_U32, q, d, 0, m);
  if ((B & 0b11000) === 0b11000) {
    const ops = [FOP.VCVT_F_S32, FOP.VCVT_F_U32, FOP.VCVT_S32_F, FOP.VCVT_U32_F];
    return fp(ops[(B >> 1) & 3]!, q, d, 0, m);
  }
  return "undef"; // VCVTA/N/P/M: ARMv8
}

/**
 * VCVT between single precision and fixed point (shift by immediate space, A = 111x: op =
 * bit 8, 1 = to fixed point; U = bit 24; fraction bits = 64 - imm6, imm6 = 1xxxxx).
 * L = bit 7 = 1 is rejected by the caller.
 */
export function decodeFCvtFix(x: number): DecodeResult {
  const a = bits(x, 11, 8);
  const imm6 = bits(x, 21, 16);
  const q = bit(x, 6);
  const d = vd(x);
  const m = vm(x);
  if (a < 14 || imm6 < 32) return "undef"; // A = 110x: half precision (ARMv8.2)
  if (q && (d & 1 || m & 1)) return "undef";
  const u = bit(x, 24);
  const op = a === 15 ? (u ? FOP.VCVT_UFIX_F : FOP.VCVT_SFIX_F) : u ? FOP.VCVT_F_UFIX : FOP.VCVT_F_SFIX;
  return fp(op, q, d, 0, m, 64 - imm6);
}
