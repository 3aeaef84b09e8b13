// Tier against tier: the same program runs on the interpreter alone and with the JIT,
// in lockstep slices; after every slice the retired-instruction count and the whole CPU
// state block (registers of every mode, flags, IT, CPSR, SPSRs, VFP, exclusive monitor)
// must be identical, and so must the output and the memory at the end. Programs: the
// differential harness's random A32/T32/VFP streams, and random self-modifying loops.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { enableJit, type Jit, type JitOptions } from "../../jit/jit.js";
import { Machine, RAM_BASE } from "../../src/board/machine.js";
import { isGuestStateWord, S } from "../../src/cpu/state.js";
import { Rng } from "../../src/difftest/rng.js";
import { generateImage, type StreamKind } from "../../src/difftest/stream.js";
import { buildStreamImage } from "../../src/difftest/toolchain.js";

interface Side {
  m: Machine;
  out: number[];
  jit: Jit | null;
}

async function side(image: Uint8Array, jit: JitOptions | null, memMiB: number): Promise<Side> {
  const out: number[] = [];
  const sink = (b: Uint8Array) => out.push(...b);
  const m = new Machine({ memMiB, semihosting: true, stdout: sink, stderr: sink });
  m.load(image);
  return { m, out, jit: jit ? await enableJit(m.interp, jit) : null };
}

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/** Run both sides in slices of `slice` steps; returns the first difference, or "". */
function lockstep(a: Side, b: Side, slice: number, maxInsns: number): string {
  const A = a.m.cpu;
  const B = b.m.cpu;
  const words = S.END >> 2;
  while (!(A.halted && B.halted) && A.icount < maxInsns) {
    const pcBefore = A.R[15]!;
    if (!A.halted) a.m.interp.run(slice);
    if (!B.halted) b.m.interp.run(slice);
    const where = `after the slice from pc ${hex(pcBefore)} (icount ${A.icount} / ${B.icount})`;
    if (A.icount !== B.icount || A.halted !== B.halted) return `instruction count or halt differs ${where}`;
    for (let i = 0; i < words; i++)
      if (isGuestStateWord(i) && A.W[i] !== B.W[i])
        return `state word at ${hex(i * 4)}: ${hex(A.W[i]!)} vs ${hex(B.W[i]!)} ${where}`;
  }
  if (!A.halted) return `did not halt within ${maxInsns} instructions (pc ${hex(A.R[15]!)})`;
  if (A.exitCode !== B.exitCode) return `exit code ${A.exitCode} vs ${B.exitCode}`;
  if (a.out.length !== b.out.length || a.out.some((x, i) => x !== b.out[i]))
    return "semihosting output differs";
  const lo = A.bus.ramOffset(RAM_BASE);
  const ram = (s: Side) => Buffer.from(s.m.bus.memory.buffer, lo, s.m.bus.ramSize);
  if (!ram(a).equals(ram(b))) return "RAM differs at the end";
  return "";
}

const MODES: { name: string; jit: JitOptions }[] = [
  { name: "always", jit: { mode: "always" } },
  // hot after a few runs, small batches: compiled code takes over in the middle of loops
  { name: "on, threshold 3", jit: { mode: "on", threshold: 3, batch: 4, maxWaitMs: 0 } },
  // a code cache of 8 blocks: emptied again and again
  { name: "on, tiny code cache", jit: { mode: "on", threshold: 3, batch: 4, maxWaitMs: 0, maxBlocks: 8 } },
];

describe("interpreter vs JIT on random streams", () => {
  const kinds: StreamKind[] = ["arm", "thumb", "vfp", "neon"];
  for (const kind of kinds)
    for (const { name, jit } of MODES)
      it(`${kind} streams, jit ${name}`, async () => {
        const img = generateImage({ kind, seed: 5150 + kind.length, streams: 150, length: 16 });
        const elf = readFileSync(buildStreamImage(img.source));
        const jitSide = await side(elf, jit, 128);
        const diff = lockstep(await side(elf, null, 128), jitSide, 997, 50_000_000);
        expect(diff).toBe("");
        expect(jitSide.jit!.stats.execs).toBeGreaterThan(0);
        if (jit.maxBlocks !== undefined) expect(jitSide.jit!.stats.evictions).toBeGreaterThan(0);
      }, 120_000);
});

