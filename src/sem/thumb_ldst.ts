// Thumb loads and stores (T16 and T32) mapped onto the ISA-neutral definitions of
// ldst.ts: single, dual, literal (Align(PC, 4) via LD_LIT al = 1), exclusives, LDM/STM,
// PUSH/POP, TBB/TBH and the preload hints.

import type { DecodeCtx, DecodeResult, Letters } from "../decode/pattern.js";
import { enc } from "../decode/pattern.js";
import { Sh } from "./common.js";
import {
  Am,
  Blk,
  CLREX,
  LD_LIT,
  LDM,
  LDRD_IMM,
  LDRD_LIT,
  LDREX,
  LDST_IMM,
  LDST_REG,
  Lk,
  LsOp,
  PRELOAD,
  STM,
  STREX,
  Xs,
} from "./ldst.js";
import { T_TBB } from "./thumb_defs.js";
import { badReg, itBranchBad } from "./thumb16.js";

type Dec = (x: Letters, raw: number, ctx: DecodeCtx) => DecodeResult;
const t16 = (pattern: string, d: Dec) => enc("T16", pattern, d);
const t32 = (pattern: string, d: Dec) => enc("T32", pattern, d);

const popcount = (v: number): number => {
  let n = 0;
  for (; v; v &= v - 1) n++;
  return n;
};

// T16 ---------------------------------------------------------------------------------

// Load/store (register offset)
const T16_REG_OPS = [LsOp.STR, LsOp.STRH, LsOp.STRB, LsOp.LDRSB, LsOp.LDR, LsOp.LDRH, LsOp.LDRB, LsOp.LDRSH];
t16(
  "0101 ooo mmm nnn ttt",
  (x): DecodeResult => ({
    def: LDST_REG,
    p: { op: T16_REG_OPS[x.o!]!, am: Am.OFF, add: 1, sh: Sh.NONE },
    f: { rt: x.t!, rn: x.n!, rm: x.m!, amt: 0 },
  }),
);
// STR/LDR/STRB/LDRB (immediate)
t16(
  "011 B L iiiii nnn ttt",
  (x): DecodeResult => ({
    def: LDST_IMM,
    p: { op: x.B ? (x.L ? LsOp.LDRB : LsOp.STRB) : x.L ? LsOp.LDR : LsOp.STR, am: Am.OFF },
    f: { rt: x.t!, rn: x.n!, imm: x.B ? x.i! : x.i! * 4 },
  }),
);
// STRH/LDRH (immediate)
t16(
  "1000 L iiiii nnn ttt",
  (x): DecodeResult => ({
    def: LDST_IMM,
    p: { op: x.L ? LsOp.LDRH : LsOp.STRH, am: Am.OFF },
    f: { rt: x.t!, rn: x.n!, imm: x.i! * 2 },
  }),
);
// STR/LDR (SP-relative)
t16(
  "1001 L ttt iiiiiiii",
  (x): DecodeResult => ({
    def: LDST_IMM,
    p: { op: x.L ? LsOp.LDR : LsOp.STR, am: Am.OFF },
    f: { rt: x.t!, rn: 13, imm: x.i! * 4 },
  }),
);
// LDR (literal)
t16(
  "01001 ttt iiiiiiii",
  (x): DecodeResult => ({
    def: LD_LIT,
    p: { op: LsOp.LDR, al: 1 },
    f: { rt: x.t!, base: 4, off: x.i! * 4 },
    rel: ["base"],
  }),
);
// PUSH
t16("1011 010 M rrrrrrrr", (x): DecodeResult => {
  const list = x.r! | (x.M! << 14);
  if (list === 0) return "unpred";
  return { def: STM, p: { mode: Blk.DB, wb: 1, user: 0 }, f: { rn: 13, list } };
});
// POP
t16("1011 110 P rrrrrrrr", (x, _r, ctx): DecodeResult => {
  const list = x.r! | (x.P! << 15);
  if (list === 0) return "unpred";
  if (x.P && itBranchBad(ctx)) return "unpred";
  return { def: LDM, p: { mode: Blk.IA, wb: 1, kind: Lk.NORMAL }, f: { rn: 13, list }, ends: !!x.P };
});
// STM (IA, writeback)
t16("1100 0 nnn rrrrrrrr", (x): DecodeResult => {
  const n = x.n!;
  const list = x.r!;
  if (list === 0) return "unpred";
  if (list & (1 << n) && list & ((1 << n) - 1)) return "unpred"; // base not lowest
  return { def: STM, p: { mode: Blk.IA, wb: 1, user: 0 }, f: { rn: n, list } };
});
// LDM (IA, writeback unless the base is loaded)
t16("1100 1 nnn rrrrrrrr", (x): DecodeResult => {
  const n = x.n!;
  const list = x.r!;
  if (list === 0) return "unpred";
  return { def: LDM, p: { mode: Blk.IA, wb: list & (1 << n) ? 0 : 1, kind: Lk.NORMAL }, f: { rn: n, list } };
});

