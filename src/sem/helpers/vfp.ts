// Runtime helpers for VFP (see src/sem/vfp.ts): access control, data processing on the
// register file in the state block, VMRS/VMSR, VLDM/VSTM. All register access is on raw
// words (W), never through JS numbers, so NaN payloads are preserved.

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
import { Vop, vopChecksVec } from "../vfp_ops.js";
import { coreHelpers, curInsnAddr } from "./core.js";

/** Word index of S0 (= low word of D0) in cpu.W. */
const VW = S.VFP >> 2;
const FPSCR_W = S.FPSCR >> 2;
const FPEXC_W = S.FPEXC >> 2;

/** FPSCR bits that hold state (QEMU: NZCV QC AHP DN FZ RMode STRIDE LEN and the cumulative flags). */
export const FPSCR_MASK = 0xfff7009f | 0;
const FPSCR_LEN_STRIDE = 0x00370000;
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

function undef(cpu: Cpu): number {
  return coreHelpers.undefinedInsn(cpu, 0, 0);
}

/** Extend an integer result of a float->fixed conversion to the register's width. */
function fixedResult(v: number, dp: number): bigint {
  const b = BigInt(v);
  return dp ? BigInt.asUintN(64, b) : BigInt.asUintN(32, b);
}

// Float views of the register file for the fast paths (rebuilt if the memory is replaced).
let fbuf: ArrayBufferLike | null = null;
let F64V: Float64Array<ArrayBufferLike> = new Float64Array(0);
let F32V: Float32Array<ArrayBufferLike> = new Float32Array(0);
function views(cpu: Cpu): void {
  const b = cpu.W.buffer;
  if (b !== fbuf) {
    fbuf = b;
    F64V = new Float64Array(b, S.VFP, 32);
    F32V = new Float32Array(b, S.VFP, 64);
  }
}

/** Is the register normal (not zero, denormal, infinite or NaN)? */
function normD(W: Int32Array, i: number): boolean {
  const e = (W[VW + 2 * i + 1]! >>> 20) & 0x7ff;
  return e !== 0 && e !== 0x7ff;
}
function normS(W: Int32Array, i: number): boolean {
  const e = (W[VW + i]! >>> 23) & 0xff;
  return e !== 0 && e !== 0xff;
}
/** Normal or zero (a zero is exact for conversions and compares). */
function normOrZeroD(W: Int32Array, i: number): boolean {
  return normD(W, i) || (W[VW + 2 * i]! | (W[VW + 2 * i + 1]! << 1)) === 0;
}
function normOrZeroS(W: Int32Array, i: number): boolean {
  return normS(W, i) || W[VW + i]! << 1 === 0;
}

/**
 * The fast path (see src/fp/fast.ts): round to nearest, normal operands and results.
 * Returns false (having changed nothing) when the exact path is needed.
 */
