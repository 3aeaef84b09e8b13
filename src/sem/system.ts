// System, status-register and exception-generating instructions and the coprocessor
// interface (A32 encodings here; the Thumb encodings reuse these definitions).
//
// Definitions (ISA-neutral; params are decode-time constants, fields runtime values):
//   SYS_MRS         params {spsr: 0 CPSR | 1 SPSR}      fields [rd]
//   SYS_MSR_REG     params {spsr}                        fields [rn, mask]   mask = c x s f bits 0..3
//   SYS_MSR_IMM     params {spsr}                        fields [imm, mask]  imm already expanded
//   SYS_MRS_BANKED  -                                    fields [rd, rsysm]  rsysm = R << 5 | SYSm
//   SYS_MSR_BANKED  -                                    fields [rn, rsysm]
//   SYS_CPS         -                                    fields [imod, aif, m, mode]  aif = A<<2|I<<1|F
//   SYS_SETEND      -                                    fields [e]
//   SYS_SRS         -                                    fields [mode, amode, wback]  amode = P:U (0 DA 1 IA 2 DB 3 IB)
//   SYS_RFE         -                                    fields [rn, amode, wback]
//   SYS_EXC         params {kind: Exk.*}                 fields [imm]        SVC BKPT HVC SMC ERET
//   SYS_BARRIER     params {kind: 0 DSB | 1 DMB | 2 ISB} fields []
//   SYS_HINT        params {op: Hint.*}                  fields []           NOP YIELD WFE WFI SEV DBG
//   SYS_MRC         -                                    fields [idx, rt]    idx = sysregIndex(...) or -1
//   SYS_MCR         -                                    fields [idx, rt]
//   SYS_MRRC        -                                    fields [idx, rt, rt2]  idx = sysregIndex64(...) or -1
//   SYS_MCRR        -                                    fields [idx, rt, rt2]
// Decoder notes: everything that can change mode/T/E/A/I/F or the PC needs `ends: true`
// (MSR CPSR with c or x in the mask, CPS, SETEND, RFE, SYS_EXC, ISB, WFI, MCR/MCRR).
// Unknown coprocessor registers get idx -1 (UNDEFINED at run time, so a failed
// condition still skips them as in QEMU). CP10/CP11 belong to the VFP decoder.

import { sysregIndex, sysregIndex64 } from "../../runtime/sysregs.js";
import { enc } from "../decode/pattern.js";
import { defineInsn } from "./defs.js";
import { armExpandImm } from "./dp.js";

export { sysregIndex, sysregIndex64 };

export const SYS_MRS = defineInsn("sys_mrs", { spsr: 2 }, ["rd"], (b, p, f) => {
  if (p.spsr) b.callMayExit("mrsSpsr", f.rd!);
  else b.setReg(f.rd!, b.call("readCPSR"));
});

export const SYS_MSR_REG = defineInsn("sys_msr_reg", { spsr: 2 }, ["rn", "mask"], (b, p, f) => {
  b.callMayExit("msr", b.k(p.spsr!), f.mask!, b.reg(f.rn!));
});

export const SYS_MSR_IMM = defineInsn("sys_msr_imm", { spsr: 2 }, ["imm", "mask"], (b, p, f) => {
  b.callMayExit("msr", b.k(p.spsr!), f.mask!, f.imm!);
});

export const SYS_MRS_BANKED = defineInsn("sys_mrs_banked", {}, ["rd", "rsysm"], (b, _p, f) => {
  b.callMayExit("mrsBanked", f.rd!, f.rsysm!);
});

export const SYS_MSR_BANKED = defineInsn("sys_msr_banked", {}, ["rn", "rsysm"], (b, _p, f) => {
  b.callMayExit("msrBanked", f.rsysm!, b.reg(f.rn!));
});

export const SYS_CPS = defineInsn("sys_cps", {}, ["imod", "aif", "m", "mode"], (b, _p, f) => {
  b.callMayExit("cps", f.imod!, f.aif!, f.m!, f.mode!);
});

export const SYS_SETEND = defineInsn("sys_setend", {}, ["e"], (b, _p, f) => {
  b.callMayExit("setend", f.e!);
});

export const SYS_SRS = defineInsn("sys_srs", {}, ["mode", "amode", "wback"], (b, _p, f) => {
  b.callMayExit("srs", f.mode!, f.amode!, f.wback!);
});

export const SYS_RFE = defineInsn("sys_rfe", {}, ["rn", "amode", "wback"], (b, _p, f) => {
  b.callMayExit("rfe", f.rn!, f.amode!, f.wback!);
});

/** Exception-generating instruction kinds (SYS_EXC param). */
export const Exk = { SVC: 0, BKPT: 1, HVC: 2, SMC: 3, ERET: 4 } as const;
const EXC_HELPER = ["svc", "bkpt", "hvc", "smc", "eret"];

