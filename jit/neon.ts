// Inline wasm SIMD (v128) for the common Advanced SIMD helpers (src/sem/helpers/neon.ts):
// the integer three-registers-same forms that map onto one wasm lane operation, shifts
// by an immediate, the modified-immediate moves, VDUP from a core register, and (with
// the inline TLB, in WasmBuilder) VLD1/VST1 of whole registers. Guest lanes are the
// registers' little-endian bytes in the state memory (D[i] at S.VFP + 8i), which is
// wasm's lane order, so a Q register is one v128 load. Forms wasm has no single
// operation for (saturating, halving, rounding, polynomial, 8-bit multiplies, ...) call
// the helper, which is the definition.
//
// The caller runs this code only when the FP/SIMD unit is accessible without a trap
// (the helper vfpOpen, as for the inline VFP code); these forms read no FPSCR bits and
// set none.

import { S } from "../src/cpu/state.js";
import { N3 } from "../src/sem/neon_ops.js";
import type binaryen from "./binaryen.js";
import type { Regs } from "./fpregs.js";

type Ref = binaryen.ExpressionRef;

/** Lane shape of an element size (0..3 = 8..64 bits). */
type Shape = "i8x16" | "i16x8" | "i32x4" | "i64x2";
const SHAPES: Shape[] = ["i8x16", "i16x8", "i32x4", "i64x2"];

/** A vector operation of two operands, or null when wasm has none for that shape. */
type Bin = (m: binaryen.Module, x: Ref, y: Ref) => Ref;

