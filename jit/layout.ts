// Where the JIT keeps its own data in the shared memory (between the CPU state block
// and guest RAM, in the area reserved for software TLBs: see src/cpu/state.ts).

/** The code-page bitmap: one byte per RAM page, non-zero while translated code may come from it. */
export const CODE_PAGES = 0x800000;