// ---- self-modifying code -------------------------------------------------------------

const CODE = RAM_BASE + 0x10000; // where Machine.load puts a raw image
const NEAR_SLOT = CODE + 0x400; // same page as the patching code
const FAR_SLOT = CODE + 0x2000; // a page of its own
const POOL = CODE + 0x3000;

const movw = (rd: number, v: number) => 0xe3000000 | (((v >>> 12) & 0xf) << 16) | (rd << 12) | (v & 0xfff);
const movt = (rd: number, v: number) => movw(rd, v >>> 16) | 0x00400000;
const mov32 = (rd: number, v: number) => [movw(rd, v & 0xffff), movt(rd, v)];
const subs1 = (r: number) => 0xe2500001 | (r << 16) | (r << 12);
/** B<cond>/BL from `at` to `to`. */
const branch = (cond: number, link: boolean, at: number, to: number) =>
  (cond << 28) | (link ? 0x0b000000 : 0x0a000000) | (((to - at - 8) >> 2) & 0xffffff);
const LDR_R8_R10_POST4 = 0xe49a8004;
const STR_R8_R9 = 0xe5898000;
const BX_LR = 0xe12fff1e;
const SEMIHOSTING_EXIT = [0xe3a00018, ...mov32(1, 0x20026), 0xef123456];
/** CPACR cp10/cp11 full access, ISB, FPEXC.EN (r0 clobbered): Advanced SIMD usable. */
const ENABLE_SIMD = [0xee110f50, 0xe380060f, 0xee010f50, 0xf57ff06f, 0xe3a00101, 0xeee80a10];
/** VLD1.32 {d16}, [r9]; VMOV.32 d16[0], r8; VST1.32 {d16}, [r9]: STR r8, [r9] through a SIMD register store. */
const VST1_R8_R9 = [0xf469078f, 0xee008b90, 0xf449078f];

/** A random data-processing or multiply instruction on r0-r7 (any condition, flags set or not). */
function dpWord(rng: Rng): number {
  const cond = rng.chance(0.6) ? 14 : rng.int(14);
  const r = () => rng.int(8);
  const op = rng.int(16);
  const test = op >= 8 && op <= 11; // TST TEQ CMP CMN: S set, no Rd
  const move = op === 13 || op === 15; // MOV MVN: no Rn
  const s = test ? 1 : rng.int(2);
  const head = (cond << 28) | (op << 21) | (s << 20) | (move ? 0 : r() << 16) | (test ? 0 : r() << 12);
  switch (rng.int(4)) {
    case 0:
      return (head | (1 << 25) | (rng.int(16) << 8) | rng.int(256)) >>> 0;
    case 1:
      return (head | (rng.int(32) << 7) | (rng.int(4) << 5) | r()) >>> 0;
    case 2:
      return (head | (r() << 8) | (rng.int(4) << 5) | 0x10 | r()) >>> 0;
    default:
      return ((cond << 28) | (rng.int(2) << 20) | (r() << 16) | (r() << 8) | 0x90 | r()) >>> 0;
  }
}

/**
 * A loop that, `outer` times, patches the first instruction of a slot with the next word
 * of a pool and then runs the slot `inner` times. The slot is either inside the inner
 * loop (the page being executed is written) or a subroutine on another page. The patch
 * is a word store or an Advanced SIMD register store (VST1, 8 bytes).
 */
