// Runtime helpers for Advanced SIMD (see src/sem/neon.ts). Every helper works on the
// D registers in the state block (S.VFP: D0..D31, each as two little-endian words) and
// computes element by element on BigInt values, which keeps every width (8..64 bits),
// signedness, rounding and saturation exact. A helper that may take an exception
// (access control) returns 1 when it did, else 0.

import { type Cpu, Exc, GuestAbort } from "../../cpu/cpu.js";
import { S } from "../../cpu/state.js";
import { N3 } from "../neon_ops.js";
import { getD, setD, vfpDenied } from "./vfp.js";

const VW = S.VFP >> 2;
const FPSCR_W = S.FPSCR >> 2;
const FPSCR_QC = 1 << 27;

/** The elements of `regs` consecutive D registers from `d` (element 0 first). */
function elems(cpu: Cpu, d: number, regs: number, esize: number, signed: boolean): bigint[] {
  const out: bigint[] = [];
  const per = 64 / esize;
  const eb = BigInt(esize);
  const mask = (1n << eb) - 1n;
  for (let r = 0; r < regs; r++) {
    const v = getD(cpu, d + r);
    for (let e = 0; e < per; e++) {
      const x = (v >> (BigInt(e) * eb)) & mask;
      out.push(signed ? BigInt.asIntN(esize, x) : x);
    }
  }
  return out;
}

/** Writes elements (each taken modulo 2^esize) to `regs` consecutive D registers from `d`. */
function putElems(cpu: Cpu, d: number, regs: number, esize: number, vals: bigint[]): void {
  const per = 64 / esize;
  const eb = BigInt(esize);
  for (let r = 0; r < regs; r++) {
    let v = 0n;
    for (let e = per - 1; e >= 0; e--) v = (v << eb) | BigInt.asUintN(esize, vals[r * per + e]!);
    setD(cpu, d + r, v);
  }
}

/**
 * Lane-wise on numbers, for lanes of 8, 16 or 32 bits (the common cases' fast path; the
 * BigInt element helpers define every case): for each lane, f gets the unsigned lanes of
 * D registers n, m and d (from `regs` registers each) and returns the result lane
 * (taken modulo 2^esize). Every word is read before its result is written.
 */
function lanes(
  cpu: Cpu,
  d: number,
  n: number,
  m: number,
  regs: number,
  size: number,
  f: (x: number, y: number, z: number) => number,
): void {
  const W = cpu.W;
  const esize = 8 << size;
  const mask = esize === 32 ? -1 : (1 << esize) - 1;
  for (let k = 0; k < 2 * regs; k++) {
    const xw = W[VW + 2 * n + k]!;
    const yw = W[VW + 2 * m + k]!;
    const zw = W[VW + 2 * d + k]!;
    let r = 0;
    for (let sh = 0; sh < 32; sh += esize)
      r |= (f((xw >>> sh) & mask, (yw >>> sh) & mask, (zw >>> sh) & mask) & mask) << sh;
    W[VW + 2 * d + k] = r;
  }
}

/** x >>> s for 0 <= s <= 32 (JavaScript shifts count modulo 32). */
const shr = (x: number, s: number) => (s >= 32 ? 0 : x >>> s);

function setQC(cpu: Cpu): void {
  cpu.W[FPSCR_W] = cpu.W[FPSCR_W]! | FPSCR_QC;
}

/** Saturates x to esize bits (signed or unsigned); sets FPSCR.QC when it clips. */
function sat(cpu: Cpu, x: bigint, esize: number, unsigned: boolean): bigint {
  const eb = BigInt(esize);
  const lo = unsigned ? 0n : -(1n << (eb - 1n));
  const hi = unsigned ? (1n << eb) - 1n : (1n << (eb - 1n)) - 1n;
  if (x < lo) {
    setQC(cpu);
    return lo;
  }
  if (x > hi) {
    setQC(cpu);
    return hi;
  }
  return x;
}

/** x shifted left by s (right, flooring, when negative), with optional rounding. */
function shiftBy(x: bigint, s: number, round: boolean): bigint {
  if (s >= 0) return x << BigInt(s);
  const r = BigInt(-s);
  return (round ? x + (1n << (r - 1n)) : x) >> r;
}

/** Carry-less product, low esize bits kept by the caller. */
function polyMul(a: bigint, b: bigint): bigint {
  let r = 0n;
  for (let i = 0n; i < 64n; i++) if ((b >> i) & 1n) r ^= a << i;
  return r;
}

