// 32-bit Thumb encodings (ARMv7-A, A6.3): data processing, branches and control,
// mapped onto the ISA-neutral definitions. Patterns are hw1:hw2 (32 bits).

import type { DecodeCtx, DecodeResult, Letters } from "../decode/pattern.js";
import { enc } from "../decode/pattern.js";
import { B_IMM, BX_REG } from "./branch.js";
import { immShift } from "./common.js";
import { DP_IMM, DP_REG, DP_RSR, Dst, Op } from "./dp.js";
import { MOVW } from "./media.js";
import { T_ADR } from "./thumb_defs.js";
import { badReg, itBranchBad, sext } from "./thumb16.js";

type Dec = (x: Letters, raw: number, ctx: DecodeCtx) => DecodeResult;
export const t32 = (pattern: string, d: Dec) => enc("T32", pattern, d);

/** ThumbExpandImm_C: value and whether the carry comes from bit 31 (rotated form). */
export function thumbExpandImm(imm12: number): { imm: number; carry: boolean } | null {
  const imm8 = imm12 & 0xff;
  if (imm12 >>> 10 === 0) {
    switch ((imm12 >>> 8) & 3) {
      case 0:
        return { imm: imm8, carry: false };
      case 1:
        return imm8 === 0 ? null : { imm: (imm8 << 16) | imm8, carry: false };
      case 2:
        return imm8 === 0 ? null : { imm: (imm8 << 24) | (imm8 << 8), carry: false };
      default:
        return imm8 === 0 ? null : { imm: (imm8 << 24) | (imm8 << 16) | (imm8 << 8) | imm8, carry: false };
    }
  }
  const v = 0x80 | (imm12 & 0x7f);
  const rot = imm12 >>> 7;
  return { imm: (v >>> rot) | (v << (32 - rot)) | 0, carry: true };
}

/** T32 data-processing opcode (bits 24:21 of hw1) -> dp.ts op, or -1 (undefined here). */
const T32_OPS = [
  Op.AND,
  Op.BIC,
  Op.ORR,
  Op.ORN,
  Op.EOR,
  -1,
  -1,
  -1,
  Op.ADD,
  -1,
  Op.ADC,
  Op.SBC,
  -1,
  Op.SUB,
  Op.RSB,
  -1,
];

/**
 * Resolve a T32 data-processing op with its Rd/Rn special cases (TST/TEQ/CMN/CMP when
 * Rd = 15 and S; MOV/MVN when Rn = 15). Returns null when it is another encoding
 * (PKH in the shifted-register space) or "unpred".
 */
function t32DpOp(o: number, s: number, rd: number, rn: number, isReg: boolean): number | null | "unpred" {
  let op = T32_OPS[o]!;
  if (op < 0) {
    if (isReg && o === 6) return null; // PKHBT/PKHTB
    return "unpred"; // undefined opcodes
  }
  if (rd === 15 && s) {
    if (op === Op.AND) op = Op.TST;
    else if (op === Op.EOR) op = Op.TEQ;
    else if (op === Op.ADD) op = Op.CMN;
    else if (op === Op.SUB) op = Op.CMP;
  }
  if (rn === 15) {
    if (op === Op.ORR) op = Op.MOV;
    else if (op === Op.ORN) op = Op.MVN;
    else return "unpred";
  }
  const test = op === Op.TST || op === Op.TEQ || op === Op.CMN || op === Op.CMP;
  if (!test && (rd === 15 || (rd === 13 && rn !== 13))) return "unpred";
  if (test && rn === 15) return "unpred";
  if (rn === 13 && !(op === Op.ADD || op === Op.SUB || op === Op.CMN || op === Op.CMP)) {
    // SP as Rn only for ADD/SUB/CMP/CMN; MOV/MVN have no Rn
    if (op !== Op.MOV && op !== Op.MVN) return "unpred";
  }
  return op;
}

// Data processing (modified immediate)
t32("11110 i 0 oooo S nnnn 0 jjj dddd kkkkkkkk", (x): DecodeResult => {
  if (x.o === 5 || x.o === 6 || x.o === 7 || x.o === 9 || x.o === 12 || x.o === 15) return "undef";
  const op = t32DpOp(x.o!, x.S!, x.d!, x.n!, false);
  if (op === null || op === "unpred") return "unpred";
  const e = thumbExpandImm((x.i! << 11) | (x.j! << 8) | x.k!);
  if (!e) return "unpred";
  if (op === Op.MOV || op === Op.MVN ? x.d === 13 : false) return "unpred";
  return {
    def: DP_IMM,
    p: { op, s: x.S!, dst: Dst.REG, ic: e.carry ? 1 : 0 },
    f: { rd: x.d!, rn: x.n!, imm: e.imm },
  };
});

// Data processing (shifted register)
t32("11101 01 oooo S nnnn 0 jjj dddd ii tt mmmm", (x): DecodeResult => {
  if (x.o === 2 && x.n === 15 && !x.S && x.d === 13 && !x.j && !x.i && !x.t && x.m! < 13) {
    // MOV.W SP, Rm
    return {
      def: DP_REG,
      p: { op: Op.MOV, s: 0, dst: Dst.REG, sh: 0 },
      f: { rd: 13, rn: 0, rm: x.m!, amt: 0 },
    };
  }
  const op = t32DpOp(x.o!, x.S!, x.d!, x.n!, true);
  if (op === null) return null;
  if (op === "unpred") return "unpred";
  const rm = x.m!;
  if (rm === 15 || (rm === 13 && !(op === Op.MOV && !x.S && x.d !== 13))) return "unpred";
  const { sh, amt } = immShift(x.t!, (x.j! << 2) | x.i!);
  return {
    def: DP_REG,
    p: { op, s: x.S!, dst: Dst.REG, sh },
    f: { rd: x.d!, rn: x.n!, rm, amt },
  };
});

