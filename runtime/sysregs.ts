// The CP15/CP14 system-register table of a Cortex-A15 as QEMU 7.2 models it for
// `-M virt -cpu cortex-a15` (no EL2, no EL3). Each register has its encoding, access
// rights per privilege level, reset value and read/write behaviour; encodings the
// table does not know are UNDEFINED. The set of encodings, their PL0/PL1 readability
// and writability and the reset values were taken from QEMU itself with a probe that
// reads and writes every (cp, opc1, CRn, CRm, opc2) and every 64-bit (cp, opc1, CRm)
// at PL1 and PL0 (see fixtures/src/diff_sys_idregs.S for the committed subset).
//
// Register names are the storage keys: two encodings with the same name share the
// value (e.g. the wildcard DACR aliases, TTBR0 32-bit and 64-bit views: "TTBR0" holds
// the low word, "TTBR0_HI" the high word).

import type { Cpu } from "../src/cpu/cpu.js";

/**
 * Access rights (QEMU's PL0_R/PL0_W/PL1_R/PL1_W, and PL2 for the Hyp registers). A
 * register without PL2 rights is accessible from Hyp mode with its PL1 rights.
 */
export const PL0_R = 1;
export const PL0_W = 2;
export const PL1_R = 4;
export const PL1_W = 8;
export const PL2_R = 16;
export const PL2_W = 32;
const PL1_RW = PL1_R | PL1_W;
const PL0_RW = PL0_R | PL0_W | PL1_RW;
const PL2_RW = PL2_R | PL2_W;

/** HCR bits (B4.1.65). */
export const HCR = {
  VM: 1 << 0,
  SWIO: 1 << 1,
  PTW: 1 << 2,
  FMO: 1 << 3,
  IMO: 1 << 4,
  AMO: 1 << 5,
  VF: 1 << 6,
  VI: 1 << 7,
  VA: 1 << 8,
  FB: 1 << 9,
  DC: 1 << 12,
  TWI: 1 << 13,
  TWE: 1 << 14,
  TID0: 1 << 15,
  TID1: 1 << 16,
  TID2: 1 << 17,
  TID3: 1 << 18,
  TSC: 1 << 19,
  TIDCP: 1 << 20,
  TAC: 1 << 21,
  TSW: 1 << 22,
  TPC: 1 << 23,
  TPU: 1 << 24,
  TTLB: 1 << 25,
  TVM: 1 << 26,
  TGE: 1 << 27,
} as const;

/**
 * Hyp traps (issue 4): the control bit that traps a PL0/PL1 access to Hyp mode. Each
 * register lists the classes it belongs to (SysregDef.trap); see Sysregs.trapped.
 */
export const TRAP = {
  /** HCR.TVM: writes to the virtual-memory control registers. */
  TVM: 1 << 0,
  /** HCR.TID1/TID2/TID3: ID register groups (reads; CSSELR writes for TID2). */
  TID1: 1 << 1,
  TID2: 1 << 2,
  TID3: 1 << 3,
  /** HCR.TAC: ACTLR. */
  TAC: 1 << 4,
  /** HCR.TSW/TPC/TPU: cache maintenance by set/way, to PoC, to PoU. */
  TSW: 1 << 5,
  TPC: 1 << 6,
  TPU: 1 << 7,
  /** HCR.TTLB: TLB maintenance. */
  TTLB: 1 << 8,
  /** HCR.TIDCP: the IMPLEMENTATION DEFINED lockdown/c15 space. */
  TIDCP: 1 << 9,
  /** HDCR.TPM (all PMU registers), HDCR.TPMCR (PMCR). */
  TPM: 1 << 10,
  TPMCR: 1 << 11,
  /** HDCR.TDA/TDOSA/TDRA: debug registers, OS-lock registers, DBGDRAR/DBGDSAR. */
  TDA: 1 << 12,
  TDOSA: 1 << 13,
  TDRA: 1 << 14,
  /** CNTHCTL.PL1PCTEN = 0: the physical counter; CNTHCTL.PL1PCEN = 0: the physical timer. */
  CNTPCT: 1 << 15,
  CNTP: 1 << 16,
  /** HCR.TID0: JIDR (and FPSID through VMRS). */
  TID0: 1 << 17,
  /** HSTR.TTEE / TJDBX: ThumbEE and Jazelle registers. */
  TTEE: 1 << 18,
  TJDBX: 1 << 19,
} as const;

export interface SysregDef {
  name: string;
  cp: number;
  opc1: number;
  crn: number;
  crm: number;
  opc2: number;
  /** MCRR/MRRC register (crn and opc2 unused). */
  is64?: boolean;
  /** Static access rights (PL0_R | PL0_W | PL1_R | PL1_W). */
  access: number;
  /** Hyp trap classes (TRAP bits) that apply to PL0/PL1 accesses. */
  trap?: number;
  /** Extra run-time check for PL0 accesses granted by a control register (e.g. CNTKCTL). */
  pl0Ok?: (s: Sysregs, write: boolean) => boolean;
  /** Writes are ignored (constant register). */
  wi?: boolean;
  reset: number;
  /** Custom read / write; default: the stored value `name`. */
  read?: (s: Sysregs) => number;
  write?: (s: Sysregs, v: number) => void;
  /** 64-bit views (default: `name` low word, `name_HI` high word). */
  read64?: (s: Sysregs) => [number, number];
  write64?: (s: Sysregs, lo: number, hi: number) => void;
  /** Table index (assigned at registration). */
  index: number;
}

export function sysregKey(cp: number, opc1: number, crn: number, crm: number, opc2: number): number {
  return (cp << 16) | (opc1 << 12) | (crn << 8) | (crm << 4) | opc2;
}
export function sysregKey64(cp: number, opc1: number, crm: number): number {
  return (1 << 20) | (cp << 16) | (opc1 << 12) | (crm << 4);
}

// ---- identification (QEMU 7.2 cortex-a15 on virt: EL2/EL3 fields cleared) ----------
const MIDR = 0x414fc0f0;
const MPIDR = 0x80000000;
/** CCSIDR per CSSELR value (L1D, L1I, L2). */
const CCSIDR = [0x701fe00a, 0x201fe00a, 0x711fe07a];

const TABLE: SysregDef[] = [];
const BY_KEY = new Map<number, SysregDef>();
const BY_NAME = new Map<string, SysregDef>();

