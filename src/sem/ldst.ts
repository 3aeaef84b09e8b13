// Loads and stores: LDR/STR{B,H,SB,SH,D}{T}, LDM/STM (incl. user-register and exception
// return forms), exclusives (LDREX*/STREX*/CLREX), SWP/SWPB, PLD/PLDW/PLI.
//
// The definitions are ISA-neutral; this file holds their A32 encodings, the Thumb decoders
// map T16/T32 encodings onto the same definitions. Summary (params = decode-time, fields =
// runtime operands):
//
//   LDST_IMM  "ldst_imm"  p {op: LsOp, am: Am}                f [rt, rn, imm]
//       imm is the signed byte offset (negate it for U = 0). Address = R[rn] + imm
//       (am OFF/PRE/OFF_T) or R[rn] (am POST/POST_T); PRE/POST/POST_T write R[rn] back.
//       op LDR_PC = LDR into the PC (LoadWritePC = BXWritePC; decoder must set ends: true).
//       Stores read R[rt] with reg() (R[15] = PC read value). rn == 15 reads the PC
//       value (A32 STR [pc, #x]); Thumb literal loads must use LD_LIT instead.
//   LDST_REG  "ldst_reg"  p {op: LsOp, am: Am, add: 0|1, sh: Sh}  f [rt, rn, rm, amt]
//       offset = Shift(R[rm], sh, amt) (see common.ts immShift; Thumb LSL #n: sh=LSL or
//       NONE, amt=n); address = R[rn] +/- offset (add). Same am/op as above.
//   LD_LIT    "ld_lit"    p {op: LsOp (loads), al: 0|1}       f [rt, base, off]
//       Literal load: address = (al ? base & ~3 : base) + off. Give `base` as a `rel`
//       field: A32 base = 8 (al 0), Thumb base = 4 with al 1 (Align(PC,4)); off signed.
//   LDRD_IMM  "ldrd_imm"  p {ld: 0|1, am: OFF|PRE|POST}       f [rt, rt2, rn, imm]
//   LDRD_REG  "ldrd_reg"  p {ld: 0|1, am: OFF|PRE|POST, add}   f [rt, rt2, rn, rm]
//   LDRD_LIT  "ldrd_lit"  p {al: 0|1}                         f [rt, rt2, base, off]
//       Doubleword: two word accesses, each must be 4-byte aligned (as QEMU); Rt is
//       written after the first load (as QEMU), the base after both. One word range
//       (compiled code checks both words at once, before anything is written).
//   LDM       "ldm"       p {mode: Blk, wb: 0|1, kind: Lk}    f [rn, list]
//   STM       "stm"       p {mode: Blk, wb: 0|1, user: 0|1}   f [rn, list]
//       mode: DA=0 IA=1 DB=2 IB=3 (A32 bits P:U). Done in helpers (helpers/ldst.ts), the
//       normal forms written out where the list is known (compiled code); an
//       abort leaves the base unchanged (registers before it are loaded, as QEMU). LDM
//       with PC in the list (or kind ERET) needs ends: true. PUSH = STM DB wb on r13,
//       POP = LDM IA wb. Words must be aligned. User forms (Lk.USER, user: 1) are
//       UNDEFINED in USR and HYP mode (checked at run time).
//   LDREX     "ldrex"     p {sz: Xs}                          f [rt, rt2, rn, imm]
//   STREX     "strex"     p {sz: Xs}                          f [rd, rt, rt2, rn, imm]
//       sz: B=0 H=1 W=2 D=3; address = R[rn] + imm (Thumb LDREX has imm8*4; A32 imm 0);
//       rt2 only used by D (pass any value otherwise). Accesses must be size-aligned
//       (LDREXD/STREXD: 8). The monitor (S.EXCL_ADDR/EXCL_STATE + the loaded value) follows
//       QEMU: STREX compares memory with the value LDREX read; exceptions keep the monitor.
//   CLREX     "clrex"     -                                   -
//   SWP       "swp"       p {b: 0|1}                          f [rt, rt2, rn]
//       SWP/SWPB (always enabled, as QEMU, which ignores SCTLR.SW); SWP word-aligned.
//   PRELOAD   "preload"   -                                   -   (PLD/PLDW/PLI: no-op)