const ONES = -1n; // all ones in any width after asUintN
const abs = (x: bigint) => (x < 0n ? -x : x);
/** BigInt maximum / minimum (Math.max/min take numbers only). */
const bmax = (x: bigint, y: bigint) => (x < y ? y : x);
const bmin = (x: bigint, y: bigint) => (y < x ? y : x);

function three(cpu: Cpu, sel: number, d: number, n: number, m: number): void {
  const op = sel & 31;
  const size = (sel >> 5) & 3;
  const u = (sel >> 7) & 1;
  const q = (sel >> 8) & 1;
  const regs = q + 1;
  const esize = 8 << size;
  const uns = u === 1;

  // The bitwise group and VADD/VSUB below 64 bits work on the registers' 32-bit words
  // (hot in kernel crypto and xor code); the BigInt element path defines the rest.
  if (op === N3.LOGIC) {
    const W = cpu.W;
    const fn = (u << 2) | size;
    for (let k = 0; k < 2 * regs; k++) {
      const x = W[VW + 2 * n + k]!;
      const y = W[VW + 2 * m + k]!;
      const z = W[VW + 2 * d + k]!;
      let r: number;
      switch (fn) {
        case 0:
          r = x & y;
          break;
        case 1:
          r = x & ~y;
          break;
        case 2:
          r = x | y;
          break;
        case 3:
          r = x | ~y;
          break;
        case 4:
          r = x ^ y;
          break;
        case 5: // VBSL: d selects n (1) or m (0)
          r = (x & z) | (y & ~z);
          break;
        case 6: // VBIT: insert n where m is 1
          r = (x & y) | (z & ~y);
          break;
        default: // VBIF: insert n where m is 0
          r = (x & ~y) | (z & y);
      }
      W[VW + 2 * d + k] = r;
    }
    return;
  }
  if (size < 3 && (op === N3.VMLAS || (op === N3.VMUL && !uns))) {
    if (op === N3.VMUL) lanes(cpu, d, n, m, regs, size, (x, y) => Math.imul(x, y));
    else if (uns) lanes(cpu, d, n, m, regs, size, (x, y, z) => z - Math.imul(x, y));
    else lanes(cpu, d, n, m, regs, size, (x, y, z) => z + Math.imul(x, y));
    return;
  }
  if (op === N3.VADDSUB && size < 3) {
    const W = cpu.W;
    // lanes of 8/16 bits: add the low bits of each lane, then put the top bits in by XOR
    const top = size === 0 ? 0x80808080 | 0 : size === 1 ? 0x80008000 | 0 : 0;
    for (let k = 0; k < 2 * regs; k++) {
      const x = W[VW + 2 * n + k]!;
      const y = W[VW + 2 * m + k]!;
      W[VW + 2 * d + k] = uns
        ? ((x | top) - (y & ~top)) ^ ((x ^ ~y) & top)
        : ((x & ~top) + (y & ~top)) ^ ((x ^ y) & top);
    }
    return;
  }

  if (op === N3.VPADD || op === N3.VPMAX || op === N3.VPMIN) {
    const signed = op !== N3.VPADD && !uns;
    const a = elems(cpu, n, 1, esize, signed);
    const b = elems(cpu, m, 1, esize, signed);
    const cat = [...a, ...b];
    const r: bigint[] = [];
    for (let i = 0; i < cat.length; i += 2) {
      const x = cat[i]!;
      const y = cat[i + 1]!;
      r.push(op === N3.VPADD ? x + y : op === N3.VPMAX ? bmax(x, y) : bmin(x, y));
    }
    putElems(cpu, d, 1, esize, r);
    return;
  }

  // Shifts by register: the element of Vm is shifted by the signed low byte of Vn's.
  if (op === N3.VSHL || op === N3.VQSHL || op === N3.VRSHL || op === N3.VQRSHL) {
    const x = elems(cpu, m, regs, esize, !uns);
    const s = elems(cpu, n, regs, esize, false);
    const round = op === N3.VRSHL || op === N3.VQRSHL;
    const saturate = op === N3.VQSHL || op === N3.VQRSHL;
    const r = x.map((v, i) => {
      const sh = Number(BigInt.asIntN(8, s[i]!));
      const y = shiftBy(v, sh, round);
      return saturate ? sat(cpu, y, esize, uns) : y;
    });
    putElems(cpu, d, regs, esize, r);
    return;
  }

  const signed = !uns && op !== N3.VADDSUB && op !== N3.VTSTCEQ && op !== N3.VMLAS && op !== N3.VMUL;
  const a = elems(cpu, n, regs, esize, op === N3.VQDMULH ? true : signed);
  const b = elems(cpu, m, regs, esize, op === N3.VQDMULH ? true : signed);
  const o = op === N3.VABA || op === N3.VMLAS ? elems(cpu, d, regs, esize, false) : [];
  const eb = BigInt(esize);
  const r = a.map((x, i) => {
    const y = b[i]!;
    switch (op) {
      case N3.VHADD:
        return (x + y) >> 1n;
      case N3.VRHADD:
        return (x + y + 1n) >> 1n;
      case N3.VHSUB:
        return (x - y) >> 1n;
      case N3.VQADD:
        return sat(cpu, x + y, esize, uns);
      case N3.VQSUB:
        return sat(cpu, x - y, esize, uns);
      case N3.VCGT:
        return x > y ? ONES : 0n;
      case N3.VCGE:
        return x >= y ? ONES : 0n;
      case N3.VMAX:
        return bmax(x, y);
      case N3.VMIN:
        return bmin(x, y);
      case N3.VABD:
        return abs(x - y);
      case N3.VABA:
        return o[i]! + abs(x - y);
      case N3.VADDSUB:
        return uns ? x - y : x + y;
      case N3.VTSTCEQ:
        return uns ? (x === y ? ONES : 0n) : (x & y) !== 0n ? ONES : 0n;
      case N3.VMLAS:
        return uns ? o[i]! - x * y : o[i]! + x * y;
      case N3.VMUL:
        return uns ? polyMul(x, y) : x * y;
      case N3.VQDMULH: {
        const p = 2n * x * y + (uns ? 1n << (eb - 1n) : 0n);
        return sat(cpu, p >> eb, esize, false);
      }
      default:
        throw new Error(`neon three-same op ${op}`);
    }
  });
  putElems(cpu, d, regs, esize, r);
}