type Spec = Omit<SysregDef, "index" | "cp" | "opc1" | "crn" | "crm" | "opc2" | "reset"> & { reset?: number };

/** Register one encoding; any of opc1/crm/opc2 may be "*" (QEMU's CP_ANY) — later specific entries override. */
function reg(
  cp: number,
  opc1: number | "*",
  crn: number,
  crm: number | "*",
  opc2: number | "*",
  spec: Spec,
): void {
  const o1s = opc1 === "*" ? [0, 1, 2, 3, 4, 5, 6, 7] : [opc1];
  const cms = crm === "*" ? [...Array(16).keys()] : [crm];
  const o2s = opc2 === "*" ? [0, 1, 2, 3, 4, 5, 6, 7] : [opc2];
  for (const a of o1s)
    for (const m of cms)
      for (const b of o2s) {
        const d: SysregDef = { reset: 0, ...spec, cp, opc1: a, crn, crm: m, opc2: b, index: TABLE.length };
        TABLE.push(d);
        BY_KEY.set(sysregKey(cp, a, crn, m, b), d);
        if (!BY_NAME.has(d.name)) BY_NAME.set(d.name, d);
      }
}

function reg64(cp: number, opc1: number, crm: number, spec: Spec): void {
  const d: SysregDef = { reset: 0, ...spec, cp, opc1, crn: 0, crm, opc2: 0, is64: true, index: TABLE.length };
  TABLE.push(d);
  BY_KEY.set(sysregKey64(cp, opc1, crm), d);
  if (!BY_NAME.has(d.name)) BY_NAME.set(d.name, d);
}

const RO = { access: PL1_R };
const RAZ = { access: PL1_R, read: () => 0 };
const NOP_W = { access: PL1_W, write: () => {} };
const CONST_RW = { access: PL1_RW, wi: true };

// c0: identification
// with EL2, PL1 reads of MIDR/MPIDR return VPIDR/VMPIDR (B4.1.158)
const virtId = (name: string, real: string) => (s: Sysregs) => s.get(s.cpu.pl < 2 && s.cpu.el2 ? name : real);
reg(15, 0, 0, 0, 0, { name: "MIDR", ...RO, reset: MIDR, read: virtId("VPIDR", "MIDR") });
reg(15, 0, 0, 0, 1, { name: "CTR", ...RO, reset: 0x8444c004 });
reg(15, 0, 0, 0, 2, { name: "TCMTR", ...RO });
reg(15, 0, 0, 0, 3, { name: "TLBTR", ...RO });
reg(15, 0, 0, 0, 4, { name: "MIDR_4", ...RO, reset: MIDR, read: virtId("VPIDR", "MIDR") });
reg(15, 0, 0, 0, 5, { name: "MPIDR", ...RO, reset: MPIDR, read: virtId("VMPIDR", "MPIDR") });
reg(15, 0, 0, 0, 6, { name: "REVIDR", ...RO, reset: MIDR });
reg(15, 0, 0, 0, 7, { name: "MIDR_7", ...RO, reset: MIDR, read: virtId("VPIDR", "MIDR") });
const ID_VALUES: [string, number, number, number][] = [
  ["ID_PFR0", 1, 0, 0x00001131],
  ["ID_DFR0", 1, 2, 0x02010505],
  ["ID_AFR0", 1, 3, 0],
  ["ID_MMFR0", 1, 4, 0x10201105],
  ["ID_MMFR1", 1, 5, 0x20000000],
  ["ID_MMFR2", 1, 6, 0x01240000],
  ["ID_MMFR3", 1, 7, 0x02102211],
  ["ID_ISAR0", 2, 0, 0x02101110],
  ["ID_ISAR1", 2, 1, 0x13112111],
  ["ID_ISAR2", 2, 2, 0x21232041],
  ["ID_ISAR3", 2, 3, 0x11112131],
  ["ID_ISAR4", 2, 4, 0x10011142],
  ["ID_ISAR5", 2, 5, 0],
];
for (const [name, crm, opc2, v] of ID_VALUES) reg(15, 0, 0, crm, opc2, { name, ...RO, reset: v });
// ID_PFR1.Virtualization (bits [15:12]) is 1 when the core has EL2 (QEMU clears it otherwise)
reg(15, 0, 0, 1, 1, {
  name: "ID_PFR1",
  ...RO,
  reset: 0x00010001,
  read: (s) => s.get("ID_PFR1") | (s.cpu.el2 ? 0x1000 : 0),
});
reg(15, 0, 0, 2, 6, { name: "ID_RAZ", ...RAZ });
reg(15, 0, 0, 2, 7, { name: "ID_RAZ", ...RAZ });
for (let crm = 3; crm <= 7; crm++) reg(15, 0, 0, crm, "*", { name: "ID_RAZ", ...RAZ });
reg(15, 1, 0, 0, 0, { name: "CCSIDR", ...RO, read: (s) => CCSIDR[s.get("CSSELR")] ?? 0 });
reg(15, 1, 0, 0, 1, { name: "CLIDR", ...RO, reset: 0x0a200023 });
reg(15, 1, 0, 0, 7, { name: "AIDR", ...RO });
reg(15, 2, 0, 0, 0, { name: "CSSELR", access: PL1_RW, write: (s, v) => s.set("CSSELR", v & 0xf) });

// c1: system control
reg(15, 0, 1, 0, 0, { name: "SCTLR", access: PL1_RW, reset: 0x00c50078 });
reg(15, 0, 1, 0, 1, { name: "ACTLR", ...CONST_RW });
// CPACR: cp10/cp11 access, D32DIS, ASEDIS (QEMU: other bits RAZ/WI on ARMv7 with NEON)
reg(15, 0, 1, 0, 2, { name: "CPACR", access: PL1_RW, write: (s, v) => s.set("CPACR", v & 0xc0f00000) });

// c2, c3: translation table control, domains (DACR answers in all of c3, as in QEMU).
// The 32-bit TTBR0/TTBR1/PAR views write the low word only (QEMU: offsetoflow32).
reg(15, 0, 2, 0, 0, { name: "TTBR0", access: PL1_RW });
reg(15, 0, 2, 0, 1, { name: "TTBR1", access: PL1_RW });
// TTBCR: ARMv7 with LPAE: bits [21:19], [15:14], [6:3] are UNK/SBZP
reg(15, 0, 2, 0, 2, { name: "TTBCR", access: PL1_RW, write: (s, v) => s.set("TTBCR", v & ~0x0038c078) });
reg(15, "*", 3, "*", "*", { name: "DACR", access: PL1_RW });

