// The Hyp-mode (PL2) translation regime of runtime/mmu.ts on a bare Mmu: HTTBR/HTCR with
// the long-descriptor format only, AP[2] as the only permission bit (AP[1], APTable[0],
// PXN and nG ignored: PL2 has no PL0 and no ASIDs), XN/XNTable, HSCTLR.WXN, ATS1HR/HW
// (64-bit PAR) and TLBIALLH/TLBIMVAH. Expected values follow the ARM ARM rules (DDI 0406C
// B3.6 long-descriptor format with its PL2 restrictions, B4.1.113 PAR).

import { describe, expect, it } from "vitest";
import { ACC_R, ACC_W } from "../../runtime/mmu.js";
import { abortOf, FST, lfsr, machine, s1leaf, table } from "./tables.js";

const ROOT = 0x40010000;
const L2 = 0x40011000;
const L3 = 0x40012000; // VA 0x40200000.. -> PA 0x40400000..
const L3RO = 0x40013000; // under APTable[1] + XNTable: VA 0x40400000..
const L3AP0 = 0x40014000; // under APTable[0]: VA 0x40600000..
const HSCTLR_M = 1;
const HSCTLR_WXN = 1 << 19;
/** HMAIR0: AttrIndx 0 Normal WB, 1 Device. */
const HMAIR0 = 0x04ff;

function setup(htcr = 0) {
  const m = machine("hyp");
  const { put } = m;
  put(ROOT + 1 * 8, table(L2));
  put(L2 + 0 * 8, s1leaf(0x40000000, false, { ap: 0 }));
  put(L2 + 1 * 8, table(L3));
  put(L3 + 0 * 8, s1leaf(0x40400000, true, { ap: 0 })); // AP[2] = 0: read/write
  put(L3 + 1 * 8, s1leaf(0x40401000, true, { ap: 2 })); // AP[2] = 1: read-only
  put(L3 + 2 * 8, s1leaf(0x40402000, true, { ap: 1 })); // AP[1] = 1 (ignored): read/write
  put(L3 + 3 * 8, s1leaf(0x40403000, true, { ap: 0, xn: true }));
  put(L3 + 4 * 8, s1leaf(0x40404000, true, { ap: 0, pxn: true })); // PXN ignored
  put(L3 + 5 * 8, s1leaf(0x40405000, true, { ap: 0, ng: true })); // nG ignored
  put(L3 + 6 * 8, s1leaf(0x40406000, true, { ap: 0, af: false }));
  put(L3 + 7 * 8, s1leaf(0x40407000, true, { ap: 0, attrIdx: 1, sh: 0 }));
  put(L2 + 2 * 8, table(L3RO, { apTable: 0b10, xnTable: true }));
  put(L3RO, s1leaf(0x40500000, true, { ap: 0 }));
  put(L2 + 3 * 8, table(L3AP0, { apTable: 0b01 }));
  put(L3AP0, s1leaf(0x40600000, true, { ap: 0 }));
  const sync = (hsctlr: number, tcr = htcr) =>
    m.mmu.sync({
      sctlr: hsctlr,
      ttbcr: tcr,
      ttbr0: [ROOT, 0],
      ttbr1: [0, 0],
      dacr: 0,
      contextidr: 0,
      mair0: HMAIR0,
      mair1: 0,
    });
  sync(HSCTLR_M);
  return { ...m, sync };
}

