// Stage 2 of the PL1&0 regime (runtime/mmu.ts + runtime/stage2.ts) on a bare Mmu: page
// tables built in RAM with the architectural encodings (tables.ts), expected results
// derived from the ARM ARM rules (DDI 0406C B3.6 long-descriptor format, stage-2 S2AP /
// XN / AF / MemAttr, HCR.VM/PTW, VTCR.T0SZ/SL0, the 64-bit PAR of B4.1.113).

import { describe, expect, it } from "vitest";
import { ACC_R, ACC_W, ACC_X } from "../../runtime/mmu.js";
import { abortOf, FST, lfsr, machine, s1leaf, s2leaf, table } from "./tables.js";

// ---- stage 2: 40-bit IPA (VTCR.T0SZ = -8, SL0 = 1: two concatenated level-1 tables) ----
const S2ROOT = 0x40f00000; // 8 KiB aligned: IPA[39:30] indexes 1024 entries
const S2L2 = 0x40f02000; // IPA 0x40000000..0x7fffffff
const S2L3 = 0x40f03000; // IPA 0x40200000..0x403fffff
const S2L2HI = 0x40f04000; // IPA 0x80_4000_0000..
const VTCR_40BIT = 0x18 | (1 << 6); // T0SZ = 0b1000 (-8) with its sign in bit 4, SL0 = 1
const IPA_HI = 0x80_4000_0000;

// ---- stage 1 (long format, T0SZ = 0), its tables at IPAs the stage-2 block maps flat ----
const S1L1 = 0x40010000;
const S1L2 = 0x40011000;
const S1L3 = 0x40012000; // VA 0x50000000..
const S1L3HI = 0x40013000; // VA 0x60000000..

const HCR_VM = 1;
const HCR_PTW = 1 << 2;
const SCTLR_M = 1;
const EAE = 0x80000000;
/** MAIR0: AttrIndx 0 Normal WB (0xff), 1 Device (0x04), 2 Normal NC (0x44). */
const MAIR0 = 0x0044_04ff;

function setup() {
  const m = machine();
  const { put } = m;
  // stage 2
  put(S2ROOT + 1 * 8, table(S2L2));
  put(S2L2 + 0 * 8, s2leaf(0x40000000, false)); // 2 MiB flat: the stage-1 tables
  put(S2L2 + 1 * 8, table(S2L3));
  put(S2L3 + 0 * 8, s2leaf(0x40400000, true)); // RW
  put(S2L3 + 1 * 8, s2leaf(0x40401000, true, { s2ap: 1 })); // read-only
  put(S2L3 + 2 * 8, s2leaf(0x40402000, true, { s2ap: 2 })); // write-only
  put(S2L3 + 3 * 8, s2leaf(0x40403000, true, { s2ap: 0 })); // no access
  put(S2L3 + 4 * 8, s2leaf(0x40404000, true, { xn: true }));
  put(S2L3 + 5 * 8, s2leaf(0x40405000, true, { af: false }));
  // 6: invalid
  put(S2L3 + 7 * 8, s2leaf(0x40407000, true, { memAttr: 0b0001, sh: 0 })); // Device
  put(S2ROOT + (IPA_HI / 2 ** 30) * 8, table(S2L2HI)); // entry 513: the second root page
  put(S2L2HI, s2leaf(0x40600000, false)); // IPA 0x80_4000_0000 -> PA 0x40600000 (2 MiB)
  // stage 1
  put(S1L1 + 1 * 8, table(S1L2));
  put(S1L2 + 0 * 8, s1leaf(0x40000000, false, { ap: 0 })); // VA = IPA, PL1 RW
  put(S1L2 + 0x80 * 8, table(S1L3));
  for (let k = 0; k < 8; k++) put(S1L3 + k * 8, s1leaf(0x40200000 + k * 0x1000, true)); // RW all
  put(S1L3 + 8 * 8, s1leaf(0x40201000, true, { ap: 2 })); // PL1 read-only over S2 read-only
  put(S1L3 + 9 * 8, s1leaf(0x40203000, true, { ap: 3 })); // read-only over S2 no access
  put(S1L2 + 0x100 * 8, table(S1L3HI));
  put(S1L3HI + 0 * 8, s1leaf(IPA_HI, true));
  put(S1L3HI + 1 * 8, s1leaf(IPA_HI + 0x200000, true)); // S2L2HI[1] is invalid
  put(S1L2 + 0x180 * 8, table(0x80000000)); // a table at an IPA stage 2 does not map (level 1)
  put(S1L2 + 0x181 * 8, table(0x40206000)); // ... at the invalid stage-2 page (level 3)
  put(S1L2 + 0x182 * 8, table(0x40207000)); // ... in stage-2 Device memory
  put(0x40407000, s1leaf(0x40200000, true)); // its entry 0 (at the PA)
  const s1 = (sctlr: number) =>
    m.mmu.sync({
      sctlr,
      ttbcr: EAE,
      ttbr0: [S1L1, 0],
      ttbr1: [0, 0],
      dacr: 0,
      contextidr: 0,
      mair0: MAIR0,
      mair1: 0,
    });
  const s2 = (hcr: number, vmid = 1, vtcr = VTCR_40BIT, root = S2ROOT) =>
    m.mmu.syncStage2({ hcr, vtcr, vttbr: [root, vmid << 16] });
  s1(0);
  return { ...m, s1, s2 };
}

