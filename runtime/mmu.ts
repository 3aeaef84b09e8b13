// The MMU of one translation regime of a Non-secure Cortex-A15 (ARMv7-A VMSA with LPAE and
// the Virtualization Extensions): `new Mmu(host)` is the PL1&0 regime (stage 1, plus stage
// 2 when HCR.VM is set), `new Mmu(host, "hyp")` the Hyp-mode (PL2) regime.
//
// PL1&0 stage 1: the short-descriptor format (TTBCR.EAE = 0:
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
// (QEMU does the same). Attributes are only computed for the address translation
// operations (PAR), and only from long descriptors: TEX remap (SCTLR.TRE/PRRR/NMRR) only
// affects attributes, and the 32-bit PAR carries none (as in QEMU), so it has no visible
// effect; a short-descriptor translation in a 64-bit PAR (from Hyp mode) reports ATTR 0. Translation table walks are always
// little-endian (SCTLR.EE big-endian walks are not modelled). No hardware AF update
// (ARMv7). Physical addresses at or above 4 GiB are outside the bus: the access takes
// a synchronous external abort (short 0x008, long 0x210) after a successful walk.
//
// PL1&0 stage 2 (runtime/stage2.ts, enabled by syncStage2 with HCR.VM): the VA goes through
// stage 1 to an IPA (the IPA is the VA while SCTLR.M = 0), then through stage 2 to the PA;
// every stage-1 descriptor fetch is itself an IPA translated by stage 2 (a fault there is
// a stage-2 fault with S1PTW = 1; HCR.PTW also faults tables in stage-2 Device memory).
// The soft TLB caches the combined VA -> PA with the intersection of both stages' rights
// and is emptied whenever stage 2 changes (HCR.VM/PTW, VTCR, VTTBR with its VMID).
// Stage-2 faults are reported to the host with their IPA in the long format, for the core
// to take them to Hyp mode (HSR, HPFAR). HCR.DC and HCR.TGE are not modelled.
//
// Each soft-TLB entry is mirrored, for RAM pages, in the regime's inline TLB in the
// shared memory (FAST_TLB in src/cpu/state.ts), which compiled code checks with one
// compare per access: filled with the entry, emptied with it. While the regime is off,
// prime() fills flat entries on the JIT's slow path, so compiled code runs from the
// inline TLB in every regime.
//
// Hyp regime (B3.6 with the PL2 rules): always long-descriptor, only HTTBR (HTCR.T0SZ;
// VAs above its range fault at level 1), no ASIDs (nG ignored), AP[2] read-only with
// AP[1] and APTable[0] ignored (no PL0), XN/XNTable but no PXN, HSCTLR.WXN. It is only
// asked for PL2 accesses (user = false).

import { FAST_TLB } from "../src/cpu/state.js";
import type { Bus } from "../src/mem/bus.js";
import { Stage2 } from "./stage2.js";

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
  /** A stage-2 fault: its long-format status is in the walk (fst), with the IPA. */
  STAGE2: 8,
} as const;

/** What a stage-2 fault reports besides the stage-2 fault status. */
export interface Stage2Fault {
  /** The faulting IPA (up to 40 bits): of the access, or of the stage-1 table entry. */
  readonly ipa: number;
  /** The fault happened on a stage-1 translation table access (HSR.ISS.S1PTW). */
  readonly s1ptw: boolean;
  /** The access was an address translation operation (HSR.ISS.CM), not a memory access. */
  readonly cm?: boolean;
}

/** Interface to the core the MMU needs (kept small to avoid an import cycle). */
export interface MmuHost {
  readonly bus: Bus;
  /**
   * Abort (data or prefetch); must throw. `fsr` is in the format of the regime, except
   * for stage-2 faults (`s2` given), whose status is always in the long format.
   */
  abort(prefetch: boolean, fsr: number, va: number, write: boolean, s2?: Stage2Fault): never;
  /** MMU on/off changed: the core switches its identity fast path. */
  mmuEnabled(on: boolean): void;
}

const TLB_BITS = 12;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

/**
 * A mapping of 2^shift pages as a number: shift * 2^20 + (VA page >>> shift), for any VA
 * page `vp` inside it (shift = log2(mapping size) - 12).
 */
const mapKey = (shift: number, vp: number) => shift * 0x100000 + (vp >>> shift);