import { S } from "../cpu/state.js";
import { type DecodeResult, enc, type Letters } from "../decode/pattern.js";
import type { Builder, MemOpts } from "./builder.js";
import { blockBaseDelta, blockStartOffset, immShift, SH_KINDS, Sh, shiftImm } from "./common.js";
import { defineInsn } from "./defs.js";

/** Single load/store operation (size, sign, direction; LDR_PC = word load into the PC). */
export const LsOp = {
  STR: 0,
  STRB: 1,
  STRH: 2,
  LDR: 3,
  LDRB: 4,
  LDRH: 5,
  LDRSB: 6,
  LDRSH: 7,
  LDR_PC: 8,
} as const;
const LS_OPS = 9;

/** Addressing mode: offset, pre-indexed, post-indexed; _T = unprivileged (LDRT...). */
export const Am = { OFF: 0, PRE: 1, POST: 2, OFF_T: 3, POST_T: 4 } as const;
const AMS = 5;

/** Block transfer modes (A32 P:U). */
export const Blk = { DA: 0, IA: 1, DB: 2, IB: 3 } as const;
/** LDM kinds: normal, user registers (LDM^ without PC), exception return (LDM^ with PC). */
export const Lk = { NORMAL: 0, USER: 1, ERET: 2 } as const;
/** Exclusive sizes. */
export const Xs = { B: 0, H: 1, W: 2, D: 3 } as const;

const isLoad = (op: number) => op >= LsOp.LDR;

function loadOp<V>(b: Builder<V>, op: number, addr: V, o: MemOpts): V {
  switch (op) {
    case LsOp.LDRB:
      return b.load(8, addr, o);
    case LsOp.LDRH:
      return b.load(16, addr, o);
    case LsOp.LDRSB:
      return b.load(8, addr, { ...o, signed: true });
    case LsOp.LDRSH:
      return b.load(16, addr, { ...o, signed: true });
    default:
      return b.load(32, addr, o);
  }
}

function storeOp<V>(b: Builder<V>, op: number, addr: V, v: V, o: MemOpts): void {
  b.store(op === LsOp.STRB ? 8 : op === LsOp.STRH ? 16 : 32, addr, v, o);
}

/** Common body of the single load/store forms, given the base value and the offset. */
function ldstCore<V>(b: Builder<V>, op: number, am: number, rt: V, rn: V, base: V, offAddr: V): void {
  const post = am === Am.POST || am === Am.POST_T;
  const wb = am === Am.PRE || post;
  const o: MemOpts = am === Am.OFF_T || am === Am.POST_T ? { unpriv: true } : {};
  const addr = post ? base : offAddr;
  if (isLoad(op)) {
    const v = loadOp(b, op, addr, o);
    if (wb) b.setReg(rn, offAddr);
    if (op === LsOp.LDR_PC) b.bx(v);
    else b.setReg(rt, v);
  } else {
    const v = b.reg(rt);
    storeOp(b, op, addr, v, o);
    if (wb) b.setReg(rn, offAddr);
  }
}

export const LDST_IMM = defineInsn("ldst_imm", { op: LS_OPS, am: AMS }, ["rt", "rn", "imm"], (b, p, f) => {
  const base = b.reg(f.rn!);
  const offAddr = b.let(b.add(base, f.imm!));
  ldstCore(b, p.op!, p.am!, f.rt!, f.rn!, base, offAddr);
});

export const LDST_REG = defineInsn(
  "ldst_reg",
  { op: LS_OPS, am: AMS, add: 2, sh: SH_KINDS },
  ["rt", "rn", "rm", "amt"],
  (b, p, f) => {
    const base = b.reg(f.rn!);
    const off = b.let(shiftImm(b, p.sh!, b.reg(f.rm!), f.amt!, false).r);
    const offAddr = b.let(p.add ? b.add(base, off) : b.sub(base, off));
    ldstCore(b, p.op!, p.am!, f.rt!, f.rn!, base, offAddr);
  },
);

export const LD_LIT = defineInsn("ld_lit", { op: LS_OPS, al: 2 }, ["rt", "base", "off"], (b, p, f) => {
  const base = p.al ? b.and(f.base!, b.k(~3)) : f.base!;
  const addr = b.let(b.add(base, f.off!));
  const v = loadOp(b, p.op!, addr, {});
  if (p.op === LsOp.LDR_PC) b.bx(v);
  else b.setReg(f.rt!, v);
});

const AL: MemOpts = { aligned: true };

