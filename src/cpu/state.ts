// CPU state lives at fixed byte offsets at the start of the one WebAssembly.Memory
// that also holds the software TLBs and guest RAM. The interpreter sees it through
// typed-array views; generated wasm loads and stores the same offsets directly, so
// there is never a copy between tiers.

/** Byte offsets of the state block (all 4-byte aligned; D registers 8-byte aligned). */
export const S = {
  /** r0..r15 of the current mode (banked copies are swapped in on mode change). */
  R: 0x000,
  /** Flags in split form: N = bit 31 of NF, Z = (ZF == 0), C = CF (0/1), V = bit 31 of VF. */
  NF: 0x040,
  ZF: 0x044,
  CF: 0x048,
  VF: 0x04c,
  /** Q flag (0/1). */
  QF: 0x050,
  /** GE[3:0] in bits 3..0. */
  GE: 0x054,
  /** ITSTATE[7:0]. */
  IT: 0x058,
  /** CPSR bits not held above: M[4:0], T, F, I, A, E, J (the flag/IT/GE fields read as 0 here). */
  CPSR: 0x05c,
  /** Reserved for the JIT's copy of the retired-instruction count (Cpu.icount is the truth). */
  ICOUNT_LO: 0x060,
  ICOUNT_HI: 0x064,
  /** Exclusive monitor: address and state (0 open, 1 exclusive). */
  EXCL_ADDR: 0x068,
  EXCL_STATE: 0x06c,
  FPSCR: 0x070,
  FPEXC: 0x074,
  /**
   * (issue 5) What compiled code leaves for the JIT's run loop (jit/compile.ts): the arena
   * index of the op that made the latest runtime call or stopped the region, the
   * instructions of the blocks before the last one, the last block's index in its region,
   * why a memory access stopped the region (JIT_STOP), the id of the region running
   * (regions chain into each other), the translation epoch that jump-cache entries must
   * carry to be used, the count of chained region entries, and the address of an access
   * left to the interpreter.
   */
  JIT_OP: 0x080,
  JIT_RETIRED: 0x084,
  JIT_LAST: 0x088,
  JIT_STOP: 0x08c,
  JIT_REGION: 0x090,
  JIT_GEN: 0x094,
  JIT_CHAINS: 0x098,
  JIT_ADDR: 0x09c,
  /** Banked registers, one slot per physical register (see BANK below). */
  BANK: 0x100,
  /** SPSR per mode (see SPSR_SLOT). */
  SPSR: 0x1c0,
  /** D0..D31 (S0..S63 overlay the low 16 on a little-endian host). */
  VFP: 0x200,
  /** End of the CPU block. */
  END: 0x400,
} as const;

/** Whether word i of the state block is guest state (not the JIT's exit words). */
export const isGuestStateWord = (i: number): boolean => i < S.JIT_OP >> 2 || i > S.JIT_ADDR >> 2;

/**
 * S.JIT_STOP: why a region stopped at a memory access (0: it did not). FAULT: a slow
 * path's access faulted, and the fault is pending in the runtime. RETRY: the inline TLB
 * did not serve the access of op JIT_OP (at JIT_ADDR), which had changed nothing yet: the
 * interpreter runs the op (a fault is then raised there).
 */
export const JIT_STOP = { FAULT: 1, RETRY: 2 } as const;

/**
 * The inline TLBs that compiled code checks (runtime/mmu.ts keeps them in step with its
 * soft TLB): one table per translation regime, and one that never hits (big-endian
 * data, which only the slow path handles). 4096 entries of 32 bytes, indexed by VA
 * page; an entry has a column per privilege (PL1 at +0, PL0 at +16), each holding
 * [+0] the VA page base if readable else -1, [+4] the same if writable, [+8] the
 * addend that turns the VA into its byte offset in this memory (RAM pages only).
 */
export const FAST_TLB = {
  PL10: 0x10000,
  HYP: 0x30000,
  NONE: 0x50000,
  ENTRIES: 4096,
  ENTRY_BYTES: 32,
  /** Column of PL0 rights. */
  USER: 16,
  WRITE: 4,
  ADDEND: 8,
} as const;
/**
 * (issue 5) The JIT's jump cache: compiled code leaving a region looks up its next PC here
 * and tail-calls the region that starts there (jit/compile.ts chainModule). Entries of
 * 16 bytes indexed by a hash of the PC: [+0] PC, [+4] key bits (T, ITSTATE, translation
 * class) | block instructions << INSNS_SHIFT, [+8] the JIT_GEN they are valid for, [+12] the
 * region's table slot << IDX_BITS | the block's index in the region (so a region has at
 * most 2^IDX_BITS blocks). Jit.exec fills them.
 */