/** One element of `ebytes` bytes from memory (as the current endianness reads it). */
function ldElem(cpu: Cpu, addr: number, ebytes: number): bigint {
  switch (ebytes) {
    case 1:
      return BigInt(cpu.ld8(addr, 0));
    case 2:
      return BigInt(cpu.ld16(addr, 0));
    case 4:
      return BigInt(cpu.ld32(addr, 0) >>> 0);
    default: {
      if (cpu.sys.alignCheck && addr & 7) throw new GuestAbort(Exc.DABT, 0x01, addr, false);
      const a = BigInt(cpu.ld32(addr, 0) >>> 0);
      const b = BigInt(cpu.ld32((addr + 4) | 0, 0) >>> 0);
      return cpu.bigEndian ? (a << 32n) | b : (b << 32n) | a;
    }
  }
}

function stElem(cpu: Cpu, addr: number, ebytes: number, v: bigint): void {
  switch (ebytes) {
    case 1:
      cpu.st8(addr, Number(v & 0xffn), 0);
      return;
    case 2:
      cpu.st16(addr, Number(v & 0xffffn), 0);
      return;
    case 4:
      cpu.st32(addr, Number(v & 0xffffffffn) | 0, 0);
      return;
    default: {
      if (cpu.sys.alignCheck && addr & 7) throw new GuestAbort(Exc.DABT, 0x01, addr, true);
      const lo = Number(v & 0xffffffffn) | 0;
      const hi = Number((v >> 32n) & 0xffffffffn) | 0;
      cpu.st32(addr, cpu.bigEndian ? hi : lo, 0);
      cpu.st32((addr + 4) | 0, cpu.bigEndian ? lo : hi, 0);
    }
  }
}

/**
 * The one-lane (kind 1) and all-lanes (kind 2) forms of VLDn/VSTn (n = nelem, 1-4): member
 * k of the structure at addr is lane `index` of D[d + k * inc] (one lane), or every lane
 * of `regs` registers from D[d + k * inc] (all lanes); members are consecutive elements
 * in memory, each read or written as one access in the current endianness. Returns the
 * address after the structure.
 */
function ldStLanes(
  cpu: Cpu,
  kind: number,
  load: boolean,
  d: number,
  addr: number,
  size: number,
  regs: number,
  index: number,
  nelem: number,
  inc: number,
): number {
  const ebytes = 1 << size;
  const esize = 8 << size;
  let a = addr;
  for (let k = 0; k < nelem; k++) {
    const r = d + k * inc;
    if (kind === 1) {
      const e = elems(cpu, r, 1, esize, false);
      if (load) {
        e[index] = ldElem(cpu, a, ebytes);
        putElems(cpu, r, 1, esize, e);
      } else stElem(cpu, a, ebytes, e[index]!);
    } else {
      const x = ldElem(cpu, a, ebytes);
      putElems(cpu, r, regs, esize, new Array<bigint>((regs * 64) / esize).fill(x));
    }
    a = (a + ebytes) | 0;
  }
  return a;
}