describe("stage 2 only (SCTLR.M = 0: the IPA is the VA)", () => {
  it("turns the MMU on and maps IPAs through stage 2", () => {
    const { mmu, state, s2, bus } = setup();
    expect(state.enabled).toBe(false);
    s2(HCR_VM);
    expect(state.enabled).toBe(true);
    expect(mmu.enabled).toBe(true);
    expect(mmu.vmid).toBe(1);
    bus.write32(0x40400010, 0x1234);
    expect(mmu.translate(0x40200010, ACC_R, false)).toBe(0x40400010);
    expect(mmu.translate(0x40200010, ACC_W, true)).toBe(0x40400010);
    expect(mmu.translate(0x40000123, ACC_X, false)).toBe(0x40000123);
    s2(0);
    expect(state.enabled).toBe(false);
  });

  it("reports stage-2 translation faults at each level with the IPA", () => {
    const { mmu, s2 } = setup();
    s2(HCR_VM);
    const cases: [number, number][] = [
      [0x80000010, 1], // root entry 2: invalid
      [0x40400010, 2], // S2L2[2]: invalid
      [0x40206010, 3], // S2L3[6]: invalid
    ];
    for (const [ipa, level] of cases) {
      const a = abortOf(() => mmu.translate(ipa, ACC_R, false));
      expect(a.fsr).toBe(lfsr(FST.translation, level));
      expect(a.s2).toEqual({ ipa, s1ptw: false });
      expect(a.va).toBe(ipa);
      expect(a.prefetch).toBe(false);
      expect(a.write).toBe(false);
    }
  });

  it("applies S2AP (none / read-only / write-only), XN and AF", () => {
    const { mmu, s2 } = setup();
    s2(HCR_VM);
    const perm3 = lfsr(FST.permission, 3);
    // read-only: reads (at PL0 and PL1), no writes
    expect(mmu.translate(0x40201000, ACC_R, true)).toBe(0x40401000);
    const w = abortOf(() => mmu.translate(0x40201004, ACC_W, false));
    expect([w.fsr, w.write, w.s2?.ipa]).toEqual([perm3, true, 0x40201004]);
    // write-only: writes, no reads, no execution (execution also needs read permission)
    expect(mmu.translate(0x40202000, ACC_W, false)).toBe(0x40402000);
    expect(abortOf(() => mmu.translate(0x40202000, ACC_R, false)).fsr).toBe(perm3);
    expect(abortOf(() => mmu.translateFetch(0x40202000, false)).prefetch).toBe(true);
    // no access
    expect(abortOf(() => mmu.translate(0x40203000, ACC_R, true)).fsr).toBe(perm3);
    // XN: data accesses are fine, instruction fetches take a prefetch abort
    expect(mmu.translate(0x40204000, ACC_W, false)).toBe(0x40404000);
    const x = abortOf(() => mmu.translateFetch(0x40204008, false));
    expect([x.prefetch, x.fsr, x.s2?.ipa]).toEqual([true, perm3, 0x40204008]);
    // AF = 0: access flag fault
    expect(abortOf(() => mmu.translate(0x40205000, ACC_R, false)).fsr).toBe(lfsr(FST.accessFlag, 3));
  });

  it("keeps physical addresses at or above 4 GiB off the bus (external abort)", () => {
    const { mmu, s2, put } = setup();
    put(S2L3 + 6 * 8, s2leaf(0x1_4000_0000, true));
    s2(HCR_VM);
    const a = abortOf(() => mmu.translate(0x40206000, ACC_R, false));
    expect(a.s2).toBeUndefined();
    expect(a.fsr).toBe(0x210); // synchronous external abort, in the format of TTBCR.EAE = 1
  });

  it("faults IPAs beyond VTCR.T0SZ and misprogrammed start levels at level 1", () => {
    const { mmu, s1, s2, put } = setup();
    // T0SZ = 0 (32-bit IPAs), SL0 = 1: the root holds 4 entries, aligned to 32 bytes
    const root32 = 0x40f05000;
    put(root32 + 1 * 8, table(S2L2));
    s2(HCR_VM, 1, 1 << 6, root32);
    s1(SCTLR_M);
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40400000);
    const hi = abortOf(() => mmu.translate(0x60000000, ACC_R, false));
    expect(hi.fsr).toBe(lfsr(FST.translation, 1));
    expect(hi.s2).toEqual({ ipa: IPA_HI, s1ptw: false });
    s1(0);
    // SL0 = 0 cannot resolve 40 bits from level 2
    s2(HCR_VM, 1, 0x18, S2ROOT);
    const a = abortOf(() => mmu.translate(0x40200000, ACC_R, false));
    expect(a.fsr).toBe(lfsr(FST.translation, 1));
  });

  it("starts at level 2 with concatenated tables when SL0 = 0", () => {
    const { mmu, s2, put } = setup();
    // T0SZ = 0, SL0 = 0: IPA[31:21] indexes 2048 entries (four 4 KiB tables, 16 KiB aligned)
    const root = 0x40f08000;
    put(root + (0xc0200000 / 2 ** 21) * 8, s2leaf(0x40600000, false)); // in the 4th page
    put(root + (0x40200000 / 2 ** 21) * 8, table(S2L3));
    s2(HCR_VM, 1, 0, root);
    expect(mmu.translate(0xc0212345, ACC_R, false)).toBe(0x40612345);
    expect(mmu.translate(0x40201000, ACC_R, false)).toBe(0x40401000);
    const a = abortOf(() => mmu.translate(0xc0400000, ACC_R, false));
    expect(a.fsr).toBe(lfsr(FST.translation, 2));
  });
});