function ldrdCore<V>(b: Builder<V>, ld: number, am: number, rt: V, rt2: V, rn: V, base: V, offAddr: V): void {
  const addr = am === Am.POST ? base : offAddr;
  const wb = am !== Am.OFF;
  const a2 = b.add(addr, b.k(4));
  b.wordRange(addr, 0, 8, !ld);
  if (ld) {
    // as QEMU: Rt is written before the second load (an abort there leaves it loaded)
    b.setReg(rt, b.load(32, addr, AL));
    const hi = b.load(32, a2, AL);
    if (wb) b.setReg(rn, offAddr);
    b.setReg(rt2, hi);
  } else {
    const lo = b.reg(rt);
    const hi = b.reg(rt2);
    b.store(32, addr, lo, AL);
    b.store(32, a2, hi, AL);
    if (wb) b.setReg(rn, offAddr);
  }
}

export const LDRD_IMM = defineInsn("ldrd_imm", { ld: 2, am: 3 }, ["rt", "rt2", "rn", "imm"], (b, p, f) => {
  const base = b.reg(f.rn!);
  const offAddr = b.let(b.add(base, f.imm!));
  ldrdCore(b, p.ld!, p.am!, f.rt!, f.rt2!, f.rn!, base, offAddr);
});

export const LDRD_REG = defineInsn(
  "ldrd_reg",
  { ld: 2, am: 3, add: 2 },
  ["rt", "rt2", "rn", "rm"],
  (b, p, f) => {
    const base = b.reg(f.rn!);
    const off = b.reg(f.rm!);
    const offAddr = b.let(p.add ? b.add(base, off) : b.sub(base, off));
    ldrdCore(b, p.ld!, p.am!, f.rt!, f.rt2!, f.rn!, base, offAddr);
  },
);

export const LDRD_LIT = defineInsn("ldrd_lit", { al: 2 }, ["rt", "rt2", "base", "off"], (b, p, f) => {
  const base = p.al ? b.and(f.base!, b.k(~3)) : f.base!;
  const addr = b.let(b.add(base, f.off!));
  b.wordRange(addr, 0, 8, false);
  b.setReg(f.rt!, b.load(32, addr, AL));
  b.setReg(f.rt2!, b.load(32, b.add(addr, b.k(4)), AL));
});

/** Flags word passed to the ldm/stm helpers: mode in bits 1:0, wb bit 2, user bit 3, eret bit 4. */
export const BLK_WB = 4;
export const BLK_USER = 8;
export const BLK_ERET = 16;

/**
 * The normal forms with a register list known while generating (compiled code): the
 * helpers' semantics written out, one word access per register.
 */
const bitsOf = (list: number) => Array.from({ length: 16 }, (_, i) => i).filter((i) => (list >> i) & 1);

export const LDM = defineInsn("ldm", { mode: 4, wb: 2, kind: 3 }, ["rn", "list"], (b, p, f) => {
  const rn = b.known(f.rn!);
  const list = b.known(f.list!);
  if (p.kind === Lk.NORMAL && rn !== undefined && list !== undefined) {
    // registers written as loaded but the base (last) and the PC (an interworking branch)
    const regs = bitsOf(list);
    const base = b.let(b.reg(f.rn!));
    b.wordRange(base, blockStartOffset(p.mode!, regs.length), 4 * regs.length, false);
    let baseVal: ReturnType<typeof b.k> | undefined;
    let pcVal: ReturnType<typeof b.k> | undefined;
    regs.forEach((r, j) => {
      const v = b.load(32, b.add(base, b.k(blockStartOffset(p.mode!, regs.length) + 4 * j)), AL);
      if (r === rn) baseVal = b.let(v);
      else if (r === 15) pcVal = b.let(v);
      else b.setReg(b.k(r), v);
    });
    if (p.wb) b.setReg(f.rn!, b.add(base, b.k(blockBaseDelta(p.mode!, regs.length))));
    else if (baseVal !== undefined) b.setReg(f.rn!, baseVal);
    if (pcVal !== undefined) b.bx(pcVal);
    return;
  }
  const flags =
    p.mode! | (p.wb ? BLK_WB : 0) | (p.kind === Lk.USER ? BLK_USER : 0) | (p.kind === Lk.ERET ? BLK_ERET : 0);
  b.callMayExit("ldm", f.rn!, f.list!, b.k(flags));
});