function fastDp(cpu: Cpu, op: number, dp: number, d: number, n: number, m: number, st: FpStatus): boolean {
  const W = cpu.W;
  views(cpu);
  const rn = st.rmode === RMODE.RN;
  const norm = dp ? normD : normS;
  const nz = dp ? normOrZeroD : normOrZeroS;
  const V = dp ? F64V : F32V;
  const addf = dp ? fast.add64 : fast.add32;
  const mulf = dp ? fast.mul64 : fast.mul32;
  let x = false;
  switch (op) {
    case Vop.VMLA:
    case Vop.VMLS:
    case Vop.VNMLS:
    case Vop.VNMLA: {
      if (!rn || !norm(W, n) || !norm(W, m) || !nz(W, d)) return false;
      if (!mulf(V[n]!, V[m]!)) return false;
      const p = op === Vop.VMLS || op === Vop.VNMLA ? -fast.fr : fast.fr;
      x = fast.fx;
      const a = op === Vop.VNMLS || op === Vop.VNMLA ? -V[d]! : V[d]!;
      if (!addf(a, p)) return false;
      x ||= fast.fx;
      break;
    }
    case Vop.VFMA:
    case Vop.VFMS:
    case Vop.VFNMA:
    case Vop.VFNMS: {
      if (dp || !rn || !norm(W, n) || !norm(W, m) || !nz(W, d)) return false;
      const a = op === Vop.VFMS || op === Vop.VFNMS ? -V[n]! : V[n]!;
      const c = op === Vop.VFNMA || op === Vop.VFNMS ? -V[d]! : V[d]!;
      if (!fast.fma32(a, V[m]!, c)) return false;
      x = fast.fx;
      break;
    }
    case Vop.VMUL:
    case Vop.VNMUL:
      if (!rn || !norm(W, n) || !norm(W, m) || !mulf(V[n]!, V[m]!)) return false;
      x = fast.fx;
      if (op === Vop.VNMUL) {
        V[d] = -fast.fr;
        if (x) st.flags |= 16;
        return true;
      }
      break;
    case Vop.VADD:
    case Vop.VSUB:
      // a zero operand is fine: the sum is then the other operand (an exact zero result falls back)
      if (!rn || !nz(W, n) || !nz(W, m) || !addf(V[n]!, op === Vop.VSUB ? -V[m]! : V[m]!)) return false;
      x = fast.fx;
      break;
    case Vop.VDIV:
      if (!rn || !norm(W, n) || !norm(W, m) || !(dp ? fast.div64 : fast.div32)(V[n]!, V[m]!)) return false;
      x = fast.fx;
      break;
    case Vop.VSQRT:
      if (!rn || !norm(W, m) || !(dp ? fast.sqrt64 : fast.sqrt32)(V[m]!)) return false;
      x = fast.fx;
      break;
    case Vop.VCMP:
    case Vop.VCMPE:
    case Vop.VCMPZ:
    case Vop.VCMPEZ: {
      const z = op >= Vop.VCMPZ;
      if (!nz(W, d) || (!z && !nz(W, m))) return false;
      const a = V[d]!;
      const b = z ? 0 : V[m]!;
      const nzcv = a === b ? 0x6 : a < b ? 0x8 : 0x2;
      W[FPSCR_W] = (W[FPSCR_W]! & 0x0fffffff) | (nzcv << 28);
      return true;
    }
    case Vop.VCVT_FF:
      if (dp) {
        if (!rn || !normD(W, m) || !fast.cvt64to32(F64V[m]!)) return false;
        F32V[d] = fast.fr;
        if (fast.fx) st.flags |= 16;
      } else {
        if (!normOrZeroS(W, m)) return false;
        F64V[d] = F32V[m]!;
      }
      return true;
    case Vop.VCVTR_U32:
    case Vop.VCVT_U32:
    case Vop.VCVTR_S32:
    case Vop.VCVT_S32: {
      const rz = op === Vop.VCVT_U32 || op === Vop.VCVT_S32;
      if ((!rz && !rn) || !nz(W, m)) return false;
      const signed = op === Vop.VCVTR_S32 || op === Vop.VCVT_S32;
      if (!fast.toInt32(V[m]!, signed, rz)) return false;
      W[VW + d] = fast.fr | 0;
      if (fast.fx) st.flags |= 16;
      return true;
    }
    case Vop.VCVT_F_U32:
    case Vop.VCVT_F_S32: {
      const v = op === Vop.VCVT_F_S32 ? W[VW + m]! : W[VW + m]! >>> 0;
      if (dp) F64V[d] = v;
      else {
        if (!rn) return false;
        const r = Math.fround(v);
        F32V[d] = r;
        if (r !== v) st.flags |= 16;
      }
      return true;
    }
    default:
      return false;
  }
  V[d] = fast.fr;
  if (x) st.flags |= 16;
  return true;
}

function dataProc(cpu: Cpu, op: number, dp: number, d: number, n: number, m: number): void {
  const F = dp ? F64 : F32;
  const st = fpStatus(cpu);
  if (fastDp(cpu, op, dp, d, n, m, st)) {
    commit(cpu, st);
    return;
  }
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
  /** Access check for the non-data-processing VFP instructions: UNDEF (returns 1) when disabled. */
  vfpAccess(cpu: Cpu, _kind: number): number {
    return vfpDenied(cpu, false);
  },

  /** Data processing: opd = op * 2 + dp (see Vop). Returns 1 when it took UNDEF. */
  vfpDp(cpu: Cpu, opd: number, d: number, n: number, m: number): number {
    const op = opd >> 1;
    if (vopChecksVec(op) && cpu.W[FPSCR_W]! & FPSCR_LEN_STRIDE) return undef(cpu);
    if (vfpDenied(cpu, false)) return 1;
    dataProc(cpu, op, opd & 1, d, n, m);
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