export const SYS_EXC = defineInsn("sys_exc", { kind: 5 }, ["imm"], (b, p, f) => {
  if (p.kind === Exk.ERET) b.callMayExit("eret");
  else b.callMayExit(EXC_HELPER[p.kind!]!, f.imm!);
});

/** Barriers: no effect on a single in-order core; ISB ends the block (context synchronization). */
export const SYS_BARRIER = defineInsn("sys_barrier", { kind: 3 }, [], (b, p) => {
  if (p.kind === 2) b.endBlock();
});

/** Hint kinds (SYS_HINT param). */
export const Hint = { NOP: 0, YIELD: 1, WFE: 2, WFI: 3, SEV: 4, DBG: 5 } as const;

export const SYS_HINT = defineInsn("sys_hint", { op: 6 }, [], (b, p) => {
  if (p.op === Hint.WFI) b.callMayExit("wfi", b.nextAddr());
  else if (p.op === Hint.WFE) b.callMayExit("wfe"); // (issue 4) HCR.TWE
});

export const SYS_MRC = defineInsn("sys_mrc", {}, ["idx", "rt"], (b, _p, f) => {
  b.callMayExit("mrc", f.idx!, f.rt!);
});

export const SYS_MCR = defineInsn("sys_mcr", {}, ["idx", "rt"], (b, _p, f) => {
  b.callMayExit("mcr", f.idx!, b.reg(f.rt!));
  b.endBlock();
});

export const SYS_MRRC = defineInsn("sys_mrrc", {}, ["idx", "rt", "rt2"], (b, _p, f) => {
  b.callMayExit("mrrc", f.idx!, f.rt!, f.rt2!);
});

export const SYS_MCRR = defineInsn("sys_mcrr", {}, ["idx", "rt", "rt2"], (b, _p, f) => {
  b.callMayExit("mcrr", f.idx!, b.reg(f.rt!), b.reg(f.rt2!));
  b.endBlock();
});

/** Decode-time validity of CPS operands (shared with Thumb): false = UNPREDICTABLE. */
export function cpsValid(imod: number, m: number, aif: number, mode: number): boolean {
  if (mode !== 0 && m === 0) return false;
  if (imod & 2 ? aif === 0 : aif !== 0) return false;
  if ((imod === 0 && m === 0) || imod === 1) return false;
  return true;
}

/** Hint op byte -> Hint kind (every unallocated hint executes as NOP, as in QEMU). */
export function hintKind(op8: number): number {
  if (op8 >= 0xf0) return Hint.DBG;
  if (op8 >= 1 && op8 <= 4) return op8;
  return Hint.NOP;
}

// ---- A32 encodings -------------------------------------------------------------------

