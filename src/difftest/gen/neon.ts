// Advanced SIMD (src/sem/neon.ts), streams "neon" (A32) and "thumb_neon" (T32, in and out
// of IT blocks): the integer three-registers-same group with every size / Q / U variant,
// one register and a modified immediate (VMOV/VMVN/VORR/VBIC), shifts by an immediate,
// two registers miscellaneous (integer), three registers of different lengths, two
// registers and a scalar (integer), VTBL/VTBX, VDUP (scalar, core
// register), VMOV core <-> scalar (8/16-bit lanes), VEXT, VLD1/VST1 (all forms), VLD2-4/
// VST2-4 (multiple structures, one lane, all lanes; loads and stores sometimes with
// CPSR.E = 1), the floating-point forms (three registers same length,
// by scalar, two registers miscellaneous incl. VRECPE/VRSQRTE and the VCVTs, VCVT to/from
// fixed point), plus a few UNDEFINED encodings of those spaces (outside IT blocks; for
// floating point also the .F16 and ARMv8 neighbours). The harness starts each stream with
// lane-shaped D register contents (randNeonD: integer extremes, or float-shaped lanes with
// NaNs, infinities, denormals, values near 1 and near the exponent range's ends, or half-
// precision lanes) and a random FPSCR including QC, AHP, and FZ/DN/RMode (which the
// floating-point forms must ignore).
//
// The validity rules below are the architecture's (ARM DDI 0406C, A7.4), written out
// independently of the decoder.

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { itWord } from "./thumb.js";
import { type GenCtx, randCond, type Unit } from "./types.js";

/** D register fields: Vd (bits 15:12, D = 22), Vn (19:16, N = 7), Vm (3:0, M = 5). */
const fd = (r: number) => ((r & 15) << 12) | ((r >> 4) << 22);
const fn = (r: number) => ((r & 15) << 16) | ((r >> 4) << 7);
const fm = (r: number) => (r & 15) | ((r >> 4) << 5);

/** A D register (or the first of a Q pair): a small pool half the time, so operands overlap. */
function reg(rng: Rng, q: number): number {
  const r = rng.chance(0.5) ? rng.pick([0, 1, 2, 3, 16, 17, 30, 31]) : rng.int(32);
  return q ? r & ~1 : r;
}

/** Is A:B (bits 11:8, bit 4) with this U / size / Q a valid integer three-same form? */
function valid3(a: number, b: number, u: number, size: number, q: number): boolean {
  const no64 = size !== 3;
  switch (a) {
    case 0:
    case 2:
      return b === 1 || no64; // VHADD/VHSUB: 8-32; VQADD/VQSUB: any
    case 1:
      return b === 1 || no64; // VRHADD; the logic ops: any "size" (it selects the op)
    case 4:
    case 5:
      return true; // shifts by register
    case 8:
      return b === 0 || no64; // VADD/VSUB any; VTST/VCEQ 8-32
    case 9:
      return b === 0 ? no64 : u ? size === 0 : no64; // VMLA/VMLS; VMUL (.P8 only polynomial)
    case 10:
      return no64 && q === 0; // VPMAX/VPMIN
    case 11:
      return b === 0 ? size === 1 || size === 2 : u === 0 && q === 0 && no64; // VQ(R)DMULH; VPADD
    default:
      return no64; // 3 VCGT/VCGE, 6 VMAX/VMIN, 7 VABD/VABA
  }
}

function word3(a: number, b: number, u: number, size: number, q: number, d: number, n: number, m: number) {
  return (
    (0xf2000000 | (u << 24) | (size << 20) | fd(d) | fn(n) | fm(m) | (a << 8) | (q << 6) | (b << 4)) >>> 0
  );
}

/** A valid integer three-registers-same instruction (A32 encoding). */
export function gen3Same(rng: Rng): number {
  for (;;) {
    const a = rng.int(12);
    const b = rng.int(2);
    const u = rng.int(2);
    const size = rng.chance(0.3) ? 3 : rng.int(4);
    const q = rng.int(2);
    if (!valid3(a, b, u, size, q)) continue;
    return word3(a, b, u, size, q, reg(rng, q), reg(rng, q), reg(rng, q));
  }
}

/** One register and a modified immediate (never the UNPREDICTABLE imm8 = 0 forms). */
export function genImm(rng: Rng): number {
  for (;;) {
    const cmode = rng.int(16);
    const op = rng.int(2);
    const imm8 = rng.chance(0.2) ? rng.pick([0, 0xff, 0x80, 0x7f, 1]) : rng.int(256);
    if (imm8 === 0 && [2, 3, 4, 5, 6, 7, 10, 11, 12, 13].includes(cmode)) continue;
    if (cmode === 15 && op === 1) continue;
    const q = rng.int(2);
    return (
      (0xf2800010 |
        ((imm8 >> 7) << 24) |
        (((imm8 >> 4) & 7) << 16) |
        (imm8 & 15) |
        fd(reg(rng, q)) |
        (cmode << 8) |
        (q << 6) |
        (op << 5)) >>>
      0
    );
  }
}