// T32 load/store multiple ---------------------------------------------------------------

t32("1110100 oo 0 W L nnnn P M 0 rrrrrrrrrrrrr", (x, _r, ctx): DecodeResult => {
  if (x.o === 0 || x.o === 3) return null; // SRS / RFE
  const mode = x.o === 1 ? Blk.IA : Blk.DB;
  const n = x.n!;
  const list = x.r! | (x.M! << 14) | (x.P! << 15);
  if (n === 15 || popcount(list) < 2) return "unpred";
  if (x.W && list & (1 << n)) return "unpred";
  if (x.L) {
    if (x.P && x.M) return "unpred";
    if (x.P && itBranchBad(ctx)) return "unpred";
    return { def: LDM, p: { mode, wb: x.W!, kind: Lk.NORMAL }, f: { rn: n, list }, ends: !!x.P };
  }
  if (x.P) return "unpred";
  return { def: STM, p: { mode, wb: x.W!, user: 0 }, f: { rn: n, list } };
});

// T32 load/store dual, exclusive, table branch --------------------------------------

// LDRD/STRD (immediate and literal)
t32("1110100 P U 1 W L nnnn tttt ssss iiiiiiii", (x, _r, ctx): DecodeResult => {
  if (!x.P && !x.W) return null; // exclusives / TBB space
  const imm = (x.U ? 1 : -1) * x.i! * 4;
  const rt = x.t!;
  const rt2 = x.s!;
  const n = x.n!;
  void ctx;
  if (x.L) {
    if (rt === rt2 || badReg(rt) || badReg(rt2)) return "unpred";
    if (n === 15) {
      if (x.W) return "unpred";
      return { def: LDRD_LIT, p: { al: 1 }, f: { rt, rt2, base: 4, off: imm }, rel: ["base"] };
    }
    if (x.W && (n === rt || n === rt2)) return "unpred";
  } else {
    if (n === 15 || badReg(rt) || badReg(rt2)) return "unpred";
    if (x.W && (n === rt || n === rt2)) return "unpred";
  }
  const am = !x.P ? Am.POST : x.W ? Am.PRE : Am.OFF;
  return { def: LDRD_IMM, p: { ld: x.L!, am }, f: { rt, rt2, rn: n, imm } };
});
// STREX
t32("1110 1000 0100 nnnn tttt dddd iiiiiiii", (x): DecodeResult => {
  const { n, t, d } = x;
  if (badReg(d!) || badReg(t!) || n === 15 || d === n || d === t) return "unpred";
  return { def: STREX, p: { sz: Xs.W }, f: { rd: d!, rt: t!, rt2: 0, rn: n!, imm: x.i! * 4 } };
});
// LDREX
t32("1110 1000 0101 nnnn tttt 1111 iiiiiiii", (x): DecodeResult => {
  if (badReg(x.t!) || x.n === 15) return "unpred";
  return { def: LDREX, p: { sz: Xs.W }, f: { rt: x.t!, rt2: 0, rn: x.n!, imm: x.i! * 4 } };
});
// STREXB/H/D
t32("1110 1000 1100 nnnn tttt uuuu 01 oo dddd", (x): DecodeResult => {
  const o = x.o!;
  if (o === 2) return "undef";
  const { n, t, u, d } = x;
  if (o !== 3 && u !== 15) return "unpred";
  if (badReg(d!) || badReg(t!) || n === 15 || d === n || d === t) return "unpred";
  if (o === 3 && (badReg(u!) || d === u)) return "unpred";
  const sz = o === 0 ? Xs.B : o === 1 ? Xs.H : Xs.D;
  return { def: STREX, p: { sz }, f: { rd: d!, rt: t!, rt2: u!, rn: n!, imm: 0 } };
});
// LDREXB/H/D
t32("1110 1000 1101 nnnn tttt uuuu 01 oo 1111", (x): DecodeResult => {
  const o = x.o!;
  if (o === 2) return "undef";
  const { n, t, u } = x;
  if (o !== 3 && u !== 15) return "unpred";
  if (badReg(t!) || n === 15) return "unpred";
  if (o === 3 && (badReg(u!) || t === u)) return "unpred";
  const sz = o === 0 ? Xs.B : o === 1 ? Xs.H : Xs.D;
  return { def: LDREX, p: { sz }, f: { rt: t!, rt2: u!, rn: n!, imm: 0 } };
});
// TBB / TBH
t32("1110 1000 1101 nnnn 1111 0000 000h mmmm", (x, _r, ctx): DecodeResult => {
  if (x.n === 13 || badReg(x.m!)) return "unpred";
  if (itBranchBad(ctx)) return "unpred";
  return { def: T_TBB, p: { h: x.h! }, f: { rn: x.n!, rm: x.m! }, ends: true };
});
// CLREX
t32("1111 0011 1011 1111 1000 1111 0010 1111", (): DecodeResult => ({ def: CLREX, f: {} }));

