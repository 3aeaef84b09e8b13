// Stage-1 MMU of the PL1&0 translation regime (ARMv7-A VMSA with LPAE, as a Cortex-A15
// without EL2/EL3 in the Non-secure state): the short-descriptor format (TTBCR.EAE = 0:
// sections, supersections, 64 KiB and 4 KiB pages, domains, AP/APX with the optional
// simplified model of SCTLR.AFE, XN/PXN, nG/ASID from CONTEXTIDR) and the
// long-descriptor format (TTBCR.EAE = 1: TTBR0/TTBR1 split by T0SZ/T1SZ, up to three
// levels, blocks and tables with APTable/XNTable/PXNTable, AP[2:1], XN/PXN, AF,
// AttrIndx into MAIR0/MAIR1, 40-bit output addresses, ASID from TTBR0/TTBR1 by TTBCR.A1).
//
// Faults are reported with the fault status in the format of the regime (short:
// FS[4] in bit 10, FS[3:0], domain in [7:4]; long: bit 9 LPAE = 1, level-encoded
// status) through GuestAbort; the address is the VA. Translations are cached in a
// direct-mapped software TLB of 4 KiB entries (one per VA page, for the current ASID
// and global pages) holding the physical page and the six access rights (read, write,
// execute at PL1 and PL0), so a hit is one array lookup, a compare and a bit test.
// The soft TLB is emptied whenever the regime changes (SCTLR.M/AFE/WXN/UWXN, TTBRn,
// TTBCR, DACR, the ASID): dropping cached entries is always allowed, as on hardware
// (QEMU does the same). Attributes are only computed for ATS1C* (PAR); TEX remap
// (SCTLR.TRE/PRRR/NMRR) only affects attributes, and the 32-bit PAR carries none (as in
// QEMU), so it has no visible effect. Translation table walks are always
// little-endian (SCTLR.EE big-endian walks are not modelled). No hardware AF update
// (ARMv7). Physical addresses at or above 4 GiB are outside the bus: the access takes
// a synchronous external abort (short 0x008, long 0x210) after a successful walk.

import type { Bus } from "../src/mem/bus.js";

/** Access kinds (and the bit position of the right in a permission mask; +3 for PL0). */
export const ACC_R = 0;
export const ACC_W = 1;
export const ACC_X = 2;

/** Fault types. */
export const F = {
  TRANSLATION: 1,
  ACCESS_FLAG: 2,
  DOMAIN: 3,
  PERMISSION: 4,
  EXTERNAL: 5,
  WALK_EXTERNAL: 6,
  ALIGNMENT: 7,
} as const;

/** Interface to the core the MMU needs (kept small to avoid an import cycle). */
export interface MmuHost {
  readonly bus: Bus;
  /** Abort: kind 0 data, 1 prefetch. Must throw. */
  abort(prefetch: boolean, fsr: number, va: number, write: boolean): never;
  /** MMU on/off changed: the core switches its identity fast path. */
  mmuEnabled(on: boolean): void;
}

const TLB_BITS = 12;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

const SCTLR_M = 1;
const SCTLR_WXN = 1 << 19;
const SCTLR_UWXN = 1 << 20;
const SCTLR_TRE = 1 << 28;
const SCTLR_AFE = 1 << 29;
const SCTLR_REGIME = SCTLR_M | SCTLR_WXN | SCTLR_UWXN | SCTLR_TRE | SCTLR_AFE;
const TTBCR_EAE = 0x80000000 | 0;

// permission masks: bit 0 PL1 read, 1 PL1 write, 2 PL1 exec, 3 PL0 read, 4 PL0 write, 5 PL0 exec
const P_R = 1;
const P_W = 2;
const P_X = 4;

/** The domains (bit n = domain n) whose 2-bit DACR field is non-zero in `x`. */
function domainsOf(x: number): number {
  let m = 0;
  for (let d = 0; d < 16; d++) if ((x >>> (2 * d)) & 3) m |= 1 << d;
  return m;
}

/** rw rights (P_R | P_W) of the full AP[2:0] model (AFE = 0), per privilege. */
function apFull(ap: number, user: boolean): number {
  switch (ap) {
    case 1:
      return user ? 0 : P_R | P_W;
    case 2:
      return user ? P_R : P_R | P_W;
    case 3:
      return P_R | P_W;
    case 5:
      return user ? 0 : P_R;
    case 6:
    case 7:
      return P_R;
    default:
      return 0; // 0: no access; 4: reserved
  }
}

