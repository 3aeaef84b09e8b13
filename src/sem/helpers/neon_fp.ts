// Runtime helper for the Advanced SIMD floating-point forms (src/sem/neon_fp.ts). Lanes are
// single precision (32-bit words of the D registers in the state block; a Q register's
// four lanes are the four consecutive words from D[d]). The arithmetic is the exact
// soft-float of src/fp/softfloat.ts under the "standard FPSCR value" (ARM DDI 0406C,
// A2.7.4: flush-to-zero, default NaN, round to nearest, whatever FPSCR.FZ/DN/RMode say);
// the cumulative exception flags raised go to FPSCR as for VFP, and FPSCR.AHP selects the
// half-precision format of VCVT.F16.F32 / VCVT.F32.F16.

import type { Cpu } from "../../cpu/cpu.js";
import { S } from "../../cpu/state.js";
import {
  add,
  compare,
  convert,
  div,
  F16,
  F16AHP,
  F32,
  FLAG,
  type FpStatus,
  fromInt,
  mul,
  muladd,
  RMODE,
  sub,
  toInt,
} from "../../fp/softfloat.js";
import { FOP } from "../neon_fp_ops.js";
import { vfpDenied } from "./vfp.js";

const VW = S.VFP >> 2;
const FPSCR_W = S.FPSCR >> 2;
const FPSCR_AHP = 1 << 26;

const SIGN = 0x80000000;
const DEFAULT_NAN = 0x7fc00000;
const TWO = 0x40000000n;
const THREE = 0x40400000n;
const ONE_POINT_FIVE = 0x3fc00000;

/** The standard FPSCR value's status: round to nearest, flush-to-zero, default NaN. */
function standard(): FpStatus {
  return { rmode: RMODE.RN, fz: true, dn: true, flags: 0 };
}

const isNaN32 = (x: number) => (x & 0x7fffffff) > 0x7f800000;
const isSNaN32 = (x: number) => isNaN32(x) && (x & 0x00400000) === 0;
const isInf32 = (x: number) => (x & 0x7fffffff) === 0x7f800000;
const isZero32 = (x: number) => (x & 0x7fffffff) === 0;

/** x with a denormal flushed to a zero of the same sign (raising IDC), as inputs are. */
function flush(x: number, st: FpStatus): number {
  if ((x & 0x7f800000) === 0 && (x & 0x007fffff) !== 0) {
    st.flags |= FLAG.IDC;
    return (x & SIGN) >>> 0;
  }
  return x >>> 0;
}

const b = (x: number) => BigInt(x >>> 0);
const n32 = (x: bigint) => Number(x) >>> 0;

/** FPMax / FPMin (the Advanced SIMD VMAX/VMIN: a NaN operand gives the default NaN). */
function maxMin(x: number, y: number, st: FpStatus, max: boolean): number {
  x = flush(x, st);
  y = flush(y, st);
  if (isNaN32(x) || isNaN32(y)) {
    if (isSNaN32(x) || isSNaN32(y)) st.flags |= FLAG.IOC;
    return DEFAULT_NAN;
  }
  if (isZero32(x) && isZero32(y)) {
    // +0 is the larger of the two zeros
    const neg = max ? x & y & SIGN : (x | y) & SIGN;
    return neg ? SIGN : 0;
  }
  const c = compare(F32, b(x), b(y), st, false); // 0x8: x < y
  const xLess = c === 0x8;
  return max ? (xLess ? y : x) : xLess ? x : y;
}

/** FPRecipStep: 2 - x * y (product rounded first); infinity times zero gives 2. */
function recipStep(x: number, y: number, st: FpStatus): number {
  x = flush(x, st);
  y = flush(y, st);
  if ((isInf32(x) && isZero32(y)) || (isZero32(x) && isInf32(y))) return n32(TWO);
  return n32(sub(F32, TWO, mul(F32, b(x), b(y), st), st));
}

/** FPRSqrtStep: (3 - x * y) / 2 (each step rounded); infinity times zero gives 1.5. */
function rsqrtStep(x: number, y: number, st: FpStatus): number {
  x = flush(x, st);
  y = flush(y, st);
  if ((isInf32(x) && isZero32(y)) || (isZero32(x) && isInf32(y))) return ONE_POINT_FIVE;
  return n32(div(F32, sub(F32, THREE, mul(F32, b(x), b(y), st), st), TWO, st));
}

