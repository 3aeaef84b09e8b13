// Advanced SIMD (NEON), issue 7 — advertised by MVFR1 (helpers/vfp.ts).
//
// Encodings. Data processing is "1111 001U ..." in A32 (unconditional) and "111U 1111 ..."
// in T32 (conditional through IT); both are decoded from the A32 form by decodeNeonDp.
// The 8/16-bit scalar transfers and VDUP from a core register live in the VFP transfer
// space ("cccc 1110 ... 1011 ...1 ...." / T32 "1110 1110 ..."), which decodeVfp leaves
// to us (it returns null for them).
//
// Implemented: the integer three-registers-same group, one register and a modified
// immediate (VMOV/VMVN/VORR/VBIC), VDUP (scalar, core register), VMOV core <-> scalar,
// VEXT, shifts by an immediate (integer), two registers miscellaneous (integer), three
// registers of different lengths, two registers and a scalar (integer), VTBL/VTBX,
// VLD1/VST1 (all forms), VLD2-4/VST2-4 (multiple structures, one lane, all lanes).
//
// Floating point (single precision, ./neon_fp.ts, decoded from the groups below): three
// registers same length (VADD VSUB VPADD VABD VMUL VMLA VMLS VFMA VFMS VCEQ VCGE VCGT
// VACGE VACGT VMAX VMIN VPMAX VPMIN VRECPS VRSQRTS), by scalar (VMLA VMLS VMUL), two
// registers misc (compares with #0, VABS, VNEG, VRECPE/VRSQRTE .U32/.F32, VCVT F32 <->
// S32/U32 and F16 <-> F32), VCVT between F32 and fixed point. They compute with the
// standard FPSCR value (FZ, DN, round to nearest), set FPSCR's cumulative flags and take
// FPSCR.AHP for the half-precision conversions. The .F16 arithmetic forms (ARMv8.2)
// are UNDEFINED.
//
// Definitions (fields are runtime operands; D register numbers are 0..31):
//   NEON_3SAME   "neon_3same"   f [sel, d, n, m]         sel = n3Sel(op, size, U, Q)
//   NEON_IMM     "neon_imm"     f [kind, d, lo, hi, q]   kind 0 MOV, 1 ORR, 2 AND
//   NEON_DUPR    "neon_dupr"    f [sel, d, rt]           sel = size | Q << 2
//   NEON_DUPS    "neon_dups"    f [sel, d, m]            sel = size | Q << 2 | index << 3
//   NEON_MOVS    "neon_movs"    p {toCore}  f [sel, dn, rt]
//   NEON_EXT     "neon_ext"     f [sel, d, n, m]         sel = imm4 | Q << 4
//   NEON_SHIMM   "neon_shimm"   f [sel, d, m, sh]        see shiftImm in helpers/neon.ts
//   NEON_2MISC   "neon_2misc"   f [sel, d, m]            sel = A | B << 2 | size << 7
//   NEON_3DIFF   "neon_3diff"   f [sel, d, n, m]         sel = A | size << 4 | U << 6
//   NEON_SCALAR  "neon_scalar"  f [sel, d, n, m]         sel = A | size << 4 | bit24 << 6 | index << 7
//   NEON_TBL     "neon_tbl"     f [sel, d, n, m]         sel = len | op << 2
//   NEON_LDST1   "neon_ldst1"   f [sel, d, rn, rm]       sel = ldst1Sel(...) (helpers/neon.ts)
//   NEON_FP      "neon_fp"      f [sel, d, n, m]         sel = fpSel(op, Q, aux) (neon_fp.ts)
// Access control (CPACR, HCPTR, FPEXC.EN) is checked at run time as for VFP.

import type { DecodeResult } from "../decode/pattern.js";
import { enc } from "../decode/pattern.js";
import { defineInsn } from "./defs.js";
import { decodeF2Misc, decodeF3Same, decodeFByScalar, decodeFCvtFix } from "./neon_fp.js";
import { ldst1Sel, N3, n3Sel } from "./neon_ops.js";
import { vfpExpandImm } from "./vfp.js";