// c5, c6: faults
reg(15, 0, 5, 0, 0, { name: "DFSR", access: PL1_RW });
reg(15, 0, 5, 0, 1, { name: "IFSR", access: PL1_RW });
reg(15, 0, 5, 1, 0, { name: "ADFSR", ...CONST_RW });
reg(15, 0, 5, 1, 1, { name: "AIFSR", ...CONST_RW });
reg(15, 0, 6, 0, 0, { name: "DFAR", access: PL1_RW });
reg(15, 0, 6, 0, 1, { name: "WFAR", ...CONST_RW });
reg(15, 0, 6, 0, 2, { name: "IFAR", access: PL1_RW });

// c7: cache maintenance (no effect: translations are invalidated by code-page
// tracking), PAR, address translation, CP15 barriers
reg(15, 0, 7, "*", "*", { name: "CACHEMAINT", ...NOP_W });
reg(15, 0, 7, 4, 0, { name: "PAR", access: PL1_RW });
for (let opc2 = 0; opc2 < 4; opc2++)
  reg(15, 0, 7, 8, opc2, {
    name: `ATS1C_${opc2}`,
    access: PL1_W,
    write: (s, v) => s.addressTranslate(v, opc2),
  });
for (let opc2 = 4; opc2 < 8; opc2++) BY_KEY.delete(sysregKey(15, 0, 7, 8, opc2)); // ATS12NSO*: need EL2/EL3
reg(15, 0, 7, 5, 4, { name: "CP15ISB", access: PL0_W | PL1_W, write: () => {} });
reg(15, 0, 7, 10, 4, { name: "CP15DSB", access: PL0_W | PL1_W, write: () => {} });
reg(15, 0, 7, 10, 5, { name: "CP15DMB", access: PL0_W | PL1_W, write: () => {} });

// c8: TLB maintenance (the MMU issue hooks these through Sysregs.onTlbOp)
for (const [crm, n] of [
  [3, 4],
  [5, 3],
  [6, 3],
  [7, 4],
] as const)
  for (let opc2 = 0; opc2 < n; opc2++)
    reg(15, 0, 8, crm, opc2, {
      name: `TLBI_c${crm}_${opc2}`,
      access: PL1_W,
      write: (s, v) => s.onTlbOp(crm, opc2, v),
    });

// c9: performance monitors (PMUv2, 6 event counters). The cycle counter counts virtual
// time (1 cycle = 1 ns = 1 instruction, see runtime/clock.ts); the event counters do not
// count.
const PMU_CNT_MASK = 0x8000003f;
const pmuPl0 = (s: Sysregs) => (s.get("PMUSERENR") & 1) !== 0;
const PMU = { access: PL0_RW, pl0Ok: pmuPl0 };
reg(15, 0, 9, 12, 0, {
  name: "PMCR",
  ...PMU,
  reset: 0x410f3000,
  write: (s, v) => {
    s.ccntFold();
    if (v & 4) s.ccntBase = 0; // PMCR.C: reset the cycle counter
    s.set("PMCR", (s.get("PMCR") & ~0x79) | (v & 0x79));
    s.ccntResume();
  },
});
reg(15, 0, 9, 12, 1, {
  name: "PMCNTENSET",
  ...PMU,
  read: (s) => s.get("PMCNTEN"),
  write: (s, v) => {
    s.ccntFold();
    s.set("PMCNTEN", s.get("PMCNTEN") | (v & PMU_CNT_MASK));
    s.ccntResume();
  },
});
reg(15, 0, 9, 12, 2, {
  name: "PMCNTENCLR",
  ...PMU,
  read: (s) => s.get("PMCNTEN"),
  write: (s, v) => {
    s.ccntFold();
    s.set("PMCNTEN", s.get("PMCNTEN") & ~(v & PMU_CNT_MASK));
    s.ccntResume();
  },
});
reg(15, 0, 9, 12, 3, {
  name: "PMOVSR",
  ...PMU,
  write: (s, v) => s.set("PMOVSR", s.get("PMOVSR") & ~(v & PMU_CNT_MASK)),
});
reg(15, 0, 9, 12, 4, { name: "PMSWINC", access: PL0_W | PL1_W, pl0Ok: pmuPl0, write: () => {} });
reg(15, 0, 9, 12, 5, { name: "PMSELR", ...PMU, write: (s, v) => s.set("PMSELR", v & 0x1f) });
reg(15, 0, 9, 13, 0, {
  name: "PMCCNTR",
  ...PMU,
  read: (s) => s.ccntRead(),
  write: (s, v) => {
    s.ccntBase = v >>> 0;
    s.ccntResume();
  },
});
reg(15, 0, 9, 13, 1, { name: "PMXEVTYPER", ...PMU });
reg(15, 0, 9, 13, 2, { name: "PMXEVCNTR", ...PMU });
reg(15, 0, 9, 14, 0, {
  name: "PMUSERENR",
  access: PL0_R | PL1_RW,
  write: (s, v) => s.set("PMUSERENR", v & 1),
});
reg(15, 0, 9, 14, 1, {
  name: "PMINTENSET",
  access: PL1_RW,
  read: (s) => s.get("PMINTEN"),
  write: (s, v) => s.set("PMINTEN", s.get("PMINTEN") | (v & PMU_CNT_MASK)),
});
reg(15, 0, 9, 14, 2, {
  name: "PMINTENCLR",
  access: PL1_RW,
  read: (s) => s.get("PMINTEN"),
  write: (s, v) => s.set("PMINTEN", s.get("PMINTEN") & ~(v & PMU_CNT_MASK)),
});
reg(15, 0, 9, 14, 3, {
  name: "PMOVSSET",
  access: PL1_RW,
  read: (s) => s.get("PMOVSR"),
  write: (s, v) => s.set("PMOVSR", s.get("PMOVSR") | (v & PMU_CNT_MASK)),
});
for (let n = 0; n < 6; n++) {
  reg(15, 0, 14, 8, n, { name: `PMEVCNTR${n}`, ...PMU });
  reg(15, 0, 14, 12, n, { name: `PMEVTYPER${n}`, ...PMU });
}
reg(15, 0, 14, 15, 7, { name: "PMCCFILTR", ...PMU });
reg(15, 1, 9, 0, 2, { name: "L2CTLR", ...CONST_RW, reset: 0x00800000 });
reg(15, 1, 9, 0, 3, { name: "L2ECTLR", ...CONST_RW });