/**
 * The reciprocal estimate of q / 512 for a 9-bit q in [256, 511] (ARM ARM
 * recip_estimate: 1 / ((q + 0.5) / 512) rounded to 8 fraction bits), as r / 256 with r
 * in [256, 511]. round(2^18 / (q + 0.5)) = floor((2^19 / (2q + 1) + 1) / 2).
 */
function recipEstimate(q: number): number {
  return (Math.floor(2 ** 19 / (2 * q + 1)) + 1) >> 1;
}

/**
 * The reciprocal square root estimate (ARM ARM recip_sqrt_estimate) of a in [0.25, 1),
 * given by t = 2 * q0 + 1 for a < 0.5 (q0 = floor(a * 512)), t = 4 * q1 + 2 for a >= 0.5
 * (q1 = floor(a * 256)): round(256 / sqrt(t / 1024)) = round(8192 / sqrt(t)), returned
 * as r in [256, 511] (the estimate is r / 256). It is the largest r with
 * (2r - 1)^2 * t <= 2^28 (never an equality: t is not a power of two).
 */
function rsqrtEstimate(t: number): number {
  let r = Math.floor(8192 / Math.sqrt(t) + 0.5) + 1;
  while ((2 * r - 1) ** 2 * t > 2 ** 28) r--;
  return r;
}

/** UnsignedRecipEstimate (VRECPE.U32). */
function recipeU32(x: number): number {
  x >>>= 0;
  if (x < 0x80000000) return 0xffffffff;
  return (recipEstimate(x >>> 23) << 23) >>> 0;
}

/** UnsignedRSqrtEstimate (VRSQRTE.U32). */
function rsqrteU32(x: number): number {
  x >>>= 0;
  if (x < 0x40000000) return 0xffffffff;
  const t = x >= 0x80000000 ? 4 * (x >>> 24) + 2 : 2 * (x >>> 23) + 1;
  return (rsqrtEstimate(t) << 23) >>> 0;
}

/** FPRecipEstimate (VRECPE.F32) under the standard FPSCR value. */
function recipeF32(x: number, st: FpStatus): number {
  x = flush(x, st);
  const sign = (x & SIGN) >>> 0;
  const exp = (x >>> 23) & 0xff;
  if (isNaN32(x)) {
    if (isSNaN32(x)) st.flags |= FLAG.IOC;
    return DEFAULT_NAN;
  }
  if (isInf32(x)) return sign;
  if (isZero32(x)) {
    st.flags |= FLAG.DZC;
    return (sign | 0x7f800000) >>> 0;
  }
  if (exp >= 253) {
    // |x| >= 2^126: the reciprocal is tiny, flushed to zero
    st.flags |= FLAG.UFC;
    return sign;
  }
  const r = recipEstimate(256 | ((x >>> 15) & 0xff));
  return (sign | ((253 - exp) << 23) | ((r & 0xff) << 15)) >>> 0;
}

/** FPRSqrtEstimate (VRSQRTE.F32) under the standard FPSCR value. */
function rsqrteF32(x: number, st: FpStatus): number {
  x = flush(x, st);
  const exp = (x >>> 23) & 0xff;
  if (isNaN32(x)) {
    if (isSNaN32(x)) st.flags |= FLAG.IOC;
    return DEFAULT_NAN;
  }
  if (isZero32(x)) {
    st.flags |= FLAG.DZC;
    return ((x & SIGN) | 0x7f800000) >>> 0;
  }
  if (x & SIGN) {
    st.flags |= FLAG.IOC;
    return DEFAULT_NAN;
  }
  if (isInf32(x)) return 0;
  // an even exponent: the significand scaled into [0.5, 1); odd: into [0.25, 0.5)
  const t = exp & 1 ? 2 * (128 | ((x >>> 16) & 0x7f)) + 1 : 4 * (128 | ((x >>> 16) & 0x7f)) + 2;
  const r = rsqrtEstimate(t);
  return ((((380 - exp) >> 1) << 23) | ((r & 0xff) << 15)) >>> 0;
}