export const NEON_3SAME = defineInsn("neon_3same", {}, ["sel", "d", "n", "m"], (b, _p, f) => {
  b.callMayExit("neon3Same", f.sel!, f.d!, f.n!, f.m!);
});

export const NEON_IMM = defineInsn("neon_imm", {}, ["kind", "d", "lo", "hi", "q"], (b, _p, f) => {
  b.callMayExit("neonImm", f.kind!, f.d!, f.lo!, f.hi!, f.q!);
});

export const NEON_DUPR = defineInsn("neon_dupr", {}, ["sel", "d", "rt"], (b, _p, f) => {
  b.callMayExit("neonDupCore", f.sel!, f.d!, b.reg(f.rt!));
});

export const NEON_DUPS = defineInsn("neon_dups", {}, ["sel", "d", "m"], (b, _p, f) => {
  b.callMayExit("neonDupScalar", f.sel!, f.d!, f.m!);
});

export const NEON_MOVS = defineInsn("neon_movs", { toCore: 2 }, ["sel", "dn", "rt"], (b, p, f) => {
  b.callMayExit("vfpAccess", b.k(0));
  if (p.toCore) b.setReg(f.rt!, b.call("neonGetScalar", f.sel!, f.dn!));
  else b.call("neonSetScalar", f.sel!, f.dn!, b.reg(f.rt!));
});

export const NEON_EXT = defineInsn("neon_ext", {}, ["sel", "d", "n", "m"], (b, _p, f) => {
  b.callMayExit("neonExt", f.sel!, f.d!, f.n!, f.m!);
});

export const NEON_SHIMM = defineInsn("neon_shimm", {}, ["sel", "d", "m", "sh"], (b, _p, f) => {
  b.callMayExit("neonShiftImm", f.sel!, f.d!, f.m!, f.sh!);
});

export const NEON_2MISC = defineInsn("neon_2misc", {}, ["sel", "d", "m"], (b, _p, f) => {
  b.callMayExit("neon2Misc", f.sel!, f.d!, f.m!);
});

export const NEON_3DIFF = defineInsn("neon_3diff", {}, ["sel", "d", "n", "m"], (b, _p, f) => {
  b.callMayExit("neon3Diff", f.sel!, f.d!, f.n!, f.m!);
});

export const NEON_SCALAR = defineInsn("neon_scalar", {}, ["sel", "d", "n", "m"], (b, _p, f) => {
  b.callMayExit("neonByScalar", f.sel!, f.d!, f.n!, f.m!);
});

export const NEON_TBL = defineInsn("neon_tbl", {}, ["sel", "d", "n", "m"], (b, _p, f) => {
  b.callMayExit("neonTbl", f.sel!, f.d!, f.n!, f.m!);
});

export const NEON_LDST1 = defineInsn("neon_ldst1", {}, ["sel", "d", "rn", "rm"], (b, _p, f) => {
  b.callMayExit("neonLdSt1", f.sel!, f.d!, f.rn!, f.rm!);
});

// ---- decoding ------------------------------------------------------------------------

const bit = (x: number, n: number) => (x >>> n) & 1;
const bits = (x: number, hi: number, lo: number) => (x >>> lo) & ((1 << (hi - lo + 1)) - 1);

const vd = (x: number) => (bit(x, 22) << 4) | bits(x, 15, 12);
const vn = (x: number) => (bit(x, 7) << 4) | bits(x, 19, 16);
const vm = (x: number) => (bit(x, 5) << 4) | bits(x, 3, 0);

/** Which A:B (bits 11:8, bit 4) allow size = 11 (64-bit elements). */
const ALLOWS_64 = new Set<number>([N3.VQADD, N3.VQSUB, N3.VADDSUB, N3.VSHL, N3.VQSHL, N3.VRSHL, N3.VQRSHL]);