// c10: memory attributes, TLB lockdown (RAZ/WI)
for (const crm of [0, 1, 4, 8]) reg(15, "*", 10, crm, "*", { name: "TLB_LOCKDOWN", ...CONST_RW });
reg(15, 0, 10, 2, 0, { name: "PRRR", access: PL1_RW });
reg(15, 0, 10, 2, 1, { name: "NMRR", access: PL1_RW });
reg(15, 0, 10, 3, 0, { name: "AMAIR0", ...CONST_RW });
reg(15, 0, 10, 3, 1, { name: "AMAIR1", ...CONST_RW });

// c12: vectors, interrupt status
reg(15, 0, 12, 0, 0, { name: "VBAR", access: PL1_RW, write: (s, v) => s.set("VBAR", v & ~31) });
reg(15, 0, 12, 1, 0, { name: "ISR", ...RO, read: (s) => s.isr() });

// c13: process, context and thread IDs
reg(15, 0, 13, 0, 0, { name: "FCSEIDR", ...CONST_RW });
reg(15, 0, 13, 0, 1, { name: "CONTEXTIDR", access: PL1_RW });
reg(15, 0, 13, 0, 2, { name: "TPIDRURW", access: PL0_RW });
reg(15, 0, 13, 0, 3, { name: "TPIDRURO", access: PL0_R | PL1_RW });
reg(15, 0, 13, 0, 4, { name: "TPIDRPRW", access: PL1_RW });

// c14: generic timer. Issue 3: the counters, CTL, CVAL and TVAL live in the core's
// generic timer (runtime/timer.ts, counters from the virtual clock runtime/clock.ts);
// these entries only check access rights and delegate.
const cntk = (bit: number) => (s: Sysregs) => (s.get("CNTKCTL") & bit) !== 0;
reg(15, 0, 14, 0, 0, {
  name: "CNTFRQ",
  access: PL0_R | PL1_RW,
  pl0Ok: (s) => (s.get("CNTKCTL") & 3) !== 0,
  reset: 62500000,
});
reg(15, 0, 14, 1, 0, { name: "CNTKCTL", access: PL1_RW });
// TVAL and CTL of the physical (timer 0, c14 c2) and virtual (timer 1, c14 c3) timers;
// PL0 access is enabled by CNTKCTL.PL0PTEN (bit 9) / PL0VTEN (bit 8).
for (const [t, crm, prefix, pl0En] of [
  [0, 2, "CNTP", 1 << 9],
  [1, 3, "CNTV", 1 << 8],
] as const) {
  reg(15, 0, 14, crm, 0, {
    name: `${prefix}_TVAL`,
    access: PL0_RW,
    pl0Ok: cntk(pl0En),
    read: (s) => s.cpu.timer.readTval(t),
    write: (s, v) => s.cpu.timer.writeTval(t, v),
  });
  reg(15, 0, 14, crm, 1, {
    name: `${prefix}_CTL`,
    access: PL0_RW,
    pl0Ok: cntk(pl0En),
    read: (s) => s.cpu.timer.readCtl(t),
    write: (s, v) => s.cpu.timer.writeCtl(t, v),
  });
}
reg64(15, 0, 14, { name: "CNTPCT", access: PL0_R | PL1_R, pl0Ok: cntk(1), read64: (s) => s.counter(0) });
reg64(15, 1, 14, { name: "CNTVCT", access: PL0_R | PL1_R, pl0Ok: cntk(2), read64: (s) => s.counter(1) });
reg64(15, 2, 14, {
  name: "CNTP_CVAL",
  access: PL0_RW,
  pl0Ok: cntk(1 << 9),
  read64: (s) => s.cpu.timer.readCval(0),
  write64: (s, lo, hi) => s.cpu.timer.writeCval(0, lo, hi),
});
reg64(15, 3, 14, {
  name: "CNTV_CVAL",
  access: PL0_RW,
  pl0Ok: cntk(1 << 8),
  read64: (s) => s.cpu.timer.readCval(1),
  write64: (s, lo, hi) => s.cpu.timer.writeCval(1, lo, hi),
});

// c15: IMPLEMENTATION DEFINED (QEMU: RAZ/WI everywhere for the A15, plus CBAR)
reg(15, "*", 15, "*", "*", { name: "IMPDEF_C15", ...CONST_RW });
reg(15, 4, 15, 0, 0, { name: "CBAR", ...RO, reset: 0x08000000 });

// 64-bit views
reg64(15, 0, 2, { name: "TTBR0", access: PL1_RW });
reg64(15, 1, 2, { name: "TTBR1", access: PL1_RW });
reg64(15, 0, 7, { name: "PAR", access: PL1_RW });

