// 16-bit Thumb encodings (ARMv7-A, A6.2), mapped onto the ISA-neutral definitions.
// Flag-setting 16-bit data-processing forms set flags only outside an IT block
// (ctx.inIT); branches must be the last instruction of an IT block.

import type { DecodeCtx, DecodeResult, Letters } from "../decode/pattern.js";
import { enc } from "../decode/pattern.js";
import { B_IMM, BX_REG } from "./branch.js";
import { immShift, Sh } from "./common.js";
import { DP_IMM, DP_REG, DP_RSR, Dst, Op } from "./dp.js";
import { T_ADR, T_CBZ, T_IT } from "./thumb_defs.js";

export const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

/** BadReg: SP or PC (UNPREDICTABLE in most T32 register fields; LR is fine). */
export const badReg = (r: number): boolean => r === 13 || r === 15;

/** A PC-writing instruction inside an IT block must be its last one. */
export const itBranchBad = (ctx: DecodeCtx): boolean => ctx.inIT && !ctx.lastInIT;

type Dec = (x: Letters, raw: number, ctx: DecodeCtx) => DecodeResult;
const t16 = (pattern: string, d: Dec) => enc("T16", pattern, d);

const sOut = (ctx: DecodeCtx) => (ctx.inIT ? 0 : 1);

// Shift (immediate), add, subtract, move, compare --------------------------------------

// LSL/LSR/ASR #imm (MOVS rd, rm when LSL #0)
t16("000o o iiiii mmm ddd", (x, _r, ctx): DecodeResult => {
  if (x.o === 3) return null;
  if (x.o === 0 && x.i === 0 && ctx.inIT) return "unpred";
  const { sh, amt } = immShift(x.o!, x.i!);
  return {
    def: DP_REG,
    p: { op: Op.MOV, s: sOut(ctx), dst: Dst.REG, sh },
    f: { rd: x.d!, rn: 0, rm: x.m!, amt },
  };
});
// ADD/SUB (register)
t16(
  "0001 10o mmm nnn ddd",
  (x, _r, ctx): DecodeResult => ({
    def: DP_REG,
    p: { op: x.o ? Op.SUB : Op.ADD, s: sOut(ctx), dst: Dst.REG, sh: Sh.NONE },
    f: { rd: x.d!, rn: x.n!, rm: x.m!, amt: 0 },
  }),
);
// ADD/SUB (3-bit immediate)
t16(
  "0001 11o iii nnn ddd",
  (x, _r, ctx): DecodeResult => ({
    def: DP_IMM,
    p: { op: x.o ? Op.SUB : Op.ADD, s: sOut(ctx), dst: Dst.REG, ic: 0 },
    f: { rd: x.d!, rn: x.n!, imm: x.i! },
  }),
);
// MOV/CMP/ADD/SUB (8-bit immediate)
t16("001o o ddd iiiiiiii", (x, _r, ctx): DecodeResult => {
  const op = [Op.MOV, Op.CMP, Op.ADD, Op.SUB][x.o!]!;
  return {
    def: DP_IMM,
    p: { op, s: op === Op.CMP ? 1 : sOut(ctx), dst: Dst.REG, ic: 0 },
    f: { rd: x.d!, rn: x.d!, imm: x.i! },
  };
});

// Data processing (register) ----------------------------------------------------------

t16("010000 oooo mmm ddd", (x, _r, ctx): DecodeResult => {
  const s = sOut(ctx);
  const rdn = x.d!;
  const rm = x.m!;
  const reg = (op: number, s: number) => ({
    def: DP_REG,
    p: { op, s, dst: Dst.REG, sh: Sh.NONE },
    f: { rd: rdn, rn: rdn, rm, amt: 0 },
  });
  const shift = (type: number) => ({
    def: DP_RSR,
    p: { op: Op.MOV, s, type },
    f: { rd: rdn, rn: 0, rm: rdn, rs: rm },
  });
  switch (x.o) {
    case 0:
      return reg(Op.AND, s);
    case 1:
      return reg(Op.EOR, s);
    case 2:
      return shift(0);
    case 3:
      return shift(1);
    case 4:
      return shift(2);
    case 5:
      return reg(Op.ADC, s);
    case 6:
      return reg(Op.SBC, s);
    case 7:
      return shift(3);
    case 8:
      return reg(Op.TST, 1);
    case 9: // RSB rd, rn, #0
      return { def: DP_IMM, p: { op: Op.RSB, s, dst: Dst.REG, ic: 0 }, f: { rd: rdn, rn: rm, imm: 0 } };
    case 10:
      return reg(Op.CMP, 1);
    case 11:
      return reg(Op.CMN, 1);
    case 12:
      return reg(Op.ORR, s);
    case 13:
      return null; // MUL: thumb16 multiply below
    case 14:
      return reg(Op.BIC, s);
    default:
      return {
        def: DP_REG,
        p: { op: Op.MVN, s, dst: Dst.REG, sh: Sh.NONE },
        f: { rd: rdn, rn: 0, rm, amt: 0 },
      };
  }
});

