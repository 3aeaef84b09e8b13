// VFP data-processing operation numbers (the `op` param of VFP_DP in ./vfp.ts). Kept in a
// module without side effects so the runtime helpers can import it without registering
// the definitions (registration order fixes opcode numbers).

/** FPSCR.RMode (rounding mode) and FPSCR.LEN/STRIDE (short vectors). */
export const FPSCR_RMODE = 3 << 22;
export const FPSCR_LEN_STRIDE = 0x00370000;

/** Data-processing operations (the `op` param of VFP_DP). */
export const Vop = {
  VMLA: 0,
  VMLS: 1,
  VNMLS: 2,
  VNMLA: 3,
  VMUL: 4,
  VNMUL: 5,
  VADD: 6,
  VSUB: 7,
  VDIV: 8,
  VFMA: 9,
  VFMS: 10,
  VFNMA: 11,
  VFNMS: 12,
  VMOV_IMM: 13,
  VMOV: 14,
  VABS: 15,
  VNEG: 16,
  VSQRT: 17,
  VCMP: 18,
  VCMPE: 19,
  VCMPZ: 20,
  VCMPEZ: 21,
  /** dp = 0: S -> D; dp = 1: D -> S. */
  VCVT_FF: 22,
  /** Float to integer: U/S, R (FPSCR rounding) or Z (towards zero). */
  VCVTR_U32: 23,
  VCVT_U32: 24,
  VCVTR_S32: 25,
  VCVT_S32: 26,
  /** Integer (in an S register) to float. */
  VCVT_F_U32: 27,
  VCVT_F_S32: 28,
  /** Half precision: from the bottom/top half of Sm; to the bottom/top half of Sd. */
  VCVTB_F16_TO: 29,
  VCVTT_F16_TO: 30,
  VCVTB_TO_F16: 31,
  VCVTT_TO_F16: 32,
  /** Fixed point, opc = op:U:sx as in QEMU: SH SL UH UL to float, then to SH SL UH UL. */
  VCVT_FIX: 33,
} as const;
export const N_VOP = 41;

/** Ops that UNDEF when FPSCR.LEN/STRIDE are non-zero (the short-vector-capable forms). */
export function vopChecksVec(op: number): boolean {
  return op <= Vop.VSQRT;
}
