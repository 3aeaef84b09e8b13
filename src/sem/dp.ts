// Data processing: AND EOR SUB RSB ADD ADC SBC RSC TST TEQ CMP CMN ORR MOV BIC MVN with
// immediate, immediate-shifted register and register-shifted register operands.

import { S } from "../cpu/state.js";
import { enc } from "../decode/pattern.js";
import type { Builder } from "./builder.js";
import { addWithCarry, getC, immShift, SH_KINDS, setNZ, shiftImm, shiftReg } from "./common.js";
import { defineInsn } from "./defs.js";

export const Op = {
  AND: 0,
  EOR: 1,
  SUB: 2,
  RSB: 3,
  ADD: 4,
  ADC: 5,
  SBC: 6,
  RSC: 7,
  TST: 8,
  TEQ: 9,
  CMP: 10,
  CMN: 11,
  ORR: 12,
  MOV: 13,
  BIC: 14,
  MVN: 15,
  /** Thumb-2 only: ORN (uses slot of op 16). */
  ORN: 16,
} as const;

/** Where the result goes: a register, the PC, or the PC with CPSR <- SPSR (SUBS PC, LR). */
export const Dst = { REG: 0, PC: 1, ERET: 2 } as const;

const isLogical = (op: number) =>
  op === Op.AND ||
  op === Op.EOR ||
  op === Op.TST ||
  op === Op.TEQ ||
  op === Op.ORR ||
  op === Op.MOV ||
  op === Op.BIC ||
  op === Op.MVN ||
  op === Op.ORN;
const isTest = (op: number) => op >= Op.TST && op <= Op.CMN;

/** The common tail of every data-processing form. `sc` is the shifter carry (logical ops). */
function dpCore<V>(
  b: Builder<V>,
  op: number,
  s: number,
  dst: number,
  rd: V,
  a: V,
  o2: V,
  sc: V | null,
): void {
  let r: V;
  let c: V | null = null;
  let v: V | null = null;
  const arith = (x: V, y: V, cin: V) => {
    const t = addWithCarry(b, x, y, cin);
    c = t.c;
    v = t.v;
    return t.r;
  };
  switch (op) {
    case Op.AND:
    case Op.TST:
      r = b.and(a, o2);
      break;
    case Op.EOR:
    case Op.TEQ:
      r = b.xor(a, o2);
      break;
    case Op.SUB:
    case Op.CMP:
      r = arith(a, b.not(o2), b.k(1));
      break;
    case Op.RSB:
      r = arith(b.not(a), o2, b.k(1));
      break;
    case Op.ADD:
    case Op.CMN:
      r = arith(a, o2, b.k(0));
      break;
    case Op.ADC:
      r = arith(a, o2, getC(b));
      break;
    case Op.SBC:
      r = arith(a, b.not(o2), getC(b));
      break;
    case Op.RSC:
      r = arith(b.not(a), o2, getC(b));
      break;
    case Op.ORR:
      r = b.or(a, o2);
      break;
    case Op.MOV:
      r = o2;
      break;
    case Op.BIC:
      r = b.and(a, b.not(o2));
      break;
    case Op.MVN:
      r = b.not(o2);
      break;
    default: // ORN
      r = b.or(a, b.not(o2));
      break;
  }
  r = b.let(r);
  if (s && dst !== Dst.ERET) {
    setNZ(b, r);
    if (isLogical(op)) {
      if (sc !== null) b.setState(S.CF, sc);
    } else {
      b.setState(S.CF, c!);
      b.setState(S.VF, v!);
    }
  }
  if (isTest(op)) return;
  if (dst === Dst.REG) b.setReg(rd, r);
  else if (dst === Dst.PC) b.callMayExit("aluWritePC", r);
  else b.callMayExit("exceptionReturn", r);
}

const OPS = 17;