export const STM = defineInsn("stm", { mode: 4, wb: 2, user: 2 }, ["rn", "list"], (b, p, f) => {
  const list = b.known(f.list!);
  if (!p.user && list !== undefined) {
    // every register read before the base is written back (a stored base is the old one)
    const regs = bitsOf(list);
    const base = b.let(b.reg(f.rn!));
    const vals = regs.map((r) => b.let(b.reg(b.k(r))));
    b.wordRange(base, blockStartOffset(p.mode!, regs.length), 4 * regs.length, true);
    vals.forEach((v, j) => {
      b.store(32, b.add(base, b.k(blockStartOffset(p.mode!, regs.length) + 4 * j)), v, AL);
    });
    if (p.wb) b.setReg(f.rn!, b.add(base, b.k(blockBaseDelta(p.mode!, regs.length))));
    return;
  }
  const flags = p.mode! | (p.wb ? BLK_WB : 0) | (p.user ? BLK_USER : 0);
  b.callMayExit("stm", f.rn!, f.list!, b.k(flags));
});

const XW: (8 | 16 | 32)[] = [8, 16, 32, 32];

export const LDREX = defineInsn("ldrex", { sz: 4 }, ["rt", "rt2", "rn", "imm"], (b, p, f) => {
  const addr = b.let(b.add(b.reg(f.rn!), f.imm!));
  if (p.sz === Xs.D) {
    b.call("exclCheckAlign8", addr, b.k(0));
    const lo = b.load(32, addr, AL);
    const hi = b.load(32, b.add(addr, b.k(4)), AL);
    b.call("exclMark", addr, lo, hi);
    b.setReg(f.rt!, lo);
    b.setReg(f.rt2!, hi);
  } else {
    const v = b.load(XW[p.sz!]!, addr, AL);
    b.call("exclMark", addr, v, b.k(0));
    b.setReg(f.rt!, v);
  }
});

export const STREX = defineInsn("strex", { sz: 4 }, ["rd", "rt", "rt2", "rn", "imm"], (b, p, f) => {
  const addr = b.let(b.add(b.reg(f.rn!), f.imm!));
  const hi = p.sz === Xs.D ? b.reg(f.rt2!) : b.k(0);
  const st = b.call("strex", addr, b.reg(f.rt!), hi, b.k(p.sz!));
  b.setReg(f.rd!, st);
});

export const CLREX = defineInsn("clrex", {}, [], (b) => {
  b.setState(S.EXCL_STATE, b.k(0));
});

export const SWP = defineInsn("swp", { b: 2 }, ["rt", "rt2", "rn"], (b, p, f) => {
  const addr = b.reg(f.rn!);
  const nv = b.reg(f.rt2!);
  const old = p.b ? b.load(8, addr) : b.load(32, addr, AL);
  b.store(p.b ? 8 : 32, addr, nv, p.b ? {} : AL);
  b.setReg(f.rt!, old);
});

export const PRELOAD = defineInsn("preload", {}, [], () => {});

// A32 encodings ---------------------------------------------------------------------

/** A32 P/W bits to an addressing mode (P=0 W=1: the unprivileged T forms). */
function a32Am(P: number, W: number): number {
  if (!P) return W ? Am.POST_T : Am.POST;
  return W ? Am.PRE : Am.OFF;
}

// LDR/STR/LDRB/STRB immediate: cccc 010P UBWL nnnn tttt iiii iiii iiii
enc("A32", "cccc 010P UBWL nnnn tttt iiii iiii iiii", (x): DecodeResult => {
  const am = a32Am(x.P!, x.W!);
  const wb = am !== Am.OFF;
  const t = x.t!;
  const n = x.n!;
  const imm = x.U ? x.i! : -x.i!;
  if (x.L) {
    if (n === 15) {
      if (wb) return "unpred";
      if (x.B && t === 15) return "unpred";
      const op = x.B ? LsOp.LDRB : t === 15 ? LsOp.LDR_PC : LsOp.LDR;
      return {
        def: LD_LIT,
        p: { op, al: 0 },
        f: { rt: t, base: 8 + imm, off: 0 },
        rel: ["base"],
        ends: op === LsOp.LDR_PC,
      };
    }
    if (wb && n === t) return "unpred";
    if (t === 15 && (x.B || am === Am.POST_T)) return "unpred";
    const op = x.B ? LsOp.LDRB : t === 15 ? LsOp.LDR_PC : LsOp.LDR;
    return { def: LDST_IMM, p: { op, am }, f: { rt: t, rn: n, imm }, ends: op === LsOp.LDR_PC };
  }
  if (wb && (n === 15 || n === t)) return "unpred";
  if (x.B && t === 15) return "unpred";
  return { def: LDST_IMM, p: { op: x.B ? LsOp.STRB : LsOp.STR, am }, f: { rt: t, rn: n, imm } };
});

