// Small pure functions the generated interpreter uses (the JIT emits wasm for these).

/** High 32 bits of the unsigned 64-bit product of two 32-bit values. */
export function mulhu(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** High 32 bits of the signed 64-bit product. */
export function mulhs(a: number, b: number): number {
  let h = mulhu(a, b);
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  return h;
}

export function divs(a: number, b: number): number {
  if (b === 0) return 0;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}

export function divu(a: number, b: number): number {
  if (b === 0) return 0;
  return ((a >>> 0) / (b >>> 0)) | 0;
}

/** Most instructions in a block (the JIT's budget checks rely on it). */
export const MAX_BLOCK_INSNS = 64;

/** Op word layout: dispatch[15:0] cond[19:16] thumb[20] len4[21] setpc[23] itstate[31:24]. */
export const OPW_THUMB = 1 << 20;
export const OPW_LEN4 = 1 << 21;
/**
 * Set R[15] to the PC value before the op: only for ops that read r15 as a register
 * operand or call helpers. A typed-array store per op halves the interpreter's speed.
 */
export const OPW_SETPC = 1 << 23;

export function insnAddr(A: Int32Array, p: number): number {
  return (A[p + 1]! - (A[p]! & OPW_THUMB ? 4 : 8)) | 0;
}

export function nextAddr(A: Int32Array, p: number): number {
  return (insnAddr(A, p) + (A[p]! & OPW_LEN4 ? 4 : 2)) | 0;
}