/** Integer three-registers-same: the lane operation for op/size/U, or null (the helper). */
function threeSameOp(op: number, size: number, u: number): Bin | null {
  const s = SHAPES[size]!;
  switch (op) {
    case N3.VADDSUB:
      return u ? (m, x, y) => m[s].sub(x, y) : (m, x, y) => m[s].add(x, y);
    case N3.VMUL:
      return u === 0 && (size === 1 || size === 2) ? (m, x, y) => m[s as "i16x8" | "i32x4"].mul(x, y) : null;
    case N3.VCGT:
    case N3.VCGE:
    case N3.VMAX:
    case N3.VMIN: {
      if (size === 3) return null;
      const v = m8(s);
      if (op === N3.VCGT) return u ? (m, x, y) => v(m).gt_u(x, y) : (m, x, y) => v(m).gt_s(x, y);
      if (op === N3.VCGE) return u ? (m, x, y) => v(m).ge_u(x, y) : (m, x, y) => v(m).ge_s(x, y);
      if (op === N3.VMAX) return u ? (m, x, y) => v(m).max_u(x, y) : (m, x, y) => v(m).max_s(x, y);
      return u ? (m, x, y) => v(m).min_u(x, y) : (m, x, y) => v(m).min_s(x, y);
    }
    case N3.VTSTCEQ:
      if (size === 3) return null;
      return u
        ? (m, x, y) => m[s].eq(x, y)
        : (m, x, y) =>
            m[s].ne(m.v128.and(x, y), m.v128.const([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    default:
      return null;
  }
}

/** The 8/16/32-bit lane operations that i64x2 lacks (min/max, unsigned compares). */
const m8 = (s: Shape) => (m: binaryen.Module) => m[s as "i8x16" | "i16x8" | "i32x4"];

/** Does helper(args) have inline code (args: its constant operands)? */
export function hasInlineNeon(helper: string, a: readonly number[]): boolean {
  switch (helper) {
    case "neon3Same": {
      const sel = a[0]!;
      const op = sel & 31;
      const size = (sel >> 5) & 3;
      const u = (sel >> 7) & 1;
      if (op === N3.LOGIC) return true;
      if (op === N3.VMLAS) return size === 1 || size === 2;
      return threeSameOp(op, size, u) !== null;
    }
    case "neonShiftImm": {
      const sel = a[0]!;
      const op = sel & 15;
      return op === 0 || op === 1 || (op === 5 && ((sel >> 6) & 1) === 0);
    }
    case "neonImm":
      return true;
    default:
      return false;
  }
}

/**
 * Access to the Q registers (by the D index of their low half, even): on the state
 * memory, or on the v128 locals WasmBuilder keeps them in inside a block.
 */
export type QRegs = Regs;

/** Q registers on the state memory. */
export function memQRegs(m: binaryen.Module): QRegs {
  return {
    get: (d) => m.v128.load(S.VFP + 8 * d, 8, m.i32.const(0)),
    set: (d, v) => m.v128.store(S.VFP + 8 * d, 8, m.i32.const(0), v),
  };
}

/** Q (16 bytes, through qr) or D (8 bytes, in the low half, on the state memory) register access. */
function regIo(m: binaryen.Module, q: number, qr: QRegs) {
  const at = (d: number) => S.VFP + 8 * d;
  const zero = () => m.i32.const(0);
  return {
    load: (d: number) => (q ? qr.get(d) : m.v128.load64_zero(at(d), 8, zero())),
    store: (d: number, v: Ref) => (q ? qr.set(d, v) : m.v128.store64_lane(at(d), 8, 0, zero(), v)),
  };
}

/**
 * The Q registers (D indexes) the inline code of helper(args) reads and writes, when it
 * accesses only whole Q registers (so they can live in locals); else null.
 */
export function qOperands(helper: string, a: readonly number[]): { src: number[]; dst: number[] } | null {
  const even = (...ds: number[]) => ds.every((d) => (d & 1) === 0);
  switch (helper) {
    case "neon3Same": {
      const [sel, d, n, mr] = a as [number, number, number, number];
      if (((sel >> 8) & 1) === 0 || !even(d, n, mr)) return null;
      const op = sel & 31;
      const logicSel = (((sel >> 7) & 1) << 2) | ((sel >> 5) & 3);
      const readsD = op === N3.VMLAS || (op === N3.LOGIC && logicSel >= 5);
      return { src: readsD ? [n, mr, d] : [n, mr], dst: [d] };
    }
    case "neonShiftImm": {
      const [sel, d, mr] = a as [number, number, number];
      if (((sel >> 7) & 1) === 0 || !even(d, mr)) return null;
      return { src: (sel & 15) === 1 ? [mr, d] : [mr], dst: [d] };
    }
    case "neonDupCore": {
      const [sel, d] = a as [number, number];
      return ((sel >> 2) & 1) === 1 && even(d) ? { src: [], dst: [d] } : null;
    }
    default:
      return null;
  }
}

/** The Q registers (D indexes) VLD1/VST1 of `bytes` from D[d] moves, when whole Q registers; else null. */
export function ldSt1QRegs(d: number, bytes: number): number[] | null {
  if ((d & 1) !== 0 || bytes % 16 !== 0) return null;
  return Array.from({ length: bytes / 16 }, (_, i) => d + 2 * i);
}

/** Statements computing helper(args) (hasInlineNeon said yes). */
export function inlineNeon(m: binaryen.Module, helper: string, a: readonly number[], qr: QRegs): Ref[] {
  switch (helper) {
    case "neon3Same":
      return threeSame(m, a[0]!, a[1]!, a[2]!, a[3]!, qr);
    case "neonShiftImm":
      return shiftImm(m, a[0]!, a[1]!, a[2]!, a[3]!, qr);
    case "neonImm":
      return modImm(m, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!);
    default:
      throw new Error(`no inline code for ${helper}`);
  }
}

function threeSame(m: binaryen.Module, sel: number, d: number, n: number, mr: number, qr: QRegs): Ref[] {
  const op = sel & 31;
  const size = (sel >> 5) & 3;
  const u = (sel >> 7) & 1;
  const r = regIo(m, (sel >> 8) & 1, qr);
  const x = () => r.load(n);
  const y = () => r.load(mr);
  const z = () => r.load(d);
  let v: Ref;
  if (op === N3.LOGIC) {
    switch ((u << 2) | size) {
      case 0:
        v = m.v128.and(x(), y());
        break;
      case 1:
        v = m.v128.andnot(x(), y());
        break;
      case 2:
        v = m.v128.or(x(), y());
        break;
      case 3:
        v = m.v128.or(x(), m.v128.not(y()));
        break;
      case 4:
        v = m.v128.xor(x(), y());
        break;
      case 5: // VBSL: d selects n (1) or m (0)
        v = m.v128.bitselect(x(), y(), z());
        break;
      case 6: // VBIT: n where m is 1
        v = m.v128.bitselect(x(), z(), y());
        break;
      default: // VBIF: n where m is 0
        v = m.v128.bitselect(z(), x(), y());
    }
  } else if (op === N3.VMLAS) {
    const s = SHAPES[size] as "i16x8" | "i32x4";
    const p = m[s].mul(x(), y());
    v = u ? m[s].sub(z(), p) : m[s].add(z(), p);
  } else v = threeSameOp(op, size, u)!(m, x(), y());
  return [r.store(d, v)];
}

/**
 * Shifts by an immediate (the helper's sel layout): VSHR (sh 1..esize), VSRA, VSHL
 * (sh 0..esize-1). wasm takes shift counts modulo the lane width, so a right shift by the
 * whole lane is written out: 0 unsigned, the sign signed.
 */
function shiftImm(m: binaryen.Module, sel: number, d: number, mr: number, sh: number, qr: QRegs): Ref[] {
  const op = sel & 15;
  const size = (sel >> 4) & 3;
  const uns = ((sel >> 6) & 1) === 1;
  const r = regIo(m, (sel >> 7) & 1, qr);
  const s = SHAPES[size]!;
  const esize = 8 << size;
  const x = r.load(mr);
  let v: Ref;
  if (op === 5) v = m[s].shl(x, m.i32.const(sh));
  else {
    const shifted = uns
      ? sh >= esize
        ? m.v128.xor(x, x)
        : m[s].shr_u(x, m.i32.const(sh))
      : m[s].shr_s(x, m.i32.const(Math.min(sh, esize - 1)));
    v = op === 1 ? m[s].add(r.load(d), shifted) : shifted;
  }
  return [r.store(d, v)];
}

/** One register and a modified immediate: kind 0 MOV, 1 ORR, 2 AND on each D register's words. */
function modImm(m: binaryen.Module, kind: number, d: number, lo: number, hi: number, q: number): Ref[] {
  const out: Ref[] = [];
  const zero = () => m.i32.const(0);
  for (let reg = 0; reg <= q; reg++)
    for (const [w, imm] of [
      [0, lo],
      [1, hi],
    ] as const) {
      const at = S.VFP + 8 * (d + reg) + 4 * w;
      const cur = () => m.i32.load(at, 4, zero());
      const val =
        kind === 0
          ? m.i32.const(imm)
          : kind === 1
            ? m.i32.or(cur(), m.i32.const(imm))
            : m.i32.and(cur(), m.i32.const(imm));
      out.push(m.i32.store(at, 4, zero(), val));
    }
  return out;
}

/** VDUP Dd/Qd, Rt: sel = size | q << 2; `v` the core register's value. */
export function dupCore(m: binaryen.Module, sel: number, d: number, v: Ref, qr: QRegs): Ref[] {
  const size = sel & 3;
  if (size > 2) throw new Error("jit: VDUP from a core register has no 64-bit form");
  const r = regIo(m, (sel >> 2) & 1, qr);
  return [r.store(d, m[SHAPES[size] as "i8x16" | "i16x8" | "i32x4"].splat(v))];
}

/**
 * Copy `bytes` (8, 16, 24 or 32) between host address `host()` and D[d]...: VLD1/VST1 of
 * whole little-endian registers are byte copies, whatever the element size. Whole Q
 * registers (16-byte pieces at an even D index) go through qr.
 */
export function copyRegs(
  m: binaryen.Module,
  load: boolean,
  d: number,
  bytes: number,
  host: () => Ref,
  qr: QRegs,
): Ref[] {
  const out: Ref[] = [];
  const zero = () => m.i32.const(0);
  for (let off = 0; off < bytes; ) {
    const di = d + off / 8;
    const reg = S.VFP + 8 * di;
    if (bytes - off >= 16) {
      const mem = () => m.v128.load(off, 1, host());
      if ((di & 1) === 0) out.push(load ? qr.set(di, mem()) : m.v128.store(off, 1, host(), qr.get(di)));
      else
        out.push(
          load
            ? m.v128.store(reg, 8, zero(), mem())
            : m.v128.store(off, 1, host(), m.v128.load(reg, 8, zero())),
        );
      off += 16;
    } else {
      out.push(
        load
          ? m.i64.store(reg, 8, zero(), m.i64.load(off, 1, host()))
          : m.i64.store(off, 1, host(), m.i64.load(reg, 8, zero())),
      );
      off += 8;
    }
  }
  return out;
}

/**
 * Is VLD1/VST1 (neonLdSt1 with selector sel, base register rn) a copy of whole registers
 * (multiple elements, one structure member) that the inline TLB can serve? (The PC as the
 * base register is left to the helper.)
 */
export function ldSt1Inline(sel: number, rn: number): boolean {
  const kind = (sel >> 1) & 3;
  const nelem = ((sel >> 14) & 3) + 1;
  return kind === 0 && nelem === 1 && rn !== 15;
}