/**
 * Shifts by an immediate. sel = a | size << 4 | U << 6 | Q << 7 | B << 8, with a = bits
 * 11:8 of the encoding (0 VSHR, 1 VSRA, 2 VRSHR, 3 VRSRA, 4 VSRI, 5 VSHL/VSLI (U), 6
 * VQSHLU, 7 VQSHL, 8 VSHRN/VRSHRN (U = 0) or VQSHRUN/VQRSHRUN (U = 1), 9 VQSHRN/VQRSHRN,
 * 10 VSHLL/VMOVL), size the element size from imm6 (for narrowing: the result's, for
 * VSHLL: the source's), B = bit 6 (rounding for the narrowing forms).
 */
function shiftImm(cpu: Cpu, sel: number, d: number, m: number, sh: number): void {
  const a = sel & 15;
  const size = (sel >> 4) & 3;
  const uns = ((sel >> 6) & 1) === 1;
  const regs = ((sel >> 7) & 1) + 1;
  const rnd = ((sel >> 8) & 1) === 1;
  const esize = 8 << size;
  const eb = BigInt(esize);
  const ones = (1n << eb) - 1n;
  if (a === 8 || a === 9) {
    const x = elems(cpu, m, 2, 2 * esize, !(a === 8 && !uns) && !(a === 9 && uns));
    const r = x.map((v) => {
      const y = shiftBy(v, -sh, rnd);
      return a === 8 && !uns ? y : sat(cpu, y, esize, uns);
    });
    putElems(cpu, d, 1, esize, r);
    return;
  }
  if (a === 10) {
    const x = elems(cpu, m, 1, esize, !uns);
    putElems(
      cpu,
      d,
      2,
      2 * esize,
      x.map((v) => v << BigInt(sh)),
    );
    return;
  }
  if (size < 3 && (a <= 1 || a === 4 || a === 5)) {
    // VSHR, VSRA, VSRI, VSHL, VSLI on numbers (sh: 1..esize right, 0..esize-1 left)
    const top = 32 - esize;
    const sr = (x: number) => (uns ? shr(x, sh) : ((x << top) >> top) >> Math.min(sh, esize - 1));
    const lo = shr(-1 >>> top, sh); // VSRI: the bits the shifted value fills
    const hi = ((-1 >>> top) << sh) & (-1 >>> top); // VSLI
    if (a === 0) lanes(cpu, d, m, m, regs, size, (x) => sr(x));
    else if (a === 1) lanes(cpu, d, m, m, regs, size, (x, _y, z) => z + sr(x));
    else if (a === 4) lanes(cpu, d, m, m, regs, size, (x, _y, z) => (z & ~lo) | (shr(x, sh) & lo));
    else if (!uns) lanes(cpu, d, m, m, regs, size, (x) => x << sh);
    else lanes(cpu, d, m, m, regs, size, (x, _y, z) => (z & ~hi) | ((x << sh) & hi));
    return;
  }
  const signedIn = a === 6 || ((a <= 3 || a === 7) && !uns);
  const x = elems(cpu, m, regs, esize, signedIn);
  const o = elems(cpu, d, regs, esize, false);
  const s = BigInt(sh);
  const r = x.map((v, i) => {
    switch (a) {
      case 0:
        return v >> s;
      case 1:
        return o[i]! + (v >> s);
      case 2:
        return shiftBy(v, -sh, true);
      case 3:
        return o[i]! + shiftBy(v, -sh, true);
      case 4: {
        const mask = ones >> s;
        return (o[i]! & ~mask) | ((v >> s) & mask);
      }
      case 5: {
        if (!uns) return v << s;
        const mask = (ones << s) & ones;
        return (o[i]! & ~mask) | ((v << s) & mask);
      }
      case 6:
        return sat(cpu, v << s, esize, true);
      default:
        return sat(cpu, v << s, esize, uns);
    }
  });
  putElems(cpu, d, regs, esize, r);
}

/** Leading zero bits of an esize-bit unsigned value. */
function clzN(x: bigint, esize: number): bigint {
  let n = 0;
  for (let i = esize - 1; i >= 0 && !((x >> BigInt(i)) & 1n); i--) n++;
  return BigInt(n);
}

/**
 * Two registers, miscellaneous (integer forms). sel = A | B << 2 | size << 7 with A = bits
 * 17:16 and B = bits 10:6 of the encoding (B's low bit is Q for the non-narrowing forms).
 */