/** rw rights of the simplified AP[2:1] model (AFE = 1, long descriptors). */
function apSimple(ap2: number, user: boolean): number {
  switch (ap2) {
    case 0:
      return user ? 0 : P_R | P_W;
    case 1:
      return P_R | P_W;
    case 2:
      return user ? 0 : P_R;
    default:
      return P_R;
  }
}

/** The result of a table walk (fields of the Mmu, to avoid allocation). */
interface Walk {
  /** Physical address (may exceed 32 bits). */
  pa: number;
  /** Permission mask (6 bits, see above). */
  perm: number;
  /** log2(mapping size) - 12. */
  shift: number;
  global: boolean;
  supersection: boolean;
  /** Long format: MAIR attribute byte and SH. */
  attr: number;
  sh: number;
  /** Fault (0 = none), its level and domain. */
  fault: number;
  level: number;
  domain: number;
}

export class Mmu {
  // ---- the soft TLB ----
  /** VA page number, or -1. */
  private readonly tag = new Int32Array(TLB_SIZE).fill(-1);
  /** Physical page base address (always < 4 GiB: higher PAs are not cached). */
  private readonly pa = new Int32Array(TLB_SIZE);
  private readonly perm = new Uint8Array(TLB_SIZE);
  /** Host byte offset of the page in the shared memory (RAM pages), or -1 (devices). */
  private readonly host = new Int32Array(TLB_SIZE);
  private readonly shift = new Uint8Array(TLB_SIZE);
  private readonly glob = new Uint8Array(TLB_SIZE);
  /** Indexes of the valid entries (for cheap flushes). */
  private readonly used = new Int32Array(TLB_SIZE);
  private nUsed = 0;
  /**
   * Mappings instruction fetches were translated through since the last code flush:
   * `shift * 2^20 + (VA page >>> shift)` (shift = log2(mapping size) - 12).
   */
  private readonly codeMaps = new Set<number>();
  /** The distinct shifts in codeMaps. */
  private codeShifts: number[] = [];
  /** Domain of each TLB entry (short format; fetch rights depend on DACR). */
  private readonly dom = new Uint8Array(TLB_SIZE);
  /** Domains (bit n = domain n) of the PL1 / PL0 instruction fetches since the last code flush. */
  private codeDomPL1 = 0;
  private codeDomPL0 = 0;
  /** DACR the PL0 code was translated under. */
  private dacrPL0 = 0;
  /**
   * The PL0 code translations are stale: DACR differs from dacrPL0 for a domain of PL0
   * code. Checked by the interpreter before it runs User-mode blocks, so that Linux's
   * DACR switching around user accesses (SW PAN, in kernel mode) costs nothing.
   */
  pl0CodeStale = false;

  // ---- regime (cached from the system registers by sync()) ----
  enabled = false;
  private sctlr = 0;
  private ttbcr = 0;
  private ttbr0Lo = 0;
  private ttbr0Hi = 0;
  private ttbr1Lo = 0;
  private ttbr1Hi = 0;
  private dacr = 0;
  private contextidr = 0;
  private mair0 = 0;
  private mair1 = 0;
  /** Current ASID. */
  asid = 0;
  /** The long-descriptor format is in use (TTBCR.EAE): fault status and PAR formats. */
  longFormat = false;

  /** Called when cached instruction translations become invalid (the interpreter flushes). */
  codeFlush: () => void = () => {};
  /** Called when only the translations of VAs in [lo, hi] became invalid. */
  codeFlushRange: (lo: number, hi: number) => void = () => this.codeFlush();

  readonly stats = { walks: 0, flushes: 0 };

  private readonly w: Walk = {
    pa: 0,
    perm: 0,
    shift: 0,
    global: false,
    supersection: false,
    attr: 0,
    sh: 0,
    fault: 0,
    level: 0,
    domain: 0,
  };

  constructor(private readonly host_: MmuHost) {}