function smcProgram(rng: Rng): Uint8Array {
  const simd = rng.chance(0.5);
  const near = rng.chance(0.5);
  const outer = 2 + rng.int(12);
  const inner = 1 + rng.int(9);
  const slotLen = 1 + rng.int(6);
  const mem = new Map<number, number>();
  const put = (addr: number, words: number[]) => {
    for (const [i, w] of words.entries()) mem.set(addr + 4 * i, w >>> 0);
  };
  const code: number[] = [];
  const at = () => CODE + 4 * code.length;
  if (simd) code.push(...ENABLE_SIMD);
  for (let r = 0; r < 8; r++) code.push(...mov32(r, rng.u32()));
  code.push(...mov32(9, near ? NEAR_SLOT : FAR_SLOT), ...mov32(10, POOL), movw(11, outer));
  const outerAt = at();
  code.push(LDR_R8_R10_POST4, ...(simd ? VST1_R8_R9 : [STR_R8_R9]), movw(12, inner));
  const slotWords = Array.from({ length: slotLen }, () => dpWord(rng));
  if (near) {
    // pad so the inner loop starts at NEAR_SLOT
    code.push(branch(14, false, at(), NEAR_SLOT));
    while (at() < NEAR_SLOT) code.push(0);
    code.push(...slotWords);
  } else {
    code.push(branch(14, true, at(), FAR_SLOT));
    put(FAR_SLOT, [...slotWords, BX_LR]);
  }
  const innerAt = near ? NEAR_SLOT : at() - 4;
  code.push(subs1(12));
  code.push(branch(1, false, at(), innerAt));
  code.push(subs1(11));
  code.push(branch(1, false, at(), outerAt));
  code.push(...SEMIHOSTING_EXIT);
  put(CODE, code);
  put(
    POOL,
    Array.from({ length: outer }, () => dpWord(rng)),
  );
  const end = Math.max(...mem.keys()) + 4;
  const image = new Uint8Array(end - CODE);
  const dv = new DataView(image.buffer);
  for (const [a, w] of mem) dv.setUint32(a - CODE, w, true);
  return image;
}

describe("interpreter vs JIT on self-modifying code", () => {
  for (const { name, jit } of MODES)
    it(`random patch loops, jit ${name}`, async () => {
      const rng = new Rng(77);
      let execs = 0;
      let invalidations = 0;
      let dropped = 0;
      for (let i = 0; i < 100; i++) {
        const image = smcProgram(rng);
        const jitSide = await side(image, jit, 1);
        const diff = lockstep(await side(image, null, 1), jitSide, 7 + rng.int(50), 1_000_000);
        expect(diff, `program ${i}`).toBe("");
        execs += jitSide.jit!.stats.execs;
        dropped += jitSide.jit!.stats.dropped;
        invalidations += jitSide.m.interp.stats.invalidations;
      }
      // compiled code ran, and code writes dropped translations
      expect(execs).toBeGreaterThan(100);
      expect(invalidations).toBeGreaterThan(100);
      // regions whose blocks were overwritten are found out before they run again
      if (jit.mode === "on") expect(dropped).toBeGreaterThan(10);
    }, 120_000);
});

// ---- code whose mapping changes --------------------------------------------------------

describe("interpreter vs JIT when code is remapped", () => {
  // fixtures/src/diff_mmu_remap.S (also compared with QEMU as a directed fixture): a
  // compiled region holds the caller's block and the callee's, then only the callee's page
  // is remapped and the TLB maintained; the region must not run the old callee.
  for (const { name, jit } of MODES)
    it(`diff_mmu_remap, jit ${name}`, async () => {
      const elf = readFileSync(new URL("../../fixtures/build/diff_mmu_remap.elf", import.meta.url));
      const jitSide = await side(elf, jit, 128);
      const diff = lockstep(await side(elf, null, 128), jitSide, 997, 50_000_000);
      expect(diff).toBe("");
      expect(jitSide.jit!.stats.execs).toBeGreaterThan(0);
    }, 120_000);
});

// ---- regions entering each other ---------------------------------------------------------

describe("interpreter vs JIT when compiled regions chain", () => {
  // fixtures/src/diff_calls.S (also compared with QEMU as a directed fixture): calls and
  // returns between functions in ARM and Thumb; every return is an indirect branch out of
  // a region, which the dispatcher follows into the caller's region.
  const elf = () => readFileSync(new URL("../../fixtures/build/diff_calls.elf", import.meta.url));
  for (const { name, jit } of MODES)
    it(`diff_calls, jit ${name}`, async () => {
      const jitSide = await side(elf(), jit, 128);
      const diff = lockstep(await side(elf(), null, 128), jitSide, 997, 50_000_000);
      expect(diff).toBe("");
      if (jit.maxBlocks === undefined) expect(jitSide.jit!.stats.chains).toBeGreaterThan(10_000);
    }, 120_000);

  it("follows hundreds of thousands of region exits in one entry (tail calls, no stack growth)", async () => {
    const jitSide = await side(elf(), { mode: "always" }, 128);
    // one slice for the whole program: only budget checks and calls out bring it back
    const diff = lockstep(await side(elf(), null, 128), jitSide, 10_000_000, 50_000_000);
    expect(diff).toBe("");
    const s = jitSide.jit!.stats;
    expect(s.chains).toBeGreaterThan(500_000);
    expect(s.chains / s.execs).toBeGreaterThan(10_000);
  }, 120_000);
});