export const JUMP_CACHE = {
  BASE: 0x70000,
  ENTRIES: 4096,
  ENTRY_BYTES: 16,
  INSNS_SHIFT: 16,
  IDX_BITS: 5,
} as const;
/** The jump cache's index of a PC (compile.ts chainModule computes the same in wasm). */
export const jumpCacheIndex = (pc: number): number => ((pc >>> 1) ^ (pc >>> 13)) & (JUMP_CACHE.ENTRIES - 1);
/** One byte per RAM page, non-zero while translated code may come from the page (mem/bus.ts). */
export const CODE_PAGES = 0x800000;
/** Guest RAM starts here inside the WebAssembly.Memory. */
export const RAM_OFFSET = 0x1000000;

export const Mode = {
  USR: 0x10,
  FIQ: 0x11,
  IRQ: 0x12,
  SVC: 0x13,
  MON: 0x16,
  ABT: 0x17,
  HYP: 0x1a,
  UND: 0x1b,
  SYS: 0x1f,
} as const;

/** CPSR bit positions. */
export const PSR = {
  N: 1 << 31,
  Z: 1 << 30,
  C: 1 << 29,
  V: 1 << 28,
  Q: 1 << 27,
  J: 1 << 24,
  E: 1 << 9,
  A: 1 << 8,
  I: 1 << 7,
  F: 1 << 6,
  T: 1 << 5,
  M: 0x1f,
} as const;

/**
 * Word index (into the Int32Array view) of each banked register slot:
 * user r8-r14, fiq r8-r14, then r13/r14 of svc, abt, und, irq, mon, and hyp r13 + ELR_hyp.
 */
export const BANK = {
  USR_R8: S.BANK / 4, // r8..r14 of usr/sys and all non-fiq modes for r8..r12
  FIQ_R8: S.BANK / 4 + 7, // r8..r14 of fiq
  SVC_R13: S.BANK / 4 + 14,
  ABT_R13: S.BANK / 4 + 16,
  UND_R13: S.BANK / 4 + 18,
  IRQ_R13: S.BANK / 4 + 20,
  MON_R13: S.BANK / 4 + 22,
  HYP_R13: S.BANK / 4 + 24, // r13_hyp, then ELR_hyp
} as const;

/** Word index of the SPSR of each mode that has one; -1 for usr/sys. */
export function spsrSlot(mode: number): number {
  switch (mode) {
    case Mode.FIQ:
      return S.SPSR / 4;
    case Mode.IRQ:
      return S.SPSR / 4 + 1;
    case Mode.SVC:
      return S.SPSR / 4 + 2;
    case Mode.MON:
      return S.SPSR / 4 + 3;
    case Mode.ABT:
      return S.SPSR / 4 + 4;
    case Mode.HYP:
      return S.SPSR / 4 + 5;
    case Mode.UND:
      return S.SPSR / 4 + 6;
    default:
      return -1;
  }
}

/** Word index where r13 of a mode is stored while that mode is not current. */
export function r13Slot(mode: number): number {
  switch (mode) {
    case Mode.USR:
    case Mode.SYS:
      return BANK.USR_R8 + 5;
    case Mode.FIQ:
      return BANK.FIQ_R8 + 5;
    case Mode.SVC:
      return BANK.SVC_R13;
    case Mode.ABT:
      return BANK.ABT_R13;
    case Mode.UND:
      return BANK.UND_R13;
    case Mode.IRQ:
      return BANK.IRQ_R13;
    case Mode.MON:
      return BANK.MON_R13;
    case Mode.HYP:
      return BANK.HYP_R13;
    default:
      return -1;
  }
}

/** Word index where r14 of a mode is stored while not current (hyp uses usr r14). */
export function r14Slot(mode: number): number {
  return mode === Mode.HYP ? BANK.USR_R8 + 6 : r13Slot(mode) + 1;
}

export function isValidMode(m: number): boolean {
  return (
    m === Mode.USR ||
    m === Mode.FIQ ||
    m === Mode.IRQ ||
    m === Mode.SVC ||
    m === Mode.MON ||
    m === Mode.ABT ||
    m === Mode.HYP ||
    m === Mode.UND ||
    m === Mode.SYS
  );
}