// ---- Hyp mode (issue 4: Virtualization Extensions, opc1 = 4 or 6, PL2 only) --------
// These exist only on a core with EL2 (Sysregs.el2); without it they are UNDEFINED.
const HYP = { access: PL2_RW };
reg(15, 4, 0, 0, 0, { name: "VPIDR", ...HYP, reset: MIDR });
reg(15, 4, 0, 0, 5, { name: "VMPIDR", ...HYP, reset: MPIDR });
reg(15, 4, 1, 0, 0, {
  name: "HSCTLR",
  ...HYP,
  // RES1 bits of the ARMv7 HSCTLR (B4.1.68)
  reset: 0x30c50818,
  write: (s, v) => {
    s.set("HSCTLR", (v & 0x4a08_1007) | 0x30c50818);
    s.syncHypMmu();
  },
});
reg(15, 4, 1, 0, 1, { name: "HACTLR", ...HYP, wi: true });
reg(15, 4, 1, 1, 0, {
  name: "HCR",
  ...HYP,
  write: (s, v) => {
    s.set("HCR", v & 0x0fffffff); // [31:28] are reserved in ARMv7 (HCD/TRVM are ARMv8)
    s.syncStage2();
    s.cpu.hcrChanged();
  },
});
reg(15, 4, 1, 1, 1, { name: "HDCR", ...HYP, reset: 6, write: (s, v) => s.set("HDCR", v & 0xfff) });
// HCPTR: only cp10/cp11 (TCP10/11), TASE and TTA exist; the other TCPn are RES1 (QEMU)
reg(15, 4, 1, 1, 2, {
  name: "HCPTR",
  ...HYP,
  reset: 0x33ff,
  write: (s, v) => s.set("HCPTR", (v & 0x8010_8c00) | 0x33ff),
});
reg(15, 4, 1, 1, 3, { name: "HSTR", ...HYP, write: (s, v) => s.set("HSTR", v & 0x3bfef) }); // T4, T14 RES0
reg(15, 4, 1, 1, 7, { name: "HACR", ...HYP, wi: true });
reg(15, 4, 2, 0, 2, {
  name: "HTCR",
  ...HYP,
  reset: 0x80000000,
  write: (s, v) => {
    s.set("HTCR", (v & 0x3f07) | 0x80000000);
    s.syncHypMmu();
  },
});
reg(15, 4, 2, 1, 2, {
  name: "VTCR",
  ...HYP,
  reset: 0x80000000,
  write: (s, v) => {
    s.set("VTCR", (v & 0x3fdf) | 0x80000000);
    s.syncStage2();
  },
});
reg(15, 4, 5, 1, 0, { name: "HADFSR", ...HYP, wi: true });
reg(15, 4, 5, 1, 1, { name: "HAIFSR", ...HYP, wi: true });
reg(15, 4, 5, 2, 0, { name: "HSR", ...HYP });
reg(15, 4, 6, 0, 0, { name: "HDFAR", ...HYP });
reg(15, 4, 6, 0, 2, { name: "HIFAR", ...HYP });
reg(15, 4, 6, 0, 4, { name: "HPFAR", ...HYP, write: (s, v) => s.set("HPFAR", v & ~0xf) });
// ATS1HR/ATS1HW: the Hyp regime's stage 1; ATS12NSO{PR,PW,UR,UW}: PL1&0 through both stages
for (let opc2 = 0; opc2 < 2; opc2++)
  reg(15, 4, 7, 8, opc2, {
    name: `ATS1H_${opc2}`,
    access: PL2_W,
    write: (s, v) => s.set64("PAR", ...s.cpu.hypMmu.addressTranslate(v, opc2)),
  });
for (let op = 0; op < 4; op++)
  reg(15, 0, 7, 8, 4 + op, {
    name: `ATS12NSO_${op}`,
    access: PL2_W,
    write: (s, v) => s.set64("PAR", ...s.cpu.mmu.addressTranslateS12(v, op)),
  });
// TLB maintenance for the Hyp regime and for all of PL1&0 (one VMID is cached at a time)
for (const crm of [3, 7]) {
  reg(15, 4, 8, crm, 0, {
    name: `TLBIALLH_${crm}`,
    access: PL2_W,
    write: (s) => s.cpu.hypMmu.tlbOp(7, 0, 0),
  });
  reg(15, 4, 8, crm, 1, {
    name: `TLBIMVAH_${crm}`,
    access: PL2_W,
    write: (s, v) => s.cpu.hypMmu.tlbOp(7, 1, v),
  });
  reg(15, 4, 8, crm, 4, {
    name: `TLBIALLNSNH_${crm}`,
    access: PL2_W,
    write: (s) => s.cpu.mmu.tlbOp(7, 0, 0),
  });
}
for (const [name, crm, opc2] of [
  ["HMAIR0", 2, 0],
  ["HMAIR1", 2, 1],
] as const)
  reg(15, 4, 10, crm, opc2, {
    name,
    ...HYP,
    write: (s, v) => {
      s.set(name, v);
      s.syncHypMmu();
    },
  });
reg(15, 4, 10, 3, 0, { name: "HAMAIR0", ...HYP, wi: true });
reg(15, 4, 10, 3, 1, { name: "HAMAIR1", ...HYP, wi: true });
reg(15, 4, 12, 0, 0, { name: "HVBAR", ...HYP, write: (s, v) => s.set("HVBAR", v & ~31) });
reg(15, 4, 13, 0, 2, { name: "HTPIDR", ...HYP });
reg(15, 4, 14, 1, 0, { name: "CNTHCTL", ...HYP, reset: 3, write: (s, v) => s.set("CNTHCTL", v & 0xff) });
reg(15, 4, 14, 2, 0, {
  name: "CNTHP_TVAL",
  ...HYP,
  read: (s) => s.cpu.timer.readTval(2),
  write: (s, v) => s.cpu.timer.writeTval(2, v),
});
reg(15, 4, 14, 2, 1, {
  name: "CNTHP_CTL",
  ...HYP,
  read: (s) => s.cpu.timer.readCtl(2),
  write: (s, v) => s.cpu.timer.writeCtl(2, v),
});
reg64(15, 4, 2, {
  name: "HTTBR",
  ...HYP,
  write64: (s, lo, hi) => {
    s.set64("HTTBR", lo, hi & 0xff);
    s.syncHypMmu();
  },
});
reg64(15, 6, 2, {
  name: "VTTBR",
  ...HYP,
  write64: (s, lo, hi) => {
    s.set64("VTTBR", lo, hi & 0xff00ff);
    s.syncStage2();
  },
});
reg64(15, 4, 14, {
  name: "CNTVOFF",
  ...HYP,
  read64: (s) => [s.cpu.timer.cntvoffLo | 0, s.cpu.timer.cntvoffHi | 0],
  write64: (s, lo, hi) => s.cpu.timer.writeCntvoff(lo, hi),
});
reg64(15, 6, 14, {
  name: "CNTHP_CVAL",
  ...HYP,
  read64: (s) => s.cpu.timer.readCval(2),
  write64: (s, lo, hi) => s.cpu.timer.writeCval(2, lo, hi),
});