// ---- FP/SIMD access changing inside compiled code --------------------------------------

/**
 * A program that runs `setup` and then `loop` 20 times (r11 counts down) with the exception
 * vectors moved to RAM by VBAR, and `handler` at the Undefined Instruction vector (it must
 * return itself).
 */
function undefLoopImage(loop: number[], handler: number[], setup: number[] = []): Uint8Array {
  const VEC = CODE + 0x1000;
  const head = [...mov32(0, VEC), 0xee0c0f10 /* MCR VBAR */, movw(11, 20), ...setup];
  const loopAt = CODE + 4 * head.length;
  const code = [...head, ...loop, subs1(11)];
  code.push(branch(1, false, CODE + 4 * code.length, loopAt), ...SEMIHOSTING_EXIT);
  const image = new Uint8Array(VEC + 0x40 - CODE);
  const dv = new DataView(image.buffer);
  for (const [i, w] of code.entries()) dv.setUint32(4 * i, w >>> 0, true);
  for (const [i, w] of handler.entries()) dv.setUint32(VEC + 4 + 4 * i - CODE, w >>> 0, true);
  return image;
}

describe("interpreter vs JIT when Advanced SIMD access changes in a block", () => {
  // The JIT keeps Q registers in locals and skips the access check after one passed
  // (WasmBuilder.vfpKnown) until a runtime call: here FPEXC.EN is cleared between VADDs, so
  // the last takes the Undefined Instruction exception (vectors moved to RAM by VBAR),
  // from a region that wrote LR before: the banked LR_und must survive the region's exit.
  const VADD_Q0_Q0_Q1 = 0xf2200842;
  const program = (): Uint8Array =>
    undefLoopImage(
      [
        ...ENABLE_SIMD,
        ...mov32(14, 0x1234),
        VADD_Q0_Q0_Q1,
        VADD_Q0_Q0_Q1,
        0xe3a00000, // MOV r0, #0
        0xeee80a10, // VMSR FPEXC, r0 (EN clear)
        ...mov32(14, 0x5678),
        VADD_Q0_Q0_Q1, // UNDEFINED now
      ],
      [0xe1a0900e, 0xe1b0f00e], // r9 = LR_und, back after the VADD
    );
  for (const { name, jit } of MODES)
    it(`FPEXC.EN cleared between VADDs, jit ${name}`, async () => {
      const jitSide = await side(program(), jit, 1);
      const a = await side(program(), null, 1);
      const diff = lockstep(a, jitSide, 5, 1_000_000);
      expect(diff).toBe("");
      expect(a.m.cpu.R[9]).toBe(CODE + 4 * 19); // the handler ran: LR_und = the last VADD + 4
      expect(jitSide.jit!.stats.execs).toBeGreaterThan(0);
    }, 60_000);
});

describe("interpreter vs JIT when a conditional VFP op does not run", () => {
  // A conditional op that fails its condition makes no access check: after it, the
  // JIT must still check before the next FP/SIMD op. Here FPEXC.EN is clear, VADDEQ.F32
  // does not run (Z clear) and the VADD.I32 after it takes the Undefined Instruction
  // exception (vectors moved to RAM by VBAR; the handler returns after it).
  const program = (): Uint8Array =>
    undefLoopImage(
      [
        ...ENABLE_SIMD,
        0xf2200842, // VADD.I32 q0, q0, q1 (allowed)
        0xe3a00000, // MOV r0, #0
        0xeee80a10, // VMSR FPEXC, r0 (EN clear)
        0xe3b01001, // MOVS r1, #1 (Z clear)
        0x0e300a20, // VADDEQ.F32 s0, s0, s1: not run
        0xf2200842, // VADD.I32 q0, q0, q1: UNDEFINED now
      ],
      [0xe1a0900e, 0xe28aa001, 0xe1b0f00e], // r9 = LR_und, r10 counts, back after the VADD
    );
  for (const { name, jit } of MODES)
    it(`VADDEQ.F32 not run, then VADD.I32 with FPEXC.EN clear, jit ${name}`, async () => {
      const jitSide = await side(program(), jit, 1);
      const a = await side(program(), null, 1);
      const diff = lockstep(a, jitSide, 5, 1_000_000);
      expect(diff).toBe("");
      expect(a.m.cpu.R[10]).toBe(20); // the VADD trapped in every pass
      expect(jitSide.jit!.stats.execs).toBeGreaterThan(0);
    }, 60_000);
});