// T32 single loads and stores ----------------------------------------------------------

const ST_OPS = [LsOp.STRB, LsOp.STRH, LsOp.STR];
const LD_OPS = [
  [LsOp.LDRB, LsOp.LDRH, LsOp.LDR],
  [LsOp.LDRSB, LsOp.LDRSH, -1],
];

// STR{B,H} (imm12)
t32("1111 1000 1 ss 0 nnnn tttt iiiiiiiiiiii", (x): DecodeResult => {
  if (x.s === 3) return "undef";
  if (x.n === 15) return "undef";
  if (x.t === 15 || (x.t === 13 && x.s !== 2)) return "unpred";
  return { def: LDST_IMM, p: { op: ST_OPS[x.s!]!, am: Am.OFF }, f: { rt: x.t!, rn: x.n!, imm: x.i! } };
});
// STR{B,H}{T} (imm8 with P/U/W)
t32("1111 1000 0 ss 0 nnnn tttt 1 PUW iiiiiiii", (x): DecodeResult => {
  if (x.s === 3) return "undef";
  if (x.n === 15 || (!x.P && !x.W)) return "undef";
  const P = x.P!;
  const U = x.U!;
  const W = x.W!;
  if (x.t === 15 || (x.t === 13 && x.s !== 2)) return "unpred";
  const imm = U ? x.i! : -x.i!;
  let am: number;
  if (P && U && !W) am = Am.OFF_T;
  else {
    am = !P ? Am.POST : W ? Am.PRE : Am.OFF;
    if (W && x.n === x.t) return "unpred";
  }
  return { def: LDST_IMM, p: { op: ST_OPS[x.s!]!, am }, f: { rt: x.t!, rn: x.n!, imm } };
});
// STR{B,H} (register)
t32("1111 1000 0 ss 0 nnnn tttt 000000 ii mmmm", (x): DecodeResult => {
  if (x.s === 3) return "undef";
  if (x.n === 15) return "undef";
  if (x.t === 15 || (x.t === 13 && x.s !== 2) || badReg(x.m!)) return "unpred";
  return {
    def: LDST_REG,
    p: { op: ST_OPS[x.s!]!, am: Am.OFF, add: 1, sh: x.i ? Sh.LSL : Sh.NONE },
    f: { rt: x.t!, rn: x.n!, rm: x.m!, amt: x.i! },
  };
});