// CP14: debug (QEMU's ARMv7 debug registers: 6 breakpoints, 4 watchpoints), ThumbEE, Jazelle
reg(14, 0, 0, 0, 0, { name: "DBGDIDR", access: PL0_R | PL1_R, reset: 0x3515f021 });
reg(14, 0, 0, 1, 0, { name: "DBGDSCRint", ...RO, read: (s) => s.get("DBGDSCRext") & 0x1f000000 });
reg(14, 0, 0, 2, 0, { name: "DBGDCCINT", access: PL1_RW });
reg(14, 0, 0, 2, 2, { name: "DBGDSCRext", access: PL1_RW });
reg(14, 0, 0, 7, 0, { name: "DBGVCR", access: PL1_RW });
for (let n = 0; n < 6; n++) {
  reg(14, 0, 0, n, 4, { name: `DBGBVR${n}`, access: PL1_RW });
  reg(14, 0, 0, n, 5, { name: `DBGBCR${n}`, access: PL1_RW });
}
for (let n = 0; n < 4; n++) {
  reg(14, 0, 0, n, 6, { name: `DBGWVR${n}`, access: PL1_RW });
  reg(14, 0, 0, n, 7, { name: `DBGWCR${n}`, access: PL1_RW });
}
reg(14, 0, 1, 0, 0, { name: "DBGDRAR", access: PL0_R | PL1_R });
reg(14, 0, 1, 0, 4, {
  name: "DBGOSLAR",
  access: PL1_W,
  write: (s, v) => s.set("DBGOSLSR", v === 0xc5acce55 ? 0xa : 0x8),
});
reg(14, 0, 1, 1, 4, { name: "DBGOSLSR", ...RO, reset: 0xa });
reg(14, 0, 1, 3, 4, { name: "DBGOSDLR", access: PL1_RW });
reg(14, 0, 2, 0, 0, { name: "DBGDSAR", access: PL0_R | PL1_R });
reg(14, 0, 7, 0, 0, { name: "DBGDEVID2", ...RO });
reg(14, 0, 7, 0, 1, { name: "DBGDEVID1", ...RO });
reg(14, 0, 7, 0, 2, { name: "DBGDEVID", ...RO, reset: 0x01110f13 });
reg64(14, 0, 1, { name: "DBGDRAR64", access: PL0_R | PL1_R });
reg64(14, 0, 2, { name: "DBGDSAR64", access: PL0_R | PL1_R });
reg(14, 6, 0, 0, 0, { name: "TEECR", access: PL1_RW, write: (s, v) => s.set("TEECR", v & 1) });
reg(14, 6, 1, 0, 0, { name: "TEEHBR", access: PL0_RW, pl0Ok: (s) => (s.get("TEECR") & 1) === 0 });
reg(14, 7, 0, 0, 0, { name: "JIDR", ...RO });
reg(14, 7, 1, 0, 0, { name: "JOSCR", ...CONST_RW });
reg(14, 7, 2, 0, 0, { name: "JMCR", ...CONST_RW });

// (issue 4) which Hyp trap controls apply to which registers (B1.14, B4.1.65 HCR,
// B4.1.66 HDCR, B8.2 CNTHCTL)
function trapClass(t: number, pred: (d: SysregDef) => boolean): void {
  for (const d of TABLE) if (pred(d)) d.trap = (d.trap ?? 0) | t;
}
const named = (...names: string[]) => {
  const set = new Set(names);
  return (d: SysregDef) => set.has(d.name);
};
const c7 = (pairs: [number, number][]) => (d: SysregDef) =>
  d.cp === 15 &&
  d.opc1 === 0 &&
  d.crn === 7 &&
  !d.is64 &&
  pairs.some(([m, o]) => d.crm === m && d.opc2 === o);
trapClass(
  TRAP.TVM,
  named(
    "SCTLR",
    "TTBR0",
    "TTBR1",
    "TTBCR",
    "DACR",
    "DFSR",
    "IFSR",
    "DFAR",
    "IFAR",
    "ADFSR",
    "AIFSR",
    "PRRR",
    "NMRR",
    "AMAIR0",
    "AMAIR1",
    "CONTEXTIDR",
  ),
);
trapClass(TRAP.TID1, named("TCMTR", "TLBTR", "AIDR", "REVIDR"));
trapClass(TRAP.TID2, named("CTR", "CCSIDR", "CLIDR", "CSSELR"));
trapClass(
  TRAP.TID3,
  (d) => d.cp === 15 && d.opc1 === 0 && d.crn === 0 && !d.is64 && d.crm >= 1 && d.crm <= 7,
);
trapClass(TRAP.TAC, named("ACTLR"));
trapClass(
  TRAP.TSW,
  c7([
    [6, 2],
    [10, 2],
    [14, 2],
  ]),
);
trapClass(
  TRAP.TPC,
  c7([
    [6, 1],
    [10, 1],
    [14, 1],
  ]),
);
trapClass(
  TRAP.TPU,
  c7([
    [5, 0],
    [5, 1],
    [1, 0],
    [11, 1],
  ]),
);
trapClass(TRAP.TTLB, (d) => d.cp === 15 && d.opc1 === 0 && d.crn === 8);
trapClass(
  TRAP.TIDCP,
  (d) =>
    d.cp === 15 &&
    !d.is64 &&
    ((d.crn === 9 && [0, 1, 2, 5, 6, 7, 8].includes(d.crm)) ||
      (d.crn === 10 && [0, 1, 4, 8].includes(d.crm)) ||
      (d.crn === 11 && (d.crm <= 8 || d.crm === 15)) ||
      d.crn === 15),
);
trapClass(TRAP.TPM, (d) => d.cp === 15 && d.name.startsWith("PM"));
trapClass(TRAP.TPMCR, named("PMCR"));
trapClass(TRAP.TDRA, named("DBGDRAR", "DBGDSAR", "DBGDRAR64", "DBGDSAR64"));
trapClass(TRAP.TDOSA, named("DBGOSLAR", "DBGOSLSR", "DBGOSDLR"));
trapClass(TRAP.TDA, (d) => d.cp === 14 && d.opc1 === 0 && !d.is64 && d.crn === 0);
trapClass(TRAP.TDA, named("DBGDEVID", "DBGDEVID1", "DBGDEVID2"));
trapClass(TRAP.CNTPCT, named("CNTPCT"));
trapClass(TRAP.CNTP, named("CNTP_TVAL", "CNTP_CTL", "CNTP_CVAL"));
trapClass(TRAP.TID0, named("JIDR"));
trapClass(TRAP.TTEE, named("TEECR", "TEEHBR"));
trapClass(TRAP.TJDBX, named("JOSCR", "JMCR"));

/** Registers whose writes change the translation regime (MMU, issue 3). PRRR/NMRR = MAIR0/1. */
const MMU_REGS = new Set(["SCTLR", "TTBR0", "TTBR1", "TTBCR", "DACR", "CONTEXTIDR", "PRRR", "NMRR"]);

/** Registers that are storage only (targets of custom read/write functions). */
const EXTRA_STORAGE = [
  "PMCNTEN",
  "PMINTEN",
  "TTBR0_HI",
  "TTBR1_HI",
  "PAR_HI",
  "CNTP_CVAL_HI",
  "CNTV_CVAL_HI",
  "HTTBR_HI",
  "VTTBR_HI",
];

