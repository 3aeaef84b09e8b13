// The stage-1 MMU (runtime/mmu.ts) in isolation: the soft TLB (hits do not walk,
// maintenance operations drop the right entries and the interpreter's translations),
// WXN/UWXN (not covered by the QEMU fixtures, whose identity map is writable), the
// TTBCR.N split and PD0, and the core's use of it (cpu.ld32/st32, LDRT flag, faults).
// The architectural behaviour is checked against QEMU by fixtures/src/diff_mmu_*.S.

import { describe, expect, it } from "vitest";
import { sysregByIndex, sysregIndex, sysregIndex64 } from "../../runtime/sysregs.js";
import { Cpu, GuestAbort, MF_UNPRIV } from "../../src/cpu/cpu.js";
import { Bus } from "../../src/mem/bus.js";

const RAM = 0x40000000;
const L1 = 0x40800000;

function mk() {
  const bus = new Bus(RAM, 16 << 20);
  const cpu = new Cpu(bus);
  let codeFlushes = 0;
  cpu.mmu.codeFlush = () => {
    codeFlushes++;
  };
  const mcr = (crn: number, opc1: number, crm: number, opc2: number, v: number) => {
    const d = sysregByIndex(sysregIndex(15, opc1, crn, crm, opc2))!;
    expect(cpu.sys.write(d, v, 1)).toBe(true);
  };
  const mcrr = (opc1: number, crm: number, lo: number, hi: number) => {
    const d = sysregByIndex(sysregIndex64(15, opc1, crm))!;
    expect(cpu.sys.write64(d, lo, hi, 1)).toBe(true);
  };
  return { bus, cpu, mcr, mcrr, flushes: () => codeFlushes };
}

function abortOf(f: () => unknown): GuestAbort {
  try {
    f();
  } catch (e) {
    if (e instanceof GuestAbort) return e;
    throw e;
  }
  throw new Error("no abort");
}

/** Short-descriptor setup: identity section for RAM's first MiB, then the MMU on. */
function short() {
  const t = mk();
  const { bus, mcr } = t;
  bus.write32(L1 + (0x400 << 2), 0x40000000 | (3 << 10) | 2); // identity section
  bus.write32(L1 + (0x500 << 2), 0x40100000 | (1 << 10) | 2); // 0x50000000 -> 0x40100000, PL1 RW
  bus.write32(L1 + (0x501 << 2), 0x40200000 | 1); // page table at 0x40200000
  bus.write32(0x40200000, 0x40300000 | (3 << 4) | 2); // 0x50100000 -> 0x40300000 (RW)
  bus.write32(0x40300000, 0x12345678);
  bus.write32(0x40100010, 0xcafef00d);
  mcr(3, 0, 0, 0, 0x55555555); // DACR: all client
  mcr(2, 0, 0, 0, L1); // TTBR0
  mcr(1, 0, 0, 0, t.cpu.sys.get("SCTLR") | 1); // SCTLR.M
  return t;
}