const SCTLR_M = 1;
const SCTLR_WXN = 1 << 19;
const SCTLR_UWXN = 1 << 20;
const SCTLR_TRE = 1 << 28;
const SCTLR_AFE = 1 << 29;
const SCTLR_REGIME = SCTLR_M | SCTLR_WXN | SCTLR_UWXN | SCTLR_TRE | SCTLR_AFE;
const SCTLR_HYP = SCTLR_M | SCTLR_WXN;
const TTBCR_EAE = 0x80000000 | 0;
/** HTCR: T0SZ, IRGN0, ORGN0, SH0 (no TTBR1, EPD or A1). */
const HTCR_FIELDS = 0x3f07;

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

/** Long-format fault status (DFSR/IFSR/HSR/PAR FST, without bit 9) of a fault type. */
function longFst(fault: number, level: number): number {
  switch (fault) {
    case F.TRANSLATION:
      return 0x04 | level;
    case F.ACCESS_FLAG:
      return 0x08 | level;
    case F.PERMISSION:
      return 0x0c | level;
    case F.WALK_EXTERNAL:
      return 0x14 | level;
    case F.DOMAIN:
      // a short-descriptor stage 1 reported in the long format (to Hyp mode, 64-bit PAR)
      return 0x3c | level;
    case F.ALIGNMENT:
      return 0x21;
    default:
      return 0x10;
  }
}

/** MAIR-format attribute byte of a stage-2 MemAttr[3:0] (Normal: RW-allocate hints). */
function s2AttrToMair(m: number): number {
  if ((m & 0xc) === 0) return (m & 3) << 2; // Device: the type only
  const nibble = (c: number) => (c << 2) | (c >= 2 ? 3 : 0); // 1 NC, 2 WT, 3 WB
  return (nibble(m >>> 2) << 4) | nibble(m & 3);
}

/** Combined cacheability of one (inner or outer) Normal-memory nibble: the weaker wins. */
function combineNibble(s1: number, s2: number): number {
  if (s1 === 4 || s2 === 4) return 4; // Non-cacheable
  if (s1 >>> 2 !== 3) return s1; // stage 1 Write-Through
  if (s2 >>> 2 === 2) return 0x8 | (s1 & 3); // stage 2 Write-Through, stage 1 hints
  return s1;
}

/**
 * Combined memory type of stage 1 (MAIR byte) and stage 2 (MemAttr) for the PAR
 * (ARM ARM B3.8, "Combining the stage 1 and stage 2 attributes"): Device wins over
 * Normal with the stronger Device type, else the weaker cacheability of each half.
 */
function combineAttrs(s1: number, s2MemAttr: number): number {
  const s2 = s2AttrToMair(s2MemAttr);
  if ((s1 & 0xf0) === 0 || (s2 & 0xf0) === 0) {
    // Device types 0x00 (strongly ordered) .. 0x0c: a smaller value is stronger; Normal
    // does not restrict the type
    const t1 = (s1 & 0xf0) === 0 ? s1 & 0xc : 0xc;
    const t2 = (s2 & 0xf0) === 0 ? s2 & 0xc : 0xc;
    return Math.min(t1, t2);
  }
  return (combineNibble(s1 >>> 4, s2 >>> 4) << 4) | combineNibble(s1 & 0xf, s2 & 0xf);
}

