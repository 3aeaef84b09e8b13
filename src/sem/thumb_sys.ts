// Thumb system, exception-generating and coprocessor encodings (T16 SVC/BKPT/CPS/SETEND/
// hints, T32 MRS/MSR incl. banked, CPS, hints, barriers, SUBS PC, LR / ERET, SMC, HVC,
// UDF, SRS/RFE, MCR/MRC/MCRR/MRRC, LDC/STC) and the VFP space, mapped onto system.ts
// and vfp.ts.

import type { DecodeCtx, DecodeResult, Letters } from "../decode/pattern.js";
import { enc } from "../decode/pattern.js";
import { DP_IMM, Dst, Op } from "./dp.js";
import {
  cpsValid,
  Exk,
  Hint,
  hintKind,
  SYS_BARRIER,
  SYS_CPS,
  SYS_EXC,
  SYS_HINT,
  SYS_MCR,
  SYS_MCRR,
  SYS_MRC,
  SYS_MRRC,
  SYS_MRS,
  SYS_MRS_BANKED,
  SYS_MSR_BANKED,
  SYS_MSR_REG,
  SYS_RFE,
  SYS_SETEND,
  SYS_SRS,
  sysregIndex,
  sysregIndex64,
} from "./system.js";
import { badReg, itBranchBad } from "./thumb16.js";
import { decodeVfp } from "./vfp.js";

type Dec = (x: Letters, raw: number, ctx: DecodeCtx) => DecodeResult;
const t16 = (pattern: string, d: Dec) => enc("T16", pattern, d);
const t32 = (pattern: string, d: Dec) => enc("T32", pattern, d);

// T16 -----------------------------------------------------------------------------------

// SVC
t16(
  "1101 1111 iiiiiiii",
  (x): DecodeResult => ({ def: SYS_EXC, p: { kind: Exk.SVC }, f: { imm: x.i! }, ends: true }),
);
// BKPT: unconditional, also inside an IT block (it raises its debug event whether or not
// its IT condition passes; the exception keeps its ITSTATE: the BKPT does not retire)
t16(
  "1011 1110 iiiiiiii",
  (x): DecodeResult => ({
    def: SYS_EXC,
    p: { kind: Exk.BKPT },
    f: { imm: x.i! },
    uncond: true,
    ends: true,
  }),
);
// CPSIE / CPSID
t16("1011 0110 011 m 0 abf", (x, _r, ctx): DecodeResult => {
  if (ctx.inIT) return "unpred";
  const aif = (x.a! << 2) | (x.b! << 1) | x.f!;
  if (aif === 0) return "unpred";
  return { def: SYS_CPS, f: { imod: x.m ? 3 : 2, aif, m: 0, mode: 0 }, ends: true };
});
// SETEND
t16(
  "1011 0110 0101 E 000",
  (x, _r, ctx): DecodeResult => (ctx.inIT ? "unpred" : { def: SYS_SETEND, f: { e: x.E! }, ends: true }),
);

// Hints (the IT encoding with mask 0): NOP YIELD WFE WFI SEV, others NOP
t16("1011 1111 oooo 0000", (x): DecodeResult => {
  const k = x.o! <= 4 ? x.o! : Hint.NOP;
  return { def: SYS_HINT, p: { op: k }, f: {}, ends: k === Hint.WFI };
});

// T32 MSR / MRS -------------------------------------------------------------------------

t32("11110 0111 00 R nnnn 10 0 0 kkkk 00 0 00000", (x): DecodeResult => {
  if (x.k === 0 || badReg(x.n!)) return "unpred";
  return {
    def: SYS_MSR_REG,
    p: { spsr: x.R! },
    f: { rn: x.n!, mask: x.k! },
    ends: !x.R && (x.k! & 3) !== 0,
  };
});
t32("11110 0111 00 R nnnn 10 0 0 kkkk 00 1 M 0000", (x): DecodeResult => {
  if (badReg(x.n!)) return "unpred";
  return { def: SYS_MSR_BANKED, f: { rn: x.n!, rsysm: (x.R! << 5) | (x.M! << 4) | x.k! }, ends: true };
});
t32("11110 0111 11 R 1111 10 0 0 dddd 00 0 00000", (x): DecodeResult => {
  if (badReg(x.d!)) return "unpred";
  return { def: SYS_MRS, p: { spsr: x.R! }, f: { rd: x.d! } };
});
t32("11110 0111 11 R kkkk 10 0 0 dddd 00 1 M 0000", (x): DecodeResult => {
  if (badReg(x.d!)) return "unpred";
  return { def: SYS_MRS_BANKED, f: { rd: x.d!, rsysm: (x.R! << 5) | (x.M! << 4) | x.k! }, ends: true };
});

// CPS (T2) and hints
t32("11110 0111 010 1111 10 0 0 0 ii M oooooooo", (x, _r, ctx): DecodeResult => {
  const imod = x.i!;
  if (imod === 0 && x.M === 0) {
    const op = hintKind(x.o!);
    return { def: SYS_HINT, p: { op }, f: {}, ends: op === Hint.WFI };
  }
  if (ctx.inIT) return "unpred";
  const aif = x.o! >>> 5;
  const mode = x.o! & 0x1f;
  if (!cpsValid(imod, x.M!, aif, mode)) return "unpred";
  return { def: SYS_CPS, f: { imod, aif, m: x.M!, mode }, ends: true };
});

