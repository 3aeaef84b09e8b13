// Advanced SIMD floating-point operation numbers shared by the definition (./neon_fp.ts)
// and the runtime helper (./helpers/neon_fp.ts). No side effects: importing it registers
// nothing.

/** The floating-point operations (single precision lanes). */
export const FOP = {
  // three registers of the same length
  VADD: 0,
  VSUB: 1,
  VPADD: 2,
  VABD: 3,
  /** Unfused: the product rounded, then the sum rounded. */
  VMLA: 4,
  VMLS: 5,
  VMUL: 6,
  /** Fused multiply-add (one rounding). */
  VFMA: 7,
  VFMS: 8,
  VCEQ: 9,
  VCGE: 10,
  VCGT: 11,
  VACGE: 12,
  VACGT: 13,
  VMAX: 14,
  VMIN: 15,
  VPMAX: 16,
  VPMIN: 17,
  VRECPS: 18,
  VRSQRTS: 19,
  // two registers and a scalar (aux = the scalar's index in Dm)
  VMLA_SC: 20,
  VMLS_SC: 21,
  VMUL_SC: 22,
  // two registers miscellaneous
  VCGT0: 23,
  VCGE0: 24,
  VCEQ0: 25,
  VCLE0: 26,
  VCLT0: 27,
  VABS: 28,
  VNEG: 29,
  VRECPE_U32: 30,
  VRECPE_F32: 31,
  VRSQRTE_U32: 32,
  VRSQRTE_F32: 33,
  /** Integer to float (round to nearest). */
  VCVT_F_S32: 34,
  VCVT_F_U32: 35,
  /** Float to integer (round towards zero). */
  VCVT_S32_F: 36,
  VCVT_U32_F: 37,
  /** Dd (four halves) from Qm (four singles). */
  VCVT_F16_F32: 38,
  /** Qd (four singles) from Dm (four halves). */
  VCVT_F32_F16: 39,
  // between floating point and fixed point (aux = fraction bits, 1..32)
  VCVT_F_SFIX: 40,
  VCVT_F_UFIX: 41,
  VCVT_SFIX_F: 42,
  VCVT_UFIX_F: 43,
} as const;

/** The packed selector of an Advanced SIMD floating-point instruction: op | Q << 6 | aux << 7. */
export function fpSel(op: number, q: number, aux = 0): number {
  return op | (q << 6) | (aux << 7);
}