/** A:B -> op for the integer three-same forms (A <= 11); -1: not integer / see below. */
const THREE_OPS: number[] = [
  N3.VHADD,
  N3.VQADD,
  N3.VRHADD,
  N3.LOGIC,
  N3.VHSUB,
  N3.VQSUB,
  N3.VCGT,
  N3.VCGE,
  N3.VSHL,
  N3.VQSHL,
  N3.VRSHL,
  N3.VQRSHL,
  N3.VMAX,
  N3.VMIN,
  N3.VABD,
  N3.VABA,
  N3.VADDSUB,
  N3.VTSTCEQ,
  N3.VMLAS,
  N3.VMUL,
  N3.VPMAX,
  N3.VPMIN,
  N3.VQDMULH,
  N3.VPADD,
];

function decode3Same(x: number): DecodeResult {
  const a = bits(x, 11, 8);
  const ab = (a << 1) | bit(x, 4);
  const u = bit(x, 24);
  const size = bits(x, 21, 20);
  const q = bit(x, 6);
  const d = vd(x);
  const n = vn(x);
  const m = vm(x);
  if (a >= 12) return decodeF3Same(x); // floating point (neon_fp.ts)
  const op = THREE_OPS[ab]!;
  if (q && (d & 1 || n & 1 || m & 1)) return "undef";
  if (op === N3.LOGIC) return { def: NEON_3SAME, f: { sel: n3Sel(op, size, u, q), d, n, m } };
  if (size === 3 && !ALLOWS_64.has(op)) return "undef";
  switch (op) {
    case N3.VMUL:
      if (u && size !== 0) return "undef";
      break;
    case N3.VPMAX:
    case N3.VPMIN:
      if (q) return "undef";
      break;
    case N3.VPADD:
      if (q || u) return "undef";
      break;
    case N3.VQDMULH:
      if (size === 0) return "undef";
      break;
    default:
      break;
  }
  return { def: NEON_3SAME, f: { sel: n3Sel(op, size, u, q), d, n, m } };
}

/** AdvSIMDExpandImm as [lo, hi] words, or "unpred" / "undef". */
export function neonExpandImm(
  op: number,
  cmode: number,
  imm8: number,
): [number, number] | "unpred" | "undef" {
  const rep32 = (w: number): [number, number] => [w | 0, w | 0];
  switch (cmode >> 1) {
    case 0:
      return rep32(imm8);
    case 1:
    case 2:
    case 3:
      if (imm8 === 0) return "unpred";
      return rep32(imm8 << (8 * (cmode >> 1)));
    case 4:
      return rep32(imm8 * 0x10001);
    case 5:
      if (imm8 === 0) return "unpred";
      return rep32((imm8 << 8) * 0x10001);
    case 6:
      if (imm8 === 0) return "unpred";
      return rep32(cmode & 1 ? (imm8 << 16) | 0xffff : (imm8 << 8) | 0xff);
    default:
      if (!(cmode & 1)) {
        if (!op) return rep32(imm8 * 0x01010101);
        let lo = 0;
        let hi = 0;
        for (let i = 0; i < 4; i++) {
          if (bit(imm8, i)) lo |= 0xff << (8 * i);
          if (bit(imm8, i + 4)) hi |= 0xff << (8 * i);
        }
        return [lo | 0, hi | 0];
      }
      if (op) return "undef";
      return rep32(vfpExpandImm(imm8, 0));
  }
}

