// The interface every random instruction generator implements (see ../README.md).

import type { Rng } from "../rng.js";

/** The instruction set a stream runs in. */
export type StreamIsa = "arm" | "thumb";

/**
 * One unit of a stream: the harness dumps the state after each unit (not inside one),
 * so a unit holds what must run together (an IT block with its instructions, a base
 * register set-up followed by the load that uses it...).
 *
 * words: A32 instruction words; for Thumb, values <= 0xffff are 16-bit encodings and
 * larger values are 32-bit encodings as (hw1 << 16) | hw2 (the decoder's convention).
 */
export interface Unit {
  words: number[];
  /**
   * The unit ends with a forward branch. The harness chooses the layout, then calls
   * encode(offset) with offset = target address - address of the branch instruction
   * (the target is the first instruction of the unit `skip` units after the next one;
   * skip = 0: the next unit; past the last unit: the stream's end marker).
   * encode returns the branch's final encoding, which replaces the last word.
   */
  branch?: { skip: number; encode: (offset: number) => number };
}

/** What a generator may use besides the PRNG. */
export interface GenCtx {
  isa: StreamIsa;
  /** The scratch memory (dumped with every record); keep memory accesses inside it. */
  scratchBase: number;
  scratchSize: number;
  /** Encodings (MOVW/MOVT, in the stream's ISA) that set register rd to v. */
  movImm32(rd: number, v: number): number[];
}

export interface InsnGen {
  /** Group name (for --groups); several generators may share one. */
  name: string;
  isa: StreamIsa;
  /**
   * Needs VFP state: the group runs in "vfp" (arm) or "thumb_vfp" (thumb) streams, whose
   * records hold FPSCR and D0-D31.
   */
  vfp?: boolean;
  /** Advanced SIMD group (with vfp: true): runs in "neon" (arm) or "thumb_neon" (thumb) streams. */
  neon?: boolean;
  /** Relative frequency among the enabled generators of the stream's kind. */
  weight: number;
  gen(rng: Rng, ctx: GenCtx): number | number[] | Unit;
}

/** A random A32 condition: 0..14 (AL included, 15 is the unconditional space). */
export function randCond(rng: Rng): number {
  return rng.chance(0.4) ? 14 : rng.int(15);
}
