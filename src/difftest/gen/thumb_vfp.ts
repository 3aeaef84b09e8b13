// VFP in Thumb state (src/sem/vfp.ts, reached through the coprocessor encodings of
// src/sem/thumb_sys.ts), for "thumb_vfp" streams:
//   thumb_vfp  the vfp group's generators (data processing, conversions, core register
//              transfers, VMRS/VMSR, VLDR/VSTR/VLDM/VSTM) in their T32 encodings, which
//              are the A32 ones with 0xE in bits 31:28 (the condition comes from IT);
//              literal VLDR from halfword-aligned PCs (Align(PC, 4)); the coprocessor
//              10/11 data-processing space with bit 28 set (UNDEFINED on ARMv7); and IT
//              blocks of VFP instructions, mixed with integer ones (VMRS APSR_nzcv or
//              VCMP results feeding the later conditions of the same block).

import type { Rng } from "../rng.js";
import { registerGen } from "./index.js";
import { genT16Dp, genT32Dp, itWord } from "./thumb.js";
import type { GenCtx, Unit } from "./types.js";
import { type CondGen, gen3, genMem, genOther, genRawDp, genSys, genXfer } from "./vfp.js";

/** AL in bits 31:28: the A32 word becomes the T32 encoding hw1:hw2. */
const AL: CondGen = () => 14;

/** VLDR Sd/Dd, [PC, #+/-imm]: reads the stream's own code (identical on both sides). */
function genLiteral(rng: Rng): number {
  const dp = rng.int(2);
  const d = rng.int(32);
  const vd = dp ? ((d & 15) << 12) | ((d >> 4) << 22) : ((d >> 1) << 12) | ((d & 1) << 22);
  // forwards into the following units, or a little backwards (the previous stream or zeros)
  const u = rng.chance(0.8) ? 1 : 0;
  const imm8 = u ? rng.int(24) : rng.int(4);
  return (0xed1f0a00 | (u << 23) | vd | (dp << 8) | imm8) >>> 0;
}

/** VMOV transfers (genXfer) with LR as the core register sometimes (T32 forbids SP and PC). */
function genXferT(rng: Rng): number {
  const w = genXfer(rng, AL);
  if (!rng.chance(0.2)) return w;
  const rt2 = (w & 0x0fe00000) === 0x0c400000 && rng.chance(0.5);
  return (rt2 ? (w & ~0x000f0000) | (14 << 16) : (w & ~0x0000f000) | (14 << 12)) >>> 0;
}

/** VMRS of FPSID, MVFR0, MVFR1, FPEXC (PL1 reads), VMSR FPEXC keeping EN set (r0-r12, r14). */
function genIdRegs(rng: Rng, ctx: GenCtx): number[] {
  const rt = rng.int(14) === 13 ? 14 : rng.int(13);
  const reg = rng.pick([0, 6, 7, 8]);
  if (reg !== 8 || rng.chance(0.6)) return [(0xeef00a10 | (reg << 16) | (rt << 12)) >>> 0];
  return [...ctx.movImm32(rt, (rng.u32() | 0x40000000) >>> 0), (0xeee80a10 | (rt << 12)) >>> 0];
}

/** A word of the VFP data-processing space with bit 28 set (CDP2 to cp10/cp11: UNDEFINED). */
function genUncondSpace(rng: Rng): number {
  return (genRawDp(rng, AL) | 0x10000000) >>> 0;
}

/**
 * One VFP instruction that needs no set-up (any position of an IT block). Never an
 * UNDEFINED one: the dumper returns past an exception with the SPSR's ITSTATE, which is
 * the trapping instruction's own, so an exception inside an IT block would leave the
 * rest of the stream in a stale IT block.
 */
function single(rng: Rng): number {
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return gen3(rng, AL);
    case 4:
    case 5:
    case 6:
      return genOther(rng, AL);
    case 7:
      return genXferT(rng);
    case 8: // VMRS (Rt or APSR_nzcv): new flags for the rest of the block
      return rng.chance(0.7) ? 0xeef1fa10 : (0xeef10a10 | (rng.int(13) << 12)) >>> 0;
    default:
      return genLiteral(rng);
  }
}

/**
 * An IT block of 1-4 instructions: VFP instructions (at most one that needs its base or
 * source register set up, placed first so nothing in the block changes that register
 * before it), with some 16- and 32-bit integer data processing.
 */
function itBlock(rng: Rng, ctx: GenCtx): Unit {
  const n = 1 + rng.int(4);
  const { word } = itWord(rng, n);
  const pre: number[] = [];
  const body: number[] = [];
  if (rng.chance(0.3)) {
    const w = rng.chance(0.6) ? genMem(rng, ctx, AL) : genSys(rng, ctx, AL);
    pre.push(...w.slice(0, -1));
    body.push(w[w.length - 1]!);
  }
  while (body.length < n) {
    const x = rng.int(8);
    body.push(x === 0 ? genT16Dp(rng) : x === 1 ? genT32Dp(rng) : single(rng));
  }
  return { words: [...pre, word, ...body] };
}

registerGen(
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 1, gen: (rng) => genRawDp(rng, AL) },
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 5, gen: (rng) => gen3(rng, AL) },
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 4, gen: (rng) => genOther(rng, AL) },
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 2, gen: (rng) => genXferT(rng) },
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 0.5, gen: (rng, ctx) => genIdRegs(rng, ctx) },
  {
    name: "thumb_vfp",
    isa: "thumb",
    vfp: true,
    weight: 1,
    gen: (rng, ctx) => ({ words: genSys(rng, ctx, AL) }),
  },
  {
    name: "thumb_vfp",
    isa: "thumb",
    vfp: true,
    weight: 1,
    gen: (rng, ctx) => ({ words: genMem(rng, ctx, AL) }),
  },
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 0.5, gen: (rng) => genLiteral(rng) },
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 0.3, gen: (rng) => genUncondSpace(rng) },
  { name: "thumb_vfp", isa: "thumb", vfp: true, weight: 4, gen: (rng, ctx) => itBlock(rng, ctx) },
);