function decodeImm(x: number): DecodeResult {
  const cmode = bits(x, 11, 8);
  const op = bit(x, 5);
  const q = bit(x, 6);
  const d = vd(x);
  const imm8 = (bit(x, 24) << 7) | (bits(x, 18, 16) << 4) | bits(x, 3, 0);
  if (q && d & 1) return "undef";
  const e = neonExpandImm(op, cmode, imm8);
  if (typeof e === "string") return e;
  let [lo, hi] = e;
  // VORR / VBIC: the 32-bit (cmode 0xx1) and 16-bit (10x1) forms
  const logic = (cmode & 1) === 1 && cmode < 12;
  let kind = 0;
  if (logic) {
    kind = op ? 2 : 1;
    if (op) {
      lo = ~lo;
      hi = ~hi;
    }
  } else if (op && cmode !== 14) {
    lo = ~lo; // VMVN
    hi = ~hi;
  }
  return { def: NEON_IMM, f: { kind, d, lo, hi, q } };
}

function decodeDupScalar(x: number): DecodeResult {
  const imm4 = bits(x, 19, 16);
  const q = bit(x, 6);
  const d = vd(x);
  const m = vm(x);
  if (q && d & 1) return "undef";
  let size: number;
  if (imm4 & 1) size = 0;
  else if (imm4 & 2) size = 1;
  else if (imm4 & 4) size = 2;
  else return "undef";
  const index = imm4 >> (size + 1);
  return { def: NEON_DUPS, f: { sel: size | (q << 2) | (index << 3), d, m } };
}

function decodeExt(x: number): DecodeResult {
  const q = bit(x, 6);
  const imm4 = bits(x, 11, 8);
  const d = vd(x);
  const n = vn(x);
  const m = vm(x);
  if (q && (d & 1 || n & 1 || m & 1)) return "undef";
  if (!q && imm4 & 8) return "undef";
  return { def: NEON_EXT, f: { sel: imm4 | (q << 4), d, n, m } };
}

/** Two registers and a shift amount (1111 001U 1D ii iiii dddd aaaa LBM1 mmmm, L:imm6 != 0000xxx). */
function decodeShiftImm(x: number): DecodeResult {
  const a = bits(x, 11, 8);
  const u = bit(x, 24);
  const l = bit(x, 7);
  const b6 = bit(x, 6);
  const imm6 = bits(x, 21, 16);
  const d = vd(x);
  const m = vm(x);
  let size: number;
  if (l) size = 3;
  else if (imm6 & 0x20) size = 2;
  else if (imm6 & 0x10) size = 1;
  else size = 0;
  const esize = 8 << size;
  const right = l ? 64 - imm6 : 2 * esize - imm6;
  const left = l ? imm6 : imm6 - esize;
  const sel = (q: number, rnd: number) => a | (size << 4) | (u << 6) | (q << 7) | (rnd << 8);
  if (a <= 7) {
    if (b6 && (d & 1 || m & 1)) return "undef";
    if ((a === 4 || a === 6) && !u) return "undef";
    const sh = a <= 4 ? right : left;
    return { def: NEON_SHIMM, f: { sel: sel(b6, 0), d, m, sh } };
  }
  if (l) return "undef";
  if (a === 8 || a === 9) {
    if (m & 1) return "undef";
    return { def: NEON_SHIMM, f: { sel: sel(0, b6), d, m, sh: right } };
  }
  if (a === 10) {
    if (b6 || d & 1) return "undef";
    return { def: NEON_SHIMM, f: { sel: sel(0, 0), d, m, sh: left } };
  }
  return decodeFCvtFix(x); // VCVT (between floating point and fixed point)
}

