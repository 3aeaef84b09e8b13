// Runtime helpers for VFP (see src/sem/vfp.ts): access control, data processing on the
// register file in the state block, VMRS/VMSR, VLDM/VSTM. Register values travel as raw
// words (W) or bit patterns, never as JS numbers, so NaN payloads are preserved; the
// exception is the fast paths, which read operands through float views but only use
// (and write) normal values and zeros.

import { HCR } from "../../../runtime/sysregs.js";
import { type Cpu, EC, HSR_IL, HVEC, ISS_CV_AL, MF_ALIGNED } from "../../cpu/cpu.js";
import { Mode, PSR, S } from "../../cpu/state.js";
import * as fast from "../../fp/fast.js";
import {
  add,
  compare,
  convert,
  div,
  F16,
  F16AHP,
  F32,
  F64,
  type FpStatus,
  fromInt,
  mul,
  muladd,
  RMODE,
  sqrt,
  sub,
  toInt,
} from "../../fp/softfloat.js";
import { FPSCR_LEN_STRIDE, FPSCR_RMODE, N_VOP, Vop, vopChecksVec } from "../vfp_ops.js";
import { coreHelpers, curInsnAddr } from "./core.js";

/** Word index of S0 (= low word of D0) in cpu.W. */
const VW = S.VFP >> 2;
const FPSCR_W = S.FPSCR >> 2;
const FPEXC_W = S.FPEXC >> 2;
const CPSR_W = S.CPSR >> 2;

/** FPSCR bits that hold state (QEMU: NZCV QC AHP DN FZ RMode STRIDE LEN and the cumulative flags). */
export const FPSCR_MASK = 0xfff7009f | 0;
export const FPEXC_EN = 1 << 30;

/**
 * Cortex-A15 VFP ID registers, as QEMU's cortex-a15 reports them: VFPv4 with 32 double
 * registers (MVFR0) and Advanced SIMD with half-precision conversion, single-precision
 * floating point, integer and load/store, fused multiply-add (MVFR1; issue 7). Linux sets
 * HWCAP_NEON from MVFR1 and then uses NEON in the kernel and user space.
 */
export const FPSID = 0x410430f0;
export const MVFR0 = 0x10110222;
export const MVFR1 = 0x11111111;

const SIGN64 = 1n << 63n;
const SIGN32 = 1n << 31n;

