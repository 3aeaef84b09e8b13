// Helpers of the MMU tests: a bare Mmu on a Bus with a host that records aborts, and
// long-descriptor encoders written from the ARM ARM (DDI 0406C B3.6), so that
// the tests state the architecture's encodings independently of runtime/mmu.ts.

import { Mmu, type MmuHost, type Stage2Fault } from "../../runtime/mmu.js";
import { Bus } from "../../src/mem/bus.js";

export const RAM = 0x40000000;

/** An abort the MMU raised through its host. */
export class Abort {
  constructor(
    readonly prefetch: boolean,
    readonly fsr: number,
    readonly va: number,
    readonly write: boolean,
    readonly s2: Stage2Fault | undefined,
  ) {}
}

export function abortOf(f: () => unknown): Abort {
  try {
    f();
  } catch (e) {
    if (e instanceof Abort) return e;
    throw e;
  }
  throw new Error("no abort");
}

export function machine(regime: "pl10" | "hyp" = "pl10") {
  const bus = new Bus(RAM, 16 << 20);
  const state = { enabled: false, codeFlushes: 0 };
  const host: MmuHost = {
    bus,
    abort: (prefetch, fsr, va, write, s2) => {
      throw new Abort(prefetch, fsr, va >>> 0, write, s2);
    },
    mmuEnabled: (on) => {
      state.enabled = on;
    },
  };
  const mmu = new Mmu(host, regime);
  mmu.codeFlush = () => {
    state.codeFlushes++;
  };
  /** Store a 64-bit descriptor [low, high] at physical address `pa`. */
  const put = (pa: number, d: [number, number]) => {
    bus.write32(pa, d[0]);
    bus.write32(pa + 4, d[1]);
  };
  return { bus, mmu, state, put };
}

const lo32 = (a: number) => (a % 2 ** 32) & 0xfffff000;
const hi8 = (a: number) => Math.floor(a / 2 ** 32) & 0xff;

/** Table descriptor (bits[1:0] = 11) with the next-level table address and table attributes. */
export function table(addr: number, attrs: { apTable?: number; xnTable?: boolean } = {}): [number, number] {
  return [lo32(addr) | 3, hi8(addr) | ((attrs.apTable ?? 0) << 29) | (attrs.xnTable ? 1 << 28 : 0)];
}

/**
 * Stage-2 block (levels 1, 2: bits[1:0] = 01) or page (level 3: 11): MemAttr[5:2],
 * S2AP[7:6], SH[9:8], AF bit 10, XN bit 54.
 */
export function s2leaf(
  oa: number,
  page: boolean,
  o: { s2ap?: number; xn?: boolean; af?: boolean; memAttr?: number; sh?: number } = {},
): [number, number] {
  const lo =
    lo32(oa) |
    ((o.af ?? true) ? 1 << 10 : 0) |
    ((o.sh ?? 3) << 8) |
    ((o.s2ap ?? 3) << 6) |
    ((o.memAttr ?? 0xf) << 2) |
    (page ? 3 : 1);
  return [lo >>> 0, hi8(oa) | (o.xn ? 1 << 22 : 0)];
}

/**
 * Stage-1 block or page: AttrIndx[4:2], AP[2:1] in [7:6], SH[9:8], AF bit 10, nG bit 11,
 * PXN bit 53, XN bit 54.
 */
export function s1leaf(
  oa: number,
  page: boolean,
  o: {
    ap?: number;
    xn?: boolean;
    pxn?: boolean;
    ng?: boolean;
    af?: boolean;
    attrIdx?: number;
    sh?: number;
  } = {},
): [number, number] {
  const lo =
    lo32(oa) |
    (o.ng ? 1 << 11 : 0) |
    ((o.af ?? true) ? 1 << 10 : 0) |
    ((o.sh ?? 3) << 8) |
    ((o.ap ?? 1) << 6) |
    ((o.attrIdx ?? 0) << 2) |
    (page ? 3 : 1);
  return [lo >>> 0, hi8(oa) | (o.xn ? 1 << 22 : 0) | (o.pxn ? 1 << 21 : 0)];
}

/** Long-descriptor fault status codes (DFSR/IFSR/HSR/PAR), the level in [1:0]. */
export const FST = { translation: 0x04, accessFlag: 0x08, permission: 0x0c, walkExternal: 0x14 } as const;
/** DFSR/IFSR/HSR long-format status: bit 9 (LPAE) | FST. */
export const lfsr = (fst: number, level: number) => 0x200 | fst | level;