/**
 * Shifts by an immediate: VSHR VSRA VRSHR VRSRA VSRI VSHL VSLI VQSHLU VQSHL (every size,
 * Q, U, shift amount), VSHRN VRSHRN VQSHRUN VQRSHRUN VQSHRN VQRSHRN, VSHLL/VMOVL.
 */
export function genShiftImm(rng: Rng): number {
  const a = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const u = a === 4 || a === 6 ? 1 : rng.int(2);
  const narrowOrLong = a >= 8;
  const size = narrowOrLong ? rng.int(3) : rng.int(4);
  const esize = 8 << size;
  const l = size === 3 ? 1 : 0;
  const imm6 = l ? rng.int(64) : esize + rng.int(esize);
  let q = 0;
  let b6 = 0;
  let d: number;
  let m: number;
  if (a <= 7) {
    q = rng.int(2);
    b6 = q;
    d = reg(rng, q);
    m = reg(rng, q);
  } else if (a === 10) {
    d = reg(rng, 1);
    m = reg(rng, 0);
  } else {
    b6 = rng.int(2); // rounding
    d = reg(rng, 0);
    m = reg(rng, 1);
  }
  return (0xf2800010 | (u << 24) | (imm6 << 16) | fd(d) | fm(m) | (a << 8) | (l << 7) | (b6 << 6)) >>> 0;
}

/**
 * Two registers, miscellaneous, integer forms: VREV64/32/16, VPADDL, VPADAL, VCLS, VCLZ,
 * VCNT, VMVN, VQABS, VQNEG, VCGT/VCGE/VCEQ/VCLE/VCLT #0, VABS, VNEG, VSWP, VTRN, VUZP, VZIP,
 * VMOVN, VQMOVUN, VQMOVN, VSHLL (maximum shift).
 */
export function gen2Misc(rng: Rng): number {
  for (;;) {
    const a = rng.int(3);
    const b4 = rng.int(16); // bits 10:7
    const size = rng.int(4);
    let q = rng.int(2);
    let dq = q;
    let mq = q;
    let ok: boolean;
    if (a === 0) {
      if (b4 <= 2) ok = b4 + size < 3;
      else if (b4 === 10 || b4 === 11) ok = size === 0;
      else ok = size !== 3 && [4, 5, 8, 9, 12, 13, 14, 15].includes(b4);
    } else if (a === 1) ok = b4 < 8 && b4 !== 5 && size !== 3;
    else if (b4 === 0) ok = size === 0;
    else if (b4 <= 3) ok = size !== 3 && (b4 === 1 || q === 1 || size !== 2);
    else if (b4 === 4 || b4 === 5) {
      ok = size !== 3; // bit 6 is part of op
      dq = 0;
      mq = 1;
    } else if (b4 === 6) {
      ok = size !== 3;
      q = 0;
      dq = 1;
      mq = 0;
    } else ok = false;
    if (!ok) continue;
    const d = reg(rng, dq);
    let m = reg(rng, mq);
    if (a === 2 && b4 <= 3 && m === d) m = (m + 2) & 31;
    return (0xf3b00000 | (size << 18) | (a << 16) | fd(d) | fm(m) | (b4 << 7) | (q << 6)) >>> 0;
  }
}

/**
 * Three registers of different lengths: VADDL VADDW VSUBL VSUBW V(R)ADDHN V(R)SUBHN VABAL
 * VABDL VMLAL VMLSL VQDMLAL VQDMLSL VMULL (integer, P8) VQDMULL.
 */
export function gen3Diff(rng: Rng): number {
  for (;;) {
    const a = rng.int(15);
    const u = rng.int(2);
    const size = rng.int(3);
    if ((a === 9 || a === 11 || a === 13) && (u || size === 0)) continue;
    if (a === 14 && (u || size !== 0)) continue;
    const narrow = a === 4 || a === 6;
    const d = reg(rng, narrow ? 0 : 1);
    const n = reg(rng, narrow || a === 1 || a === 3 ? 1 : 0);
    const m = reg(rng, narrow ? 1 : 0);
    return (0xf2800000 | (u << 24) | (size << 20) | fd(d) | fn(n) | fm(m) | (a << 8)) >>> 0;
  }
}