// MRS Rd, CPSR/SPSR
enc("A32", "cccc 0001 0R00 1111 dddd 0000 0000 0000", (x) =>
  x.d === 15 ? "unpred" : { def: SYS_MRS, p: { spsr: x.R! }, f: { rd: x.d! } },
);
// MSR CPSR/SPSR_<fields>, Rn
enc("A32", "cccc 0001 0R10 mmmm 1111 0000 0000 nnnn", (x) => {
  if (x.m === 0 || x.n === 15) return "unpred";
  return { def: SYS_MSR_REG, p: { spsr: x.R! }, f: { rn: x.n!, mask: x.m! }, ends: !x.R && (x.m! & 3) !== 0 };
});
// MSR CPSR/SPSR_<fields>, #imm (R=0 mask=0 is the hint space, below)
enc("A32", "cccc 0011 0R10 mmmm 1111 iiii iiii iiii", (x) => {
  if (x.m === 0) return x.R ? "unpred" : null;
  const { imm } = armExpandImm(x.i!);
  return { def: SYS_MSR_IMM, p: { spsr: x.R! }, f: { imm, mask: x.m! }, ends: !x.R && (x.m! & 3) !== 0 };
});
// MRS Rd, <banked_reg> / MSR <banked_reg>, Rn
enc("A32", "cccc 0001 0R00 ssss dddd 001M 0000 0000", (x) =>
  x.d === 15
    ? "unpred"
    : { def: SYS_MRS_BANKED, f: { rd: x.d!, rsysm: (x.R! << 5) | (x.M! << 4) | x.s! }, ends: true },
);
enc("A32", "cccc 0001 0R10 ssss 1111 001M 0000 nnnn", (x) =>
  x.n === 15
    ? "unpred"
    : { def: SYS_MSR_BANKED, f: { rn: x.n!, rsysm: (x.R! << 5) | (x.M! << 4) | x.s! }, ends: true },
);
// CPS
enc("A32", "1111 0001 0000 iiM0 0000 000a bf0m mmmm", (x) => {
  const aif = (x.a! << 2) | (x.b! << 1) | x.f!;
  if (!cpsValid(x.i!, x.M!, aif, x.m!)) return "unpred";
  return { def: SYS_CPS, f: { imod: x.i!, aif, m: x.M!, mode: x.m! }, ends: true };
});
// SETEND
enc("A32", "1111 0001 0000 0001 0000 00E0 0000 0000", (x) => ({
  def: SYS_SETEND,
  f: { e: x.E! },
  ends: true,
}));
// SRS / RFE
enc("A32", "1111 100P U1W0 1101 0000 0101 000m mmmm", (x) => ({
  def: SYS_SRS,
  f: { mode: x.m!, amode: (x.P! << 1) | x.U!, wback: x.W! },
  ends: true,
}));
enc("A32", "1111 100P U0W1 nnnn 0000 1010 0000 0000", (x) =>
  x.n === 15
    ? "unpred"
    : { def: SYS_RFE, f: { rn: x.n!, amode: (x.P! << 1) | x.U!, wback: x.W! }, ends: true },
);
// SVC, BKPT, HVC, SMC, ERET, UDF
enc("A32", "cccc 1111 iiii iiii iiii iiii iiii iiii", (x) => ({
  def: SYS_EXC,
  p: { kind: Exk.SVC },
  f: { imm: x.i! },
  ends: true,
}));
enc("A32", "cccc 0001 0010 iiii iiii iiii 0111 jjjj", (x) =>
  x.c !== 14 ? "unpred" : { def: SYS_EXC, p: { kind: Exk.BKPT }, f: { imm: (x.i! << 4) | x.j! }, ends: true },
);
enc("A32", "cccc 0001 0100 iiii iiii iiii 0111 jjjj", (x) =>
  x.c !== 14 ? "unpred" : { def: SYS_EXC, p: { kind: Exk.HVC }, f: { imm: (x.i! << 4) | x.j! }, ends: true },
);
enc("A32", "cccc 0001 0110 0000 0000 0000 0111 iiii", (x) => ({
  def: SYS_EXC,
  p: { kind: Exk.SMC },
  f: { imm: x.i! },
  ends: true,
}));
enc("A32", "cccc 0001 0110 0000 0000 0000 0110 1110", () => ({
  def: SYS_EXC,
  p: { kind: Exk.ERET },
  f: { imm: 0 },
  ends: true,
}));
enc("A32", "1110 0111 1111 iiii iiii iiii 1111 iiii", () => "undef");
// DSB / DMB / ISB (any option)
enc("A32", "1111 0101 0111 1111 1111 0000 0100 oooo", () => ({ def: SYS_BARRIER, p: { kind: 0 } }));
enc("A32", "1111 0101 0111 1111 1111 0000 0101 oooo", () => ({ def: SYS_BARRIER, p: { kind: 1 } }));
enc("A32", "1111 0101 0111 1111 1111 0000 0110 oooo", () => ({
  def: SYS_BARRIER,
  p: { kind: 2 },
  ends: true,
}));
// Hints: NOP YIELD WFE WFI SEV DBG (QEMU ignores bits 11:8)
enc("A32", "cccc 0011 0010 0000 1111 xxxx oooo oooo", (x) => {
  const op = hintKind(x.o!);
  return { def: SYS_HINT, p: { op }, ends: op === Hint.WFI };
});
// MCR / MRC (cp14, cp15; cp10/cp11 are VFP; other coprocessors UNDEFINED)
enc("A32", "cccc 1110 aaaL nnnn tttt pppp bbb1 mmmm", (x) => {
  const cp = x.p!;
  if (cp === 10 || cp === 11) return null;
  const idx = cp >= 14 ? sysregIndex(cp, x.a!, x.n!, x.m!, x.b!) : -1;
  if (x.L) return { def: SYS_MRC, f: { idx, rt: x.t! } };
  if (x.t === 15) return "unpred";
  return { def: SYS_MCR, f: { idx, rt: x.t! }, ends: true };
});
// MCRR / MRRC
enc("A32", "cccc 1100 010L uuuu tttt pppp oooo mmmm", (x) => {
  const cp = x.p!;
  if (cp === 10 || cp === 11) return null;
  if (x.t === 15 || x.u === 15 || (x.L && x.t === x.u)) return "unpred";
  const idx = cp >= 14 ? sysregIndex64(cp, x.o!, x.m!) : -1;
  if (x.L) return { def: SYS_MRRC, f: { idx, rt: x.t!, rt2: x.u! } };
  return { def: SYS_MCRR, f: { idx, rt: x.t!, rt2: x.u! }, ends: true };
});