function twoMisc(cpu: Cpu, sel: number, d: number, m: number): void {
  const A = sel & 3;
  const B = (sel >> 2) & 31;
  const size = (sel >> 7) & 3;
  const esize = 8 << size;
  const eb = BigInt(esize);
  const regs = (B & 1) + 1;
  const q = B >> 1;
  if (A === 0) {
    if (q <= 2) {
      // VREV64 / VREV32 / VREV16: reverse the elements inside each 64/32/16-bit group
      const group = (64 >> q) / esize;
      const x = elems(cpu, m, regs, esize, false);
      putElems(
        cpu,
        d,
        regs,
        esize,
        x.map((_, i) => x[i - (i % group) + (group - 1 - (i % group))]!),
      );
      return;
    }
    if (q >> 1 === 2 || q >> 1 === 6) {
      // VPADDL / VPADAL: pairwise add into double-width elements (bit 7 = unsigned)
      const x = elems(cpu, m, regs, esize, (q & 1) === 0);
      const acc = q >> 1 === 6 ? elems(cpu, d, regs, 2 * esize, false) : [];
      const r: bigint[] = [];
      for (let i = 0; i < x.length; i += 2) r.push((acc[i >> 1] ?? 0n) + x[i]! + x[i + 1]!);
      putElems(cpu, d, regs, 2 * esize, r);
      return;
    }
    const x = elems(cpu, m, regs, esize, q >= 14 || q === 8);
    const r = x.map((v) => {
      switch (q) {
        case 8: // VCLS
          return clzN(BigInt.asUintN(esize, (v >> 1n) ^ v), esize) - 1n;
        case 9: // VCLZ
          return clzN(v, esize);
        case 10: {
          // VCNT
          let c = 0n;
          for (let t = v; t; t >>= 1n) c += t & 1n;
          return c;
        }
        case 11: // VMVN
          return ~v;
        case 14: // VQABS
          return sat(cpu, v < 0n ? -v : v, esize, false);
        default: // 15 VQNEG
          return sat(cpu, -v, esize, false);
      }
    });
    putElems(cpu, d, regs, esize, r);
    return;
  }
  if (A === 1) {
    const x = elems(cpu, m, regs, esize, true);
    const r = x.map((v) => {
      switch (q & 7) {
        case 0:
          return v > 0n ? ONES : 0n;
        case 1:
          return v >= 0n ? ONES : 0n;
        case 2:
          return v === 0n ? ONES : 0n;
        case 3:
          return v <= 0n ? ONES : 0n;
        case 4:
          return v < 0n ? ONES : 0n;
        case 6:
          return v < 0n ? -v : v;
        default: // 7 VNEG
          return -v;
      }
    });
    putElems(cpu, d, regs, esize, r);
    return;
  }
  // A = 2
  if (q <= 3) {
    const x = elems(cpu, d, regs, esize, false);
    const y = elems(cpu, m, regs, esize, false);
    const n = x.length;
    let nd: bigint[];
    let nm: bigint[];
    if (q === 0) {
      nd = y; // VSWP
      nm = x;
    } else if (q === 1) {
      // VTRN
      nd = x.slice();
      nm = y.slice();
      for (let i = 0; i < n; i += 2) {
        nd[i + 1] = y[i]!;
        nm[i] = x[i + 1]!;
      }
    } else if (q === 2) {
      // VUZP
      const cat = [...x, ...y];
      nd = cat.filter((_, i) => i % 2 === 0);
      nm = cat.filter((_, i) => i % 2 === 1);
    } else {
      // VZIP
      const z: bigint[] = [];
      for (let i = 0; i < n; i++) z.push(x[i]!, y[i]!);
      nd = z.slice(0, n);
      nm = z.slice(n);
    }
    putElems(cpu, d, regs, esize, nd);
    putElems(cpu, m, regs, esize, nm);
    return;
  }
  if (B === 12) {
    // VSHLL (shift = esize)
    const x = elems(cpu, m, 1, esize, false);
    putElems(
      cpu,
      d,
      2,
      2 * esize,
      x.map((v) => v << eb),
    );
    return;
  }
  // VMOVN / VQMOVUN / VQMOVN (op = bits 7:6)
  const op = B & 3;
  const x = elems(cpu, m, 2, 2 * esize, op !== 3);
  putElems(
    cpu,
    d,
    1,
    esize,
    x.map((v) => (op === 0 ? v : sat(cpu, v, esize, op !== 2))),
  );
}

