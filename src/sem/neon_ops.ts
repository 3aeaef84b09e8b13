// Advanced SIMD operation numbers shared by the definitions (./neon.ts) and the runtime
// helpers (./helpers/neon.ts). No side effects: importing it registers nothing.

/** Three registers of the same length, integer forms (A = bits 11:8, B = bit 4, U = bit 24). */
export const N3 = {
  VHADD: 0,
  VQADD: 1,
  VRHADD: 2,
  /** The logic group; the operation comes from U:size (VAND VBIC VORR VORN VEOR VBSL VBIT VBIF). */
  LOGIC: 3,
  VHSUB: 4,
  VQSUB: 5,
  VCGT: 6,
  VCGE: 7,
  VSHL: 8,
  VQSHL: 9,
  VRSHL: 10,
  VQRSHL: 11,
  VMAX: 12,
  VMIN: 13,
  VABD: 14,
  VABA: 15,
  /** U = 0: VADD, U = 1: VSUB. */
  VADDSUB: 16,
  /** U = 0: VTST, U = 1: VCEQ. */
  VTSTCEQ: 17,
  /** U = 0: VMLA, U = 1: VMLS. */
  VMLAS: 18,
  /** U = 0: integer, U = 1: polynomial (8-bit only). */
  VMUL: 19,
  VPMAX: 20,
  VPMIN: 21,
  /** U = 0: VQDMULH, U = 1: VQRDMULH. */
  VQDMULH: 22,
  VPADD: 23,
} as const;

/**
 * The packed selector of a three-registers-same instruction (a runtime field):
 * op | size << 5 | U << 7 | Q << 8.
 */
export function n3Sel(op: number, size: number, u: number, q: number): number {
  return op | (size << 5) | (u << 7) | (q << 8);
}

/** The packed selector of VLD1-4/VST1-4, every form (VLDn/VSTn: nelem, inc) (the neonLdSt1 helper, src/sem/helpers/neon.ts). */
export function ldst1Sel(
  load: number,
  kind: number,
  size: number,
  regs: number,
  index: number,
  alignLog2: number,
  nelem = 1,
  inc = 1,
) {
  return (
    load |
    (kind << 1) |
    (size << 3) |
    (regs << 5) |
    (index << 8) |
    (alignLog2 << 11) |
    ((nelem - 1) << 14) |
    ((inc - 1) << 16)
  );
}