/** Two registers and a scalar, integer forms (every size, index, Q/U). */
export function genByScalar(rng: Rng): number {
  const a = rng.pick([0, 4, 8, 12, 13, 2, 6, 10, 3, 7, 11]);
  const long = [2, 3, 6, 7, 10, 11].includes(a);
  const size = 1 + rng.int(2);
  const b24 = a === 3 || a === 7 || a === 11 ? 0 : rng.int(2);
  const q = long ? 0 : b24;
  const d = reg(rng, long ? 1 : q);
  const n = reg(rng, q);
  const index = rng.int(size === 1 ? 4 : 2);
  const vmx = size === 1 ? rng.int(8) | ((index & 1) << 3) : rng.int(16);
  const mbit = size === 1 ? index >> 1 : index;
  return (0xf2800040 | (b24 << 24) | (size << 20) | fd(d) | fn(n) | vmx | (mbit << 5) | (a << 8)) >>> 0;
}

// ---- floating point (single precision; ARM DDI 0406C A7.4.1, A7.4.2, A7.4.5, A7.4.6) ----

/** The floating-point three-same forms as [A, B, U, sz, pairwise] (bit 20, size<0>, is 0). */
const F3_FORMS: readonly (readonly [number, number, number, number, boolean])[] = [
  [13, 0, 0, 0, false], // VADD
  [13, 0, 0, 1, false], // VSUB
  [13, 0, 1, 0, true], // VPADD
  [13, 0, 1, 1, false], // VABD
  [13, 1, 0, 0, false], // VMLA
  [13, 1, 0, 1, false], // VMLS
  [13, 1, 1, 0, false], // VMUL
  [12, 1, 0, 0, false], // VFMA
  [12, 1, 0, 1, false], // VFMS
  [14, 0, 0, 0, false], // VCEQ
  [14, 0, 1, 0, false], // VCGE
  [14, 0, 1, 1, false], // VCGT
  [14, 1, 1, 0, false], // VACGE
  [14, 1, 1, 1, false], // VACGT
  [15, 0, 0, 0, false], // VMAX
  [15, 0, 0, 1, false], // VMIN
  [15, 0, 1, 0, true], // VPMAX
  [15, 0, 1, 1, true], // VPMIN
  [15, 1, 0, 0, false], // VRECPS
  [15, 1, 0, 1, false], // VRSQRTS
];

/** A valid floating-point three-registers-same instruction (.F32; pairwise forms D only). */
export function genF3Same(rng: Rng): number {
  const [a, b, u, sz, pairwise] = rng.pick(F3_FORMS);
  const q = pairwise ? 0 : rng.int(2);
  return word3(a, b, u, sz << 1, q, reg(rng, q), reg(rng, q), reg(rng, q));
}

/** VMLA / VMLS / VMUL (by scalar, .F32): Vm = bits 3:0, index = M. */
export function genFByScalar(rng: Rng): number {
  const a = rng.pick([1, 5, 9]);
  const q = rng.int(2);
  return (
    (0xf2800040 |
      (q << 24) |
      (2 << 20) |
      fd(reg(rng, q)) |
      fn(reg(rng, q)) |
      rng.int(16) |
      (rng.int(2) << 5) |
      (a << 8)) >>>
    0
  );
}

/**
 * Two registers miscellaneous, floating-point forms: VCGT/VCGE/VCEQ/VCLE/VCLT #0, VABS,
 * VNEG (.F32), VRECPE / VRSQRTE (.U32, .F32), VCVT between F32 and S32/U32, VCVT.F16.F32
 * Dd, Qm and VCVT.F32.F16 Qd, Dm.
 */
export function genF2Misc(rng: Rng): number {
  let a: number;
  let bb: number; // B = bits 10:6
  let size = 2;
  let q = rng.int(2);
  let dq = q;
  let mq = q;
  switch (rng.int(4)) {
    case 0:
      a = 1;
      bb = 16 | (rng.pick([0, 1, 2, 3, 4, 6, 7]) << 1) | q;
      break;
    case 1:
      a = 3;
      bb = 16 | (rng.int(2) << 2) | (rng.int(2) << 1) | q; // VRECPE (bit 7 = 0) / VRSQRTE, F = bit 8
      break;
    case 2:
      a = 3;
      bb = 24 | (rng.int(4) << 1) | q; // VCVT, op = bits 8:7
      break;
    default: {
      a = 2;
      size = 1;
      const toSingle = rng.int(2);
      bb = 24 | (toSingle << 2);
      q = 0;
      dq = toSingle;
      mq = 1 - toSingle;
    }
  }
  return (0xf3b00000 | (size << 18) | (a << 16) | fd(reg(rng, dq)) | fm(reg(rng, mq)) | (bb << 6)) >>> 0;
}

/** VCVT between F32 and fixed point (.S32/.U32, 1-32 fraction bits, the extremes often). */
export function genFCvtFix(rng: Rng): number {
  const toFixed = rng.int(2);
  const u = rng.int(2);
  const q = rng.int(2);
  const imm6 = rng.chance(0.3) ? rng.pick([32, 63]) : 32 + rng.int(32); // fraction bits 64 - imm6
  return (
    (0xf2800010 |
      (u << 24) |
      (imm6 << 16) |
      fd(reg(rng, q)) |
      fm(reg(rng, q)) |
      ((14 | toFixed) << 8) |
      (q << 6)) >>>
    0
  );
}