// DSB / DMB / ISB (CLREX is in thumb_ldst.ts)
t32("11110 0111 011 1111 10 0 0 1111 oooo pppp", (x): DecodeResult => {
  if (x.o === 4) return { def: SYS_BARRIER, p: { kind: 0 }, f: {} };
  if (x.o === 5) return { def: SYS_BARRIER, p: { kind: 1 }, f: {} };
  if (x.o === 6) return { def: SYS_BARRIER, p: { kind: 2 }, f: {}, ends: true };
  if (x.o === 2) return null;
  return "undef";
});

// SUBS PC, LR, #imm8 (ERET when imm8 = 0)
t32("11110 0111 101 1110 10 0 0 1111 iiiiiiii", (x, _r, ctx): DecodeResult => {
  if (itBranchBad(ctx)) return "unpred";
  if (x.i === 0) return { def: SYS_EXC, p: { kind: Exk.ERET }, f: { imm: 0 }, ends: true };
  return {
    def: DP_IMM,
    p: { op: Op.SUB, s: 1, dst: Dst.ERET, ic: 0 },
    f: { rd: 15, rn: 14, imm: x.i! },
    ends: true,
  };
});

// SMC, HVC, UDF
t32(
  "11110 1111 111 iiii 1000 0000 0000 0000",
  (x, _r, ctx): DecodeResult =>
    itBranchBad(ctx) ? "unpred" : { def: SYS_EXC, p: { kind: Exk.SMC }, f: { imm: x.i! }, ends: true },
);
t32(
  "11110 1111 110 iiii 1000 jjjjjjjjjjjj",
  (x, _r, ctx): DecodeResult =>
    ctx.inIT ? "unpred" : { def: SYS_EXC, p: { kind: Exk.HVC }, f: { imm: (x.i! << 12) | x.j! }, ends: true },
);
t32("11110 1111 111 iiii 1010 jjjjjjjjjjjj", (): DecodeResult => "undef");

// SRS / RFE (DB: op 00, IA: op 11)
t32("1110100 oo 0 W 0 1101 1100 0000 000 mmmmm", (x, _r, ctx): DecodeResult => {
  if (x.o === 1 || x.o === 2) return null;
  if (ctx.inIT) return "unpred";
  return { def: SYS_SRS, f: { mode: x.m!, amode: x.o === 0 ? 2 : 1, wback: x.W! }, ends: true };
});
t32("1110100 oo 0 W 1 nnnn 1100 0000 0000 0000", (x, _r, ctx): DecodeResult => {
  if (x.o === 1 || x.o === 2) return null;
  if (x.n === 15 || itBranchBad(ctx)) return "unpred";
  return { def: SYS_RFE, f: { rn: x.n!, amode: x.o === 0 ? 2 : 1, wback: x.W! }, ends: true };
});

// Coprocessor and VFP --------------------------------------------------------------------

const isVfp = (cp: number) => cp === 10 || cp === 11;

// MCR / MRC (and MCR2 / MRC2: UNDEFINED), VFP data processing and transfers
t32("111 T 1110 aaaL nnnn tttt pppp bbbo mmmm", (x, raw): DecodeResult => {
  const cp = x.p!;
  if (isVfp(cp)) return x.T ? "undef" : decodeVfp(raw, "T32");
  if (!x.o) return "undef"; // CDP / CDP2
  if (x.T) return "undef";
  const idx = cp >= 14 ? sysregIndex(cp, x.a!, x.n!, x.m!, x.b!) : -1;
  if (x.L) {
    if (x.t === 13) return "unpred";
    return { def: SYS_MRC, f: { idx, rt: x.t! } };
  }
  if (badReg(x.t!)) return "unpred";
  return { def: SYS_MCR, f: { idx, rt: x.t! }, ends: true };
});
// MCRR / MRRC (and MCRR2 / MRRC2: UNDEFINED)
t32("111 T 1100 010L uuuu tttt pppp oooo mmmm", (x, raw): DecodeResult => {
  const cp = x.p!;
  if (isVfp(cp)) return x.T ? "undef" : decodeVfp(raw, "T32");
  if (x.T) return "undef";
  if (badReg(x.t!) || badReg(x.u!) || (x.L && x.t === x.u)) return "unpred";
  const idx = cp >= 14 ? sysregIndex64(cp, x.o!, x.m!) : -1;
  if (x.L) return { def: SYS_MRRC, f: { idx, rt: x.t!, rt2: x.u! } };
  return { def: SYS_MCRR, f: { idx, rt: x.t!, rt2: x.u! }, ends: true };
});
// LDC / STC (and VLDR/VSTR/VLDM/VSTM for cp10/cp11)
t32("111 T 110P UDWL nnnn dddd pppp iiiiiiii", (x, raw): DecodeResult => {
  if (!x.P && !x.U && !x.W && !x.D) return "undef"; // (D = 1: MCRR/MRRC, matched above)
  if (isVfp(x.p!)) return x.T ? "undef" : decodeVfp(raw, "T32");
  return "undef"; // no other coprocessors
});