describe("short-descriptor MMU", () => {
  it("translates through the soft TLB without walking again", () => {
    const { cpu } = short();
    expect(cpu.mmuOn).toBe(true);
    expect(cpu.fastSize).toBe(0); // no identity fast path
    const w0 = cpu.mmu.stats.walks;
    expect(cpu.ld32(0x50000010, 0) >>> 0).toBe(0xcafef00d);
    expect(cpu.ld32(0x50000010, 0) >>> 0).toBe(0xcafef00d);
    cpu.st32(0x50000014, 7, 0);
    expect(cpu.ld32(0x50000014, 0)).toBe(7);
    expect(cpu.mmu.stats.walks - w0).toBe(1);
    expect(cpu.ld32(0x50100000, 0)).toBe(0x12345678);
  });

  it("checks LDRT/STRT and User mode with PL0 rights", () => {
    const { cpu } = short();
    const a = abortOf(() => cpu.ld32(0x50000000, MF_UNPRIV));
    expect(a.fsr).toBe(0x00d);
    expect(a.far >>> 0).toBe(0x50000000);
    cpu.setMode(0x10);
    expect(abortOf(() => cpu.st32(0x50000004, 1, 0)).write).toBe(true);
    expect(cpu.ld32(0x50100000, 0)).toBe(0x12345678); // RW page
  });

  it("TLBIMVA on an address inside a section drops the whole section", () => {
    const { cpu, mcr } = short();
    cpu.ld32(0x50000000, 0);
    cpu.ld32(0x50001000, 0);
    cpu.ld32(0x50100000, 0);
    const w0 = cpu.mmu.stats.walks;
    mcr(8, 0, 7, 1, 0x500ff000); // TLBIMVA, another page of the section
    cpu.ld32(0x50000000, 0);
    cpu.ld32(0x50001000, 0);
    cpu.ld32(0x50100000, 0); // other mapping: still cached
    expect(cpu.mmu.stats.walks - w0).toBe(2);
  });

  it("TLBIMVA with a full TLB: the section's pages and the small page go, the rest stays", () => {
    // The pages of three sections keep more entries listed than a section has pages, so
    // the flush visits the section's slots instead of the list. (The soft TLB is indexed by
    // VA page: the sections at 0x602/0x603 MiB use other slots than 0x500's.)
    const { bus, cpu, mcr } = short();
    bus.write32(L1 + (0x602 << 2), 0x40000000 | (3 << 10) | 2);
    bus.write32(L1 + (0x603 << 2), 0x40000000 | (3 << 10) | 2);
    const pages = (base: number, n: number) => Array.from({ length: n }, (_, k) => base + k * 0x1000);
    const ident = [...pages(0x60200000, 256), ...pages(0x60300000, 256)];
    const sect = pages(0x50000000, 256);
    const all = [...ident, ...sect, 0x50100000];
    for (const a of all) cpu.ld32(a, 0);
    const walksFor = (addrs: number[]) => {
      const w0 = cpu.mmu.stats.walks;
      for (const a of addrs) cpu.ld32(a, 0);
      return cpu.mmu.stats.walks - w0;
    };
    expect(walksFor(all)).toBe(0);
    mcr(8, 0, 7, 1, 0x500ab000); // TLBIMVA inside the 0x50000000 section
    expect(walksFor([...ident, 0x50100000])).toBe(0);
    expect(walksFor(sect)).toBe(256);
    mcr(8, 0, 7, 1, 0x50100abc); // TLBIMVA of the small page
    expect(walksFor([...ident, ...sect])).toBe(0);
    expect(walksFor([0x50100000])).toBe(1);
  });

  it("flushes the interpreter only when a code mapping is invalidated", () => {
    const t = short();
    const { cpu, mcr } = t;
    cpu.fetch32(0x40000000); // code in the identity section
    cpu.ld32(0x50100000, 0);
    const f0 = t.flushes();
    mcr(8, 0, 7, 1, 0x50100000); // data page
    expect(t.flushes()).toBe(f0);
    mcr(8, 0, 7, 3, 0x400ff000); // TLBIMVAA inside the code section
    expect(t.flushes()).toBe(f0 + 1);
    mcr(13, 0, 0, 1, 5); // CONTEXTIDR: ASID change
    expect(t.flushes()).toBe(f0 + 2);
    expect(cpu.mmu.asid).toBe(5);
    mcr(13, 0, 0, 1, 5); // same value: nothing changes
    expect(t.flushes()).toBe(f0 + 2);
  });

  it("DACR changes drop only the TLB entries and code of the domains that changed", () => {
    const t = short();
    const { bus, cpu, mcr } = t;
    bus.write32(L1 + (0x502 << 2), 0x40300000 | (1 << 5) | (3 << 10) | 2); // 0x50200000, domain 1
    cpu.fetch32(0x40000000); // PL1 code in domain 0
    cpu.ld32(0x50000000, 0);
    cpu.ld32(0x50200000, 0);
    let w0 = cpu.mmu.stats.walks;
    const f0 = t.flushes();
    mcr(3, 0, 0, 0, 0x55555551); // domain 1: no access
    expect(t.flushes()).toBe(f0); // no code in domain 1
    expect(abortOf(() => cpu.ld32(0x50200000, 0)).fsr).toBe(0x019);
    cpu.ld32(0x50000000, 0); // domain 0: still cached
    expect(cpu.mmu.stats.walks - w0).toBe(1);
    // PL0 code in domain 1: stale only while DACR differs from when it was translated
    mcr(3, 0, 0, 0, 0x55555555);
    cpu.setMode(0x10);
    cpu.fetch32(0x50200000);
    cpu.setMode(0x13);
    mcr(3, 0, 0, 0, 0x55555551);
    expect(cpu.mmu.pl0CodeStale).toBe(true);
    mcr(3, 0, 0, 0, 0x55555555);
    expect(cpu.mmu.pl0CodeStale).toBe(false);
    expect(t.flushes()).toBe(f0);
    cpu.ld32(0x50200000, 0); // refill the domain 1 entry
    mcr(3, 0, 0, 0, 0x55555557); // domain 0 (PL1 code) becomes manager
    expect(t.flushes()).toBe(f0 + 1);
    w0 = cpu.mmu.stats.walks;
    cpu.ld32(0x50200000, 0); // domain 1 entry kept
    expect(cpu.mmu.stats.walks - w0).toBe(0);
  });

  it("TLBIASID drops non-global entries of the current ASID only", () => {
    const { bus, cpu, mcr } = short();
    bus.write32(0x40200004, 0x40300000 | (1 << 11) | (3 << 4) | 2); // 0x50101000 nG
    cpu.ld32(0x50100000, 0);
    cpu.ld32(0x50101000, 0);
    let w0 = cpu.mmu.stats.walks;
    mcr(8, 0, 7, 2, 9); // other ASID: nothing of it is cached
    cpu.ld32(0x50101000, 0);
    expect(cpu.mmu.stats.walks - w0).toBe(0);
    mcr(8, 0, 7, 2, 0); // ASID 0 (current)
    w0 = cpu.mmu.stats.walks;
    cpu.ld32(0x50100000, 0); // global: kept
    cpu.ld32(0x50101000, 0);
    expect(cpu.mmu.stats.walks - w0).toBe(1);
  });

  it("splits TTBR0/TTBR1 by TTBCR.N and honours PD0", () => {
    const { bus, cpu, mcr } = short();
    const L1b = 0x40804000;
    bus.write32(L1b + (0x500 << 2), 0x40300000 | (3 << 10) | 2);
    mcr(2, 0, 0, 1, L1b); // TTBR1
    mcr(2, 0, 0, 2, 1); // N = 1: VA >= 0x80000000 use TTBR1
    expect(cpu.ld32(0x50000010, 0) >>> 0).toBe(0xcafef00d);
    mcr(2, 0, 0, 2, 2); // N = 2: VA >= 0x40000000 use TTBR1 (identity code unmapped there)
    expect(cpu.ld32(0x50000000, 0)).toBe(0x12345678);
    mcr(2, 0, 0, 2, 2 | 0x10); // PD0
    expect(abortOf(() => cpu.ld32(0x10000000, 0)).fsr).toBe(0x005);
  });

  it("reports supersections above 4 GiB in the 32-bit PAR and aborts accesses", () => {
    const { bus, cpu, mcr } = short();
    const d = 0x40000000 | (0x2 << 20) | (1 << 18) | (3 << 10) | 2; // PA 0x2_40000000
    for (let i = 0; i < 16; i++) bus.write32(L1 + ((0x600 + i) << 2), d);
    mcr(7, 0, 8, 0, 0x60abc123);
    expect(cpu.sys.get("PAR")).toBe(0x40000202);
    const a = abortOf(() => cpu.ld32(0x60abc120, 0));
    expect(a.fsr).toBe(0x008);
    expect(a.far >>> 0).toBe(0x60abc120);
  });
});