  /**
   * Re-read the translation registers (after a write to SCTLR, TTBRn, TTBCR, DACR,
   * CONTEXTIDR, PRRR/NMRR = MAIR0/1, or a reset). Empties the TLB and the interpreter's
   * translations when the regime changed.
   */
  sync(regs: {
    sctlr: number;
    ttbcr: number;
    ttbr0: [number, number];
    ttbr1: [number, number];
    dacr: number;
    contextidr: number;
    mair0: number;
    mair1: number;
  }): void {
    const oldSctlr = this.sctlr;
    const longNow = (regs.ttbcr & TTBCR_EAE) !== 0;
    // everything but TTBR0 and DACR (CONTEXTIDR and DACR do not matter to the long format)
    const changed =
      ((oldSctlr ^ regs.sctlr) & SCTLR_REGIME) !== 0 ||
      this.ttbcr !== (regs.ttbcr | 0) ||
      this.ttbr1Lo !== (regs.ttbr1[0] | 0) ||
      this.ttbr1Hi !== (regs.ttbr1[1] | 0) ||
      (!longNow && this.contextidr !== (regs.contextidr | 0));
    const dacrDiff = longNow ? 0 : domainsOf(this.dacr ^ regs.dacr);
    const ttbr0Changed = this.ttbr0Lo !== (regs.ttbr0[0] | 0) || this.ttbr0Hi !== (regs.ttbr0[1] | 0);
    this.sctlr = regs.sctlr | 0;
    this.ttbcr = regs.ttbcr | 0;
    this.ttbr0Lo = regs.ttbr0[0] | 0;
    this.ttbr0Hi = regs.ttbr0[1] | 0;
    this.ttbr1Lo = regs.ttbr1[0] | 0;
    this.ttbr1Hi = regs.ttbr1[1] | 0;
    this.dacr = regs.dacr | 0;
    this.contextidr = regs.contextidr | 0;
    this.mair0 = regs.mair0 | 0;
    this.mair1 = regs.mair1 | 0;
    this.longFormat = (this.ttbcr & TTBCR_EAE) !== 0;
    this.asid = this.longFormat
      ? ((this.ttbcr & (1 << 22) ? this.ttbr1Hi : this.ttbr0Hi) >>> 16) & 0xff
      : this.contextidr & 0xff;
    const on = (this.sctlr & SCTLR_M) !== 0;
    if (on !== this.enabled) {
      this.enabled = on;
      this.host_.mmuEnabled(on);
    }
    if (changed) {
      this.flushAll();
      this.flushCode();
      return;
    }
    if (dacrDiff !== 0) {
      // only the entries of the domains whose access type changed; the PL1 code only
      // when its domains changed; the PL0 code lazily (pl0CodeStale)
      this.flushDomains(dacrDiff);
      if (dacrDiff & this.codeDomPL1) this.flushCode();
    }
    this.pl0CodeStale = !this.longFormat && (domainsOf(this.dacr ^ this.dacrPL0) & this.codeDomPL0) !== 0;
    if (ttbr0Changed) {
      // a process switch: with the long format and a TTBR1 region, only the code
      // translated through TTBR0 (the low VAs) is affected
      this.flushAll();
      const t0sz = this.ttbcr & 7;
      const t1sz = (this.ttbcr >>> 16) & 7;
      if (!this.longFormat || (t0sz === 0 && t1sz === 0)) this.flushCode();
      else this.codeFlushRange(0, t1sz === 0 ? 0xffffffff >>> t0sz : (~(0xffffffff >>> t1sz) >>> 0) - 1);
    }
  }

  // ---- translation -------------------------------------------------------------------

  /**
   * Translate `va` for an access of kind `acc` (ACC_R/W/X) at PL0 (`user`) or PL1;
   * returns the physical address (< 4 GiB) or raises an abort through the host.
   */
  translate(va: number, acc: number, user: boolean): number {
    const vp = va >>> 12;
    const i = vp & TLB_MASK;
    if (this.tag[i] === vp && (this.perm[i]! & (1 << (user ? acc + 3 : acc))) !== 0)
      return (this.pa[i]! | (va & 0xfff)) >>> 0;
    return this.miss(va, acc, user);
  }

  /**
   * The fast path of the core's word accesses: the host byte offset of `va` when the
   * TLB holds it with the right and it is RAM, else -1 (the caller takes translate()).
   */
  hostOffset(va: number, acc: number, user: boolean): number {
    const vp = va >>> 12;
    const i = vp & TLB_MASK;
    if (this.tag[i] === vp && (this.perm[i]! & (1 << (user ? acc + 3 : acc))) !== 0) {
      const h = this.host[i]!;
      if (h >= 0) return h + (va & 0xfff);
    }
    return -1;
  }