/** A valid floating-point Advanced SIMD data-processing instruction. */
function fpDp(rng: Rng): number {
  const x = rng.int(10);
  if (x < 5) return genF3Same(rng);
  if (x < 6) return genFByScalar(rng);
  if (x < 9) return genF2Misc(rng);
  return genFCvtFix(rng);
}

/**
 * UNDEFINED encodings next to the floating-point forms: .F16 arithmetic (ARMv8.2), pairwise
 * with Q = 1, the unallocated U/sz/B combinations of A = 1100..1111 (VMAXNM/VMINNM and SHA
 * are ARMv8), by scalar with size 01, two-registers-misc with size != 10 (01 for the
 * half-precision VCVT) or an odd register, VCVTA-style A = 11 B = 0xxxx, fixed point with
 * imm6 = 01xxxx or A = 110x.
 */
export function genFUndef(rng: Rng): number {
  switch (rng.int(8)) {
    case 0:
      return (genF3Same(rng) | (1 << 20)) >>> 0; // half precision
    case 1: {
      const [a, b, u, sz] = rng.pick(F3_FORMS.filter((f) => f[4]));
      return word3(a, b, u, sz << 1, 1, reg(rng, 1), reg(rng, 1), reg(rng, 1));
    }
    case 2: {
      const [a, b, u, sz] = rng.pick([
        [12, 0, 0, 0],
        [12, 0, 1, 1],
        [12, 1, 1, 0],
        [13, 1, 1, 1],
        [14, 0, 0, 1],
        [14, 1, 0, 0],
        [14, 1, 0, 1],
        [15, 1, 1, 0],
        [15, 1, 1, 1],
      ] as const);
      const q = rng.int(2);
      return word3(a, b, u, sz << 1, q, reg(rng, q), reg(rng, q), reg(rng, q));
    }
    case 3:
      return ((genFByScalar(rng) & ~(3 << 20)) | (rng.int(2) << 20)) >>> 0; // size 00 / 01
    case 4: {
      const w = genF2Misc(rng);
      const size = (w >>> 18) & 3;
      return ((w & ~(3 << 18)) | (((size + 1 + rng.int(3)) & 3) << 18)) >>> 0;
    }
    case 5: // VCVT.F16.F32 with an odd Qm / VCVT.F32.F16 with an odd Qd
      return rng.chance(0.5)
        ? (0xf3b60600 | fd(reg(rng, 0)) | fm(reg(rng, 1) | 1)) >>> 0
        : (0xf3b60700 | fd(reg(rng, 1) | 1) | fm(reg(rng, 0))) >>> 0;
    case 6: // A = 11, B = 0xxxx (ARMv8 VCVTA/N/P/M)
      return (0xf3bb0000 | fd(reg(rng, 1)) | fm(reg(rng, 1)) | (rng.int(16) << 6)) >>> 0;
    default: {
      const w = genFCvtFix(rng);
      return rng.chance(0.5)
        ? ((w & ~(0x3f << 16)) | ((8 + rng.int(24)) << 16)) >>> 0 // imm6 = 001xxx..011xxx
        : (w & ~(2 << 8)) >>> 0; // A = 110x
    }
  }
}

/** VTBL / VTBX with 1-4 table registers (index bytes often in range). */
export function genTbl(rng: Rng): number {
  const len = rng.int(4);
  const n = rng.int(32 - len);
  return (0xf3b00800 | fd(reg(rng, 0)) | fn(n) | fm(reg(rng, 0)) | (len << 8) | (rng.int(2) << 6)) >>> 0;
}

/** VDUP Dd/Qd, Dm[x]. */
export function genDupScalar(rng: Rng): number {
  const size = rng.int(3);
  const index = rng.int(8 >> size);
  const imm4 = ((index << 1) | 1) << size;
  const q = rng.int(2);
  return (0xf3b00c00 | (imm4 << 16) | fd(reg(rng, q)) | fm(reg(rng, 0)) | (q << 6)) >>> 0;
}

/** VEXT. */
export function genExt(rng: Rng): number {
  const q = rng.int(2);
  const imm4 = rng.int(q ? 16 : 8);
  return (0xf2b00000 | fd(reg(rng, q)) | fn(reg(rng, q)) | fm(reg(rng, q)) | (imm4 << 8) | (q << 6)) >>> 0;
}

/** Core register for a transfer: r0-r12 or r14 (r13 is UNPREDICTABLE in T32, PC in both). */
const rt = (rng: Rng) => (rng.int(14) === 13 ? 14 : rng.int(13));