/** Two registers, miscellaneous (1111 0011 1D11 ssAA dddd 0BBB BBM0 mmmm); floating point: decodeF2Misc. */
function decode2Misc(x: number): DecodeResult {
  const A = bits(x, 17, 16);
  const B = bits(x, 10, 6);
  const size = bits(x, 19, 18);
  const q = bit(x, 6);
  const d = vd(x);
  const m = vm(x);
  const sel = A | (B << 2) | (size << 7);
  const r: DecodeResult = { def: NEON_2MISC, f: { sel, d, m } };
  const qRegsOk = !(q && (d & 1 || m & 1));
  const b4 = B >> 1;
  if (A === 0) {
    if (b4 <= 2) return b4 + size >= 3 || !qRegsOk ? "undef" : r; // VREV64/32/16
    if (b4 === 4 || b4 === 5 || b4 === 12 || b4 === 13 || b4 === 8 || b4 === 9 || b4 === 14 || b4 === 15)
      return size === 3 || !qRegsOk ? "undef" : r; // VPADDL VPADAL VCLS VCLZ VQABS VQNEG
    if (b4 === 10 || b4 === 11) return size !== 0 || !qRegsOk ? "undef" : r; // VCNT VMVN
    return "undef";
  }
  if (A === 1) {
    if (B & 16) return decodeF2Misc(x); // floating-point forms
    if ((b4 & 7) === 5) return "undef";
    return size === 3 || !qRegsOk ? "undef" : r; // VCGT/VCGE/VCEQ/VCLE/VCLT #0, VABS, VNEG
  }
  if (A === 2) {
    if (b4 === 0) return size !== 0 || !qRegsOk ? "undef" : r; // VSWP
    if (b4 <= 3) {
      if (size === 3 || !qRegsOk || (b4 !== 1 && !q && size === 2)) return "undef";
      return d === m ? "unpred" : r; // VTRN VUZP VZIP
    }
    if (b4 === 4 || b4 === 5) return size === 3 || m & 1 ? "undef" : r; // VMOVN VQMOVUN VQMOVN
    if (B === 12) return size === 3 || d & 1 ? "undef" : r; // VSHLL (maximum shift)
    return decodeF2Misc(x); // VCVT half precision
  }
  return decodeF2Misc(x); // VRECPE VRSQRTE VCVT
}

/** Three registers of different lengths (1111 001U 1Dss nnnn dddd AAAA N0M0 mmmm, size != 11). */
function decode3Diff(x: number): DecodeResult {
  const a = bits(x, 11, 8);
  const u = bit(x, 24);
  const size = bits(x, 21, 20);
  const d = vd(x);
  const n = vn(x);
  const m = vm(x);
  const r: DecodeResult = { def: NEON_3DIFF, f: { sel: a | (size << 4) | (u << 6), d, n, m } };
  if (a === 15) return "undef";
  if (a === 4 || a === 6) return n & 1 || m & 1 ? "undef" : r; // narrowing
  if (d & 1) return "undef";
  if ((a === 1 || a === 3) && n & 1) return "undef"; // wide
  if (a === 9 || a === 11 || a === 13) return u || size === 0 ? "undef" : r; // VQDMLAL VQDMLSL VQDMULL
  if (a === 14) return u || size !== 0 ? "undef" : r; // VMULL.P8 (P64: v8)
  return r;
}

/** Two registers and a scalar (1111 001Q 1Dss nnnn dddd AAAA N1M0 mmmm, size != 11); floating point: decodeFByScalar. */
function decodeByScalar(x: number): DecodeResult {
  const a = bits(x, 11, 8);
  const b24 = bit(x, 24);
  const size = bits(x, 21, 20);
  const d = vd(x);
  const n = vn(x);
  if (size === 0) return "undef";
  if (a === 1 || a === 5 || a === 9) return decodeFByScalar(x); // floating point
  if (a >= 14) return "undef"; // 111x unallocated
  const m = size === 1 ? bits(x, 2, 0) : bits(x, 3, 0);
  const index = size === 1 ? (bit(x, 5) << 1) | bit(x, 3) : bit(x, 5);
  const long = a === 2 || a === 3 || a === 6 || a === 7 || a === 10 || a === 11;
  if (long) {
    if (d & 1) return "undef";
    if ((a === 3 || a === 7 || a === 11) && b24) return "undef";
  } else if (b24 && (d & 1 || n & 1)) return "undef";
  return { def: NEON_SCALAR, f: { sel: a | (size << 4) | (b24 << 6) | (index << 7), d, n, m } };
}