function getS(cpu: Cpu, i: number): bigint {
  return BigInt(cpu.W[VW + i]! >>> 0);
}
function setS(cpu: Cpu, i: number, v: bigint): void {
  cpu.W[VW + i] = Number(v & 0xffffffffn) | 0;
}
/** D register i as a 64-bit value (also the Advanced SIMD helpers' view). */
export function getD(cpu: Cpu, i: number): bigint {
  const W = cpu.W;
  return (BigInt(W[VW + 2 * i + 1]! >>> 0) << 32n) | BigInt(W[VW + 2 * i]! >>> 0);
}
export function setD(cpu: Cpu, i: number, v: bigint): void {
  const W = cpu.W;
  W[VW + 2 * i] = Number(v & 0xffffffffn) | 0;
  W[VW + 2 * i + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
}
const get = (cpu: Cpu, dp: number, i: number) => (dp ? getD(cpu, i) : getS(cpu, i));
const set = (cpu: Cpu, dp: number, i: number, v: bigint) => (dp ? setD(cpu, i, v) : setS(cpu, i, v));
const neg = (dp: number, v: bigint) => v ^ (dp ? SIGN64 : SIGN32);

/** The FP status for one instruction, from FPSCR. */
export function fpStatus(cpu: Cpu): FpStatus {
  const f = cpu.W[FPSCR_W]!;
  return { rmode: (f >>> 22) & 3, fz: (f & (1 << 24)) !== 0, dn: (f & (1 << 25)) !== 0, flags: 0 };
}
function commit(cpu: Cpu, st: FpStatus): void {
  if (st.flags) cpu.W[FPSCR_W] = cpu.W[FPSCR_W]! | st.flags;
}

/**
 * Is the FP unit accessible? CPACR.cp10 (QEMU ignores cp11): 0b11 full, 0b01 PL1 only, else
 * UNDEFINED (not checked in Hyp mode); (issue 4) HCPTR.TCP10/TCP11 trap PL0/PL1 accesses
 * to Hyp mode (EC 0x07) and make Hyp-mode accesses UNDEFINED; FPEXC.EN must be set unless
 * `ignoreEn` (VMRS/VMSR of FPSID, FPEXC, MVFR0/1). Returns 0 when accessible, else takes
 * the exception and returns 1.
 */
export function vfpDenied(cpu: Cpu, ignoreEn: boolean): number {
  const mode = cpu.mode;
  if (mode !== Mode.HYP) {
    const cp10 = (cpu.sys.cpacr >>> 20) & 3;
    if (!(cp10 === 3 || (cp10 === 1 && mode !== Mode.USR))) return undef(cpu);
  }
  if (cpu.el2 && cpu.sys.hcptr & 0xc00) {
    const a = curInsnAddr(cpu);
    const len32 = cpu.insnIs32(a);
    // from Hyp mode: an Undefined Instruction exception taken to Hyp mode, still reported
    // with EC 0x07 (as QEMU does; the ARMv8 AArch32 HCPTR description says so)
    if (mode === Mode.HYP)
      cpu.enterHyp(HVEC.UNDEF, a, ((EC.HCPTR << 26) | (len32 ? HSR_IL : 0) | ISS_CV_AL | 0xa) >>> 0);
    else cpu.hypTrap(EC.HCPTR, ISS_CV_AL | 0xa, a, len32);
    return 1;
  }
  if (ignoreEn || (cpu.W[FPEXC_W]! & FPEXC_EN) !== 0) return 0;
  return undef(cpu);
}

/**
 * The common case of vfpDenied's checks, cheaply: not Hyp mode, CPACR.cp10 full access,
 * no HCPTR.TCP10/TCP11 trap, FPEXC.EN set. False when vfpDenied must decide.
 */
function vfpOpen(cpu: Cpu, W: Int32Array): boolean {
  const sys = cpu.sys;
  return (
    (W[FPEXC_W]! & FPEXC_EN) !== 0 &&
    ((sys.cpacr >>> 20) & 3) === 3 &&
    (sys.hcptr & 0xc00) === 0 &&
    (W[CPSR_W]! & 0x1f) !== Mode.HYP
  );
}

function undef(cpu: Cpu): number {
  return coreHelpers.undefinedInsn(cpu, 0, 0);
}

/** Extend an integer result of a float->fixed conversion to the register's width. */
function fixedResult(v: number, dp: number): bigint {
  const b = BigInt(v);
  return dp ? BigInt.asUintN(64, b) : BigInt.asUintN(32, b);
}

// Float views of the register file for the fast paths, over the buffer of the last Cpu's
// W (cpu.W never changes, so comparing it is enough).
let vW: Int32Array | null = null;
let F64V: Float64Array<ArrayBufferLike> = new Float64Array(0);
let F32V: Float32Array<ArrayBufferLike> = new Float32Array(0);
function setViews(W: Int32Array): void {
  vW = W;
  F64V = new Float64Array(W.buffer, S.VFP, 32);
  F32V = new Float32Array(W.buffer, S.VFP, 64);
}

const { MIN64, MIN32, MAX32 } = fast;
/** Normal (not zero, denormal, infinite or NaN), from the value read through a float view. */
const normD = (a: number) => Math.abs(a) >= MIN64 && Math.abs(a) < Number.POSITIVE_INFINITY;
const normS = (a: number) => Math.abs(a) >= MIN32 && Math.abs(a) <= MAX32;
/** Normal or zero (a zero is exact for sums, conversions and compares). */
const nzD = (a: number) => a === 0 || normD(a);
const nzS = (a: number) => a === 0 || normS(a);

const { SLOW, IXC, out: FO } = fast;

/**
 * The fast paths (see src/fp/fast.ts), one function per operation and precision, in a
 * table indexed by opd = op * 2 + dp (small functions, so that V8 inlines the fast.ts
 * arithmetic into each: a double passed to or returned from a call it does not inline is
 * boxed). Round to nearest (`rn`; the moves, compares and conversions towards zero need
 * not), normal operands and results. Each returns the cumulative flags raised (0 or IXC),
 * or SLOW (having changed nothing) when the exact path is needed.
 */
type FastOp = (W: Int32Array, op: number, d: number, n: number, m: number, rn: boolean) => number;

const slow: FastOp = () => SLOW;

/** VMLA, VMLS, VNMLS, VNMLA: Vd = (-)Vd + (-)(Vn * Vm), two roundings. */
const mlaD: FastOp = (_W, op, d, n, m, rn) => {
  const V = F64V;
  const a = V[n]!;
  const b = V[m]!;
  const c = V[d]!;
  if (!rn || !normD(a) || !normD(b) || !nzD(c)) return SLOW;
  const x = fast.mul64(a, b);
  if (x < 0) return SLOW;
  const p = FO[0]!;
  const f = fast.add64(
    op === Vop.VNMLS || op === Vop.VNMLA ? -c : c,
    op === Vop.VMLS || op === Vop.VNMLA ? -p : p,
  );
  if (f < 0) return SLOW;
  V[d] = FO[0]!;
  return f | x;
};
const mlaS: FastOp = (_W, op, d, n, m, rn) => {
  const V = F32V;
  const a = V[n]!;
  const b = V[m]!;
  const c = V[d]!;
  if (!rn || !normS(a) || !normS(b) || !nzS(c)) return SLOW;
  const x = fast.mul32(a, b);
  if (x < 0) return SLOW;
  const p = FO[0]!;
  const f = fast.add32(
    op === Vop.VNMLS || op === Vop.VNMLA ? -c : c,
    op === Vop.VMLS || op === Vop.VNMLA ? -p : p,
  );
  if (f < 0) return SLOW;
  V[d] = FO[0]!;
  return f | x;
};
/** VFMA, VFMS, VFNMA, VFNMS (single precision only). */
const fmaS: FastOp = (_W, op, d, n, m, rn) => {
  const V = F32V;
  const a = V[n]!;
  const b = V[m]!;
  const c = V[d]!;
  if (!rn || !normS(a) || !normS(b) || !nzS(c)) return SLOW;
  const f = fast.fma32(
    op === Vop.VFMS || op === Vop.VFNMS ? -a : a,
    b,
    op === Vop.VFNMA || op === Vop.VFNMS ? -c : c,
  );
  if (f < 0) return SLOW;
  V[d] = FO[0]!;
  return f;
};
/** VMUL, VNMUL. */
const mulD: FastOp = (_W, op, d, n, m, rn) => {
  const V = F64V;
  const a = V[n]!;
  const b = V[m]!;
  if (!rn || !normD(a) || !normD(b)) return SLOW;
  const f = fast.mul64(a, b);
  if (f < 0) return SLOW;
  V[d] = op === Vop.VNMUL ? -FO[0]! : FO[0]!;
  return f;
};
const mulS: FastOp = (_W, op, d, n, m, rn) => {
  const V = F32V;
  const a = V[n]!;
  const b = V[m]!;
  if (!rn || !normS(a) || !normS(b)) return SLOW;
  const f = fast.mul32(a, b);
  if (f < 0) return SLOW;
  V[d] = op === Vop.VNMUL ? -FO[0]! : FO[0]!;
  return f;
};
/** VADD, VSUB: a zero operand is fine, the sum is the other one (an exact zero sum falls back). */
const addD: FastOp = (_W, op, d, n, m, rn) => {
  const V = F64V;
  const a = V[n]!;
  const b = V[m]!;
  if (!rn || !nzD(a) || !nzD(b)) return SLOW;
  const f = fast.add64(a, op === Vop.VSUB ? -b : b);
  if (f < 0) return SLOW;
  V[d] = FO[0]!;
  return f;
};
const addS: FastOp = (_W, op, d, n, m, rn) => {
  const V = F32V;
  const a = V[n]!;
  const b = V[m]!;
  if (!rn || !nzS(a) || !nzS(b)) return SLOW;
  const f = fast.add32(a, op === Vop.VSUB ? -b : b);
  if (f < 0) return SLOW;
  V[d] = FO[0]!;
  return f;
};
const divD: FastOp = (_W, _op, d, n, m, rn) => {
  const V = F64V;
  const a = V[n]!;
  const b = V[m]!;
  if (!rn || !normD(a) || !normD(b)) return SLOW;
  const f = fast.div64(a, b);
  if (f < 0) return SLOW;
  V[d] = FO[0]!;
  return f;
};
const divS: FastOp = (_W, _op, d, n, m, rn) => {
  const V = F32V;
  const a = V[n]!;
  const b = V[m]!;
  if (!rn || !normS(a) || !normS(b)) return SLOW;
  const f = fast.div32(a, b);
  if (f < 0) return SLOW;
  V[d] = FO[0]!;
  return f;
};
const sqrtD: FastOp = (_W, _op, d, _n, m, rn) => {
  const a = F64V[m]!;
  if (!rn || !normD(a)) return SLOW;
  const f = fast.sqrt64(a);
  if (f < 0) return SLOW;
  F64V[d] = FO[0]!;
  return f;
};
const sqrtS: FastOp = (_W, _op, d, _n, m, rn) => {
  const a = F32V[m]!;
  if (!rn || !normS(a)) return SLOW;
  const f = fast.sqrt32(a);
  if (f < 0) return SLOW;
  F32V[d] = FO[0]!;
  return f;
};
// The moves are on the raw words (NaN payloads preserved, no flags, no flushing).
const movImmD: FastOp = (W, _op, d, n) => {
  W[VW + 2 * d] = 0;
  W[VW + 2 * d + 1] = n;
  return 0;
};
const movImmS: FastOp = (W, _op, d, n) => {
  W[VW + d] = n;
  return 0;
};
const movD: FastOp = (W, _op, d, _n, m) => {
  W[VW + 2 * d] = W[VW + 2 * m]!;
  W[VW + 2 * d + 1] = W[VW + 2 * m + 1]!;
  return 0;
};
const movS: FastOp = (W, _op, d, _n, m) => {
  W[VW + d] = W[VW + m]!;
  return 0;
};
const absD: FastOp = (W, _op, d, _n, m) => {
  W[VW + 2 * d] = W[VW + 2 * m]!;
  W[VW + 2 * d + 1] = W[VW + 2 * m + 1]! & 0x7fffffff;
  return 0;
};
const absS: FastOp = (W, _op, d, _n, m) => {
  W[VW + d] = W[VW + m]! & 0x7fffffff;
  return 0;
};
const negD: FastOp = (W, _op, d, _n, m) => {
  W[VW + 2 * d] = W[VW + 2 * m]!;
  W[VW + 2 * d + 1] = W[VW + 2 * m + 1]! ^ 0x80000000;
  return 0;
};
const negS: FastOp = (W, _op, d, _n, m) => {
  W[VW + d] = W[VW + m]! ^ 0x80000000;
  return 0;
};
/** VCMP, VCMPE, VCMPZ, VCMPEZ on normal or zero operands (no flags: no NaN). */
function cmpFlags(W: Int32Array, a: number, b: number): number {
  const nzcv = a === b ? 0x6 : a < b ? 0x8 : 0x2;
  W[FPSCR_W] = (W[FPSCR_W]! & 0x0fffffff) | (nzcv << 28);
  return 0;
}
const cmpD: FastOp = (W, op, d, _n, m) => {
  const a = F64V[d]!;
  const b = op >= Vop.VCMPZ ? 0 : F64V[m]!;
  return nzD(a) && nzD(b) ? cmpFlags(W, a, b) : SLOW;
};
const cmpS: FastOp = (W, op, d, _n, m) => {
  const a = F32V[d]!;
  const b = op >= Vop.VCMPZ ? 0 : F32V[m]!;
  return nzS(a) && nzS(b) ? cmpFlags(W, a, b) : SLOW;
};
/** VCVT_FF: D -> S. */
const cvtFFD: FastOp = (_W, _op, d, _n, m, rn) => {
  const a = F64V[m]!;
  if (!rn || !normD(a)) return SLOW;
  const f = fast.cvt64to32(a);
  if (f < 0) return SLOW;
  F32V[d] = FO[0]!;
  return f;
};
/** VCVT_FF: S -> D, exact. */
const cvtFFS: FastOp = (_W, _op, d, _n, m) => {
  const a = F32V[m]!;
  if (!nzS(a)) return SLOW;
  F64V[d] = a;
  return 0;
};
/** VCVT{R}.{U32,S32}: to an integer in Sd, towards zero or (VCVTR) by FPSCR. */
const toIntD: FastOp = (W, op, d, _n, m, rn) => {
  const rz = op === Vop.VCVT_U32 || op === Vop.VCVT_S32;
  const a = F64V[m]!;
  if ((!rz && !rn) || !nzD(a)) return SLOW;
  const f = fast.toInt32(a, op === Vop.VCVTR_S32 || op === Vop.VCVT_S32, rz);
  if (f < 0) return SLOW;
  W[VW + d] = FO[0]! | 0;
  return f;
};
const toIntS: FastOp = (W, op, d, _n, m, rn) => {
  const rz = op === Vop.VCVT_U32 || op === Vop.VCVT_S32;
  const a = F32V[m]!;
  if ((!rz && !rn) || !nzS(a)) return SLOW;
  const f = fast.toInt32(a, op === Vop.VCVTR_S32 || op === Vop.VCVT_S32, rz);
  if (f < 0) return SLOW;
  W[VW + d] = FO[0]! | 0;
  return f;
};
/** VCVT.F64.{U32,S32}: exact. */
const fromIntD: FastOp = (W, op, d, _n, m) => {
  F64V[d] = op === Vop.VCVT_F_S32 ? W[VW + m]! : W[VW + m]! >>> 0;
  return 0;
};
const fromIntS: FastOp = (W, op, d, _n, m, rn) => {
  if (!rn) return SLOW;
  const v = op === Vop.VCVT_F_S32 ? W[VW + m]! : W[VW + m]! >>> 0;
  const r = Math.fround(v);
  F32V[d] = r;
  return r !== v ? IXC : 0;
};

/** FAST[op * 2 + dp]. */
const FAST: FastOp[] = new Array<FastOp>(2 * N_VOP).fill(slow);
function fastOp(ops: number[], s: FastOp, d: FastOp): void {
  for (const op of ops) {
    FAST[2 * op] = s;
    FAST[2 * op + 1] = d;
  }
}
fastOp([Vop.VMLA, Vop.VMLS, Vop.VNMLS, Vop.VNMLA], mlaS, mlaD);
fastOp([Vop.VFMA, Vop.VFMS, Vop.VFNMA, Vop.VFNMS], fmaS, slow);
fastOp([Vop.VMUL, Vop.VNMUL], mulS, mulD);
fastOp([Vop.VADD, Vop.VSUB], addS, addD);
fastOp([Vop.VDIV], divS, divD);
fastOp([Vop.VSQRT], sqrtS, sqrtD);
fastOp([Vop.VMOV_IMM], movImmS, movImmD);
fastOp([Vop.VMOV], movS, movD);
fastOp([Vop.VABS], absS, absD);
fastOp([Vop.VNEG], negS, negD);
fastOp([Vop.VCMP, Vop.VCMPE, Vop.VCMPZ, Vop.VCMPEZ], cmpS, cmpD);
fastOp([Vop.VCVT_FF], cvtFFS, cvtFFD);
fastOp([Vop.VCVTR_U32, Vop.VCVT_U32, Vop.VCVTR_S32, Vop.VCVT_S32], toIntS, toIntD);
fastOp([Vop.VCVT_F_U32, Vop.VCVT_F_S32], fromIntS, fromIntD);

/**
 * The exact path (soft-float on bit patterns), for every operation. Exported for the
 * tests, which hold the fast paths to it.
 */
export function slowDp(cpu: Cpu, op: number, dp: number, d: number, n: number, m: number): void {
  const F = dp ? F64 : F32;
  const st = fpStatus(cpu);
  let r: bigint;
  switch (op) {
    case Vop.VMLA:
      r = add(F, get(cpu, dp, d), mul(F, get(cpu, dp, n), get(cpu, dp, m), st), st);
      break;
    case Vop.VMLS:
      r = add(F, get(cpu, dp, d), neg(dp, mul(F, get(cpu, dp, n), get(cpu, dp, m), st)), st);
      break;
    case Vop.VNMLS:
      r = add(F, neg(dp, get(cpu, dp, d)), mul(F, get(cpu, dp, n), get(cpu, dp, m), st), st);
      break;
    case Vop.VNMLA:
      r = add(F, neg(dp, get(cpu, dp, d)), neg(dp, mul(F, get(cpu, dp, n), get(cpu, dp, m), st)), st);
      break;
    case Vop.VMUL:
      r = mul(F, get(cpu, dp, n), get(cpu, dp, m), st);
      break;
    case Vop.VNMUL:
      r = neg(dp, mul(F, get(cpu, dp, n), get(cpu, dp, m), st));
      break;
    case Vop.VADD:
      r = add(F, get(cpu, dp, n), get(cpu, dp, m), st);
      break;
    case Vop.VSUB:
      r = sub(F, get(cpu, dp, n), get(cpu, dp, m), st);
      break;
    case Vop.VDIV:
      r = div(F, get(cpu, dp, n), get(cpu, dp, m), st);
      break;
    case Vop.VFMA:
      r = muladd(F, get(cpu, dp, n), get(cpu, dp, m), get(cpu, dp, d), st);
      break;
    case Vop.VFMS:
      r = muladd(F, neg(dp, get(cpu, dp, n)), get(cpu, dp, m), get(cpu, dp, d), st);
      break;
    case Vop.VFNMA:
      r = muladd(F, get(cpu, dp, n), get(cpu, dp, m), neg(dp, get(cpu, dp, d)), st);
      break;
    case Vop.VFNMS:
      r = muladd(F, neg(dp, get(cpu, dp, n)), get(cpu, dp, m), neg(dp, get(cpu, dp, d)), st);
      break;
    case Vop.VMOV_IMM:
      r = dp ? BigInt(n >>> 0) << 32n : BigInt(n >>> 0);
      break;
    case Vop.VMOV:
      r = get(cpu, dp, m);
      break;
    case Vop.VABS:
      r = get(cpu, dp, m) & ~(dp ? SIGN64 : SIGN32);
      break;
    case Vop.VNEG:
      r = neg(dp, get(cpu, dp, m));
      break;
    case Vop.VSQRT:
      r = sqrt(F, get(cpu, dp, m), st);
      break;
    case Vop.VCMP:
    case Vop.VCMPE:
    case Vop.VCMPZ:
    case Vop.VCMPEZ: {
      const z = op === Vop.VCMPZ || op === Vop.VCMPEZ;
      const nzcv = compare(
        F,
        get(cpu, dp, d),
        z ? 0n : get(cpu, dp, m),
        st,
        op === Vop.VCMPE || op === Vop.VCMPEZ,
      );
      cpu.W[FPSCR_W] = (cpu.W[FPSCR_W]! & 0x0fffffff) | (nzcv << 28) | st.flags;
      return;
    }
    case Vop.VCVT_FF:
      if (dp) setS(cpu, d, convert(F32, F64, getD(cpu, m), st));
      else setD(cpu, d, convert(F64, F32, getS(cpu, m), st));
      commit(cpu, st);
      return;
    case Vop.VCVTR_U32:
    case Vop.VCVT_U32:
    case Vop.VCVTR_S32:
    case Vop.VCVT_S32: {
      const signed = op === Vop.VCVTR_S32 || op === Vop.VCVT_S32;
      const rz = op === Vop.VCVT_U32 || op === Vop.VCVT_S32;
      const v = toInt(F, get(cpu, dp, m), st, signed, 32, rz ? RMODE.RZ : st.rmode);
      setS(cpu, d, BigInt.asUintN(32, BigInt(v)));
      commit(cpu, st);
      return;
    }
    case Vop.VCVT_F_U32:
    case Vop.VCVT_F_S32: {
      const w = cpu.W[VW + m]!;
      const v = op === Vop.VCVT_F_S32 ? BigInt(w) : BigInt(w >>> 0);
      r = fromInt(F, v, st, st.rmode);
      break;
    }
    case Vop.VCVTB_F16_TO:
    case Vop.VCVTT_F16_TO: {
      const w = cpu.W[VW + m]! >>> 0;
      const h = op === Vop.VCVTT_F16_TO ? w >>> 16 : w & 0xffff;
      const ahp = (cpu.W[FPSCR_W]! & (1 << 26)) !== 0;
      setS(cpu, d, convert(F32, ahp ? F16AHP : F16, BigInt(h), st, false, st.fz));
      commit(cpu, st);
      return;
    }
    case Vop.VCVTB_TO_F16:
    case Vop.VCVTT_TO_F16: {
      const ahp = (cpu.W[FPSCR_W]! & (1 << 26)) !== 0;
      const h = Number(convert(ahp ? F16AHP : F16, F32, getS(cpu, m), st, st.fz, false));
      const w = cpu.W[VW + d]!;
      cpu.W[VW + d] = op === Vop.VCVTT_TO_F16 ? (w & 0xffff) | (h << 16) : (w & ~0xffff) | h;
      commit(cpu, st);
      return;
    }
    default: {
      // fixed point: opc = toFixed:U:sx, m = frac bits; Vd is source and destination
      const opc = op - Vop.VCVT_FIX;
      const unsigned = (opc & 2) !== 0;
      const size = opc & 1 ? 32 : 16;
      if (opc & 4) {
        const v = toInt(F, get(cpu, dp, d), st, !unsigned, size, RMODE.RZ, m);
        r = fixedResult(v, dp);
      } else {
        const w = cpu.W[VW + (dp ? 2 * d : d)]!;
        let v: bigint;
        if (size === 16) v = unsigned ? BigInt(w & 0xffff) : BigInt((w << 16) >> 16);
        else v = unsigned ? BigInt(w >>> 0) : BigInt(w);
        r = fromInt(F, v, st, RMODE.RN, m);
      }
      break;
    }
  }
  set(cpu, dp, d, r);
  commit(cpu, st);
}

export const vfpHelpers = {
  /** 1 when VFP data processing runs without a trap or UNDEF (the JIT's inline fast paths, jit/vfp.ts). */
  vfpOpen(cpu: Cpu): number {
    return vfpOpen(cpu, cpu.W) ? 1 : 0;
  },

  /** Access check for the non-data-processing VFP instructions: UNDEF (returns 1) when disabled. */
  vfpAccess(cpu: Cpu, _kind: number): number {
    return vfpDenied(cpu, false);
  },

  /** Data processing: opd = op * 2 + dp (see Vop). Returns 1 when it took UNDEF. */
  vfpDp(cpu: Cpu, opd: number, d: number, n: number, m: number): number {
    const W = cpu.W;
    const fpscr = W[FPSCR_W]!;
    const op = opd >> 1;
    if (fpscr & FPSCR_LEN_STRIDE && vopChecksVec(op)) return undef(cpu);
    if (!vfpOpen(cpu, W) && vfpDenied(cpu, false)) return 1;
    if (W !== vW) setViews(W);
    const fl = FAST[opd]!(W, op, d, n, m, (fpscr & FPSCR_RMODE) === 0);
    if (fl === SLOW) slowDp(cpu, op, opd & 1, d, n, m);
    else if (fl !== 0) W[FPSCR_W] = W[FPSCR_W]! | fl;
    return 0;
  },

  vfpGet32(cpu: Cpu, w: number): number {
    return cpu.W[VW + w]!;
  },

  vfpSet32(cpu: Cpu, w: number, v: number): number {
    cpu.W[VW + w] = v;
    return 0;
  },

  /** VMRS Rt, <reg> (rt = 15: APSR_nzcv from FPSCR). */
  vfpVmrs(cpu: Cpu, reg: number, rt: number): number {
    const user = cpu.mode === Mode.USR;
    const idReg = reg !== 1;
    if (idReg && user) return undef(cpu);
    if (vfpDenied(cpu, idReg)) return 1;
    // (issue 4) HCR.TID0 traps PL1 reads of FPSID, HCR.TID3 of MVFR0/1 (EC 0x08)
    const hcr = cpu.sys.hcr;
    if (
      cpu.el2 &&
      cpu.pl === 1 &&
      ((reg === 0 && hcr & HCR.TID0) || ((reg === 6 || reg === 7) && hcr & HCR.TID3))
    ) {
      const iss = ISS_CV_AL | (7 << 14) | (reg << 10) | (rt << 5) | 1;
      cpu.hypTrap(EC.CP10_ID, iss, curInsnAddr(cpu), true);
      return 1;
    }
    let v: number;
    switch (reg) {
      case 0:
        v = FPSID;
        break;
      case 1:
        v = cpu.W[FPSCR_W]!;
        break;
      case 6:
        v = MVFR1;
        break;
      case 7:
        v = MVFR0;
        break;
      default:
        v = cpu.W[FPEXC_W]!;
        break;
    }
    if (rt === 15) {
      const W = cpu.W;
      W[S.NF >> 2] = v & PSR.N;
      W[S.ZF >> 2] = v & PSR.Z ? 0 : 1;
      W[S.CF >> 2] = (v >>> 29) & 1;
      W[S.VF >> 2] = (v << 3) & 0x80000000;
    } else cpu.R[rt] = v;
    return 0;
  },

  /** VMSR <reg>, Rt: FPSCR (masked), FPEXC (EN only), ID registers ignore writes. */
  vfpVmsr(cpu: Cpu, reg: number, v: number): number {
    const user = cpu.mode === Mode.USR;
    const idReg = reg !== 1;
    if (idReg && user) return undef(cpu);
    if (vfpDenied(cpu, idReg)) return 1;
    if (reg === 1) cpu.W[FPSCR_W] = v & FPSCR_MASK;
    else if (reg === 8) cpu.W[FPEXC_W] = v & FPEXC_EN;
    return 0;
  },

  /**
   * VLDM/VSTM (and VPUSH/VPOP, FLDMX/FSTMX): ldp = L | dp << 1, w = first word index,
   * imm = imm8, mode = P | W << 1. Transfers from the lowest address up; base written back
   * (R[rn] +/- imm8 * 4) after all transfers.
   */
  vfpLdm(cpu: Cpu, ldp: number, w: number, rn: number, imm: number, mode: number): number {
    if (vfpDenied(cpu, false)) return 1;
    const load = (ldp & 1) !== 0;
    const dp = (ldp & 2) !== 0;
    const base = cpu.R[rn]!;
    let addr = mode & 1 ? (base - imm * 4) | 0 : base;
    const W = cpu.W;
    if (!dp) {
      for (let i = 0; i < imm; i++) {
        if (load) W[VW + w + i] = cpu.ld32(addr, MF_ALIGNED);
        else cpu.st32(addr, W[VW + w + i]!, MF_ALIGNED);
        addr = (addr + 4) | 0;
      }
    } else {
      const be = cpu.bigEndian ? 1 : 0;
      const n = imm >> 1;
      for (let i = 0; i < n; i++) {
        const wi = VW + w + 2 * i;
        if (load) {
          const x = cpu.ld32(addr, MF_ALIGNED);
          const y = cpu.ld32((addr + 4) | 0, MF_ALIGNED);
          W[wi + be] = x;
          W[wi + 1 - be] = y;
        } else {
          cpu.st32(addr, W[wi + be]!, MF_ALIGNED);
          cpu.st32((addr + 4) | 0, W[wi + 1 - be]!, MF_ALIGNED);
        }
        addr = (addr + 8) | 0;
      }
    }
    if (mode & 2) cpu.R[rn] = mode & 1 ? (base - imm * 4) | 0 : (base + imm * 4) | 0;
    return 0;
  },
};