describe("interpreter vs JIT with a conditional Advanced SIMD op in an IT block", () => {
  // A Q register the JIT holds in a local (written by the VADD) must reach the state
  // whether or not the conditional VADDEQ after it runs (here it does not: Z clear).
  const T = CODE + 0x800; // Thumb loop
  const EXIT = CODE + 0x900;
  const program = (): Uint8Array => {
    const arm = [
      ...ENABLE_SIMD,
      ...mov32(5, 0x01020304),
      0xeea25b10, // VDUP.32 q1, r5
      movw(3, 20),
      ...mov32(4, EXIT),
      ...mov32(0, T | 1),
      0xe12fff10, // BX r0
    ];
    const thumb = [
      0xef20,
      0x0842, // loop: VADD.I32 q0, q0, q1
      0x2101, // MOVS r1, #1 (Z clear)
      0xbf08, // IT EQ
      0xef20,
      0x4842, // VADDEQ.I32 q2, q0, q1
      0x3b01, // SUBS r3, #1
      0xd1f7, // BNE loop
      0x4720, // BX r4
    ];
    const image = new Uint8Array(EXIT + 0x40 - CODE);
    const dv = new DataView(image.buffer);
    for (const [i, w] of arm.entries()) dv.setUint32(4 * i, w >>> 0, true);
    for (const [i, h] of thumb.entries()) dv.setUint16(T - CODE + 2 * i, h, true);
    for (const [i, w] of SEMIHOSTING_EXIT.entries()) dv.setUint32(EXIT - CODE + 4 * i, w >>> 0, true);
    return image;
  };
  for (const { name, jit } of MODES)
    it(`VADD then VADDEQ not taken, jit ${name}`, async () => {
      const jitSide = await side(program(), jit, 1);
      const a = await side(program(), null, 1);
      const diff = lockstep(a, jitSide, 7, 1_000_000);
      expect(diff).toBe("");
      expect(a.m.cpu.W[(S.VFP >> 2) + 0]).toBe(20 * 0x01020304); // q0 = 20 * q1
      expect(jitSide.jit!.stats.execs).toBeGreaterThan(0);
    }, 60_000);
});

describe("interpreter vs JIT with D registers in locals", () => {
  // The JIT keeps the D registers of inline double-precision VFP code in locals within a
  // block: S-register ops on the same words, Advanced SIMD ops on the Q registers holding
  // them, conditional ops, helpers (VMOV, VLDR, VSTR) and the block's exit must see and
  // leave the latest values.
  const program = (): Uint8Array =>
    undefLoopImage(
      [
        0xee300b01, // VADD.F64 d0, d0, d1
        0xee202b01, // VMUL.F64 d2, d0, d1
        0xeef10a60, // VNEG.F32 s1, s1 (the high word of d0)
        0xee300a22, // VADD.F32 s0, s0, s5 (its low word)
        0xee300b42, // VSUB.F64 d0, d0, d2
        0xf220a150, // VORR q5, q0, q0 (reads d0, d1)
        0xf232284e, // VADD.I64 q1, q1, q7 (d2 and d3 one ulp up)
        0xee003b01, // VMLA.F64 d3, d0, d1
        0xeeb14b43, // VNEG.F64 d4, d3
        0xeeb04bc4, // VABS.F64 d4, d4
        0xeeb75b08, // VMOV.F64 d5, #1.5
        0xee846b05, // VDIV.F64 d6, d4, d5
        0xe31b0001, // TST r11, #1
        0x0e333b06, // VADDEQ.F64 d3, d3, d6 (every other pass)
        0xec532b13, // VMOV r2, r3, d3
        0xec423b17, // VMOV d7, r3, r2
        0xee377b05, // VADD.F64 d7, d7, d5
        0xed842b00, // VSTR d2, [r4]
        0xed948b00, // VLDR d8, [r4]
        0xee289b01, // VMUL.F64 d9, d8, d1
        0xec410b1e, // VMOV d14, r0, r1 (1: the ulp of the VADD.I64)
        0xec410b1f, // VMOV d15, r0, r1
        0xee3ccb05, // VADD.F64 d12, d12, d5
        0xe28f9000, // ADD r9, pc, #0
        0xe12fff19, // BX r9 (to the next instruction: the block's exit)
      ],
      [],
      [
        ...ENABLE_SIMD,
        0xeeb70b00, // VMOV.F64 d0, #1.0
        0xeeb61b00, // VMOV.F64 d1, #0.5
        0xeef72a04, // VMOV.F32 s5, #1.25
        ...mov32(4, CODE + 0x2000),
        movw(0, 1),
        movw(1, 0),
      ],
    );
  for (const { name, jit } of MODES)
    it(`D registers aliased by S and Q registers, jit ${name}`, async () => {
      const jitSide = await side(program(), jit, 1);
      const diff = lockstep(await side(program(), null, 1), jitSide, 97, 1_000_000);
      expect(diff).toBe("");
      expect(jitSide.jit!.stats.insns).toBeGreaterThan(0);
    }, 60_000);
});

