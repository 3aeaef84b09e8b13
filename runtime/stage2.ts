// Stage 2 of the Non-secure PL1&0 translation regime (Virtualization Extensions, ARM ARM
// DDI 0406C B3.6 long-descriptor format and its stage-2 rules): IPA -> PA through the
// tables at VTTBR, configured by VTCR and enabled by HCR.VM.
//
// IPAs are up to 40 bits (VTCR.T0SZ is a signed 4-bit field: input size 32 - T0SZ, 25 to
// 40 bits); the first lookup is at level 1 (SL0 = 1) or level 2 (SL0 = 0), where up to 16
// tables may be concatenated (B3.6.6), so the index at the first level takes every IPA bit
// above that level's block size. Descriptors: S2AP[7:6] (bit 6 read, bit 7 write), XN (bit
// 54; execution also needs read permission, as in QEMU for an AArch32 EL2), AF (no
// hardware update), MemAttr[5:2] and SH[9:8] (only reported in the PAR and checked for
// HCR.PTW). A misprogrammed VTCR (SL0 >= 2 or an input size the first level cannot
// resolve) and an IPA beyond the input size are translation faults at level 1, as the
// AArch32 pseudocode reports them. Table walks read RAM directly (physical addresses);
// a descriptor outside RAM is a synchronous external abort on the walk.
//
// Successful translations are cached per 4 KiB IPA page (direct mapped) with their rights,
// so the stage-1 table walks of the PL1&0 MMU, whose every descriptor fetch goes through
// stage 2, rarely walk here. The cache is emptied on any change of HCR.VM/PTW, VTCR or
// VTTBR (which includes the VMID) and by the PL1&0 TLB invalidations of everything.

import type { Bus } from "../src/mem/bus.js";

const CACHE_BITS = 10;
const CACHE_SIZE = 1 << CACHE_BITS;
const CACHE_MASK = CACHE_SIZE - 1;

const HCR_VM = 1;
const HCR_PTW = 1 << 2;

/** Long-format fault status codes (without the level). */
const FST_TRANSLATION = 0x04;
const FST_ACCESS_FLAG = 0x08;
const FST_PERMISSION = 0x0c;
const FST_WALK_EXTERNAL = 0x14;

/** Rights, bit n = access kind n (0 read, 1 write, 2 execute, as ACC_* of the MMU). */
const R = 1;
const W = 2;
const X = 4;

export class Stage2 {
  /** HCR.VM. */
  on = false;
  /** HCR.PTW: stage-1 table walks that stage 2 maps as Device memory take a permission fault. */
  private ptw = false;
  private vtcr = 0;
  private vttbrLo = 0;
  private vttbrHi = 0;
  /** First lookup level (1 or 2), or 0 when VTCR is misprogrammed. */
  private startLevel = 0;
  /** 2^(input size): the first IPA out of range. */
  private ipaLimit = 0;
  /** Base of the first-level table(s). */
  private base = 0;

  // ---- result of translate() / tableAccess() ----
  /** Output address (up to 40 bits). */
  pa = 0;
  /** Rights (R/W/X bits). */
  perm = 0;
  /** MemAttr[3:0] of the descriptor and its SH[1:0]. */
  memAttr = 0;
  sh = 0;
  /** Level of the descriptor (successful translations) or of the fault. */
  level = 0;
  /** Long-format fault status (with the level) of the last failed translation. */
  fst = 0;

  // ---- the IPA page cache ----
  /** IPA page number (IPA / 4096 < 2^28), or -1. */
  private readonly tag = new Int32Array(CACHE_SIZE).fill(-1);
  /** Output page number (PA / 4096 < 2^28). */
  private readonly paPage = new Int32Array(CACHE_SIZE);
  private readonly cPerm = new Uint8Array(CACHE_SIZE);
  /** MemAttr | SH << 4 | level << 6. */
  private readonly cInfo = new Uint8Array(CACHE_SIZE);

  readonly stats = { walks: 0 };

  constructor(private readonly bus: Bus) {}

  /** VMID of the current VTTBR (VTTBR[55:48]). */
  get vmid(): number {
    return (this.vttbrHi >>> 16) & 0xff;
  }