describe("stage 1 + stage 2", () => {
  it("translates VA -> IPA -> PA, with the stage-1 tables themselves at IPAs", () => {
    const { mmu, s1, s2, put } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    expect(mmu.translate(0x50000abc, ACC_W, true)).toBe(0x40400abc);
    expect(mmu.translate(0x40000abc, ACC_R, false)).toBe(0x40000abc);
    // moving the stage-1 L3 table's page in stage 2 moves where the walk reads it
    put(0x40700000 + 0 * 8, s1leaf(0x40202000, true));
    put(S2L2 + 0 * 8, table(0x40f06000));
    for (let k = 0; k < 512; k++) put(0x40f06000 + k * 8, s2leaf(0x40000000 + k * 0x1000, true));
    put(0x40f06000 + ((S1L3 % 0x200000) >>> 12) * 8, s2leaf(0x40700000, true));
    mmu.tlbOp(7, 0, 0); // TLBIALLNSNH
    expect(mmu.translate(0x50000abc, ACC_W, false)).toBe(0x40402abc);
  });

  it("carries 40-bit IPAs from stage 1 into stage 2", () => {
    const { mmu, s1, s2 } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    expect(mmu.translate(0x60000123, ACC_R, false)).toBe(0x40600123);
    const a = abortOf(() => mmu.translate(0x60001008, ACC_R, false));
    expect(a.fsr).toBe(lfsr(FST.translation, 2));
    expect(a.s2).toEqual({ ipa: IPA_HI + 0x200008, s1ptw: false });
    expect(a.va).toBe(0x60001008);
  });

  it("intersects the rights of both stages, stage-1 faults first", () => {
    const { mmu, s1, s2 } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    // stage 1 RW at PL0 and PL1, stage 2 read-only
    expect(mmu.translate(0x50001000, ACC_R, true)).toBe(0x40401000);
    const w = abortOf(() => mmu.translate(0x50001000, ACC_W, true));
    expect([w.fsr, w.s2?.ipa, w.s2?.s1ptw]).toEqual([lfsr(FST.permission, 3), 0x40201000, false]);
    // stage 1 PL1 read-only over stage 2 read-only: a PL0 read is a stage-1 fault
    const u = abortOf(() => mmu.translate(0x50008000, ACC_R, true));
    expect([u.fsr, u.s2]).toEqual([lfsr(FST.permission, 3), undefined]);
    // stage 1 read-only over stage 2 no access: a write is a stage-1 fault, a read stage 2
    expect(abortOf(() => mmu.translate(0x50009000, ACC_W, false)).s2).toBeUndefined();
    expect(abortOf(() => mmu.translate(0x50009000, ACC_R, false)).s2?.ipa).toBe(0x40203000);
    // stage-2 XN under an executable stage-1 page
    const x = abortOf(() => mmu.translateFetch(0x50004000, true));
    expect([x.prefetch, x.fsr, x.s2?.ipa]).toEqual([true, lfsr(FST.permission, 3), 0x40204000]);
  });

  it("a cached read right does not allow a write stage 2 forbids", () => {
    const { mmu, s1, s2 } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    mmu.translate(0x50001000, ACC_R, false);
    expect(mmu.hostOffset(0x50001000, ACC_R, false)).toBeGreaterThanOrEqual(0);
    expect(mmu.hostOffset(0x50001000, ACC_W, false)).toBe(-1);
    expect(abortOf(() => mmu.translate(0x50001000, ACC_W, false)).s2).toBeDefined();
  });

  it("reports stage-2 faults on stage-1 table accesses with S1PTW and the table entry's IPA", () => {
    const { mmu, s1, s2 } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    // level-3 table at IPA 0x80000000: stage-2 level-1 translation fault on entry 3
    const a = abortOf(() => mmu.translate(0x70003000, ACC_W, false));
    expect(a.fsr).toBe(lfsr(FST.translation, 1));
    expect(a.s2).toEqual({ ipa: 0x80000018, s1ptw: true });
    expect(a.va).toBe(0x70003000);
    // level-3 table at an invalid stage-2 page; an instruction fetch: prefetch abort
    const b = abortOf(() => mmu.translateFetch(0x70205000, false));
    expect(b.prefetch).toBe(true);
    expect(b.fsr).toBe(lfsr(FST.translation, 3));
    expect(b.s2).toEqual({ ipa: 0x40206000 + 5 * 8, s1ptw: true });
  });

  it("fetches short-format stage-1 descriptors through stage 2 too", () => {
    const { mmu, s2, bus } = setup();
    const L1 = 0x40020000; // 16 KiB short-descriptor table at an IPA mapped flat
    bus.write32(L1 + (0x500 << 2), 0x40200000 | (3 << 10) | 2); // section VA 0x50000000 -> IPA 0x40200000
    bus.write32(L1 + (0x600 << 2), 0x40206000 | 1); // page table at an invalid stage-2 page
    mmu.sync({
      sctlr: SCTLR_M,
      ttbcr: 0,
      ttbr0: [L1, 0],
      ttbr1: [0, 0],
      dacr: 1,
      contextidr: 0,
      mair0: 0,
      mair1: 0,
    });
    s2(HCR_VM);
    expect(mmu.translate(0x50000010, ACC_R, false)).toBe(0x40400010);
    const a = abortOf(() => mmu.translate(0x60000000, ACC_R, false));
    expect(a.fsr).toBe(lfsr(FST.translation, 3)); // long format whatever stage 1 uses
    expect(a.s2).toEqual({ ipa: 0x40206000, s1ptw: true });
    // a stage-1 fault keeps the short format
    expect(abortOf(() => mmu.translate(0x70000000, ACC_R, false)).fsr).toBe(0x005);
  });

  it("HCR.PTW faults stage-1 tables in stage-2 Device memory", () => {
    const { mmu, s1, s2 } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    expect(mmu.translate(0x70400010, ACC_R, false)).toBe(0x40400010);
    s2(HCR_VM | HCR_PTW);
    const a = abortOf(() => mmu.translate(0x70400010, ACC_R, false));
    expect(a.fsr).toBe(lfsr(FST.permission, 3));
    expect(a.s2).toEqual({ ipa: 0x40207000, s1ptw: true });
    // the data in Device memory is not a table access: no fault
    expect(mmu.translate(0x50007000, ACC_R, false)).toBe(0x40407000);
  });
});