/** VDUP from a core register, VMOV Dd[x], Rt and VMOV Rt, Dn[x] for 8/16-bit lanes. */
export function genXfer(rng: Rng, cond: number): number {
  const c = cond << 28;
  switch (rng.int(3)) {
    case 0: {
      const be = rng.int(3);
      const q = rng.int(2);
      const r = reg(rng, q);
      return (
        (c |
          0x0e800b10 |
          ((be >> 1) << 22) |
          (q << 21) |
          ((r & 15) << 16) |
          ((r >> 4) << 7) |
          ((be & 1) << 5) |
          (rt(rng) << 12)) >>>
        0
      );
    }
    default: {
      const l = rng.int(2);
      const byte = rng.int(2);
      const idx = rng.int(byte ? 8 : 4);
      const opc1 = byte ? 2 | (idx >> 2) : idx >> 1;
      const opc2 = byte ? idx & 3 : ((idx & 1) << 1) | 1;
      const r = reg(rng, 0);
      const u = l ? rng.int(2) << 23 : 0;
      return (
        (c |
          0x0e000b10 |
          (l << 20) |
          u |
          (opc1 << 21) |
          ((r & 15) << 16) |
          ((r >> 4) << 7) |
          (opc2 << 5) |
          (rt(rng) << 12)) >>>
        0
      );
    }
  }
}

/** UNDEFINED encodings of the implemented spaces (the decoder must agree with QEMU). */
export function genUndef(rng: Rng): number {
  switch (rng.int(5)) {
    case 0: {
      // Q = 1 with an odd register
      const w = gen3Same(rng) | (1 << 6);
      return (w | rng.pick([1 << 12, 1 << 16, 1])) >>> 0;
    }
    case 1:
      for (;;) {
        const a = rng.int(12);
        const b = rng.int(2);
        const u = rng.int(2);
        const size = rng.int(4);
        const q = rng.int(2);
        if (valid3(a, b, u, size, q)) continue;
        return word3(a, b, u, size, q, reg(rng, 1), reg(rng, 1), reg(rng, 1));
      }
    case 2: // VEXT Q = 0 with imm4 >= 8
      return ((genExt(rng) & ~0x40) | 0x800) >>> 0;
    case 3: // VDUP scalar with imm4 = x000
      return ((0xf3b00c00 | (rng.int(2) << 19) | fd(reg(rng, 0)) | fm(reg(rng, 0))) >>> 0) >>> 0;
    default: // VMOV (immediate) f32 with op = 1
      return (genImm(rng) & ~0xf20) | 0xf20;
  }
}

const MULTI_TYPE = [0, 0b0111, 0b1010, 0b0110, 0b0010]; // by register count
const MULTI_ALIGNS = [[], [0, 1], [0, 1, 2], [0, 1], [0, 1, 2, 3]]; // valid align fields

/**
 * VLD1-4/VST1-4 (A32 encoding) with its set-up: the base register in the scratch area
 * (aligned as the instruction asks, or not, 15 % of the time: an alignment fault), the
 * post-index register (none, Rn += transfer size, or Rn += Rm with a small Rm). VLD1/VST1
 * multiple elements (1-4 registers), one lane, all lanes (1-2 registers); VLD2-4/VST2-4
 * multiple structures, one lane, all lanes (genLanesN); some UNDEFINED forms without set-up.
 */