function loadOp(S: number, s: number, rt: number, ctx: DecodeCtx): number | "hint" | "undef" | "unpred" {
  if (s === 3) return "undef";
  const op = LD_OPS[S]![s]!;
  if (op < 0) return "undef";
  if (rt === 15) {
    if (s !== 2) return "hint";
    if (itBranchBad(ctx)) return "unpred";
    return LsOp.LDR_PC;
  }
  return op;
}

// Literal loads (and PLD/PLI literal)
t32("1111 100 S U ss 1 1111 tttt iiiiiiiiiiii", (x, _r, ctx): DecodeResult => {
  const op = loadOp(x.S!, x.s!, x.t!, ctx);
  if (op === "undef" || op === "unpred") return op;
  if (op === "hint") return { def: PRELOAD, f: {} };
  return {
    def: LD_LIT,
    p: { op, al: 1 },
    f: { rt: x.t!, base: 4, off: x.U ? x.i! : -x.i! },
    rel: ["base"],
    ends: op === LsOp.LDR_PC,
  };
});
// imm12
t32("1111 100 S 1 ss 1 nnnn tttt iiiiiiiiiiii", (x, _r, ctx): DecodeResult => {
  if (x.n === 15) return null;
  const op = loadOp(x.S!, x.s!, x.t!, ctx);
  if (op === "undef" || op === "unpred") return op;
  if (op === "hint") return { def: PRELOAD, f: {} };
  if (x.t === 13 && x.s !== 2) return "unpred";
  return {
    def: LDST_IMM,
    p: { op, am: Am.OFF },
    f: { rt: x.t!, rn: x.n!, imm: x.i! },
    ends: op === LsOp.LDR_PC,
  };
});
// imm8 with P/U/W (negative offset, pre/post-indexed, unprivileged)
t32("1111 100 S 0 ss 1 nnnn tttt 1 PUW iiiiiiii", (x, _r, ctx): DecodeResult => {
  if (x.n === 15) return null;
  const P = x.P!;
  const U = x.U!;
  const W = x.W!;
  if (!P && !W) return "undef";
  const op = loadOp(x.S!, x.s!, x.t!, ctx);
  if (op === "undef" || op === "unpred") return op;
  if (op === "hint") return P && !U && !W ? { def: PRELOAD, f: {} } : "unpred";
  const imm = U ? x.i! : -x.i!;
  let am: number;
  if (P && U && !W) {
    if (op === LsOp.LDR_PC) return "unpred";
    am = Am.OFF_T;
  } else {
    am = !P ? Am.POST : W ? Am.PRE : Am.OFF;
    if (W && x.n === x.t) return "unpred";
  }
  if (x.t === 13 && x.s !== 2) return "unpred";
  return { def: LDST_IMM, p: { op, am }, f: { rt: x.t!, rn: x.n!, imm }, ends: op === LsOp.LDR_PC };
});
// register (LSL #0-3)
t32("1111 100 S 0 ss 1 nnnn tttt 000000 ii mmmm", (x, _r, ctx): DecodeResult => {
  if (x.n === 15) return null;
  const op = loadOp(x.S!, x.s!, x.t!, ctx);
  if (op === "undef" || op === "unpred") return op;
  if (badReg(x.m!)) return "unpred";
  if (op === "hint") return { def: PRELOAD, f: {} };
  if (x.t === 13 && x.s !== 2) return "unpred";
  return {
    def: LDST_REG,
    p: { op, am: Am.OFF, add: 1, sh: x.i ? Sh.LSL : Sh.NONE },
    f: { rt: x.t!, rn: x.n!, rm: x.m!, amt: x.i! },
    ends: op === LsOp.LDR_PC,
  };
});