describe("interpreter vs JIT when VMSR writes FPSCR", () => {
  // The JIT reads FPSCR's modes and IXC once for the inline VFP code of a block, until a
  // runtime call or a conditional op that may not run. The loops (d0 = 1.0, d1 = 3.0;
  // r5: FPSCR 0, r6: round towards +infinity):
  const loops: Record<string, number[]> = {
    // VMSR clears IXC, which the VDIV after it must set again, then sets RP, which the
    // VDIV after it must use
    "VMSR between inline VDIVs": [
      0xee802b01, // VDIV.F64 d2, d0, d1
      0xeee15a10, // VMSR FPSCR, r5
      0xee803b01, // VDIV.F64 d3, d0, d1
      0xeef17a10, // VMRS r7, FPSCR
      0xe0888007, // ADD r8, r8, r7
      0xeee16a10, // VMSR FPSCR, r6
      0xee804b01, // VDIV.F64 d4, d0, d1
      0xee355b04, // VADD.F64 d5, d5, d4
      0xeee15a10, // VMSR FPSCR, r5
      0xee300b04, // VADD.F64 d0, d0, d4
    ],
    // the pass ends with RP set after an inline VDIV under round to nearest; the next
    // pass's VDIV, after a VADDEQ that does not run, must use RP
    "VMSR at the end of the pass, VADDEQ not run": [
      0xe3b01001, // MOVS r1, #1 (Z clear)
      0x0e366b01, // VADDEQ.F64 d6, d6, d1
      0xee804b01, // VDIV.F64 d4, d0, d1
      0xee300b04, // VADD.F64 d0, d0, d4
      0xeee15a10, // VMSR FPSCR, r5
      0xee802b01, // VDIV.F64 d2, d0, d1
      0xeef17a10, // VMRS r7, FPSCR
      0xe0888007, // ADD r8, r8, r7
      0xeee16a10, // VMSR FPSCR, r6
    ],
  };
  const setup = [
    ...ENABLE_SIMD,
    0xeeb70b00, // VMOV.F64 d0, #1.0
    0xeeb01b08, // VMOV.F64 d1, #3.0
    movw(5, 0),
    ...mov32(6, 1 << 22),
    movw(8, 0),
  ];
  for (const [what, loop] of Object.entries(loops))
    for (const { name, jit } of MODES)
      it(`${what}, jit ${name}`, async () => {
        const jitSide = await side(undefLoopImage(loop, [], setup), jit, 1);
        const a = await side(undefLoopImage(loop, [], setup), null, 1);
        const diff = lockstep(a, jitSide, 97, 1_000_000);
        expect(diff).toBe("");
        expect(a.m.cpu.R[8]).toBeGreaterThan(10 * 16); // mostly inexact VDIVs: IXC set
        expect(jitSide.jit!.stats.insns).toBeGreaterThan(0);
      }, 60_000);
});