describe("long-descriptor MMU", () => {
  function lpae() {
    const t = mk();
    const { bus, mcr, mcrr } = t;
    const w64 = (a: number, lo: number, hi: number) => {
      bus.write32(a, lo);
      bus.write32(a + 4, hi);
    };
    w64(L1 + 8, 0x40801000 | 3, 0); // 0x40000000: table
    w64(0x40801000, 0x40000000 | (1 << 10) | (2 << 6) | 1, 0); // 0x40000000 2 MiB, PL1 RO
    w64(0x40801000 + 0x80 * 8, 0x40802000 | 3, 0); // 0x50000000: table
    w64(0x40802000, 0x40100000 | (1 << 10) | (1 << 6) | 3, 0); // 0x50000000: RW all
    w64(0x40802008, 0x40100000 | (1 << 10) | (0 << 6) | 3, 0); // 0x50001000: PL1 RW
    mcr(2, 0, 0, 2, 0x80000000); // TTBCR.EAE
    mcrr(0, 2, L1, 3 << 16); // TTBR0, ASID 3
    mcr(1, 0, 0, 0, t.cpu.sys.get("SCTLR") | 1);
    return t;
  }

  it("takes the ASID from TTBR0 and uses long-format status", () => {
    const { cpu } = lpae();
    expect(cpu.mmu.longFormat).toBe(true);
    expect(cpu.mmu.asid).toBe(3);
    expect(cpu.fetch32(0x40000000)).toBe(0);
    expect(abortOf(() => cpu.st32(0x40000000, 0, 0)).fsr).toBe(0x20e);
    expect(abortOf(() => cpu.ld32(0x50001000, MF_UNPRIV)).fsr).toBe(0x20f);
    expect(abortOf(() => cpu.ld32(0x60000000, 0)).fsr).toBe(0x206);
  });

  it("SCTLR.WXN makes writable memory execute-never", () => {
    const { cpu, mcr } = lpae();
    expect(cpu.fetch32(0x50000000)).toBe(0);
    mcr(1, 0, 0, 0, cpu.sys.get("SCTLR") | (1 << 19));
    const a = abortOf(() => cpu.fetch32(0x50000000));
    expect(a.kind).toBe(3); // prefetch abort
    expect(a.fsr).toBe(0x20f);
    expect(cpu.fetch32(0x40000000)).toBe(0); // read-only: still executable
  });

  it("SCTLR.UWXN makes PL0-writable memory PXN only", () => {
    const { cpu, mcr } = lpae();
    mcr(1, 0, 0, 0, cpu.sys.get("SCTLR") | (1 << 20));
    expect(abortOf(() => cpu.fetch32(0x50000000)).fsr).toBe(0x20f); // PL1
    expect(cpu.fetch32(0x50001000)).toBe(0); // PL1-only writable: fine
    cpu.setMode(0x10);
    expect(cpu.fetch32(0x50000000)).toBe(0); // PL0 may execute it
  });

  it("a TTBR0 switch with a TTBR1 region only drops the low code translations", () => {
    const t = lpae();
    const { cpu, mcr, mcrr } = t;
    const ranges: [number, number][] = [];
    cpu.mmu.codeFlushRange = (lo, hi) => ranges.push([lo, hi]);
    mcr(2, 0, 0, 2, 0x80020000); // EAE, T1SZ = 2: TTBR1 from 0xc0000000
    const f0 = t.flushes();
    mcrr(0, 2, L1, 4 << 16); // TTBR0, ASID 4
    expect(cpu.mmu.asid).toBe(4);
    expect(t.flushes()).toBe(f0);
    expect(ranges).toEqual([[0, 0xbfffffff]]);
    mcr(13, 0, 0, 1, 77); // CONTEXTIDR does not matter to the long format
    expect(t.flushes()).toBe(f0);
    expect(cpu.ld32(0x50000000, 0)).toBe(0); // the TLB was emptied and refills
  });

  it("turning the MMU off restores the identity fast path", () => {
    const { cpu, mcr } = lpae();
    mcr(1, 0, 0, 0, cpu.sys.get("SCTLR") & ~1);
    expect(cpu.mmuOn).toBe(false);
    expect(cpu.fastBase).toBe(RAM);
    expect(cpu.fastSize).toBeGreaterThan(0);
    cpu.st32(0x40100000, 0x55, 0);
    expect(cpu.ld32(0x40100000, 0)).toBe(0x55);
  });
});