/** Combined shareability (outer over inner over none); Device and Normal NC are outer. */
function combineSh(sh1: number, sh2: number, attr: number): number {
  if ((attr & 0xf0) === 0 || attr === 0x44) return 2;
  if (sh1 === 2 || sh2 === 2) return 2;
  return sh1 === 3 || sh2 === 3 ? 3 : 0;
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
  /** F.STAGE2: long-format status, the IPA and whether a stage-1 table access faulted. */
  fst: number;
  ipa: number;
  s1ptw: boolean;
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
  /** The inline TLB (8 words per entry, see FAST_TLB). */
  private readonly fast: Int32Array;
  /**
   * Indexes of the entries filled since the last full flush (for cheap flushes); an entry
   * dropped by a partial flush stays listed (tag -1) until a scan compacts it out.
   */
  private readonly used = new Int32Array(TLB_SIZE);
  private readonly listed = new Uint8Array(TLB_SIZE);
  private nUsed = 0;
  /** The shifts (bit n = mappings of 2^n pages) of the entries filled since the last full flush. */
  private shiftsSeen = 0;
  /**
   * Live entries of each mapping larger than a page, by mapping (mapKey): flushVa visits the 2^shift slots of a large mapping only when it has
   * entries. Most TLBIMVAs are for small pages, and used to visit 512 slots for the 2 MiB
   * blocks of the kernel's linear map every time.
   */
  private readonly bigMaps = new Map<number, number>();
  /**
   * Mappings instruction fetches were translated through since the last code flush (mapKey).
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
  /** Some translation is on: stage 1 (SCTLR.M) or, for PL1&0, stage 2 (HCR.VM). */
  enabled = false;
  /** Stage 1 is on (SCTLR.M / HSCTLR.M). */
  private s1on = false;
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

  /** Called when cached instruction translations may have changed (the interpreter re-checks them). */
  codeFlush: () => void = () => {};
  /** Called when only the translations of VAs in [lo, hi] became invalid. */
  codeFlushRange: (lo: number, hi: number) => void = () => this.codeFlush();

  readonly stats = { walks: 0, flushes: 0 };

  /** Stage 2 of the PL1&0 regime (stays off in the Hyp regime). */
  private readonly s2: Stage2;
  /** The Hyp regime. */
  private readonly hyp: boolean;
  /** The descriptor readDesc() fetched (high word for 64-bit descriptors). */
  private dlo = 0;
  private dhi = 0;

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
    fst: 0,
    ipa: 0,
    s1ptw: false,
  };

  constructor(
    private readonly host_: MmuHost,
    regime: "pl10" | "hyp" = "pl10",
  ) {
    this.hyp = regime === "hyp";
    this.s2 = new Stage2(host_.bus);
    this.fast = new Int32Array(
      host_.bus.memory.buffer,
      this.hyp ? FAST_TLB.HYP : FAST_TLB.PL10,
      (FAST_TLB.ENTRIES * FAST_TLB.ENTRY_BYTES) / 4,
    ).fill(-1);
  }

  /**
   * Re-read the translation registers (after a write to SCTLR, TTBRn, TTBCR, DACR,
   * CONTEXTIDR, PRRR/NMRR = MAIR0/1, or a reset). Empties the TLB and the interpreter's
   * translations when the regime changed. Hyp regime: HSCTLR, HTCR, HTTBR, HMAIR0/1 (the
   * other fields are ignored).
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
    const hyp = this.hyp;
    // Hyp: always long-descriptor, HTCR has T0SZ only, no TTBR1, DACR or CONTEXTIDR
    const sctlr = hyp ? regs.sctlr & SCTLR_HYP : regs.sctlr | 0;
    const ttbcr = hyp ? (regs.ttbcr & HTCR_FIELDS) | TTBCR_EAE : regs.ttbcr | 0;
    const ttbr1Lo = hyp ? 0 : regs.ttbr1[0] | 0;
    const ttbr1Hi = hyp ? 0 : regs.ttbr1[1] | 0;
    const dacr = hyp ? 0 : regs.dacr | 0;
    const contextidr = hyp ? 0 : regs.contextidr | 0;
    const longNow = (ttbcr & TTBCR_EAE) !== 0;
    // everything but TTBR0 and DACR (CONTEXTIDR and DACR do not matter to the long format)
    const changed =
      ((this.sctlr ^ sctlr) & SCTLR_REGIME) !== 0 ||
      this.ttbcr !== ttbcr ||
      this.ttbr1Lo !== ttbr1Lo ||
      this.ttbr1Hi !== ttbr1Hi ||
      (!longNow && this.contextidr !== contextidr);
    const dacrDiff = longNow ? 0 : domainsOf(this.dacr ^ dacr);
    const ttbr0Changed = this.ttbr0Lo !== (regs.ttbr0[0] | 0) || this.ttbr0Hi !== (regs.ttbr0[1] | 0);
    this.sctlr = sctlr;
    this.ttbcr = ttbcr;
    this.ttbr0Lo = regs.ttbr0[0] | 0;
    this.ttbr0Hi = regs.ttbr0[1] | 0;
    this.ttbr1Lo = ttbr1Lo;
    this.ttbr1Hi = ttbr1Hi;
    this.dacr = dacr;
    this.contextidr = contextidr;
    this.mair0 = regs.mair0 | 0;
    this.mair1 = regs.mair1 | 0;
    this.longFormat = longNow;
    if (hyp) this.asid = 0;
    else
      this.asid = longNow ? ((ttbcr & (1 << 22) ? ttbr1Hi : this.ttbr0Hi) >>> 16) & 0xff : contextidr & 0xff;
    this.s1on = (sctlr & SCTLR_M) !== 0;
    this.updateEnabled();
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

  /**
   * PL1&0 regime: re-read the stage-2 registers (after a write to HCR, VTCR or VTTBR, or a
   * reset). HCR.VM (bit 0) enables stage 2, HCR.PTW (bit 2) protects table walks;
   * vttbr = [low, high] (VMID in high[23:16]). Empties the TLB and the interpreter's
   * translations when stage 2 changed.
   */
  syncStage2(regs: { hcr: number; vtcr: number; vttbr: [number, number] }): void {
    if (!this.s2.sync(regs.hcr, regs.vtcr, regs.vttbr[0], regs.vttbr[1])) return;
    this.updateEnabled();
    this.flushAll();
    this.flushCode();
  }

  /** VMID of the stage-2 translation (VTTBR[55:48]). */
  get vmid(): number {
    return this.s2.vmid;
  }

  private updateEnabled(): void {
    const on = this.s1on || this.s2.on;
    if (on !== this.enabled) {
      this.enabled = on;
      this.host_.mmuEnabled(on);
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
    this.codeMaps.add(mapKey(sh, vp));
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
    if (this.s1on) this.walk(va >>> 0, acc, user);
    else this.flat(va >>> 0);
    if (!w.fault && this.s2.on) this.stage2Out(acc);
    if (w.fault) this.raise(va, acc);
    if (w.pa >= 0x100000000) {
      // outside the 32-bit physical bus: synchronous external abort (decode error)
      this.host_.abort(acc === ACC_X, this.longFormat ? 0x210 : 0x008, va, acc === ACC_W);
    }
    const vp = va >>> 12;
    const i = vp & TLB_MASK;
    if (!this.listed[i]) {
      this.listed[i] = 1;
      this.used[this.nUsed++] = i;
    }
    this.shiftsSeen |= 1 << w.shift;
    if (this.tag[i] !== -1) this.forgetBig(i);
    if (w.shift > 0) {
      const k = mapKey(w.shift, vp);
      this.bigMaps.set(k, (this.bigMaps.get(k) ?? 0) + 1);
    }
    this.tag[i] = vp;
    this.pa[i] = (w.pa - (w.pa % 4096)) | 0;
    this.host[i] = this.host_.bus.ramOffset(this.pa[i]!);
    this.perm[i] = w.perm;
    this.shift[i] = w.shift;
    this.glob[i] = w.global ? 1 : 0;
    this.dom[i] = w.domain;
    this.fillFast(i, vp);
    return w.pa >>> 0;
  }

  /** Mirror soft-TLB entry i (VA page vp) in the inline TLB: the rights of a RAM page. */
  private fillFast(i: number, vp: number): void {
    const f = this.fast;
    const o = (i * FAST_TLB.ENTRY_BYTES) >> 2;
    const h = this.host[i]!;
    const p = h < 0 ? 0 : this.perm[i]!;
    const base = vp << 12;
    const addend = (h - base) | 0;
    // perm: bit acc at PL1, bit acc + 3 at PL0 (ACC_R = 0, ACC_W = 1)
    f[o] = p & 1 ? base : -1;
    f[o + 1] = p & 2 ? base : -1;
    f[o + 2] = addend;
    f[o + 4] = p & 8 ? base : -1;
    f[o + 5] = p & 16 ? base : -1;
    f[o + 6] = addend;
  }

  /** Live entry i is being dropped or replaced: count it out of its large mapping (bigMaps). */
  private forgetBig(i: number): void {
    const sh = this.shift[i]!;
    if (sh === 0) return;
    const k = mapKey(sh, this.tag[i]!);
    const n = this.bigMaps.get(k)! - 1;
    if (n === 0) this.bigMaps.delete(k);
    else this.bigMaps.set(k, n);
  }

  /** Empty inline-TLB entry i (with its soft-TLB entry). */
  private dropFast(i: number): void {
    const o = (i * FAST_TLB.ENTRY_BYTES) >> 2;
    const f = this.fast;
    f[o] = -1;
    f[o + 1] = -1;
    f[o + 4] = -1;
    f[o + 5] = -1;
  }

  /**
   * After an access through compiled code's slow path succeeded: while the regime is off,
   * cache va's flat translation so the next accesses to its page hit the inline TLB (while
   * it is on, the access itself filled the entry).
   */
  prime(va: number): void {
    const vp = va >>> 12;
    if (!this.enabled && this.tag[vp & TLB_MASK] !== vp) this.miss(va, ACC_R, false);
  }

  private raise(va: number, acc: number): never {
    const w = this.w;
    if (w.fault === F.STAGE2)
      this.host_.abort(acc === ACC_X, 0x200 | w.fst, va, acc === ACC_W, { ipa: w.ipa, s1ptw: w.s1ptw });
    this.host_.abort(acc === ACC_X, this.fsr(w.fault, w.level, w.domain), va, acc === ACC_W);
  }

  /** Stage 1 off: the output address (an IPA under stage 2) is the VA, with every right. */
  private flat(va: number): void {
    const w = this.w;
    w.fault = 0;
    w.pa = va;
    w.perm = 0x3f;
    w.shift = 0;
    w.global = true;
    w.supersection = false;
    w.domain = 0;
    // as QEMU reports it for the PAR: Device-nGnRnE, SH 0
    w.attr = 0;
    w.sh = 0;
  }

  /** Stage 2 of the walk's output (an IPA) for the access; false with the fault in w. */
  private stage2Out(acc: number): boolean {
    const w = this.w;
    const s2 = this.s2;
    if (!s2.translate(w.pa, acc)) return this.failS2(w.pa, false);
    w.pa = s2.pa;
    w.perm &= s2.perm | (s2.perm << 3); // stage 2 does not distinguish PL0 from PL1
    return true;
  }

  private failS2(ipa: number, s1ptw: boolean): false {
    const w = this.w;
    w.fault = F.STAGE2;
    w.fst = this.s2.fst;
    w.ipa = ipa;
    w.s1ptw = s1ptw;
    return false;
  }

  /** Fault status (without WnR) of a stage-1 fault in the current format. */
  fsr(fault: number, level: number, domain: number): number {
    if (this.longFormat) return 0x200 | longFst(fault, level);
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

  /**
   * Fetch the stage-1 descriptor at `addr` (an IPA under stage 2) into dlo (and dhi when
   * `wide`); false with the fault in w: a stage-2 fault (S1PTW), or an external abort on
   * the walk outside RAM.
   */
  private readDesc(addr: number, wide: boolean): boolean {
    let pa = addr;
    if (this.s2.on) {
      if (!this.s2.tableAccess(addr)) return this.failS2(addr, true);
      pa = this.s2.pa;
    }
    const bus = this.host_.bus;
    const o = pa < 0x100000000 ? bus.ramOffset(pa) : -1;
    if (o < 0) return this.fail(F.WALK_EXTERNAL);
    this.dlo = bus.u32[o >>> 2]!;
    if (wide) this.dhi = bus.u32[(o >>> 2) + 1]!;
    return true;
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
    if (!this.readDesc(table, false)) return false;
    const d1 = this.dlo;
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
      if (!this.readDesc(((d1 & 0xfffffc00) | ((va >>> 10) & 0x3fc)) >>> 0, false)) return false;
      const d2 = this.dlo;
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
    // Hyp: TTBR0 only, the VAs above its region fault below
    const sel1 = !this.hyp && (t1sz === 0 ? va > 0xffffffff >>> t0sz : va >= ~(0xffffffff >>> t1sz) >>> 0);
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
      if (!this.readDesc(base + index * 8, true)) return false;
      const dlo = this.dlo;
      const dhi = this.dhi;
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
      const idx = (dlo >>> 2) & 7;
      w.attr = ((idx < 4 ? this.mair0 : this.mair1) >>> ((idx & 3) * 8)) & 0xff;
      w.sh = (dlo >>> 8) & 3;
      const wxn = (this.sctlr & SCTLR_WXN) !== 0;
      if (this.hyp) {
        // PL2: AP[2] (or APTable[1]) read-only; AP[1], nG and PXN do not exist
        const rw = ap & 2 ? P_R : P_R | P_W;
        w.perm = rw | (!xn && !(wxn && rw & P_W) ? P_X : 0);
        if ((w.perm & (1 << acc)) === 0) return this.fail(F.PERMISSION);
        return true;
      }
      w.global = (dlo & (1 << 11)) === 0;
      const rw1 = apSimple(ap, false);
      const rw0 = apSimple(ap, true);
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

  // ---- address translation operations (ATS1C*, ATS12NSO*, ATS1H*) --------------------

  /**
   * Translate `va` without faulting and return the PAR [low, high].
   * PL1&0 instance: ATS1CPR/CPW/CUR/CUW (op 0..3), stage 1 only (under stage 2 the
   * output is the IPA, but the stage-1 table accesses still go through stage 2). The PAR
   * has the 64-bit format when TTBCR.EAE = 1 or the operation is executed in Hyp mode
   * (`fromHyp`), where a stage-2 fault on a table access is reported in the PAR; from PL1
   * it is taken as a stage-2 Data Abort instead.
   * Hyp instance: ATS1HR/ATS1HW (op 0/1), always the 64-bit format.
   */
  addressTranslate(va: number, op: number, fromHyp = false): [number, number] {
    const inHyp = this.hyp || fromHyp;
    this.atWalk(va >>> 0, op, false, inHyp);
    return this.par(this.longFormat || inHyp, false);
  }

  /**
   * ATS12NSOPR/PW/UR/UW (op 0..3, executed in Hyp mode) on the PL1&0 instance: stages 1
   * and 2; the PAR has the 64-bit format when stage 2 is on or TTBCR.EAE = 1, with the
   * attributes of both stages combined and stage-2 faults reported in it (FSTAGE, S2WLK).
   */
  addressTranslateS12(va: number, op: number): [number, number] {
    const s2 = this.s2.on;
    this.atWalk(va >>> 0, op, s2, true);
    return this.par(this.longFormat || s2, s2);
  }

  /** The walk of an address translation operation into this.w. */
  private atWalk(va: number, op: number, stage2: boolean, inHyp: boolean): void {
    const acc = op & 1 ? ACC_W : ACC_R;
    const w = this.w;
    if (this.s1on) this.walk(va, acc, !this.hyp && (op & 2) !== 0);
    else this.flat(va);
    if (!w.fault && stage2) this.stage2Out(acc);
    // not reported in the PAR but taken as Data Aborts (as in QEMU): external aborts on a
    // table walk, and stage-2 faults on a stage-1 table access from PL1 (to Hyp mode, as
    // a cache maintenance / translation operation with WnR = 1)
    if (w.fault === F.STAGE2) {
      if ((w.fst & 0x3c) === 0x14 || (w.s1ptw && !inHyp))
        this.host_.abort(false, 0x200 | w.fst, va, true, { ipa: w.ipa, s1ptw: w.s1ptw, cm: true });
    } else if (w.fault === F.WALK_EXTERNAL) {
      const fsr = inHyp ? 0x200 | longFst(w.fault, w.level) : this.fsr(w.fault, w.level, w.domain);
      this.host_.abort(false, fsr, va, false);
    }
  }

  /** The PAR of the walk in this.w (ARM ARM B4.1.113); `withS2`: stage 2 was applied. */
  private par(format64: boolean, withS2: boolean): [number, number] {
    const w = this.w;
    if (format64) {
      if (w.fault) {
        const stage2 = w.fault === F.STAGE2;
        const fst = stage2 ? w.fst : longFst(w.fault, w.level);
        // F, FST[6:1], S2WLK (bit 8: on a stage-1 table access), FSTAGE (bit 9), LPAE
        const where = stage2 ? (1 << 9) | (w.s1ptw ? 1 << 8 : 0) : 0;
        return [(1 | (fst << 1) | where | (1 << 11)) >>> 0, 0];
      }
      let attr = w.attr;
      let sh = w.sh;
      if (withS2) {
        attr = combineAttrs(w.attr, this.s2.memAttr);
        sh = combineSh(w.sh, this.s2.sh, attr);
      }
      const lo = (w.pa % 0x100000000) & 0xfffff000;
      const hi = Math.floor(w.pa / 0x100000000) & 0xff;
      // PA, LPAE, NS, SH; ATTR in [63:56]
      return [(lo | (1 << 11) | (1 << 9) | (sh << 7)) >>> 0, (hi | (attr << 24)) >>> 0];
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
    for (let k = 0; k < this.nUsed; k++) {
      tag[used[k]!] = -1;
      this.listed[used[k]!] = 0;
      this.dropFast(used[k]!);
    }
    this.nUsed = 0;
    this.shiftsSeen = 0;
    this.bigMaps.clear();
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

  /**
   * Drop the entries whose mapping contains `va` (any ASID). The soft TLB is indexed by VA
   * page, so only the slots of the pages of a mapping containing va can hold one: for each
   * mapping size in use, those slots — unless listing the used entries is shorter.
   */
  private flushVa(va: number): void {
    const vp = va >>> 12;
    const tag = this.tag;
    let slots = 0;
    for (let sh = 0; sh < 32; sh++) if ((this.shiftsSeen >>> sh) & 1) slots += 1 << sh;
    if (slots < this.nUsed) {
      for (let sh = 0; sh < 32; sh++) {
        if (!((this.shiftsSeen >>> sh) & 1)) continue;
        if (sh > 0 && !this.bigMaps.has(mapKey(sh, vp))) continue;
        const first = (vp >>> sh) << sh;
        for (let j = 0; j < 1 << sh; j++) {
          const i = (first + j) & TLB_MASK;
          const t = tag[i]!;
          if (t !== -1 && this.shift[i] === sh && t >>> sh === vp >>> sh) {
            this.forgetBig(i);
            tag[i] = -1;
            this.dropFast(i);
          }
        }
      }
    } else this.dropWhere((i) => tag[i]! >>> this.shift[i]! === vp >>> this.shift[i]!);
    // instruction translations through a mapping that contains va: the TLB entry this
    // drops covered the whole mapping, so the code translated anywhere in it goes
    for (const sh of this.codeShifts)
      if (this.codeMaps.has(mapKey(sh, vp))) {
        const lo = ((vp >>> sh) << sh) * 4096;
        this.codeFlushRange(lo, lo + 4096 * 2 ** sh - 1);
      }
  }

  /** Drop the entries of the domains in the mask (bit n = domain n). */
  private flushDomains(mask: number): void {
    this.dropWhere((i) => ((mask >>> this.dom[i]!) & 1) !== 0);
  }

  /** Drop the non-global entries (of the current ASID: the TLB holds no others). */
  private flushNonGlobal(): void {
    this.dropWhere((i) => !this.glob[i]);
  }

  /** Drop the listed entries for which `drop` holds; unlist the empty ones. */
  private dropWhere(drop: (i: number) => boolean): void {
    const tag = this.tag;
    const used = this.used;
    let k = 0;
    while (k < this.nUsed) {
      const i = used[k]!;
      if (tag[i] === -1 || drop(i)) {
        if (tag[i] !== -1) this.forgetBig(i);
        tag[i] = -1;
        this.listed[i] = 0;
        this.dropFast(i);
        used[k] = used[--this.nUsed]!;
      } else k++;
    }
  }

  /**
   * A CP15 c8 write: crm 3 (Inner Shareable), 5 (instruction), 6 (data), 7 (unified);
   * opc2 0 ALL, 1 MVA (+ASID), 2 ASID, 3 MVAA (all ASIDs). One core: IS = local.
   *
   * The operations of the Virtualization Extensions map onto it (B4.2):
   * - PL1 operations (opc1 = 0), from PL1 or Hyp mode: PL1&0 instance, tlbOp(crm, opc2, v).
   *   Under stage 2 they concern the current VMID, the only one the soft TLB holds;
   *   TLBIALL also drops the cached stage-2 translations (always allowed).
   * - TLBIALLH/TLBIALLHIS (opc1 = 4, crm 7/3, opc2 0): Hyp instance, tlbOp(crm, 0, 0).
   * - TLBIMVAH/TLBIMVAHIS (opc1 = 4, opc2 1): Hyp instance, tlbOp(crm, 1, va); every Hyp
   *   entry is global.
   * - TLBIALLNSNH/TLBIALLNSNHIS (opc1 = 4, opc2 4): PL1&0 instance, tlbOp(crm, 0, 0):
   *   everything of stages 1 and 2, for all VMIDs (the soft TLB holds only the current one).
   */
  tlbOp(crm: number, opc2: number, v: number): void {
    switch (opc2) {
      case 0:
        this.flushAll();
        this.s2.flush();
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