/** VTBL / VTBX (1111 0011 1D11 nnnn dddd 10ll NoM0 mmmm). */
function decodeTbl(x: number): DecodeResult {
  const len = bits(x, 9, 8);
  const n = vn(x);
  if (n + len + 1 > 32) return "unpred";
  return { def: NEON_TBL, f: { sel: len | (bit(x, 6) << 2), d: vd(x), n, m: vm(x) } };
}

/** Decode an Advanced SIMD data-processing instruction in its A32 form (1111 001U ...). */
export function decodeNeonDp(x: number): DecodeResult {
  x >>>= 0;
  if (!bit(x, 23)) return decode3Same(x);
  // bit 23 = 1
  if (bit(x, 4) && !bit(x, 7) && bits(x, 21, 19) === 0) return decodeImm(x);
  if (bit(x, 4)) return decodeShiftImm(x);
  if (!bit(x, 24) && bits(x, 21, 20) === 3 && !bit(x, 4)) return decodeExt(x);
  if (bit(x, 24) && bits(x, 21, 20) === 3 && bits(x, 11, 7) === 0b11000 && !bit(x, 4))
    return decodeDupScalar(x);
  if (bit(x, 24) && bits(x, 21, 20) === 3 && !bit(x, 11) && !bit(x, 4)) return decode2Misc(x);
  if (bit(x, 24) && bits(x, 21, 20) === 3 && bits(x, 11, 10) === 2 && !bit(x, 4)) return decodeTbl(x);
  if (bits(x, 21, 20) !== 3 && !bit(x, 4)) return bit(x, 6) ? decodeByScalar(x) : decode3Diff(x);
  return "undef";
}

/**
 * The Advanced SIMD forms of the VFP transfer space (low 28 bits of the A32 word, or of
 * the T32 hw1:hw2 word): VMOV Dd[x], Rt / VMOV Rt, Dn[x] for 8- and 16-bit lanes and VDUP
 * from a core register. null for the VFP forms.
 */
export function decodeNeonXfer(x: number, isa: "A32" | "T32"): DecodeResult {
  x &= 0x0fffffff;
  if (bits(x, 27, 24) !== 0b1110 || bits(x, 11, 8) !== 0b1011 || !bit(x, 4) || bits(x, 3, 0)) return null;
  const l = bit(x, 20);
  const rt = bits(x, 15, 12);
  const dn = vn(x);
  const bad = rt === 15 || (rt === 13 && isa !== "A32");
  if (!l && bit(x, 23)) {
    // VDUP Rt: B:E = bit 22 : bit 5
    if (bit(x, 6)) return "undef";
    const be = (bit(x, 22) << 1) | bit(x, 5);
    if (be === 3) return "undef";
    const q = bit(x, 21);
    if (q && dn & 1) return "undef";
    if (bad) return "unpred";
    const size = be === 2 ? 0 : be === 1 ? 1 : 2;
    return { def: NEON_DUPR, f: { sel: size | (q << 2), d: dn, rt } };
  }
  const opc1 = bits(x, 22, 21);
  const opc2 = bits(x, 6, 5);
  let size: number;
  let index: number;
  if (opc1 & 2) {
    size = 0;
    index = ((opc1 & 1) << 2) | opc2;
  } else if (opc2 & 1) {
    size = 1;
    index = ((opc1 & 1) << 1) | (opc2 >> 1);
  } else if (opc2 === 0) {
    if (l && bit(x, 23)) return "undef"; // U = 1 with 32-bit lanes
    return null; // 32-bit lanes: VFP
  } else return "undef";
  if (bad) return "unpred";
  if (l)
    return { def: NEON_MOVS, p: { toCore: 1 }, f: { sel: size | (bit(x, 23) << 2) | (index << 3), dn, rt } };
  return { def: NEON_MOVS, p: { toCore: 0 }, f: { sel: size | (index << 2), dn, rt } };
}