describe("Hyp regime", () => {
  it("uses the long format from HTTBR whatever HTCR.EAE says, without an ASID", () => {
    // HTCR has no T1SZ/A1/EPD: bits [22:16] set here mean nothing
    const { mmu, state, put } = setup((1 << 22) | (7 << 16));
    expect(state.enabled).toBe(true);
    expect(mmu.longFormat).toBe(true);
    expect(mmu.asid).toBe(0);
    expect(mmu.translate(0x40200abc, ACC_W, false)).toBe(0x40400abc);
    expect(abortOf(() => mmu.translate(0xc0000000, ACC_R, false)).fsr).toBe(lfsr(FST.translation, 1));
    put(ROOT + 3 * 8, s1leaf(0x40000000, false, { ap: 0 })); // 1 GiB block at VA 0xc0000000
    expect(mmu.translate(0xfe001000, ACC_R, false)).toBe(0x7e001000);
  });

  it("faults VAs beyond HTCR.T0SZ at level 1 (no TTBR1 region)", () => {
    const { mmu } = setup(1); // 31-bit VAs: the root has 2 entries
    expect(mmu.translate(0x40200000, ACC_R, false)).toBe(0x40400000);
    const a = abortOf(() => mmu.translate(0x80000000, ACC_R, false));
    expect(a.fsr).toBe(lfsr(FST.translation, 1));
    expect(a.s2).toBeUndefined();
  });

  it("AP[2] alone decides read-only; AP[1] and APTable[0] are ignored; APTable[1] applies", () => {
    const { mmu } = setup();
    expect(mmu.translate(0x40201000, ACC_R, false)).toBe(0x40401000);
    const w = abortOf(() => mmu.translate(0x40201000, ACC_W, false));
    expect([w.fsr, w.write]).toEqual([lfsr(FST.permission, 3), true]);
    expect(mmu.translate(0x40202000, ACC_W, false)).toBe(0x40402000);
    expect(mmu.translate(0x40600000, ACC_W, false)).toBe(0x40600000);
    expect(mmu.translate(0x40400000, ACC_R, false)).toBe(0x40500000);
    expect(abortOf(() => mmu.translate(0x40400000, ACC_W, false)).fsr).toBe(lfsr(FST.permission, 3));
  });

  it("XN and XNTable forbid execution, PXN does not exist, AF faults", () => {
    const { mmu } = setup();
    expect(mmu.translateFetch(0x40200000, false)).toBe(0x40400000);
    const x = abortOf(() => mmu.translateFetch(0x40203000, false));
    expect([x.prefetch, x.fsr]).toEqual([true, lfsr(FST.permission, 3)]);
    expect(mmu.translateFetch(0x40204000, false)).toBe(0x40404000);
    expect(abortOf(() => mmu.translateFetch(0x40400000, false)).prefetch).toBe(true);
    expect(mmu.translate(0x40205000, ACC_R, false)).toBe(0x40405000); // nG
    expect(abortOf(() => mmu.translate(0x40206000, ACC_R, false)).fsr).toBe(lfsr(FST.accessFlag, 3));
  });

  it("HSCTLR.WXN makes writable memory execute-never", () => {
    const { mmu, sync } = setup();
    sync(HSCTLR_M | HSCTLR_WXN);
    expect(abortOf(() => mmu.translateFetch(0x40200000, false)).fsr).toBe(lfsr(FST.permission, 3));
    expect(mmu.translateFetch(0x40201000, false)).toBe(0x40401000); // read-only
  });

  it("HSCTLR.M = 0: flat, MMU off", () => {
    const { mmu, sync, state } = setup();
    sync(0);
    expect(state.enabled).toBe(false);
    expect(mmu.addressTranslate(0x12345678, 0)).toEqual([0x12345000 | (1 << 11) | (1 << 9), 0]);
  });

  it("ATS1HR/ATS1HW return the 64-bit PAR", () => {
    const { mmu } = setup();
    // PA, LPAE, NS, SH = 3; ATTR = HMAIR0 byte 0
    expect(mmu.addressTranslate(0x40200123, 0)).toEqual([
      0x40400000 | (1 << 11) | (1 << 9) | (3 << 7),
      0xff000000,
    ]);
    expect(mmu.addressTranslate(0x40207000, 1)).toEqual([0x40407000 | (1 << 11) | (1 << 9), 0x04 << 24]);
    // ATS1HW on read-only: F, FST = permission level 3, LPAE (a stage-1 fault)
    expect(mmu.addressTranslate(0x40201000, 1)).toEqual([1 | (0x0f << 1) | (1 << 11), 0]);
    expect(mmu.addressTranslate(0x40201000, 0)[0] & 1).toBe(0);
  });

  it("TLBIALLH drops everything, TLBIMVAH the VA's entries (all global)", () => {
    const { mmu, put } = setup();
    mmu.translate(0x40200000, ACC_R, false);
    mmu.translate(0x40205000, ACC_R, false); // nG: global in Hyp anyway
    put(L3 + 0 * 8, s1leaf(0x40700000, true, { ap: 0 }));
    put(L3 + 5 * 8, s1leaf(0x40705000, true, { ap: 0 }));
    expect(mmu.translate(0x40200000, ACC_R, false)).toBe(0x40400000); // cached
    mmu.tlbOp(7, 2, 0); // an ASID operation (not a Hyp one) would not touch global entries
    expect(mmu.translate(0x40205000, ACC_R, false)).toBe(0x40405000);
    mmu.tlbOp(7, 1, 0x40205abc); // TLBIMVAH
    expect(mmu.translate(0x40205000, ACC_R, false)).toBe(0x40705000);
    expect(mmu.translate(0x40200000, ACC_R, false)).toBe(0x40400000);
    mmu.tlbOp(7, 0, 0); // TLBIALLH
    expect(mmu.translate(0x40200000, ACC_R, false)).toBe(0x40700000);
  });
});