/**
 * The long multiply family shared by three-different and by-scalar forms: kind 0 VMLAL,
 * 1 VMLSL, 2 VMULL, 3 VQDMLAL, 4 VQDMLSL, 5 VQDMULL; results are 2 * esize bits.
 */
function mulLong(cpu: Cpu, kind: number, x: bigint, y: bigint, acc: bigint, esize: number): bigint {
  const w = 2 * esize;
  switch (kind) {
    case 0:
      return acc + x * y;
    case 1:
      return acc - x * y;
    case 2:
      return x * y;
    default: {
      const p = sat(cpu, 2n * x * y, w, false);
      if (kind === 5) return p;
      return sat(cpu, kind === 3 ? BigInt.asIntN(w, acc) + p : BigInt.asIntN(w, acc) - p, w, false);
    }
  }
}

/** Three registers of different lengths: sel = A | size << 4 | U << 6 (A = bits 11:8). */
function threeDiff(cpu: Cpu, sel: number, d: number, n: number, m: number): void {
  const a = sel & 15;
  const size = (sel >> 4) & 3;
  const uns = ((sel >> 6) & 1) === 1;
  const esize = 8 << size;
  const eb = BigInt(esize);
  if (a === 4 || a === 6) {
    // VADDHN / VRADDHN / VSUBHN / VRSUBHN: the high halves of the 2 * esize results
    const x = elems(cpu, n, 2, 2 * esize, false);
    const y = elems(cpu, m, 2, 2 * esize, false);
    const rnd = uns ? 1n << (eb - 1n) : 0n;
    putElems(
      cpu,
      d,
      1,
      esize,
      x.map((v, i) => ((a === 4 ? v + y[i]! : v - y[i]!) + rnd) >> eb),
    );
    return;
  }
  const signed = !uns && a !== 14; // VMULL.P8: unsigned polynomials
  const x = a === 1 || a === 3 ? elems(cpu, n, 2, 2 * esize, signed) : elems(cpu, n, 1, esize, signed);
  const y = elems(cpu, m, 1, esize, signed);
  const o = elems(cpu, d, 2, 2 * esize, false);
  const r = x.map((v, i) => {
    const w = y[i]!;
    switch (a) {
      case 0:
      case 1:
        return v + w;
      case 2:
      case 3:
        return v - w;
      case 5:
        return o[i]! + abs(v - w);
      case 7:
        return abs(v - w);
      case 8:
        return mulLong(cpu, 0, v, w, o[i]!, esize);
      case 9:
        return mulLong(cpu, 3, v, w, o[i]!, esize);
      case 10:
        return mulLong(cpu, 1, v, w, o[i]!, esize);
      case 11:
        return mulLong(cpu, 4, v, w, o[i]!, esize);
      case 12:
        return v * w;
      case 13:
        return mulLong(cpu, 5, v, w, 0n, esize);
      default: // 14 VMULL.P8
        return polyMul(v, w);
    }
  });
  putElems(cpu, d, 2, 2 * esize, r);
}

/**
 * Two registers and a scalar: sel = A | size << 4 | U << 6 (bit 24: Q for the same-length
 * forms, U for the long ones) | index << 7; m is the scalar's D register.
 */
function byScalar(cpu: Cpu, sel: number, d: number, n: number, m: number): void {
  const a = sel & 15;
  const size = (sel >> 4) & 3;
  const b24 = (sel >> 6) & 1;
  const index = sel >> 7;
  const esize = 8 << size;
  const eb = BigInt(esize);
  const long = a === 2 || a === 3 || a === 6 || a === 7 || a === 10 || a === 11;
  if (!long) {
    const regs = b24 + 1;
    const sgn = a >= 12;
    const x = elems(cpu, n, regs, esize, sgn);
    const s = elems(cpu, m, 1, esize, sgn)[index]!;
    const o = elems(cpu, d, regs, esize, false);
    const r = x.map((v, i) => {
      switch (a) {
        case 0:
          return o[i]! + v * s;
        case 4:
          return o[i]! - v * s;
        case 8:
          return v * s;
        default: {
          const p = 2n * v * s + (a === 13 ? 1n << (eb - 1n) : 0n);
          return sat(cpu, p >> eb, esize, false);
        }
      }
    });
    putElems(cpu, d, regs, esize, r);
    return;
  }
  const signed = b24 === 0;
  const x = elems(cpu, n, 1, esize, signed);
  const s = elems(cpu, m, 1, esize, signed)[index]!;
  const o = elems(cpu, d, 2, 2 * esize, false);
  const kind = a === 2 ? 0 : a === 6 ? 1 : a === 10 ? 2 : a === 3 ? 3 : a === 7 ? 4 : 5;
  putElems(
    cpu,
    d,
    2,
    2 * esize,
    x.map((v, i) => mulLong(cpu, kind, v, s, o[i]!, esize)),
  );
}