describe("soft TLB under stage 2", () => {
  it("drops everything when the VMID or HCR.VM/PTW change, not on a table rewrite", () => {
    const { mmu, s1, s2, put, state } = setup();
    s2(HCR_VM, 1);
    s1(SCTLR_M);
    mmu.translate(0x50000000, ACC_R, false);
    const walks = () => mmu.stats.walks;
    let w0 = walks();
    mmu.translate(0x50000000, ACC_R, false);
    expect(walks()).toBe(w0); // hit
    // stage 2 changes without maintenance: the cached translation stays
    put(S2L3, s2leaf(0x40500000, true));
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40400000);
    const f0 = state.codeFlushes;
    s2(HCR_VM, 1); // same registers
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40400000);
    expect(state.codeFlushes).toBe(f0);
    s2(HCR_VM, 2); // another VMID
    expect(state.codeFlushes).toBe(f0 + 1);
    w0 = walks();
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40500000);
    expect(walks()).toBe(w0 + 1);
    put(S2L3, s2leaf(0x40400000, true));
    s2(HCR_VM | HCR_PTW, 2); // HCR.PTW
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40400000);
    // stage 2 off: the IPA is the PA
    s2(0, 2);
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40200000);
  });

  it("TLBIALL (= TLBIALLNSNH) drops the combined and the stage-2 translations", () => {
    const { mmu, s1, s2, put } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40400000);
    put(S2L3, s2leaf(0x40500000, true));
    mmu.tlbOp(7, 1, 0x50000000); // TLBIMVA: the combined entry only
    mmu.tlbOp(7, 0, 0);
    expect(mmu.translate(0x50000000, ACC_R, false)).toBe(0x40500000);
  });
});