export function genLdSt1(rng: Rng, ctx: GenCtx): number[] {
  const rn = rng.int(13);
  const l = rng.int(2);
  let w: number;
  let align: number; // required alignment in bytes
  let kind: number;
  switch (rng.int(6)) {
    case 4:
    case 5: {
      // VLD2/3/4, VST2/3/4 (one lane), VLD2/3/4 (all lanes)
      const g = genLanesN(rng, l, rng.chance(0.5));
      if (typeof g === "number") return [(g | (rn << 16) | 15) >>> 0];
      w = g.w;
      align = g.align;
      kind = g.all ? 2 : 1;
      break;
    }
    case 3: {
      // VLD2/3/4, VST2/3/4 (multiple structures): [type, members, registers per member, inc]
      const [type, nelem, regs, inc] = rng.pick([
        [0b1000, 2, 1, 1],
        [0b1001, 2, 1, 2],
        [0b0011, 2, 2, 2],
        [0b0100, 3, 1, 1],
        [0b0101, 3, 1, 2],
        [0b0000, 4, 1, 1],
        [0b0001, 4, 1, 2],
      ] as const);
      const a = nelem === 3 ? rng.int(2) : rng.int(type >= 8 ? 3 : 4);
      const size = rng.int(3);
      const span = (nelem - 1) * inc + regs;
      w = 0xf4000000 | (type << 8) | (size << 6) | (a << 4) | fd(rng.int(33 - span));
      align = a ? 4 << a : 1;
      kind = 0;
      if (rng.chance(0.04)) return [(w | (l << 21) | (rn << 16) | (3 << 6) | 15) >>> 0]; // size 11: UNDEFINED
      break;
    }
    case 0: {
      const regs = 1 + rng.int(4);
      const a = rng.pick(MULTI_ALIGNS[regs]!);
      const size = rng.int(4);
      w = 0xf4000000 | (MULTI_TYPE[regs]! << 8) | (size << 6) | (a << 4) | fd(rng.int(33 - regs));
      align = a ? 4 << a : 1;
      kind = 0;
      if (regs < 4 && rng.chance(0.04))
        return [(w | (l << 21) | (rn << 16) | (regs === 2 ? 0x30 : 0x20) | 15) >>> 0]; // bad align
      break;
    }
    case 1: {
      const size = rng.int(3);
      const index = rng.int(8 >> size);
      const a = size === 0 ? 0 : rng.int(2);
      const ia = size === 0 ? index << 1 : size === 1 ? (index << 2) | a : (index << 3) | (a ? 3 : 0);
      w = 0xf4800000 | (size << 10) | (ia << 4) | fd(rng.int(32));
      align = a ? 1 << size : 1;
      kind = 1;
      if (rng.chance(0.04)) return [(w | (l << 21) | (rn << 16) | (1 << (4 + size)) | 15) >>> 0]; // bad index_align
      break;
    }
    default: {
      const size = rng.int(3);
      const a = size === 0 ? 0 : rng.int(2);
      const t = rng.int(2);
      w = 0xf4800c00 | (size << 6) | (t << 5) | (a << 4) | fd(rng.int(32 - t));
      align = a ? 1 << size : 1;
      kind = 2;
      if (rng.chance(0.08)) return [(w | (rn << 16) | 15) >>> 0]; // VST1 to all lanes: UNDEFINED
      break;
    }
  }
  if (l || kind === 2) w |= 1 << 21; // all lanes: loads only
  let off = rng.int(ctx.scratchSize - 32);
  if (!rng.chance(0.15)) off &= ~(align - 1);
  // QEMU 7.2 checks :256 as 128-bit alignment (its MO_ALIGN_32 is not supported); the
  // architecture wants 32 bytes, as hypwasm does: keep away from that one difference.
  if (align === 32 && (off & 31) === 16) off += 8;
  const pre = ctx.movImm32(rn, ctx.scratchBase + off);
  let rm = 15;
  const x = rng.int(10);
  if (x < 3) rm = 13;
  else if (x < 6) {
    rm = (rn + 1 + rng.int(11)) % 13; // r0-r12, not rn
    pre.push(...ctx.movImm32(rm, rng.range(-64, 64) >>> 0));
  }
  return [...pre, (w | (rn << 16) | rm) >>> 0];
}

/**
 * VLDn/VSTn (n = 2, 3, 4) single structure to one lane (all = false) or VLDn to all lanes
 * (all = true), A32 encoding without Rn and Rm: every size, lane index, register spacing and
 * alignment qualifier (ARM DDI 0406C A8.8.323-A8.8.334, A8.8.405-A8.8.410), with the
 * registers within D0-D31. Returns the word and the alignment its qualifier requires (in
 * bytes), or, 5 % of the time, a bare UNDEFINED encoding of the same space (a number).
 */
export function genLanesN(
  rng: Rng,
  l: number,
  all: boolean,
): { w: number; align: number; all: boolean } | number {
  const n = 2 + rng.int(3);
  if (rng.chance(0.05)) {
    // UNDEFINED: a reserved size, or an index_align / a value the instruction does not allow
    const b = ((n - 1) << 8) | fd(rng.int(16));
    if (all) {
      if (!l) return (0xf4800c00 | b | (rng.int(4) << 4)) >>> 0; // VSTn to all lanes
      const bad =
        n === 2 ? 0xc0 | (rng.int(4) << 4) : n === 3 ? rng.pick([0xc0, 0x10, 0x50, 0x90, 0xf0]) : 0xc0;
      return (0xf4a00c00 | b | (rng.int(2) << 5) | bad) >>> 0;
    }
    const ia = n === 2 ? 0x2 | (rng.int(2) << 3) : n === 3 ? rng.pick([1, 2, 3]) : 0x3 | (rng.int(2) << 3);
    const size = n === 3 && ia & 1 ? rng.int(3) : 2;
    return (0xf4800000 | (l << 21) | (size << 10) | b | (ia << 4)) >>> 0;
  }
  if (all) {
    let size = rng.int(3);
    const t = rng.int(2);
    let a = n === 3 ? 0 : rng.int(2);
    let align = 1;
    if (n === 2 && a) align = 2 << size;
    if (n === 4) {
      if (rng.chance(0.2)) {
        size = 3; // VLD4.32 {..}, [Rn :128]
        a = 1;
        align = 16;
      } else if (a) align = size === 2 ? 8 : 4 << size;
    }
    const w =
      0xf4a00c00 | ((n - 1) << 8) | (size << 6) | (t << 5) | (a << 4) | fd(rng.int(32 - (n - 1) * (t + 1)));
    return { w, align, all: true };
  }
  const size = rng.int(3);
  const index = rng.int(8 >> size);
  const inc = size === 0 ? 1 : 1 + rng.int(2);
  let a = 0;
  let align = 1;
  if (n === 2) {
    a = rng.int(2);
    if (a) align = 2 << size;
  } else if (n === 4) {
    a = rng.int(size === 2 ? 3 : 2);
    if (a) align = size === 2 ? 4 << a : 4 << size;
  }
  const ia = (index << (size + 1)) | ((inc - 1) << size) | a;
  const w = 0xf4800000 | (size << 10) | ((n - 1) << 8) | (ia << 4) | fd(rng.int(32 - (n - 1) * inc));
  return { w, align, all: false };
}