// Special data processing and branch/exchange ------------------------------------------

// ADD (register), high registers, no flags
t16("0100 0100 D mmmm ddd", (x, _r, ctx): DecodeResult => {
  const rd = (x.D! << 3) | x.d!;
  const rm = x.m!;
  if (rd === 15 && rm === 15) return "unpred";
  if (rd === 15 && itBranchBad(ctx)) return "unpred";
  return {
    def: DP_REG,
    p: { op: Op.ADD, s: 0, dst: rd === 15 ? Dst.PC : Dst.REG, sh: Sh.NONE },
    f: { rd, rn: rd, rm, amt: 0 },
    ends: rd === 15,
  };
});
// CMP (register), high registers
t16("0100 0101 N mmmm nnn", (x): DecodeResult => {
  const rn = (x.N! << 3) | x.n!;
  if ((rn < 8 && x.m! < 8) || rn === 15 || x.m === 15) return "unpred";
  return {
    def: DP_REG,
    p: { op: Op.CMP, s: 1, dst: Dst.REG, sh: Sh.NONE },
    f: { rd: 0, rn, rm: x.m!, amt: 0 },
  };
});
// MOV (register), high registers, no flags
t16("0100 0110 D mmmm ddd", (x, _r, ctx): DecodeResult => {
  const rd = (x.D! << 3) | x.d!;
  if (rd === 15 && itBranchBad(ctx)) return "unpred";
  return {
    def: DP_REG,
    p: { op: Op.MOV, s: 0, dst: rd === 15 ? Dst.PC : Dst.REG, sh: Sh.NONE },
    f: { rd, rn: 0, rm: x.m!, amt: 0 },
    ends: rd === 15,
  };
});
// BX / BLX (register)
t16("0100 0111 L mmmm 000", (x, _r, ctx): DecodeResult => {
  if (itBranchBad(ctx)) return "unpred";
  if (x.L && x.m === 15) return "unpred";
  return { def: BX_REG, p: { link: x.L!, t: 1 }, f: { rm: x.m! }, ends: true };
});

// PC- and SP-relative -----------------------------------------------------------------

// ADR
t16(
  "10100 ddd iiiiiiii",
  (x): DecodeResult => ({
    def: T_ADR,
    f: { rd: x.d!, base: 4, imm: x.i! * 4 },
    rel: ["base"],
  }),
);
// ADD rd, SP, #imm
t16(
  "10101 ddd iiiiiiii",
  (x): DecodeResult => ({
    def: DP_IMM,
    p: { op: Op.ADD, s: 0, dst: Dst.REG, ic: 0 },
    f: { rd: x.d!, rn: 13, imm: x.i! * 4 },
  }),
);
// ADD/SUB SP, SP, #imm
t16(
  "1011 0000 o iiiiiii",
  (x): DecodeResult => ({
    def: DP_IMM,
    p: { op: x.o ? Op.SUB : Op.ADD, s: 0, dst: Dst.REG, ic: 0 },
    f: { rd: 13, rn: 13, imm: x.i! * 4 },
  }),
);

// Miscellaneous -------------------------------------------------------------------------

// CBZ / CBNZ
t16("1011 o0i1 iiiii nnn", (x, _r, ctx): DecodeResult => {
  if (ctx.inIT) return "unpred";
  return {
    def: T_CBZ,
    p: { nz: x.o! },
    f: { rn: x.n!, target: 4 + x.i! * 2 },
    rel: ["target"],
    ends: true,
  };
});

// IT and hints
t16("1011 1111 cccc mmmm", (x, _r, ctx): DecodeResult => {
  const c = x.c!;
  const m = x.m!;
  if (m === 0) return null; // hints: thumb_sys.ts
  if (ctx.inIT) return "unpred";
  if (c === 15) return "unpred";
  if (c === 14 && (m & (m - 1)) !== 0) return "unpred";
  return { def: T_IT, f: { firstcond: c, mask: m } };
});

// Conditional branch, UDF, SVC, unconditional branch ----------------------------------

t16("1101 cccc iiiiiiii", (x, _r, ctx): DecodeResult => {
  if (x.c === 14) return "undef"; // UDF
  if (x.c === 15) return null; // SVC
  if (ctx.inIT) return "unpred";
  return {
    def: B_IMM,
    p: { link: 0, t: 1 },
    f: { target: 4 + sext(x.i!, 8) * 2 },
    rel: ["target"],
    cond: x.c!,
    ends: true,
  };
});
t16("11100 iiiiiiiiiii", (x, _r, ctx): DecodeResult => {
  if (itBranchBad(ctx)) return "unpred";
  return {
    def: B_IMM,
    p: { link: 0, t: 1 },
    f: { target: 4 + sext(x.i!, 11) * 2 },
    rel: ["target"],
    ends: true,
  };
});