/** One lane of a two-operand (three-same or by-scalar) operation; o: the destination lane. */
function lane3(op: number, x: number, y: number, o: number, st: FpStatus): number {
  switch (op) {
    case FOP.VADD:
    case FOP.VPADD:
      return n32(add(F32, b(x), b(y), st));
    case FOP.VSUB:
      return n32(sub(F32, b(x), b(y), st));
    case FOP.VABD:
      return n32(sub(F32, b(x), b(y), st)) & 0x7fffffff;
    case FOP.VMLA:
    case FOP.VMLA_SC:
      return n32(add(F32, b(o), mul(F32, b(x), b(y), st), st));
    case FOP.VMLS:
    case FOP.VMLS_SC:
      return n32(sub(F32, b(o), mul(F32, b(x), b(y), st), st));
    case FOP.VMUL:
    case FOP.VMUL_SC:
      return n32(mul(F32, b(x), b(y), st));
    case FOP.VFMA:
      return n32(muladd(F32, b(x), b(y), b(o), st));
    case FOP.VFMS:
      return n32(muladd(F32, b(x ^ SIGN), b(y), b(o), st));
    case FOP.VCEQ:
      return compare(F32, b(x), b(y), st, false) === 0x6 ? 0xffffffff : 0;
    case FOP.VCGE: {
      const c = compare(F32, b(x), b(y), st, true);
      return c === 0x6 || c === 0x2 ? 0xffffffff : 0;
    }
    case FOP.VCGT:
      return compare(F32, b(x), b(y), st, true) === 0x2 ? 0xffffffff : 0;
    case FOP.VACGE: {
      const c = compare(F32, b(x & 0x7fffffff), b(y & 0x7fffffff), st, true);
      return c === 0x6 || c === 0x2 ? 0xffffffff : 0;
    }
    case FOP.VACGT:
      return compare(F32, b(x & 0x7fffffff), b(y & 0x7fffffff), st, true) === 0x2 ? 0xffffffff : 0;
    case FOP.VMAX:
    case FOP.VPMAX:
      return maxMin(x, y, st, true);
    case FOP.VMIN:
    case FOP.VPMIN:
      return maxMin(x, y, st, false);
    case FOP.VRECPS:
      return recipStep(x, y, st);
    case FOP.VRSQRTS:
      return rsqrtStep(x, y, st);
    default:
      throw new Error(`neon fp op ${op}`);
  }
}

/** One lane of a two-registers-miscellaneous operation (single precision or 32-bit integer). */
function lane2(op: number, x: number, st: FpStatus): number {
  switch (op) {
    case FOP.VCGT0:
      return compare(F32, b(x), 0n, st, true) === 0x2 ? 0xffffffff : 0;
    case FOP.VCGE0: {
      const c = compare(F32, b(x), 0n, st, true);
      return c === 0x2 || c === 0x6 ? 0xffffffff : 0;
    }
    case FOP.VCEQ0:
      return compare(F32, b(x), 0n, st, false) === 0x6 ? 0xffffffff : 0;
    case FOP.VCLE0: {
      const c = compare(F32, b(x), 0n, st, true);
      return c === 0x8 || c === 0x6 ? 0xffffffff : 0;
    }
    case FOP.VCLT0:
      return compare(F32, b(x), 0n, st, true) === 0x8 ? 0xffffffff : 0;
    case FOP.VABS:
      return (x & 0x7fffffff) >>> 0;
    case FOP.VNEG:
      return (x ^ SIGN) >>> 0;
    case FOP.VRECPE_U32:
      return recipeU32(x);
    case FOP.VRECPE_F32:
      return recipeF32(x, st);
    case FOP.VRSQRTE_U32:
      return rsqrteU32(x);
    case FOP.VRSQRTE_F32:
      return rsqrteF32(x, st);
    case FOP.VCVT_F_S32:
      return n32(fromInt(F32, BigInt(x | 0), st, RMODE.RN));
    case FOP.VCVT_F_U32:
      return n32(fromInt(F32, b(x), st, RMODE.RN));
    case FOP.VCVT_S32_F:
      return toInt(F32, b(x), st, true, 32, RMODE.RZ) >>> 0;
    case FOP.VCVT_U32_F:
      return toInt(F32, b(x), st, false, 32, RMODE.RZ) >>> 0;
    default:
      throw new Error(`neon fp op ${op}`);
  }
}