  /** Instruction fetch translation: also remembers the VA page for code invalidation. */
  translateFetch(va: number, user: boolean): number {
    const pa = this.translate(va, ACC_X, user);
    const vp = va >>> 12;
    const i = vp & TLB_MASK;
    const sh = this.shift[i]!;
    this.codeMaps.add(sh * 0x100000 + (vp >>> sh));
    if (user) {
      // the interpreter checked pl0CodeStale: DACR agrees with dacrPL0 on codeDomPL0
      this.dacrPL0 = this.dacr;
      this.codeDomPL0 |= 1 << this.dom[i]!;
    } else this.codeDomPL1 |= 1 << this.dom[i]!;
    if (!this.codeShifts.includes(sh)) this.codeShifts.push(sh);
    return pa;
  }

  private miss(va: number, acc: number, user: boolean): number {
    const w = this.w;
    this.walk(va >>> 0, acc, user);
    if (w.fault) this.raise(va, acc);
    if (w.pa >= 0x100000000) {
      // outside the 32-bit physical bus: synchronous external abort (decode error)
      this.host_.abort(acc === ACC_X, this.longFormat ? 0x210 : 0x008, va, acc === ACC_W);
    }
    const vp = va >>> 12;
    const i = vp & TLB_MASK;
    if (this.tag[i] === -1) this.used[this.nUsed++] = i;
    this.tag[i] = vp;
    this.pa[i] = (w.pa - (w.pa % 4096)) | 0;
    this.host[i] = this.host_.bus.ramOffset(this.pa[i]!);
    this.perm[i] = w.perm;
    this.shift[i] = w.shift;
    this.glob[i] = w.global ? 1 : 0;
    this.dom[i] = w.domain;
    return w.pa >>> 0;
  }

  private raise(va: number, acc: number): never {
    const w = this.w;
    this.host_.abort(acc === ACC_X, this.fsr(w.fault, w.level, w.domain), va, acc === ACC_W);
  }

  /** Fault status (without WnR) in the current format. */
  fsr(fault: number, level: number, domain: number): number {
    if (this.longFormat) {
      let st: number;
      switch (fault) {
        case F.TRANSLATION:
          st = 0x04 | level;
          break;
        case F.ACCESS_FLAG:
          st = 0x08 | level;
          break;
        case F.PERMISSION:
          st = 0x0c | level;
          break;
        case F.WALK_EXTERNAL:
          st = 0x14 | level;
          break;
        case F.ALIGNMENT:
          st = 0x21;
          break;
        default:
          st = 0x10;
      }
      return 0x200 | st;
    }
    let fs: number;
    switch (fault) {
      case F.TRANSLATION:
        fs = level === 1 ? 0x05 : 0x07;
        break;
      case F.ACCESS_FLAG:
        fs = level === 1 ? 0x03 : 0x06;
        break;
      case F.DOMAIN:
        fs = level === 1 ? 0x09 : 0x0b;
        break;
      case F.PERMISSION:
        fs = level === 1 ? 0x0d : 0x0f;
        break;
      case F.WALK_EXTERNAL:
        fs = level === 1 ? 0x0c : 0x0e;
        break;
      case F.ALIGNMENT:
        fs = 0x01;
        break;
      default:
        fs = 0x08;
    }
    return ((fs & 0x10) << 6) | (fs & 0xf) | (domain << 4);
  }

  /** Read a 32-bit descriptor; false (and a walk external abort) outside RAM. */
  private readDesc(addr: number): number | undefined {
    const bus = this.host_.bus;
    if (addr >= 0x100000000) return undefined;
    const o = bus.ramOffset(addr);
    if (o < 0) return undefined;
    return bus.u32[o >>> 2]!;
  }

  /** Walk the tables for `va`; fills this.w (w.fault = 0 on success). */
  private walk(va: number, acc: number, user: boolean): void {
    this.stats.walks++;
    const w = this.w;
    w.fault = 0;
    w.level = 1;
    w.domain = 0;
    w.global = true;
    w.supersection = false;
    w.attr = 0;
    w.sh = 0;
    if (this.longFormat) this.walkLong(va, acc, user);
    else this.walkShort(va, acc, user);
  }