/**
 * A VLD/VST unit in the stream's ISA (genLdSt1), run with CPSR.E = 1 (SETEND BE before the
 * access, SETEND LE after it) 15 % of the time: elements are then read and written in
 * big-endian byte order.
 */
function ldstUnit(rng: Rng, ctx: GenCtx, thumb: boolean): number[] {
  const w = genLdSt1(rng, ctx);
  const insn = thumb ? toT32LdSt(w[w.length - 1]!) : w[w.length - 1]!;
  const pre = w.slice(0, -1);
  if (!rng.chance(0.15)) return [...pre, insn];
  const [be, le] = thumb ? [0xb658, 0xb650] : [0xf1010200, 0xf1010000];
  return [...pre, be, insn, le];
}

/** The T32 encoding of an A32 element/structure load/store word (1111 0100 -> 1111 1001). */
export function toT32LdSt(w: number): number {
  return (0xf9000000 | (w & 0x00ffffff)) >>> 0;
}

/** The T32 encoding of an A32 Advanced SIMD data-processing word (1111 001U -> 111U 1111). */
export function toT32(w: number): number {
  return (0xef000000 | (((w >>> 24) & 1) << 28) | (w & 0x00ffffff)) >>> 0;
}

/** A valid A32 data-processing instruction. */
function dp(rng: Rng): number {
  if (rng.chance(0.3)) return fpDp(rng);
  const x = rng.int(36);
  if (x >= 34) return genTbl(rng);
  if (x >= 31) return genByScalar(rng);
  if (x >= 28) return gen3Diff(rng);
  if (x >= 24) return gen2Misc(rng);
  if (x >= 20) return genShiftImm(rng);
  if (x < 12) return gen3Same(rng);
  if (x < 15) return genImm(rng);
  if (x < 17) return genDupScalar(rng);
  return genExt(rng);
}

/** Lane-shaped contents for a D register (two words lo, hi): extremes, small shifts, random. */
export function randNeonD(rng: Rng): [number, number] {
  if (rng.chance(0.35)) return randFloatD(rng);
  if (rng.chance(0.3)) return [rng.u32(), rng.u32()];
  const esize = 8 << rng.int(4);
  const lanes = 64 / esize;
  const eb = BigInt(esize);
  let v = 0n;
  for (let i = 0; i < lanes; i++) {
    let x: bigint;
    switch (rng.int(6)) {
      case 0:
        x = 1n << (eb - 1n); // most negative
        break;
      case 1:
        x = (1n << (eb - 1n)) - 1n; // most positive
        break;
      case 2:
        x = (1n << eb) - 1n; // -1 / unsigned max
        break;
      case 3:
        x = BigInt.asUintN(8, BigInt(rng.range(-70, 70))); // a shift amount
        break;
      case 4:
        x = BigInt(rng.int(4));
        break;
      default:
        x = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
    }
    v |= BigInt.asUintN(esize, x) << (BigInt(i) * eb);
  }
  return [Number(v & 0xffffffffn) >>> 0, Number(v >> 32n) >>> 0];
}

/**
 * A float-shaped single-precision lane: zeros, infinities, quiet and signalling NaNs
 * (with payloads), denormals, values near 1, near the ends of the exponent range (for
 * overflow, underflow and the VRECPE/VRSQRTE special ranges), integers near 2^31 / 2^32
 * (conversions), the half-precision range edges, or anything.
 */