/** Lane i (32 bits) of the registers from D[r]. */
const word = (cpu: Cpu, r: number, i: number) => cpu.W[VW + 2 * r + i]! >>> 0;

/**
 * The floating-point forms: sel = op | Q << 6 | aux << 7 (FOP, fpSel in ../neon_fp_ops.ts);
 * aux is the scalar's index for the by-scalar forms and the number of fraction bits for
 * the fixed-point conversions. n is unused by the one-source forms.
 */
function neonFpOp(cpu: Cpu, sel: number, d: number, n: number, m: number): void {
  const op = sel & 63;
  const lanes = sel & 64 ? 4 : 2;
  const aux = sel >>> 7;
  const st = standard();
  const W = cpu.W;
  const out: number[] = [];
  if (op <= FOP.VMUL_SC) {
    if (op === FOP.VPADD || op === FOP.VPMAX || op === FOP.VPMIN) {
      // pairwise (D registers only): the adjacent pairs of Dn, then of Dm
      out.push(lane3(op, word(cpu, n, 0), word(cpu, n, 1), 0, st));
      out.push(lane3(op, word(cpu, m, 0), word(cpu, m, 1), 0, st));
    } else {
      const scalar = op >= FOP.VMLA_SC ? word(cpu, m, aux) : 0;
      for (let i = 0; i < lanes; i++) {
        const y = op >= FOP.VMLA_SC ? scalar : word(cpu, m, i);
        out.push(lane3(op, word(cpu, n, i), y, word(cpu, d, i), st));
      }
    }
  } else if (op === FOP.VCVT_F16_F32) {
    const ahp = (W[FPSCR_W]! & FPSCR_AHP) !== 0;
    const h: number[] = [];
    // the half-precision side is not flushed (QEMU; the ARM ARM's FPConvert does not flush)
    for (let i = 0; i < 4; i++)
      h.push(Number(convert(ahp ? F16AHP : F16, F32, b(word(cpu, m, i)), st, true, false)));
    out.push((h[0]! | (h[1]! << 16)) >>> 0, (h[2]! | (h[3]! << 16)) >>> 0);
  } else if (op === FOP.VCVT_F32_F16) {
    const ahp = (W[FPSCR_W]! & FPSCR_AHP) !== 0;
    const lo = word(cpu, m, 0);
    const hi = word(cpu, m, 1);
    for (const h of [lo & 0xffff, lo >>> 16, hi & 0xffff, hi >>> 16])
      out.push(n32(convert(F32, ahp ? F16AHP : F16, BigInt(h), st, false, true)));
  } else if (op >= FOP.VCVT_F_SFIX) {
    for (let i = 0; i < lanes; i++) {
      const x = word(cpu, m, i);
      switch (op) {
        case FOP.VCVT_F_SFIX:
          out.push(n32(fromInt(F32, BigInt(x | 0), st, RMODE.RN, aux)));
          break;
        case FOP.VCVT_F_UFIX:
          out.push(n32(fromInt(F32, b(x), st, RMODE.RN, aux)));
          break;
        default:
          out.push(toInt(F32, b(x), st, op === FOP.VCVT_SFIX_F, 32, RMODE.RZ, aux) >>> 0);
      }
    }
  } else {
    for (let i = 0; i < lanes; i++) out.push(lane2(op, word(cpu, m, i), st));
  }
  for (let i = 0; i < out.length; i++) W[VW + 2 * d + i] = out[i]! | 0;
  if (st.flags) W[FPSCR_W] = W[FPSCR_W]! | st.flags;
}

export const neonFpHelpers = {
  /** Advanced SIMD floating point (see neonFpOp). */
  neonFp(cpu: Cpu, sel: number, d: number, n: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    neonFpOp(cpu, sel, d, n, m);
    return 0;
  },
};