// LDR/STR/LDRB/STRB register: cccc 011P UBWL nnnn tttt iiii iss0 mmmm
enc("A32", "cccc 011P UBWL nnnn tttt iiii iss0 mmmm", (x): DecodeResult => {
  const am = a32Am(x.P!, x.W!);
  const wb = am !== Am.OFF;
  const t = x.t!;
  const n = x.n!;
  const m = x.m!;
  if (m === 15) return "unpred";
  if (wb && (n === 15 || n === t)) return "unpred";
  if (t === 15 && (x.B || (x.L && am === Am.POST_T))) return "unpred";
  const { sh, amt } = immShift(x.s!, x.i!);
  let op: number;
  if (x.L) op = x.B ? LsOp.LDRB : t === 15 ? LsOp.LDR_PC : LsOp.LDR;
  else op = x.B ? LsOp.STRB : LsOp.STR;
  return {
    def: LDST_REG,
    p: { op, am, add: x.U!, sh },
    f: { rt: t, rn: n, rm: m, amt },
    ends: op === LsOp.LDR_PC,
  };
});

// Extra load/store (halfword, signed byte, doubleword), immediate and register forms:
//   cccc 000P U1WL nnnn tttt iiii 1oo1 jjjj   /   cccc 000P U0WL nnnn tttt 0000 1oo1 mmmm
// oo: L=0: 01 STRH, 10 LDRD, 11 STRD; L=1: 01 LDRH, 10 LDRSB, 11 LDRSH (oo=00: multiply,
// SWP and exclusives).
function a32Extra(x: Letters, reg: boolean): DecodeResult {
  const oo = x.o!;
  if (oo === 0) return null;
  const am = a32Am(x.P!, x.W!);
  const wb = am !== Am.OFF;
  const t = x.t!;
  const n = x.n!;
  const m = x.m ?? 0;
  const imm = reg ? 0 : x.U ? (x.i! << 4) | x.j! : -((x.i! << 4) | x.j!);
  if (reg && m === 15) return "unpred";
  if (!x.L && oo !== 1) {
    // LDRD (oo=2) / STRD (oo=3)
    const ld = oo === 2 ? 1 : 0;
    if (am === Am.POST_T || t & 1 || t === 14) return "unpred";
    const t2 = t + 1;
    if (wb && (n === 15 || n === t || n === t2)) return "unpred";
    if (reg && ld && (m === t || m === t2)) return "unpred";
    if (!reg && ld && n === 15)
      return { def: LDRD_LIT, p: { al: 0 }, f: { rt: t, rt2: t2, base: 8 + imm, off: 0 }, rel: ["base"] };
    if (reg) return { def: LDRD_REG, p: { ld, am, add: x.U! }, f: { rt: t, rt2: t2, rn: n, rm: m } };
    return { def: LDRD_IMM, p: { ld, am }, f: { rt: t, rt2: t2, rn: n, imm } };
  }
  if (t === 15) return "unpred";
  const op = !x.L ? LsOp.STRH : oo === 1 ? LsOp.LDRH : oo === 2 ? LsOp.LDRSB : LsOp.LDRSH;
  if (am === Am.POST_T && (n === 15 || n === t)) return "unpred";
  if (wb && (n === t || (!x.L && n === 15))) return "unpred";
  if (x.L && n === 15 && !reg) {
    if (wb) return "unpred";
    return { def: LD_LIT, p: { op, al: 0 }, f: { rt: t, base: 8 + imm, off: 0 }, rel: ["base"] };
  }
  if (x.L && n === 15 && wb) return "unpred";
  if (reg)
    return { def: LDST_REG, p: { op, am, add: x.U!, sh: Sh.NONE }, f: { rt: t, rn: n, rm: m, amt: 0 } };
  return { def: LDST_IMM, p: { op, am }, f: { rt: t, rn: n, imm } };
}