/** Element and structure loads/stores in their A32 form (1111 0100 A D L 0 ...). */
export function decodeNeonLdSt(x: number): DecodeResult {
  x >>>= 0;
  const l = bit(x, 21);
  const rn = bits(x, 19, 16);
  const rm = bits(x, 3, 0);
  const d = vd(x);
  const t = bits(x, 11, 8);
  const f = (sel: number) => ({ def: NEON_LDST1, f: { sel, d, rn, rm } });
  if (!bit(x, 23)) {
    const size = bits(x, 7, 6);
    const align = bits(x, 5, 4);
    let regs: number;
    if (t === 0b0111) {
      if (align & 2) return "undef";
      regs = 1;
    } else if (t === 0b1010) {
      if (align === 3) return "undef";
      regs = 2;
    } else if (t === 0b0110) {
      if (align & 2) return "undef";
      regs = 3;
    } else if (t === 0b0010) regs = 4;
    else {
      // VLD2/VLD3/VLD4 / VST2-4 (multiple structures)
      let nelem: number;
      let inc = (t & 1) + 1;
      regs = 1;
      if (size === 3) return "undef";
      if (t === 0b1000 || t === 0b1001) {
        if (align === 3) return "undef";
        nelem = 2;
      } else if (t === 0b0011) {
        nelem = 2;
        regs = 2;
        inc = 2;
      } else if (t === 0b0100 || t === 0b0101) {
        if (align & 2) return "undef";
        nelem = 3;
      } else if (t <= 0b0001) nelem = 4;
      else return "undef";
      if (rn === 15 || d + (nelem - 1) * inc + regs > 32) return "unpred";
      return f(ldst1Sel(l, 0, size, regs, 0, align ? align + 2 : 0, nelem, inc));
    }
    if (rn === 15 || d + regs > 32) return "unpred";
    return f(ldst1Sel(l, 0, size, regs, 0, align ? align + 2 : 0));
  }
  if (bits(x, 9, 8)) return decodeNeonLdStLanes(x);
  const size = bits(x, 11, 10);
  if (size === 3) {
    // VLD1 (single element to all lanes)
    if (!l) return "undef";
    const esz = bits(x, 7, 6);
    const a = bit(x, 4);
    if (esz === 3 || (esz === 0 && a)) return "undef";
    const regs = bit(x, 5) + 1;
    if (rn === 15 || d + regs > 32) return "unpred";
    return f(ldst1Sel(1, 2, esz, regs, 0, a ? esz : 0));
  }
  const ia = bits(x, 7, 4);
  let index: number;
  let alignLog2 = 0;
  if (size === 0) {
    if (ia & 1) return "undef";
    index = ia >> 1;
  } else if (size === 1) {
    if (ia & 2) return "undef";
    index = ia >> 2;
    alignLog2 = ia & 1;
  } else {
    if (ia & 4) return "undef";
    const a = ia & 3;
    if (a === 1 || a === 2) return "undef";
    index = ia >> 3;
    alignLog2 = a ? 2 : 0;
  }
  if (rn === 15) return "unpred";
  return f(ldst1Sel(l, 1, size, 1, index, alignLog2));
}

/**
 * VLDn/VSTn (n = 2, 3, 4) single n-element structure to one lane, and VLDn single
 * structure to all lanes (A32 form, A = 1, bits 9:8 = n - 1; ARM DDI 0406C A8.8.323-A8.8.334,
 * A8.8.405-A8.8.410). Bits 11:10 = 11: to all lanes (loads only; bits 7:6 size, 5 T =
 * register spacing - 1, 4 a); else bits 11:10 are the size and 7:4 index_align: the lane
 * index, the register spacing (16/32-bit lanes) and the alignment qualifier.
 */