  private walkShort(va: number, acc: number, user: boolean): boolean {
    const w = this.w;
    const n = this.ttbcr & 7;
    let table: number;
    if (n !== 0 && va >>> (32 - n) !== 0) {
      if (this.ttbcr & 0x20) return this.fail(F.TRANSLATION); // PD1
      table = (this.ttbr1Lo & 0xffffc000) >>> 0;
    } else {
      if (this.ttbcr & 0x10) return this.fail(F.TRANSLATION); // PD0
      table = (this.ttbr0Lo & ~(0x3fff >>> n)) >>> 0;
    }
    table = (table | ((va >>> 18) & 0x3ffc)) >>> 0;
    const d1 = this.readDesc(table);
    if (d1 === undefined) return this.fail(F.WALK_EXTERNAL);
    const type = d1 & 3;
    if (type === 0) return this.fail(F.TRANSLATION);
    let ap: number;
    let xn: boolean;
    let pxn: boolean;
    if (type === 1 || !(d1 & (1 << 18))) w.domain = (d1 >>> 5) & 0xf;
    if (type === 1) w.level = 2;
    const dom = (this.dacr >>> (w.domain * 2)) & 3;
    if (dom === 0 || dom === 2) return this.fail(F.DOMAIN);
    if (type !== 1) {
      if (d1 & (1 << 18)) {
        // supersection: PA[31:24], [35:32] from desc[23:20], [39:36] from desc[8:5]
        w.pa =
          (((d1 & 0xff000000) >>> 0) | (va & 0x00ffffff)) +
          (((d1 >>> 20) & 0xf) + ((d1 >>> 5) & 0xf) * 16) * 0x100000000;
        w.shift = 12;
        w.supersection = true;
      } else {
        w.pa = ((d1 & 0xfff00000) | (va & 0x000fffff)) >>> 0;
        w.shift = 8;
      }
      ap = ((d1 >>> 10) & 3) | ((d1 >>> 13) & 4);
      xn = (d1 & 0x10) !== 0;
      pxn = (d1 & 1) !== 0;
      w.global = (d1 & (1 << 17)) === 0;
    } else {
      pxn = (d1 & 4) !== 0;
      const d2 = this.readDesc(((d1 & 0xfffffc00) | ((va >>> 10) & 0x3fc)) >>> 0);
      if (d2 === undefined) return this.fail(F.WALK_EXTERNAL);
      ap = ((d2 >>> 4) & 3) | ((d2 >>> 7) & 4);
      switch (d2 & 3) {
        case 0:
          return this.fail(F.TRANSLATION);
        case 1: // 64 KiB page
          w.pa = ((d2 & 0xffff0000) | (va & 0xffff)) >>> 0;
          xn = (d2 & 0x8000) !== 0;
          w.shift = 4;
          break;
        default: // 4 KiB page
          w.pa = ((d2 & 0xfffff000) | (va & 0xfff)) >>> 0;
          xn = (d2 & 1) !== 0;
          w.shift = 0;
      }
      w.global = (d2 & (1 << 11)) === 0;
    }
    if (dom === 3) {
      // manager: no permission checks at all (QEMU: XN is not checked either)
      w.perm = 0x3f;
      return true;
    }
    // client: XN (PXN at PL1) before the access flag, then the access permissions
    if (acc === ACC_X && (xn || (pxn && !user))) return this.fail(F.PERMISSION);
    let rw1: number;
    let rw0: number;
    if (this.sctlr & SCTLR_AFE) {
      if ((ap & 1) === 0) return this.fail(F.ACCESS_FLAG);
      rw1 = apSimple(ap >> 1, false);
      rw0 = apSimple(ap >> 1, true);
    } else {
      rw1 = apFull(ap, false);
      rw0 = apFull(ap, true);
    }
    const x1 = rw1 !== 0 && !xn && !pxn ? P_X : 0;
    const x0 = rw0 !== 0 && !xn ? P_X : 0;
    w.perm = rw1 | x1 | ((rw0 | x0) << 3);
    if ((w.perm & (1 << (user ? acc + 3 : acc))) === 0) return this.fail(F.PERMISSION);
    return true;
  }