enc("A32", "cccc 000P U1WL nnnn tttt iiii 1oo1 jjjj", (x) => a32Extra(x, false));
enc("A32", "cccc 000P U0WL nnnn tttt 0000 1oo1 mmmm", (x) => a32Extra(x, true));

// LDM/STM: cccc 100P USWL nnnn rrrr rrrr rrrr rrrr
enc("A32", "cccc 100P USWL nnnn rrrr rrrr rrrr rrrr", (x): DecodeResult => {
  const list = x.r!;
  const n = x.n!;
  const mode = (x.P! << 1) | x.U!;
  const wb = x.W!;
  if (n === 15 || list === 0) return "unpred";
  const inList = (list >> n) & 1;
  if (!x.L) {
    if (x.S) {
      if (wb) return "unpred";
      return { def: STM, p: { mode, wb: 0, user: 1 }, f: { rn: n, list } };
    }
    // storing the base with writeback is only defined when it is the lowest register
    if (wb && inList && (list & ((1 << n) - 1)) !== 0) return "unpred";
    return { def: STM, p: { mode, wb, user: 0 }, f: { rn: n, list } };
  }
  const pc = (list >> 15) & 1;
  if (x.S && !pc) {
    if (wb) return "unpred";
    return { def: LDM, p: { mode, wb: 0, kind: Lk.USER }, f: { rn: n, list } };
  }
  if (wb && inList) return "unpred";
  return { def: LDM, p: { mode, wb, kind: x.S ? Lk.ERET : Lk.NORMAL }, f: { rn: n, list }, ends: pc === 1 };
});

// SWP/SWPB: cccc 0001 0B00 nnnn tttt 0000 1001 mmmm
enc("A32", "cccc 0001 0B00 nnnn tttt 0000 1001 mmmm", (x): DecodeResult => {
  const { n, t, m } = x as Record<string, number>;
  if (t === 15 || m === 15 || n === 15 || n === t || n === m) return "unpred";
  return { def: SWP, p: { b: x.B! }, f: { rt: t!, rt2: m!, rn: n! } };
});

// LDREX{,D,B,H}: cccc 0001 1oo1 nnnn tttt 1111 1001 1111
enc("A32", "cccc 0001 1oo1 nnnn tttt 1111 1001 1111", (x): DecodeResult => {
  const sz = [Xs.W, Xs.D, Xs.B, Xs.H][x.o!]!;
  const t = x.t!;
  const n = x.n!;
  if (n === 15 || t === 15) return "unpred";
  if (sz === Xs.D && (t & 1 || t === 14)) return "unpred";
  return { def: LDREX, p: { sz }, f: { rt: t, rt2: sz === Xs.D ? t + 1 : 0, rn: n, imm: 0 } };
});

// STREX{,D,B,H}: cccc 0001 1oo0 nnnn dddd 1111 1001 tttt
enc("A32", "cccc 0001 1oo0 nnnn dddd 1111 1001 tttt", (x): DecodeResult => {
  const sz = [Xs.W, Xs.D, Xs.B, Xs.H][x.o!]!;
  const t = x.t!;
  const n = x.n!;
  const d = x.d!;
  if (n === 15 || t === 15 || d === 15 || d === n || d === t) return "unpred";
  if (sz === Xs.D && (t & 1 || t === 14 || d === t + 1)) return "unpred";
  return { def: STREX, p: { sz }, f: { rd: d, rt: t, rt2: sz === Xs.D ? t + 1 : 0, rn: n, imm: 0 } };
});

// CLREX
enc("A32", "1111 0101 0111 1111 1111 0000 0001 1111", () => ({ def: CLREX }));

// PLI/PLD/PLDW immediate/literal and register (bits 15:12 must be 1111)
enc("A32", "1111 0100 u101 nnnn 1111 iiii iiii iiii", () => ({ def: PRELOAD }));
enc("A32", "1111 0101 ur01 nnnn 1111 iiii iiii iiii", () => ({ def: PRELOAD }));
enc("A32", "1111 0110 u101 nnnn 1111 iiii iss0 mmmm", () => ({ def: PRELOAD }));
enc("A32", "1111 0111 ur01 nnnn 1111 iiii iss0 mmmm", () => ({ def: PRELOAD }));

// Extra load/store register forms with non-zero SBZ bits 11:8 (UNPREDICTABLE)
enc("A32", "cccc 000P U0WL nnnn tttt ssss 1oo1 mmmm", (x) => (x.o === 0 || x.s === 0 ? null : "unpred"));