// LSL/LSR/ASR/ROR (register)
t32("11111010 0 tt S nnnn 1111 dddd 0000 mmmm", (x): DecodeResult => {
  if (badReg(x.d!) || badReg(x.n!) || badReg(x.m!)) return "unpred";
  return {
    def: DP_RSR,
    p: { op: Op.MOV, s: x.S!, type: x.t! },
    f: { rd: x.d!, rn: 0, rm: x.n!, rs: x.m! },
  };
});

// Plain binary immediate: ADDW/SUBW/ADR, MOVW, MOVT -------------------------------------

t32("11110 i 10 ooo 0 nnnn 0 jjj dddd kkkkkkkk", (x): DecodeResult => {
  const imm12 = (x.i! << 11) | (x.j! << 8) | x.k!;
  const rd = x.d!;
  const rn = x.n!;
  if (x.o === 0) {
    // ADDW / ADR (add)
    if (rn === 15) {
      if (badReg(rd)) return "unpred";
      return { def: T_ADR, f: { rd, base: 4, imm: imm12 }, rel: ["base"] };
    }
    if (rd === 15 || (rd === 13 && rn !== 13)) return "unpred";
    return { def: DP_IMM, p: { op: Op.ADD, s: 0, dst: Dst.REG, ic: 0 }, f: { rd, rn, imm: imm12 } };
  }
  if (x.o === 5) {
    // SUBW / ADR (sub)
    if (rn === 15) {
      if (badReg(rd)) return "unpred";
      return { def: T_ADR, f: { rd, base: 4, imm: -imm12 }, rel: ["base"] };
    }
    if (rd === 15 || (rd === 13 && rn !== 13)) return "unpred";
    return { def: DP_IMM, p: { op: Op.SUB, s: 0, dst: Dst.REG, ic: 0 }, f: { rd, rn, imm: imm12 } };
  }
  const imm16 = (rn << 12) | imm12;
  if (badReg(rd)) return "unpred";
  if (x.o === 2) {
    return { def: MOVW, p: { top: 0 }, f: { rd, imm: imm16 } };
  }
  if (x.o === 6) return { def: MOVW, p: { top: 1 }, f: { rd, imm: imm16 } };
  return "undef";
});

// Branches and miscellaneous control ------------------------------------------------

/** imm32 of the T4 / BL / BLX encodings: S:I1:I2:imm10:imm11:'0'. */
function blImm(s: number, hi10: number, j1: number, j2: number, lo11: number): number {
  const i1 = 1 - (j1 ^ s);
  const i2 = 1 - (j2 ^ s);
  const v = (s << 24) | (i1 << 23) | (i2 << 22) | (hi10 << 12) | (lo11 << 1);
  return sext(v, 25);
}

// B T3 (conditional)
t32("11110 S cccc iiiiii 10 J 0 K jjjjjjjjjjj", (x, _r, ctx): DecodeResult => {
  if (x.c! >= 14) return null; // misc control space
  if (ctx.inIT) return "unpred";
  const imm = sext((x.S! << 20) | (x.K! << 19) | (x.J! << 18) | (x.i! << 12) | (x.j! << 1), 21);
  return {
    def: B_IMM,
    p: { link: 0, t: 1 },
    f: { target: 4 + imm },
    rel: ["target"],
    cond: x.c!,
    ends: true,
  };
});
// B T4
t32("11110 S iiiiiiiiii 10 J 1 K jjjjjjjjjjj", (x, _r, ctx): DecodeResult => {
  if (itBranchBad(ctx)) return "unpred";
  const imm = blImm(x.S!, x.i!, x.J!, x.K!, x.j!);
  return { def: B_IMM, p: { link: 0, t: 1 }, f: { target: 4 + imm }, rel: ["target"], ends: true };
});
// BL
t32("11110 S iiiiiiiiii 11 J 1 K jjjjjjjjjjj", (x, _r, ctx): DecodeResult => {
  if (itBranchBad(ctx)) return "unpred";
  const imm = blImm(x.S!, x.i!, x.J!, x.K!, x.j!);
  return { def: B_IMM, p: { link: 1, t: 1 }, f: { target: 4 + imm }, rel: ["target"], ends: true };
});
// BLX (immediate): to ARM at Align(PC, 4) + imm (bxWritePC clears bits 1:0)
t32("11110 S iiiiiiiiii 11 J 0 K jjjjjjjjjjj", (x, _r, ctx): DecodeResult => {
  if (x.j! & 1) return "undef";
  if (itBranchBad(ctx)) return "unpred";
  const imm = blImm(x.S!, x.i!, x.J!, x.K!, x.j!);
  return { def: B_IMM, p: { link: 2, t: 1 }, f: { target: 4 + imm }, rel: ["target"], ends: true };
});
// BXJ (no Jazelle: behaves as BX)
t32("11110 0111 100 mmmm 10 0 0 1111 0000 0000", (x, _r, ctx): DecodeResult => {
  if (x.m === 15 || x.m === 13) return "unpred";
  if (itBranchBad(ctx)) return "unpred";
  return { def: BX_REG, p: { link: 0, t: 1 }, f: { rm: x.m! }, ends: true };
});