  /**
   * Take the new HCR/VTCR/VTTBR; returns true (and empties the cache) when the stage-2
   * translation changed. While stage 2 stays off the other registers do not matter.
   */
  sync(hcr: number, vtcr: number, vttbrLo: number, vttbrHi: number): boolean {
    const on = (hcr & HCR_VM) !== 0;
    const ptw = (hcr & HCR_PTW) !== 0;
    const changed =
      on !== this.on ||
      (on &&
        (ptw !== this.ptw ||
          this.vtcr !== (vtcr | 0) ||
          this.vttbrLo !== (vttbrLo | 0) ||
          this.vttbrHi !== (vttbrHi | 0)));
    this.on = on;
    this.ptw = ptw;
    this.vtcr = vtcr | 0;
    this.vttbrLo = vttbrLo | 0;
    this.vttbrHi = vttbrHi | 0;
    const inputSize = 32 - ((vtcr << 28) >> 28); // T0SZ: signed 4 bits
    const sl0 = (vtcr >>> 6) & 3;
    // B3.6.6: level 2 resolves 25..34 bits (up to 16 concatenated tables), level 1 31..40
    if (sl0 === 0 && inputSize <= 34) this.startLevel = 2;
    else if (sl0 === 1 && inputSize >= 31) this.startLevel = 1;
    else this.startLevel = 0;
    this.ipaLimit = 2 ** inputSize;
    // VTTBR.BADDR[39:x]: the first-level table(s) are aligned to their size
    const x = this.startLevel === 1 ? inputSize - 27 : inputSize - 18;
    const vttbr = (vttbrHi & 0xff) * 0x100000000 + (vttbrLo >>> 0);
    this.base = Math.floor(vttbr / 2 ** x) * 2 ** x;
    if (changed) this.flush();
    return changed;
  }

  /** Empty the IPA page cache. */
  flush(): void {
    this.tag.fill(-1);
  }

  /**
   * Translate `ipa` for an access of kind `acc` (0 read, 1 write, 2 execute). True with
   * pa/perm/memAttr/sh/level set, or false with fst set.
   */
  translate(ipa: number, acc: number): boolean {
    const ipn = Math.floor(ipa / 4096);
    const i = ipn & CACHE_MASK;
    if (this.tag[i] === ipn && (this.cPerm[i]! & (1 << acc)) !== 0) {
      this.pa = this.paPage[i]! * 4096 + (ipa % 4096);
      this.perm = this.cPerm[i]!;
      const info = this.cInfo[i]!;
      this.memAttr = info & 0xf;
      this.sh = (info >>> 4) & 3;
      this.level = info >>> 6;
      return true;
    }
    return this.walk(ipa, acc);
  }

  /**
   * Translate the IPA of a stage-1 translation table entry (a read). With HCR.PTW
   * (protected table walk, B4.1 HCR), a table in stage-2 Device memory (MemAttr[3:2] = 0)
   * is a stage-2 permission fault.
   */
  tableAccess(ipa: number): boolean {
    if (!this.translate(ipa, 0)) return false;
    if (this.ptw && (this.memAttr & 0xc) === 0) {
      this.fst = FST_PERMISSION | this.level;
      return false;
    }
    return true;
  }

  private fail(fst: number): false {
    this.fst = fst;
    return false;
  }

  private walk(ipa: number, acc: number): boolean {
    this.stats.walks++;
    if (this.startLevel === 0 || ipa >= this.ipaLimit) return this.fail(FST_TRANSLATION | 1);
    const bus = this.bus;
    let level = this.startLevel;
    let blockBits = level === 1 ? 30 : 21;
    let base = this.base;
    // concatenated first-level tables: every IPA bit above the block size indexes them
    let index = Math.floor(ipa / 2 ** blockBits);
    for (;;) {
      const addr = base + index * 8;
      const o = addr < 0x100000000 ? bus.ramOffset(addr) : -1;
      if (o < 0) return this.fail(FST_WALK_EXTERNAL | level);
      const lo = bus.u32[o >>> 2]!;
      const hi = bus.u32[(o >>> 2) + 1]!;
      // invalid, or the reserved level-3 encoding
      if (!(lo & 1) || (!(lo & 2) && level === 3)) return this.fail(FST_TRANSLATION | level);
      const oa = (hi & 0xff) * 0x100000000 + ((lo & 0xfffff000) >>> 0);
      if (lo & 2 && level < 3) {
        // table descriptor (stage 2 has no table attributes)
        base = oa;
        level++;
        blockBits -= 9;
        index = Math.floor(ipa / 2 ** blockBits) & 0x1ff;
        continue;
      }
      const size = 2 ** blockBits;
      this.pa = oa - (oa % size) + (ipa % size);
      this.level = level;
      if (!(lo & (1 << 10))) return this.fail(FST_ACCESS_FLAG | level);
      const s2ap = (lo >>> 6) & 3;
      const xn = (hi & (1 << 22)) !== 0;
      this.perm = (s2ap & 1 ? R : 0) | (s2ap & 2 ? W : 0) | (s2ap & 1 && !xn ? X : 0);
      this.memAttr = (lo >>> 2) & 0xf;
      this.sh = (lo >>> 8) & 3;
      const ipn = Math.floor(ipa / 4096);
      const i = ipn & CACHE_MASK;
      this.tag[i] = ipn;
      this.paPage[i] = Math.floor(this.pa / 4096);
      this.cPerm[i] = this.perm;
      this.cInfo[i] = this.memAttr | (this.sh << 4) | (level << 6);
      if (!(this.perm & (1 << acc))) return this.fail(FST_PERMISSION | level);
      return true;
    }
  }
}