  private walkLong(va: number, acc: number, user: boolean): boolean {
    const w = this.w;
    const t0sz = this.ttbcr & 7;
    const t1sz = (this.ttbcr >>> 16) & 7;
    const sel1 = t1sz === 0 ? va > 0xffffffff >>> t0sz : va >= ~(0xffffffff >>> t1sz) >>> 0;
    const tsz = sel1 ? t1sz : t0sz;
    const inputsize = 32 - tsz;
    // the gap between the two regions
    if (
      inputsize < 32 &&
      (sel1 ? va >>> inputsize !== (0xffffffff >>> inputsize) >>> 0 : va >>> inputsize !== 0)
    )
      return this.fail(F.TRANSLATION);
    if (this.ttbcr & (sel1 ? 1 << 23 : 1 << 7)) return this.fail(F.TRANSLATION); // EPDn
    const lo = sel1 ? this.ttbr1Lo : this.ttbr0Lo;
    const hi = sel1 ? this.ttbr1Hi : this.ttbr0Hi;
    let level = inputsize > 30 ? 1 : 2;
    w.level = level;
    // table base: TTBR[39:x], x = inputsize - 27 (level 1) or inputsize - 18 (level 2)
    const x = level === 1 ? inputsize - 27 : inputsize - 18;
    let base = Math.floor((lo >>> 0) / 2 ** x) * 2 ** x + (hi & 0xff) * 0x100000000;
    let index =
      level === 1 ? (va >>> 30) & ((1 << (inputsize - 30)) - 1) : (va >>> 21) & ((1 << (inputsize - 21)) - 1);
    let apTable = 0;
    let xnTable = false;
    let pxnTable = false;
    for (;;) {
      const addr = base + index * 8;
      const dlo = this.readDesc(addr);
      const dhi = dlo === undefined ? undefined : this.readDesc(addr + 4);
      if (dlo === undefined || dhi === undefined) return this.fail(F.WALK_EXTERNAL);
      if (!(dlo & 1) || (!(dlo & 2) && level === 3)) return this.fail(F.TRANSLATION);
      const oa = (dhi & 0xff) * 0x100000000 + ((dlo & 0xfffff000) >>> 0);
      if (dlo & 2 && level < 3) {
        // table descriptor
        apTable |= (dhi >>> 29) & 3;
        if (dhi & (1 << 28)) xnTable = true;
        if (dhi & (1 << 27)) pxnTable = true;
        base = oa;
        level++;
        w.level = level;
        index = level === 2 ? (va >>> 21) & 0x1ff : (va >>> 12) & 0x1ff;
        continue;
      }
      // block (level 1: 1 GiB, level 2: 2 MiB) or page
      const bits = level === 1 ? 30 : level === 2 ? 21 : 12;
      const size = 2 ** bits;
      w.pa = oa - (oa % size) + (va % size);
      w.shift = bits - 12;
      if (!(dlo & (1 << 10))) return this.fail(F.ACCESS_FLAG);
      let ap = (dlo >>> 6) & 3;
      if (apTable & 1) ap &= ~1; // APTable[0]: no PL0 access
      if (apTable & 2) ap |= 2; // APTable[1]: read-only
      const xn = (dhi & (1 << 22)) !== 0 || xnTable;
      const pxn = (dhi & (1 << 21)) !== 0 || pxnTable;
      w.global = (dlo & (1 << 11)) === 0;
      const idx = (dlo >>> 2) & 7;
      w.attr = ((idx < 4 ? this.mair0 : this.mair1) >>> ((idx & 3) * 8)) & 0xff;
      w.sh = (dlo >>> 8) & 3;
      const rw1 = apSimple(ap, false);
      const rw0 = apSimple(ap, true);
      const wxn = (this.sctlr & SCTLR_WXN) !== 0;
      const uwxn = (this.sctlr & SCTLR_UWXN) !== 0;
      const x0 = !xn && rw0 & P_R && !(wxn && rw0 & P_W) ? P_X : 0;
      const x1 = !xn && rw1 & P_R && !pxn && !(uwxn && rw0 & P_W) && !(wxn && rw1 & P_W) ? P_X : 0;
      w.perm = rw1 | x1 | ((rw0 | x0) << 3);
      if ((w.perm & (1 << (user ? acc + 3 : acc))) === 0) return this.fail(F.PERMISSION);
      return true;
    }
  }

  private fail(fault: number): false {
    this.w.fault = fault;
    return false;
  }

  // ---- address translation operations (ATS1C*) ----------------------------------------