/** The definition at a table index (the decoder hands indexes to the helpers); undefined for -1. */
export function sysregByIndex(i: number): SysregDef | undefined {
  return TABLE[i];
}

/** Table index of a 32-bit coprocessor register, -1 when the encoding is not implemented. */
export function sysregIndex(cp: number, opc1: number, crn: number, crm: number, opc2: number): number {
  return BY_KEY.get(sysregKey(cp, opc1, crn, crm, opc2))?.index ?? -1;
}
/** Table index of a 64-bit coprocessor register, -1 when not implemented. */
export function sysregIndex64(cp: number, opc1: number, crm: number): number {
  return BY_KEY.get(sysregKey64(cp, opc1, crm))?.index ?? -1;
}

export class Sysregs {
  private readonly values = new Map<string, number>();
  /** Cached fields used on hot paths. */
  sctlr = 0;
  vbar = 0;
  cpacr = 0;
  ttbcr = 0;
  alignCheck = false;
  /** (issue 4) HCR and HSTR, cached for the trap checks. */
  hcr = 0;
  hstr = 0;
  hcptr = 0;
  /** Called on TLB maintenance writes (c8): crm, opc2, value. The MMU issue sets it. */
  tlbHook: ((crm: number, opc2: number, v: number) => void) | null = null;

  /** Cycle counter: value at the last fold, and the cycle time it has run from since (-1: stopped). */
  ccntBase = 0;
  private ccntSince = -1;

  constructor(readonly cpu: Cpu) {}

  /** PMCCNTR counts when PMCR.E and PMCNTENSET.C are both set; PMCR.D divides by 64. */
  private ccntRunning(): boolean {
    return (this.get("PMCR") & 1) !== 0 && (this.get("PMCNTEN") & 0x80000000) !== 0;
  }
  private ccntTicks(): number {
    const d = this.cpu.clock.now() - this.ccntSince;
    return this.get("PMCR") & 8 ? Math.floor(d / 64) : d;
  }
  ccntRead(): number {
    return this.ccntSince < 0 ? this.ccntBase : (this.ccntBase + this.ccntTicks()) >>> 0;
  }
  /** Fold the counted cycles into the base before a control change. */
  ccntFold(): void {
    this.ccntBase = this.ccntRead();
    this.ccntSince = -1;
  }
  ccntResume(): void {
    this.ccntSince = this.ccntRunning() ? this.cpu.clock.now() : -1;
  }

  reset(): void {
    this.ccntBase = 0;
    this.ccntSince = -1;
    this.values.clear();
    for (const d of TABLE) if (!this.values.has(d.name)) this.values.set(d.name, d.reset >>> 0);
    for (const n of EXTRA_STORAGE) this.values.set(n, 0);
    this.refresh();
    this.syncMmu(); // (issue 3)
    this.syncHypMmu(); // (issue 4)
    this.syncStage2();
  }

  /** MMU (issue 3): hand the translation-regime registers to the MMU (it flushes on change). */
  syncMmu(): void {
    const v = this.values;
    this.cpu.mmu.sync({
      sctlr: v.get("SCTLR")!,
      ttbcr: v.get("TTBCR")!,
      ttbr0: [v.get("TTBR0")!, v.get("TTBR0_HI")!],
      ttbr1: [v.get("TTBR1")!, v.get("TTBR1_HI")!],
      dacr: v.get("DACR")!,
      contextidr: v.get("CONTEXTIDR")!,
      mair0: v.get("PRRR")!,
      mair1: v.get("NMRR")!,
    });
  }

  /** (issue 4) Hand the Hyp regime's registers to its MMU. */
  syncHypMmu(): void {
    const v = this.values;
    this.cpu.hypMmu.sync({
      sctlr: v.get("HSCTLR")!,
      ttbcr: v.get("HTCR")!,
      ttbr0: [v.get("HTTBR")!, v.get("HTTBR_HI")!],
      ttbr1: [0, 0],
      dacr: 0,
      contextidr: 0,
      mair0: v.get("HMAIR0")!,
      mair1: v.get("HMAIR1")!,
    });
    this.cpu.regimeChanged();
  }

  /** (issue 4) Stage 2 of the PL1&0 regime: HCR.VM, VTCR, VTTBR. */
  syncStage2(): void {
    const v = this.values;
    this.cpu.mmu.syncStage2({
      hcr: v.get("HCR")!,
      vtcr: v.get("VTCR")!,
      vttbr: [v.get("VTTBR")!, v.get("VTTBR_HI")!],
    });
    this.cpu.regimeChanged();
  }

  private refresh(): void {
    this.hcr = this.values.get("HCR")! | 0;
    this.hstr = this.values.get("HSTR")! | 0;
    this.hcptr = this.values.get("HCPTR")! | 0;
    this.sctlr = this.values.get("SCTLR")! | 0;
    this.vbar = this.values.get("VBAR")! | 0;
    this.cpacr = this.values.get("CPACR")! | 0;
    this.ttbcr = this.values.get("TTBCR")! | 0;
    this.refreshAlign();
  }

  /** (issue 4) Alignment checking follows HSCTLR.A in Hyp mode, SCTLR.A otherwise. */
  refreshAlign(): void {
    this.alignCheck = ((this.cpu.mode === 0x1a ? this.values.get("HSCTLR")! : this.sctlr) & 2) !== 0;
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }
  set(name: string, v: number): void {
    if (!this.values.has(name)) throw new Error(`unknown system register ${name}`);
    this.values.set(name, v >>> 0);
    this.refresh();
  }
  set64(name: string, lo: number, hi: number): void {
    this.set(name, lo);
    this.set(`${name}_HI`, hi);
  }

  get dfsr(): number {
    return this.get("DFSR");
  }
  set dfsr(v: number) {
    this.set("DFSR", v);
  }
  get dfar(): number {
    return this.get("DFAR");
  }
  set dfar(v: number) {
    this.set("DFAR", v);
  }
  get ifsr(): number {
    return this.get("IFSR");
  }
  set ifsr(v: number) {
    this.set("IFSR", v);
  }
  get ifar(): number {
    return this.get("IFAR");
  }
  set ifar(v: number) {
    this.set("IFAR", v);
  }

  /** Look up an MRC/MCR target. */
  lookup(cp: number, opc1: number, crn: number, crm: number, opc2: number): SysregDef | undefined {
    return BY_KEY.get(sysregKey(cp, opc1, crn, crm, opc2));
  }

