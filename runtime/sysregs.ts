// The CP15 system-register table of a Cortex-A15 (the part of it the CPU core needs;
// the MMU/Hyp issues extend it). Each register has its encoding, reset value, and
// read/write behaviour; accesses that the table does not know are UNDEFINED.

import type { Cpu } from "../src/cpu/cpu.js";

export interface SysregDef {
  name: string;
  /** Encoding key: cp, opc1, crn, crm, opc2 (see key()). */
  cp: number;
  opc1: number;
  crn: number;
  crm: number;
  opc2: number;
  /** Lowest PL allowed to access (1 unless PL0-accessible). */
  pl0Read?: boolean;
  pl0Write?: boolean;
  readonly?: boolean;
  reset: number;
  /** Custom read / write; default: a stored value. */
  read?: (s: Sysregs) => number;
  write?: (s: Sysregs, v: number) => void;
}

export function sysregKey(cp: number, opc1: number, crn: number, crm: number, opc2: number): number {
  return (cp << 16) | (opc1 << 12) | (crn << 8) | (crm << 4) | opc2;
}

// Cortex-A15 r2p1 (the values QEMU's cortex-a15 reports).
const MIDR = 0x412fc0f1;

const TABLE: SysregDef[] = [
  { name: "MIDR", cp: 15, opc1: 0, crn: 0, crm: 0, opc2: 0, readonly: true, reset: MIDR },
  { name: "CTR", cp: 15, opc1: 0, crn: 0, crm: 0, opc2: 1, readonly: true, reset: 0x8444c004 },
  { name: "TCMTR", cp: 15, opc1: 0, crn: 0, crm: 0, opc2: 2, readonly: true, reset: 0 },
  { name: "TLBTR", cp: 15, opc1: 0, crn: 0, crm: 0, opc2: 3, readonly: true, reset: 0 },
  { name: "MPIDR", cp: 15, opc1: 0, crn: 0, crm: 0, opc2: 5, readonly: true, reset: 0x80000000 },
  { name: "REVIDR", cp: 15, opc1: 0, crn: 0, crm: 0, opc2: 6, readonly: true, reset: 0 },
  { name: "ID_PFR0", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 0, readonly: true, reset: 0x00001131 },
  { name: "ID_PFR1", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 1, readonly: true, reset: 0x00011011 },
  { name: "ID_DFR0", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 2, readonly: true, reset: 0x02010555 },
  { name: "ID_AFR0", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 3, readonly: true, reset: 0 },
  { name: "ID_MMFR0", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 4, readonly: true, reset: 0x10201105 },
  { name: "ID_MMFR1", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 5, readonly: true, reset: 0x20000000 },
  { name: "ID_MMFR2", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 6, readonly: true, reset: 0x01240000 },
  { name: "ID_MMFR3", cp: 15, opc1: 0, crn: 0, crm: 1, opc2: 7, readonly: true, reset: 0x02102211 },
  { name: "ID_ISAR0", cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 0, readonly: true, reset: 0x02101110 },
  { name: "ID_ISAR1", cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 1, readonly: true, reset: 0x13112111 },
  { name: "ID_ISAR2", cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 2, readonly: true, reset: 0x21232041 },
  { name: "ID_ISAR3", cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 3, readonly: true, reset: 0x11112131 },
  { name: "ID_ISAR4", cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 4, readonly: true, reset: 0x10011142 },
  { name: "ID_ISAR5", cp: 15, opc1: 0, crn: 0, crm: 2, opc2: 5, readonly: true, reset: 0 },
  { name: "CCSIDR", cp: 15, opc1: 1, crn: 0, crm: 0, opc2: 0, readonly: true, reset: 0x701fe00a },
  { name: "CLIDR", cp: 15, opc1: 1, crn: 0, crm: 0, opc2: 1, readonly: true, reset: 0x0a200023 },
  { name: "AIDR", cp: 15, opc1: 1, crn: 0, crm: 0, opc2: 7, readonly: true, reset: 0 },
  { name: "CSSELR", cp: 15, opc1: 2, crn: 0, crm: 0, opc2: 0, reset: 0 },
  { name: "SCTLR", cp: 15, opc1: 0, crn: 1, crm: 0, opc2: 0, reset: 0x00c50078 },
  { name: "ACTLR", cp: 15, opc1: 0, crn: 1, crm: 0, opc2: 1, reset: 0 },
  { name: "CPACR", cp: 15, opc1: 0, crn: 1, crm: 0, opc2: 2, reset: 0 },
  { name: "TTBR0", cp: 15, opc1: 0, crn: 2, crm: 0, opc2: 0, reset: 0 },
  { name: "TTBR1", cp: 15, opc1: 0, crn: 2, crm: 0, opc2: 1, reset: 0 },
  { name: "TTBCR", cp: 15, opc1: 0, crn: 2, crm: 0, opc2: 2, reset: 0 },
  { name: "DACR", cp: 15, opc1: 0, crn: 3, crm: 0, opc2: 0, reset: 0 },
  { name: "DFSR", cp: 15, opc1: 0, crn: 5, crm: 0, opc2: 0, reset: 0 },
  { name: "IFSR", cp: 15, opc1: 0, crn: 5, crm: 0, opc2: 1, reset: 0 },
  { name: "ADFSR", cp: 15, opc1: 0, crn: 5, crm: 1, opc2: 0, reset: 0 },
  { name: "AIFSR", cp: 15, opc1: 0, crn: 5, crm: 1, opc2: 1, reset: 0 },
  { name: "DFAR", cp: 15, opc1: 0, crn: 6, crm: 0, opc2: 0, reset: 0 },
  { name: "IFAR", cp: 15, opc1: 0, crn: 6, crm: 0, opc2: 2, reset: 0 },
  { name: "PRRR", cp: 15, opc1: 0, crn: 10, crm: 2, opc2: 0, reset: 0 },
  { name: "NMRR", cp: 15, opc1: 0, crn: 10, crm: 2, opc2: 1, reset: 0 },
  { name: "VBAR", cp: 15, opc1: 0, crn: 12, crm: 0, opc2: 0, reset: 0, write: (s, v) => s.set("VBAR", v & ~31) },
  { name: "FCSEIDR", cp: 15, opc1: 0, crn: 13, crm: 0, opc2: 0, reset: 0, write: () => {} },
  { name: "CONTEXTIDR", cp: 15, opc1: 0, crn: 13, crm: 0, opc2: 1, reset: 0 },
  { name: "TPIDRURW", cp: 15, opc1: 0, crn: 13, crm: 0, opc2: 2, pl0Read: true, pl0Write: true, reset: 0 },
  { name: "TPIDRURO", cp: 15, opc1: 0, crn: 13, crm: 0, opc2: 3, pl0Read: true, reset: 0 },
  { name: "TPIDRPRW", cp: 15, opc1: 0, crn: 13, crm: 0, opc2: 4, reset: 0 },
];