export const neonHelpers = {
  /** Three registers of different lengths (see threeDiff). */
  neon3Diff(cpu: Cpu, sel: number, d: number, n: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    threeDiff(cpu, sel, d, n, m);
    return 0;
  },

  /** Two registers and a scalar, integer forms (see byScalar). */
  neonByScalar(cpu: Cpu, sel: number, d: number, n: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    byScalar(cpu, sel, d, n, m);
    return 0;
  },

  /** VTBL / VTBX: sel = len (registers - 1) | op << 2 (1: VTBX keeps out-of-range bytes). */
  neonTbl(cpu: Cpu, sel: number, d: number, n: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    const regs = (sel & 3) + 1;
    const table = elems(cpu, n, regs, 8, false);
    const idx = elems(cpu, m, 1, 8, false);
    const o = elems(cpu, d, 1, 8, false);
    putElems(
      cpu,
      d,
      1,
      8,
      idx.map((v, i) => (v < BigInt(8 * regs) ? table[Number(v)]! : sel & 4 ? o[i]! : 0n)),
    );
    return 0;
  },

  /** Two registers, miscellaneous (see twoMisc). */
  neon2Misc(cpu: Cpu, sel: number, d: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    twoMisc(cpu, sel, d, m);
    return 0;
  },

  /** Shifts by an immediate (see shiftImm). */
  neonShiftImm(cpu: Cpu, sel: number, d: number, m: number, sh: number): number {
    if (vfpDenied(cpu, false)) return 1;
    shiftImm(cpu, sel, d, m, sh);
    return 0;
  },

  /**
   * VLD1-4 / VST1-4, every form. sel = ldst1Sel(load, kind, size, regs, index, alignLog2,
   * nelem, inc) (neon_ops.ts): nelem structure members in registers inc apart; kind 0
   * multiple elements (regs 1-4), 1 one lane (index), 2 all lanes (load only; regs 1-2 per
   * member, 2 with VLD1 only) (see ldStLanes); alignLog2:
   * the address must be a multiple of 2^alignLog2 bytes (alignment fault otherwise,
   * whatever SCTLR.A). rm = 15: no writeback; 13: Rn += bytes transferred; else Rn += Rm.
   */
  neonLdSt1(cpu: Cpu, sel: number, d: number, rn: number, rm: number): number {
    if (vfpDenied(cpu, false)) return 1;
    const load = (sel & 1) === 1;
    const kind = (sel >> 1) & 3;
    const size = (sel >> 3) & 3;
    const regs = (sel >> 5) & 7;
    const index = (sel >> 8) & 7;
    const alignLog2 = (sel >> 11) & 7;
    const nelem = ((sel >> 14) & 3) + 1;
    const inc = ((sel >> 16) & 1) + 1;
    const ebytes = 1 << size;
    const esize = 8 << size;
    const base = cpu.R[rn]! | 0;
    const step = rm === 15 || rm === 13 ? 0 : cpu.R[rm]! | 0;
    if (base & ((1 << alignLog2) - 1)) throw new GuestAbort(Exc.DABT, 0x01, base, !load);
    let addr = base;
    if (kind === 0 && nelem === 1 && size < 3) {
      // VLD1/VST1 (multiple) of 8/16/32-bit elements on the registers' words, as below:
      // one access per element, a register written once all its elements are loaded
      const W = cpu.W;
      const per = 4 >> size;
      const mask = size === 2 ? -1 : (1 << esize) - 1;
      for (let r = 0; r < regs; r++) {
        const wi = VW + 2 * (d + r);
        if (load) {
          let lo = 0;
          for (let k = 0; k < 2; k++) {
            let w = 0;
            for (let j = 0; j < per; j++) {
              const v = size === 2 ? cpu.ld32(addr, 0) : size === 1 ? cpu.ld16(addr, 0) : cpu.ld8(addr, 0);
              w |= (v & mask) << (j * esize);
              addr = (addr + ebytes) | 0;
            }
            if (k === 0) lo = w;
            else {
              W[wi] = lo;
              W[wi + 1] = w;
            }
          }
        } else
          for (let k = 0; k < 2; k++) {
            const w = W[wi + k]!;
            for (let j = 0; j < per; j++) {
              const v = (w >>> (j * esize)) & mask;
              if (size === 2) cpu.st32(addr, v, 0);
              else if (size === 1) cpu.st16(addr, v, 0);
              else cpu.st8(addr, v, 0);
              addr = (addr + ebytes) | 0;
            }
          }
      }
    } else if (kind === 0) {
      // structure member k of element i of register r lives in D[d + k * inc + r]
      for (let r = 0; r < regs; r++) {
        const e = Array.from({ length: nelem }, (_, k) => elems(cpu, d + k * inc + r, 1, esize, false));
        for (let i = 0; i < 64 / esize; i++) {
          for (let k = 0; k < nelem; k++) {
            if (load) e[k]![i] = ldElem(cpu, addr, ebytes);
            else stElem(cpu, addr, ebytes, e[k]![i]!);
            addr = (addr + ebytes) | 0;
          }
        }
        if (load) for (let k = 0; k < nelem; k++) putElems(cpu, d + k * inc + r, 1, esize, e[k]!);
      }
    } else addr = ldStLanes(cpu, kind, load, d, addr, size, regs, index, nelem, inc);
    if (rm !== 15) cpu.R[rn] = rm === 13 ? addr : (base + step) | 0;
    return 0;
  },

  /** Three registers of the same length (integer): sel from n3Sel. */
  neon3Same(cpu: Cpu, sel: number, d: number, n: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    three(cpu, sel, d, n, m);
    return 0;
  },

  /**
   * One register and a modified immediate: kind 0 MOV (d = imm), 1 ORR (d |= imm),
   * 2 AND (d &= imm; VBIC with the immediate inverted at decode time). q: two D registers.
   */
  neonImm(cpu: Cpu, kind: number, d: number, lo: number, hi: number, q: number): number {
    if (vfpDenied(cpu, false)) return 1;
    const W = cpu.W;
    for (let r = 0; r <= q; r++) {
      const i = VW + 2 * (d + r);
      if (kind === 0) {
        W[i] = lo;
        W[i + 1] = hi;
      } else if (kind === 1) {
        W[i] = W[i]! | lo;
        W[i + 1] = W[i + 1]! | hi;
      } else {
        W[i] = W[i]! & lo;
        W[i + 1] = W[i + 1]! & hi;
      }
    }
    return 0;
  },

  /** VDUP Dd/Qd, Rt: sel = size | q << 2 (size 0/1/2 = 8/16/32 bits). */
  neonDupCore(cpu: Cpu, sel: number, d: number, v: number): number {
    if (vfpDenied(cpu, false)) return 1;
    const esize = 8 << (sel & 3);
    const regs = ((sel >> 2) & 1) + 1;
    putElems(cpu, d, regs, esize, new Array<bigint>((regs * 64) / esize).fill(BigInt(v >>> 0)));
    return 0;
  },

  /** VDUP Dd/Qd, Dm[x]: sel = size | q << 2 | index << 3. */
  neonDupScalar(cpu: Cpu, sel: number, d: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    const esize = 8 << (sel & 3);
    const regs = ((sel >> 2) & 1) + 1;
    const x = elems(cpu, m, 1, esize, false)[sel >> 3]!;
    putElems(cpu, d, regs, esize, new Array<bigint>((regs * 64) / esize).fill(x));
    return 0;
  },

  /** VMOV Dd[x], Rt (8/16 bits): sel = size | index << 2. Access checked by the caller. */
  neonSetScalar(cpu: Cpu, sel: number, d: number, v: number): number {
    const esize = 8 << (sel & 3);
    const e = elems(cpu, d, 1, esize, false);
    e[sel >> 2] = BigInt(v >>> 0);
    putElems(cpu, d, 1, esize, e);
    return 0;
  },

  /** VMOV Rt, Dn[x] (8/16 bits): sel = size | u << 2 | index << 3. Access checked by the caller. */
  neonGetScalar(cpu: Cpu, sel: number, n: number): number {
    const esize = 8 << (sel & 3);
    const signed = ((sel >> 2) & 1) === 0;
    return Number(BigInt.asIntN(32, elems(cpu, n, 1, esize, signed)[sel >> 3]!)) | 0;
  },

  /** VEXT Dd/Qd, Dn, Dm, #imm: sel = imm4 | q << 4 (bytes from the concatenation m:n). */
  neonExt(cpu: Cpu, sel: number, d: number, n: number, m: number): number {
    if (vfpDenied(cpu, false)) return 1;
    const regs = ((sel >> 4) & 1) + 1;
    const cat = [...elems(cpu, n, regs, 8, false), ...elems(cpu, m, regs, 8, false)];
    const imm = sel & 15;
    putElems(cpu, d, regs, 8, cat.slice(imm, imm + 8 * regs));
    return 0;
  },
};
