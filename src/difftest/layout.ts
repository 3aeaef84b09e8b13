// Fixed addresses and the dump record layout of the differential harness. Mirrors
// fixtures/src/lib/layout.inc (keep them in sync).

export const STREAMS_BASE = 0x40100000;
export const STREAMS_LIMIT = 0x40400000;
export const STREAMDATA_BASE = 0x40400000;
export const SCRATCH = 0x40f00000;
export const SCRATCH_SIZE = 256;

export const Kind = { UND: 1, SVC: 2, PABT: 3, DABT: 4 } as const;
export const KIND_NAMES: Record<number, string> = { 1: "UND", 2: "SVC", 3: "PABT", 4: "DABT" };
export const REC_MAGIC = 0xd5000000;

/** Word offsets in a record. */
export const RW = {
  KIND: 0,
  LR: 1,
  R0: 2,
  SP: 15,
  LRM: 16,
  PSR: 17,
  FSR: 18,
  FAR: 19,
  VFP: 20,
} as const;
export const REC_BASE_WORDS = 20;
export const REC_VFP_WORDS = 66; // FPSCR, 0, D0..D31

export function recordWords(vfp: boolean): number {
  return REC_BASE_WORDS + (vfp ? REC_VFP_WORDS : 0) + SCRATCH_SIZE / 4;
}

/** Initial state block of a stream (byte size; see layout.inc INIT_*). */
export const INIT_WORDS = 82 + SCRATCH_SIZE / 4;

/** Stream markers: after every unit a dump marker, at the end an end marker. */
export const MARK = {
  A32: 0xe7f000f0, // udf #0
  A32_END: 0xe7ffffff, // udf #0xffff
  T16: 0xde00, // udf #0
  T16_END: 0xdeff, // udf #255
} as const;

/** Name of word `i` of a record (for reports). */
export function fieldName(i: number, vfp: boolean): string {
  if (i === RW.KIND) return "kind";
  if (i === RW.LR) return "exc_lr";
  if (i >= RW.R0 && i < RW.R0 + 13) return `r${i - RW.R0}`;
  if (i === RW.SP) return "sp";
  if (i === RW.LRM) return "lr";
  if (i === RW.PSR) return "cpsr";
  if (i === RW.FSR) return "fsr";
  if (i === RW.FAR) return "far";
  let j = i - RW.VFP;
  if (vfp) {
    if (j === 0) return "fpscr";
    if (j === 1) return "vfp_pad";
    if (j < REC_VFP_WORDS) return `d${(j - 2) >> 1}${(j - 2) & 1 ? ".hi" : ".lo"}`;
    j -= REC_VFP_WORDS;
  }
  return `scratch[+0x${(j * 4).toString(16)}]`;
}