// Cache and branch-predictor maintenance by set/way or MVA: no effect on an emulator
// without caches (translation invalidation is handled by the code-page tracking).
const CACHE_OPS: [number, number, number][] = [
  [7, 1, 0],
  [7, 1, 6],
  [7, 5, 0],
  [7, 5, 1],
  [7, 5, 6],
  [7, 5, 7],
  [7, 6, 1],
  [7, 6, 2],
  [7, 10, 1],
  [7, 10, 2],
  [7, 11, 1],
  [7, 14, 1],
  [7, 14, 2],
  [7, 5, 4], // CP15ISB
  [7, 10, 4], // CP15DSB
  [7, 10, 5], // CP15DMB
];
for (const [crn, crm, opc2] of CACHE_OPS)
  TABLE.push({
    name: `CACHEOP_c${crn}_c${crm}_${opc2}`,
    cp: 15,
    opc1: 0,
    crn,
    crm,
    opc2,
    reset: 0,
    read: () => 0,
    write: () => {},
    pl0Write: crm === 5 && opc2 === 4 ? true : crm === 10 && (opc2 === 4 || opc2 === 5),
  });

const BY_KEY = new Map<number, SysregDef>();
const BY_NAME = new Map<string, SysregDef>();
for (const d of TABLE) {
  BY_KEY.set(sysregKey(d.cp, d.opc1, d.crn, d.crm, d.opc2), d);
  BY_NAME.set(d.name, d);
}

export class Sysregs {
  private readonly values = new Map<string, number>();
  /** Cached fields used on hot paths. */
  sctlr = 0;
  vbar = 0;
  alignCheck = false;

  constructor(readonly cpu: Cpu) {}

  reset(): void {
    for (const d of TABLE) this.values.set(d.name, d.reset >>> 0);
    this.refresh();
  }

  private refresh(): void {
    this.sctlr = this.values.get("SCTLR")! | 0;
    this.vbar = this.values.get("VBAR")! | 0;
    this.alignCheck = (this.sctlr & 2) !== 0;
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }
  set(name: string, v: number): void {
    if (!BY_NAME.has(name)) throw new Error(`unknown system register ${name}`);
    this.values.set(name, v >>> 0);
    this.refresh();
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

  /** MRC: the value, or undefined when the access is UNDEFINED at this privilege. */
  read(d: SysregDef, pl0: boolean): number | undefined {
    if (pl0 && !d.pl0Read) return undefined;
    return (d.read ? d.read(this) : this.get(d.name)) | 0;
  }

  /** MCR: false when the access is UNDEFINED at this privilege. */
  write(d: SysregDef, v: number, pl0: boolean): boolean {
    if (d.readonly) return false;
    if (pl0 && !d.pl0Write) return false;
    if (d.write) d.write(this, v >>> 0);
    else this.set(d.name, v);
    return true;
  }
}