  /**
   * ATS1CPR/CPW/CUR/CUW (op 0..3): translate `va` without faulting and return the PAR
   * [low, high] (64-bit format when TTBCR.EAE = 1).
   */
  addressTranslate(va: number, op: number): [number, number] {
    const acc = op & 1 ? ACC_W : ACC_R;
    const user = (op & 2) !== 0;
    const w = this.w;
    va >>>= 0;
    if (!this.enabled) {
      w.fault = 0;
      w.pa = va;
      w.supersection = false;
      // MMU off (as QEMU reports it): ATTR 0x00 (Device-nGnRnE), SH 0
      w.attr = 0;
      w.sh = 0;
    } else this.walk(va, acc, user);
    // an external abort on the walk is not reported in the PAR: it is taken as a Data
    // Abort (no WnR), as in QEMU
    if (w.fault === F.WALK_EXTERNAL) this.host_.abort(false, this.fsr(w.fault, w.level, w.domain), va, false);
    if (this.longFormat) {
      if (w.fault) {
        const fsr = this.fsr(w.fault, w.level, w.domain);
        return [(1 | ((fsr & 0x3f) << 1) | (1 << 11)) >>> 0, 0];
      }
      const lo = (w.pa % 0x100000000) & 0xfffff000;
      const hi = Math.floor(w.pa / 0x100000000) & 0xff;
      return [(lo | (1 << 11) | (1 << 9) | (w.sh << 7)) >>> 0, (hi | (w.attr << 24)) >>> 0];
    }
    if (w.fault) {
      const fsr = this.fsr(w.fault, w.level, w.domain);
      return [(((fsr & (1 << 10)) >>> 5) | ((fsr & (1 << 12)) >>> 6) | ((fsr & 0xf) << 1) | 1) >>> 0, 0];
    }
    const pa32 = (w.pa % 0x100000000) >>> 0;
    const lo = w.supersection ? (pa32 & 0xff000000) | 2 : pa32 & 0xfffff000;
    return [(lo | (1 << 9)) >>> 0, 0];
  }

  // ---- TLB maintenance ---------------------------------------------------------------

  /** Empty the soft TLB. */
  flushAll(): void {
    const tag = this.tag;
    const used = this.used;
    for (let k = 0; k < this.nUsed; k++) tag[used[k]!] = -1;
    this.nUsed = 0;
    this.stats.flushes++;
  }

  /** Drop every cached instruction translation (the interpreter's blocks). */
  flushCode(): void {
    this.codeMaps.clear();
    this.codeShifts = [];
    this.codeDomPL1 = 0;
    this.codeDomPL0 = 0;
    this.pl0CodeStale = false;
    this.codeFlush();
  }

  /** Drop the entries whose mapping contains `va` (any ASID). */
  private flushVa(va: number): void {
    const vp = va >>> 12;
    const tag = this.tag;
    const used = this.used;
    let k = 0;
    while (k < this.nUsed) {
      const i = used[k]!;
      const t = tag[i]!;
      if (t >>> this.shift[i]! === vp >>> this.shift[i]!) {
        tag[i] = -1;
        used[k] = used[--this.nUsed]!;
      } else k++;
    }
    // instruction translations through a mapping that contains va
    for (const sh of this.codeShifts)
      if (this.codeMaps.has(sh * 0x100000 + (vp >>> sh))) {
        this.flushCode();
        break;
      }
  }

  /** Drop the entries of the domains in the mask (bit n = domain n). */
  private flushDomains(mask: number): void {
    const tag = this.tag;
    const used = this.used;
    let k = 0;
    while (k < this.nUsed) {
      const i = used[k]!;
      if ((mask >>> this.dom[i]!) & 1) {
        tag[i] = -1;
        used[k] = used[--this.nUsed]!;
      } else k++;
    }
  }

  /** Drop the non-global entries (of the current ASID: the TLB holds no others). */
  private flushNonGlobal(): void {
    const tag = this.tag;
    const used = this.used;
    let k = 0;
    while (k < this.nUsed) {
      const i = used[k]!;
      if (!this.glob[i]) {
        tag[i] = -1;
        used[k] = used[--this.nUsed]!;
      } else k++;
    }
  }

  /**
   * A CP15 c8 write: crm 3 (Inner Shareable), 5 (instruction), 6 (data), 7 (unified);
   * opc2 0 ALL, 1 MVA (+ASID), 2 ASID, 3 MVAA (all ASIDs). One core: IS = local.
   */
  tlbOp(crm: number, opc2: number, v: number): void {
    switch (opc2) {
      case 0:
        this.flushAll();
        if (crm !== 6) this.flushCode();
        break;
      case 1:
      case 3:
        this.flushVa(v);
        break;
      case 2:
        if ((v & 0xff) === this.asid) {
          this.flushNonGlobal();
          if (crm !== 6) this.flushCode();
        }
        break;
    }
  }
}