/** op2 = imm (already expanded); ic: 1 when the shifter carry is imm[31] (rotated immediate). */
export const DP_IMM = defineInsn(
  "dp_imm",
  { op: OPS, s: 2, dst: 3, ic: 2 },
  ["rd", "rn", "imm"],
  (b, p, f) => {
    const a = p.op === Op.MOV || p.op === Op.MVN ? b.k(0) : b.reg(f.rn!);
    const wantC = p.s === 1 && isLogical(p.op!);
    const sc = wantC && p.ic ? b.lsr(f.imm!, b.k(31)) : null;
    dpCore(b, p.op!, p.s!, p.dst!, f.rd!, a, f.imm!, sc);
  },
);

export const DP_REG = defineInsn(
  "dp_reg",
  { op: OPS, s: 2, dst: 3, sh: SH_KINDS },
  ["rd", "rn", "rm", "amt"],
  (b, p, f) => {
    const a = p.op === Op.MOV || p.op === Op.MVN ? b.k(0) : b.reg(f.rn!);
    const wantC = p.s === 1 && isLogical(p.op!);
    const { r, c } = shiftImm(b, p.sh!, b.reg(f.rm!), f.amt!, wantC);
    dpCore(b, p.op!, p.s!, p.dst!, f.rd!, a, b.let(r), c);
  },
);

export const DP_RSR = defineInsn(
  "dp_rsr",
  { op: OPS, s: 2, type: 4 },
  ["rd", "rn", "rm", "rs"],
  (b, p, f) => {
    const a = p.op === Op.MOV || p.op === Op.MVN ? b.k(0) : b.reg(f.rn!);
    const wantC = p.s === 1 && isLogical(p.op!);
    const { r, c } = shiftReg(b, p.type!, b.reg(f.rm!), b.reg(f.rs!), wantC);
    dpCore(b, p.op!, p.s!, Dst.REG, f.rd!, a, b.let(r), c);
  },
);

/** A32 modified immediate: imm8 rotated right by 2*rot. */
export function armExpandImm(imm12: number): { imm: number; carry: boolean } {
  const rot = (imm12 >>> 8) * 2;
  const v = imm12 & 0xff;
  const imm = rot === 0 ? v : ((v >>> rot) | (v << (32 - rot))) >>> 0;
  return { imm: imm | 0, carry: rot !== 0 };
}

function a32Dst(op: number, s: number, rd: number): number {
  if (rd !== 15 || isTest(op)) return Dst.REG;
  return s ? Dst.ERET : Dst.PC;
}

// A32 encodings ---------------------------------------------------------------------

enc("A32", "cccc 001o oooS nnnn dddd iiii iiii iiii", (x) => {
  const op = x.o!;
  if (isTest(op) && !x.S) return null; // MSR/MOVW/MOVT/hints space
  const dst = a32Dst(op, x.S!, x.d!);
  const { imm, carry } = armExpandImm(x.i!);
  return {
    def: DP_IMM,
    p: { op, s: x.S!, dst, ic: carry ? 1 : 0 },
    f: { rd: x.d!, rn: x.n!, imm },
    ends: dst !== Dst.REG,
  };
});

enc("A32", "cccc 000o oooS nnnn dddd aaaa att0 mmmm", (x) => {
  const op = x.o!;
  if (isTest(op) && !x.S) return null; // misc space
  const dst = a32Dst(op, x.S!, x.d!);
  const { sh, amt } = immShift(x.t!, x.a!);
  return {
    def: DP_REG,
    p: { op, s: x.S!, dst, sh },
    f: { rd: x.d!, rn: x.n!, rm: x.m!, amt },
    ends: dst !== Dst.REG,
  };
});

enc("A32", "cccc 000o oooS nnnn dddd ssss 0tt1 mmmm", (x) => {
  const op = x.o!;
  if (isTest(op) && !x.S) return null;
  const usesRn = !(op === Op.MOV || op === Op.MVN);
  if ((x.d === 15 && !isTest(op)) || (usesRn && x.n === 15) || x.m === 15 || x.s === 15) return "unpred";
  return { def: DP_RSR, p: { op, s: x.S!, type: x.t! }, f: { rd: x.d!, rn: x.n!, rm: x.m!, rs: x.s! } };
});