  /**
   * Is the access allowed at privilege level `pl` (0, 1, 2)? Hyp mode has the PL2 rights
   * when the register has any, else its PL1 rights.
   */
  allowed(d: SysregDef, pl: number, write: boolean): boolean {
    let bit: number;
    if (pl === 2) bit = d.access & (PL2_R | PL2_W) ? PL2_R : PL1_R;
    else bit = pl === 0 ? PL0_R : PL1_R;
    if ((d.access & (bit << (write ? 1 : 0))) === 0) return false;
    // PL0 access that a control register may deny (PMUSERENR, CNTKCTL, TEECR)
    return pl !== 0 || !d.pl0Ok || d.pl0Ok(this, write);
  }

  /**
   * (issue 4) Does a PL0/PL1 access that is otherwise allowed trap to Hyp mode? HSTR.Tn
   * traps CRn = n (CRm for the 64-bit forms) of cp15; the register's classes are checked
   * against HCR, HDCR and CNTHCTL.
   */
  trapped(d: SysregDef, write: boolean): boolean {
    // (HSTR's write mask keeps T4 and T14 clear: the timer's c14 traps by CNTHCTL instead)
    if (d.cp === 15 && (this.hstr >>> (d.is64 ? d.crm : d.crn)) & 1) return true;
    const t = d.trap;
    if (!t) return false;
    const hcr = this.hcr;
    const hdcr = this.get("HDCR");
    if (t & TRAP.TVM && write && hcr & HCR.TVM) return true;
    if (t & TRAP.TID0 && !write && hcr & HCR.TID0) return true;
    if (t & TRAP.TID1 && !write && hcr & HCR.TID1) return true;
    if (t & TRAP.TID2 && hcr & HCR.TID2) return true;
    if (t & TRAP.TID3 && !write && hcr & HCR.TID3) return true;
    if (t & TRAP.TAC && hcr & HCR.TAC) return true;
    if (t & TRAP.TSW && hcr & HCR.TSW) return true;
    if (t & TRAP.TPC && hcr & HCR.TPC) return true;
    if (t & TRAP.TPU && hcr & HCR.TPU) return true;
    if (t & TRAP.TTLB && hcr & HCR.TTLB) return true;
    if (t & TRAP.TIDCP && hcr & HCR.TIDCP) return true;
    if (t & TRAP.TPM && hdcr & (1 << 6)) return true;
    if (t & TRAP.TPMCR && hdcr & (3 << 5)) return true;
    // HDCR.TDE (bit 8) makes TDA, TDOSA and TDRA behave as 1 (B4.1.66)
    if (t & TRAP.TDA && hdcr & ((1 << 9) | (1 << 8))) return true;
    if (t & TRAP.TDOSA && hdcr & ((1 << 10) | (1 << 8))) return true;
    if (t & TRAP.TDRA && hdcr & ((1 << 11) | (1 << 8))) return true;
    const cnthctl = this.get("CNTHCTL");
    if (t & TRAP.CNTPCT && !(cnthctl & 1)) return true;
    if (t & TRAP.CNTP && !(cnthctl & 2)) return true;
    if (t & TRAP.TTEE && this.hstr & (1 << 16)) return true;
    if (t & TRAP.TJDBX && this.hstr & (1 << 17)) return true;
    return false;
  }

  /** MRC: the value, or undefined when the access is UNDEFINED at this privilege. */
  read(d: SysregDef, pl: number): number | undefined {
    if (d.is64 || !this.allowed(d, pl, false)) return undefined;
    return (d.read ? d.read(this) : this.get(d.name)) | 0;
  }

  /** MCR: false when the access is UNDEFINED at this privilege. */
  write(d: SysregDef, v: number, pl: number): boolean {
    if (d.is64 || !this.allowed(d, pl, true)) return false;
    if (d.wi) return true;
    if (d.write) d.write(this, v >>> 0);
    else this.set(d.name, v);
    if (MMU_REGS.has(d.name)) this.syncMmu(); // (issue 3)
    return true;
  }

  /** MRRC: [low, high], or undefined when UNDEFINED. */
  read64(d: SysregDef, pl: number): [number, number] | undefined {
    if (!d.is64 || !this.allowed(d, pl, false)) return undefined;
    if (d.read64) return d.read64(this);
    return [this.get(d.name) | 0, this.get(`${d.name}_HI`) | 0];
  }

  /** MCRR: false when UNDEFINED. */
  write64(d: SysregDef, lo: number, hi: number, pl: number): boolean {
    if (!d.is64 || !this.allowed(d, pl, true)) return false;
    if (d.wi) return true;
    if (d.write64) d.write64(this, lo, hi);
    else this.set64(d.name, lo, hi);
    if (MMU_REGS.has(d.name)) this.syncMmu(); // (issue 3)
    return true;
  }

  // ---- behaviour hooks (stubs that later issues refine) ---------------------------

  /** ATS1C{PR,PW,UR,UW}: with the MMU off the PA is the VA (short-descriptor PAR, NS). */
  addressTranslate(va: number, op: number): void {
    // (issue 3) the MMU walks (MMU off: PA = VA) and formats the PAR (32- or 64-bit)
    const [lo, hi] = this.cpu.mmu.addressTranslate(va, op, this.cpu.pl === 2);
    this.set64("PAR", lo, hi);
  }

  onTlbOp(crm: number, opc2: number, v: number): void {
    this.tlbHook?.(crm, opc2, v);
  }

  /** ISR: pending IRQ/FIQ (I bit 7, F bit 6) from the core's interrupt inputs (issue 3). */
  isr(): number {
    const l = this.cpu.intLines;
    // (issue 4) at PL0/PL1, HCR.IMO/FMO make I/F show the virtual IRQ/FIQ (intLines bits
    // 4/8) instead of the physical ones (1/2) (B4.1.86)
    const virt = this.cpu.el2 && this.cpu.pl < 2;
    const irq = virt && this.hcr & HCR.IMO ? l & 4 : l & 1;
    const fiq = virt && this.hcr & HCR.FMO ? l & 8 : l & 2;
    return (irq ? 0x80 : 0) | (fiq ? 0x40 : 0);
  }

  /** Generic timer counter (0 physical, 1 virtual) from the virtual clock (issue 3). */
  counter(which: number): [number, number] {
    return this.cpu.timer.counter64(which);
  }
}