describe("address translation operations under stage 2", () => {
  /** 64-bit PAR on success: PA[39:12], LPAE (11), NS (9), SH [8:7]; ATTR in [63:56]. */
  const parOk = (pa: number, sh: number, attr: number): [number, number] => [
    (((pa % 2 ** 32) & 0xfffff000) | (1 << 11) | (1 << 9) | (sh << 7)) >>> 0,
    (Math.floor(pa / 2 ** 32) | (attr << 24)) >>> 0,
  ];
  /** 64-bit PAR on a fault: F, FST [6:1], S2WLK (8), FSTAGE (9), LPAE (11). */
  const parFault = (fst: number, stage2: boolean, s2wlk: boolean): [number, number] => [
    1 | (fst << 1) | (s2wlk ? 1 << 8 : 0) | (stage2 ? 1 << 9 : 0) | (1 << 11),
    0,
  ];

  it("ATS12NSO* return the PA with both stages' attributes combined", () => {
    const { mmu, s1, s2, put } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    // Normal WB inner shareable at both stages
    expect(mmu.addressTranslateS12(0x50000abc, 0)).toEqual(parOk(0x40400000, 3, 0xff));
    // stage 2 Device: Device (nGnRE), outer shareable
    expect(mmu.addressTranslateS12(0x50007000, 0)).toEqual(parOk(0x40407000, 2, 0x04));
    // stage 2 Normal Write-Through: the weaker cacheability, stage-1 allocation hints
    put(S2L3 + 6 * 8, s2leaf(0x40406000, true, { memAttr: 0b1010 }));
    expect(mmu.addressTranslateS12(0x50006000, 0)).toEqual(parOk(0x40406000, 3, 0xbb));
    // stage 2 Normal Non-cacheable: Normal NC, outer shareable
    put(S2L3 + 6 * 8, s2leaf(0x40406000, true, { memAttr: 0b0101 }));
    mmu.tlbOp(7, 0, 0);
    expect(mmu.addressTranslateS12(0x50006000, 0)).toEqual(parOk(0x40406000, 2, 0x44));
    // stage 1 Device (AttrIndx 1) over stage 2 Normal
    put(S1L3 + 0 * 8, s1leaf(0x40200000, true, { attrIdx: 1 }));
    mmu.tlbOp(7, 0, 0);
    expect(mmu.addressTranslateS12(0x50000000, 3)).toEqual(parOk(0x40400000, 2, 0x04));
    // the 40-bit IPA: the PA below 4 GiB
    expect(mmu.addressTranslateS12(0x60000000, 2)).toEqual(parOk(0x40600000, 3, 0xff));
  });

  it("ATS12NSO* report stage-1 and stage-2 faults in the PAR", () => {
    const { mmu, s1, s2 } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    // ATS12NSOPW on stage-2 read-only
    expect(mmu.addressTranslateS12(0x50001000, 1)).toEqual(parFault(0x0f, true, false));
    // ATS12NSOUR on stage-1 PL1-only: a stage-1 fault
    expect(mmu.addressTranslateS12(0x50008000, 2)).toEqual(parFault(0x0f, false, false));
    // on a stage-1 table access: S2WLK
    expect(mmu.addressTranslateS12(0x70003000, 0)).toEqual(parFault(0x05, true, true));
    // stage 2 translation fault of the output, level 2, on a 40-bit IPA
    expect(mmu.addressTranslateS12(0x60001000, 0)).toEqual(parFault(0x06, true, false));
  });

  it("ATS12NSO* with stage 2 off are stage-1 operations in the stage-1 format", () => {
    const { mmu, s1 } = setup();
    s1(SCTLR_M);
    expect(mmu.addressTranslateS12(0x50000abc, 0)).toEqual(parOk(0x40200000, 3, 0xff));
    mmu.sync({
      sctlr: 0,
      ttbcr: 0,
      ttbr0: [0, 0],
      ttbr1: [0, 0],
      dacr: 0,
      contextidr: 0,
      mair0: 0,
      mair1: 0,
    });
    // short format, MMU off: the VA, NS
    expect(mmu.addressTranslateS12(0x50000abc, 0)).toEqual([0x50000000 | (1 << 9), 0]);
  });

  it("ATS1C* return the IPA; stage-2 faults on table walks abort from PL1, fill the PAR from Hyp", () => {
    const { mmu, s1, s2 } = setup();
    s2(HCR_VM);
    s1(SCTLR_M);
    expect(mmu.addressTranslate(0x60000123, 0)).toEqual(parOk(IPA_HI, 3, 0xff));
    // a stage-2 fault of the output IPA is not looked for
    expect(mmu.addressTranslate(0x60001000, 0)).toEqual(parOk(IPA_HI + 0x200000, 3, 0xff));
    const a = abortOf(() => mmu.addressTranslate(0x70003000, 0));
    expect(a.prefetch).toBe(false);
    expect(a.fsr).toBe(lfsr(FST.translation, 1));
    expect(a.write).toBe(true); // cache maintenance / translation operation: WnR = 1
    expect(a.s2).toEqual({ ipa: 0x80000018, s1ptw: true, cm: true });
    expect(mmu.addressTranslate(0x70003000, 0, true)).toEqual(parFault(0x05, true, true));
  });

  it("ATS1C* from Hyp mode use the 64-bit PAR, with a short-format stage 1 too", () => {
    const { mmu, bus } = setup();
    const L1 = 0x40020000;
    bus.write32(L1 + (0x500 << 2), 0x40200000 | (3 << 10) | 2);
    mmu.sync({
      sctlr: SCTLR_M,
      ttbcr: 0,
      ttbr0: [L1, 0],
      ttbr1: [0, 0],
      dacr: 1,
      contextidr: 0,
      mair0: 0,
      mair1: 0,
    });
    expect(mmu.addressTranslate(0x50000010, 0)).toEqual([0x40200000 | (1 << 9), 0]); // from PL1
    const [lo, hi] = mmu.addressTranslate(0x50000010, 0, true);
    expect([lo & 0xfffff000, (lo >>> 11) & 1, (lo >>> 9) & 1, hi & 0xff]).toEqual([0x40200000, 1, 1, 0]);
    // a section translation fault: long-format FST (level 1)
    expect(mmu.addressTranslate(0x60000000, 0, true)).toEqual(parFault(0x05, false, false));
    // a domain fault (domain 0 no access): FST 0b1111 level
    mmu.sync({
      sctlr: SCTLR_M,
      ttbcr: 0,
      ttbr0: [L1, 0],
      ttbr1: [0, 0],
      dacr: 0,
      contextidr: 0,
      mair0: 0,
      mair1: 0,
    });
    expect(mmu.addressTranslate(0x50000010, 0, true)).toEqual(parFault(0x3d, false, false));
  });
});