function randF32(rng: Rng): number {
  const sign = rng.chance(0.5) ? 0x80000000 : 0;
  const frac = () => (rng.chance(0.3) ? rng.pick([0, 1, 0x7fffff, 0x400000, 0x3fffff]) : rng.bits(23));
  const withExp = (e: number) => (sign | (e << 23) | frac()) >>> 0;
  switch (rng.int(12)) {
    case 0:
      return (sign | rng.pick([0, 0x7f800000])) >>> 0; // zero, infinity
    case 1: // NaNs: quiet, signalling, the default NaN
      return (
        (sign | 0x7f800000 | rng.pick([0x400000, 0x400000 | rng.bits(22), 1 + rng.int(0x3fffff), 1])) >>> 0
      );
    case 2:
      return (sign | (frac() || 1)) >>> 0; // denormal
    case 3:
      return withExp(rng.pick([1, 2, 3, 24, 25])); // small: products / reciprocals underflow
    case 4:
      return withExp(rng.pick([251, 252, 253, 254])); // large: overflow; VRECPE flushes >= 2^126
    case 5:
      return withExp(rng.pick([126, 127, 128])); // near 1, 2
    case 6: // exact small values: 1, 2, 3, 0.5, 1.5, and the integer conversions' edges
      return (sign | rng.pick([0x3f800000, 0x40000000, 0x40400000, 0x3f000000, 0x3fc00000])) >>> 0;
    case 7:
      return withExp(rng.pick([156, 157, 158, 159])); // |x| near 2^30..2^32
    case 8: // half-precision edges: 65504, 65520, 2^-14, 2^-24, the f16 denormal range
      if (rng.chance(0.5)) return withExp(rng.range(102, 113));
      return (sign | rng.pick([0x477fe000, 0x477ff000, 0x38800000, 0x33800000, 0x33000000])) >>> 0;
    case 9:
      return withExp(rng.range(100, 154)); // moderate
    case 10:
      return withExp(rng.range(1, 254));
    default:
      return rng.u32();
  }
}

/** A half-precision lane (for VCVT.F32.F16): specials, denormals, normals. */
function randF16(rng: Rng): number {
  const sign = rng.chance(0.5) ? 0x8000 : 0;
  switch (rng.int(5)) {
    case 0:
      return sign | rng.pick([0, 0x7c00, 0x7e00, 0x7d00, 0x7c01, 0x7fff, 0x7bff, 0x0400]);
    case 1:
      return sign | (1 + rng.int(0x3ff)); // denormal
    case 2:
      return sign | (rng.range(1, 30) << 10) | rng.bits(10);
    default:
      return rng.bits(16);
  }
}

/** Float-shaped contents for a D register: two single-precision lanes, or four half-precision ones. */
export function randFloatD(rng: Rng): [number, number] {
  if (rng.chance(0.2)) {
    const h = () => randF16(rng);
    return [(h() | (h() << 16)) >>> 0, (h() | (h() << 16)) >>> 0];
  }
  return [randF32(rng), randF32(rng)];
}

/** An IT block of 1-4 valid Advanced SIMD instructions (conditional in T32). */
function itBlock(rng: Rng): Unit {
  const n = 1 + rng.int(4);
  const { word } = itWord(rng, n);
  const body: number[] = [];
  while (body.length < n) body.push(rng.chance(0.8) ? toT32(dp(rng)) : genXfer(rng, 14));
  return { words: [word, ...body] };
}

registerGen(
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 10, gen: (rng) => gen3Same(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 3, gen: (rng) => genImm(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 4, gen: (rng) => genShiftImm(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 4, gen: (rng) => gen2Misc(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 3, gen: (rng) => gen3Diff(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 3, gen: (rng) => genByScalar(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 6, gen: (rng) => genF3Same(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 1.5, gen: (rng) => genFByScalar(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 4, gen: (rng) => genF2Misc(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 1.5, gen: (rng) => genFCvtFix(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 0.5, gen: (rng) => genFUndef(rng) },
  {
    name: "thumb_neon",
    isa: "thumb",
    vfp: true,
    neon: true,
    weight: 0.5,
    gen: (rng) => toT32(genFUndef(rng)),
  },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 1, gen: (rng) => genTbl(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 1, gen: (rng) => genDupScalar(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 1, gen: (rng) => genExt(rng) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 2, gen: (rng) => genXfer(rng, randCond(rng)) },
  { name: "neon", isa: "arm", vfp: true, neon: true, weight: 0.5, gen: (rng) => genUndef(rng) },
  {
    name: "neon",
    isa: "arm",
    vfp: true,
    neon: true,
    weight: 4,
    gen: (rng, ctx) => ldstUnit(rng, ctx, false),
  },
  {
    name: "thumb_neon",
    isa: "thumb",
    vfp: true,
    neon: true,
    weight: 4,
    gen: (rng, ctx) => ldstUnit(rng, ctx, true),
  },
  { name: "thumb_neon", isa: "thumb", vfp: true, neon: true, weight: 8, gen: (rng) => toT32(dp(rng)) },
  { name: "thumb_neon", isa: "thumb", vfp: true, neon: true, weight: 2, gen: (rng) => genXfer(rng, 14) },
  { name: "thumb_neon", isa: "thumb", vfp: true, neon: true, weight: 3, gen: (rng) => itBlock(rng) },
  {
    name: "thumb_neon",
    isa: "thumb",
    vfp: true,
    neon: true,
    weight: 0.5,
    gen: (rng) => toT32(genUndef(rng)),
  },
);