function decodeNeonLdStLanes(x: number): DecodeResult {
  const l = bit(x, 21);
  const rn = bits(x, 19, 16);
  const rm = bits(x, 3, 0);
  const d = vd(x);
  const n = bits(x, 9, 8) + 1;
  const size = bits(x, 11, 10);
  let alignLog2 = 0;
  if (size === 3) {
    if (!l) return "undef"; // no VSTn to all lanes
    let esz = bits(x, 7, 6);
    const a = bit(x, 4);
    const inc = bit(x, 5) + 1;
    if (n === 2) {
      if (esz === 3) return "undef";
      if (a) alignLog2 = esz + 1; // 2 * ebytes
    } else if (n === 3) {
      if (esz === 3 || a) return "undef";
    } else if (esz === 3) {
      if (!a) return "undef";
      esz = 2; // 32-bit elements, 16-byte alignment
      alignLog2 = 4;
    } else if (a) alignLog2 = esz === 2 ? 3 : esz + 2; // 8 bytes for .32, else 4 * ebytes
    if (rn === 15 || d + (n - 1) * inc > 31) return "unpred";
    return { def: NEON_LDST1, f: { sel: ldst1Sel(1, 2, esz, 1, 0, alignLog2, n, inc), d, rn, rm } };
  }
  const ia = bits(x, 7, 4);
  const index = ia >> (size + 1);
  const inc = size === 0 ? 1 : ((ia >> size) & 1) + 1; // index_align<1> (.16) / <2> (.32)
  if (n === 2) {
    if (size === 2 && ia & 2) return "undef";
    if (ia & 1) alignLog2 = size + 1; // 2 * ebytes
  } else if (n === 3) {
    if (size === 2 ? ia & 3 : ia & 1) return "undef"; // no alignment qualifier
  } else if (size === 2) {
    if ((ia & 3) === 3) return "undef";
    if (ia & 3) alignLog2 = 2 + (ia & 3); // 8 or 16 bytes
  } else if (ia & 1) alignLog2 = size + 2; // 4 * ebytes
  if (rn === 15 || d + (n - 1) * inc > 31) return "unpred";
  return { def: NEON_LDST1, f: { sel: ldst1Sel(l, 1, size, 1, index, alignLog2, n, inc), d, rn, rm } };
}

/** A32 form of a T32 Advanced SIMD data-processing word (111U 1111 ... -> 1111 001U ...). */
export const t32ToA32Dp = (raw: number) => ((raw & 0x00ffffff) | 0xf2000000 | (bit(raw, 28) << 24)) >>> 0;

enc("A32", "1111 001x xxxx xxxx xxxx xxxx xxxx xxxx", (_x, raw) => decodeNeonDp(raw));
enc("T32", "111x 1111 xxxx xxxx xxxx xxxx xxxx xxxx", (_x, raw) => decodeNeonDp(t32ToA32Dp(raw)));
enc("A32", "1111 0100 xxx0 xxxx xxxx xxxx xxxx xxxx", (_x, raw) => decodeNeonLdSt(raw));
enc("T32", "1111 1001 xxx0 xxxx xxxx xxxx xxxx xxxx", (_x, raw) =>
  decodeNeonLdSt(((raw & 0x00ffffff) | 0xf4000000) >>> 0),
);
enc("A32", "cccc 1110 xxxx xxxx xxxx 1011 xxx1 xxxx", (_x, raw) => decodeNeonXfer(raw, "A32"));
enc("T32", "1110 1110 xxxx xxxx xxxx 1011 xxx1 xxxx", (_x, raw) => decodeNeonXfer(raw, "T32"));

/** Advanced SIMD floating point (decoders and runtime: ./neon_fp.ts, helpers/neon_fp.ts). */
export const NEON_FP = defineInsn("neon_fp", {}, ["sel", "d", "n", "m"], (b, _p, f) => {
  b.callMayExit("neonFp", f.sel!, f.d!, f.n!, f.m!);
});
