// Warm-up of the generated interpreter (execOps), once per process.
//
// V8 optimizes execOps with the type feedback its cases collected so far; a case that
// had not run by then has none, and the first time it runs the optimized code is
// thrown away ("Insufficient type feedback") and execOps runs unoptimized until V8
// re-optimizes it, which takes many profiler ticks for a function this size: the guest
// then runs several times slower for up to seconds, at random points of a run. So
// before the first guest instruction every inline case runs a few times, with operand
// values of every kind (small, negative, above 2^31, carries and overflows), every
// condition code and both op-word prelude paths. Then V8 optimizes execOps once, with
// feedback for all of it.
//
// The warm-up runs on the machine's own CPU before anything else and leaves no trace:
// it saves the CPU state words and the RAM it touches and puts them back, and it runs
// only while the MMU is off and the core little-endian (as after reset), so that every
// access is a plain RAM access.

import type { Cpu } from "../cpu/cpu.js";
import { PSR, RAM_OFFSET, S } from "../cpu/state.js";
import { DEFS, paramCombos } from "../sem/defs.js";
import "../sem/all.js";
import { DISPATCH, isHot } from "./hot.js";
import { execOps } from "./ops.generated.js";
import { OPW_LEN4, OPW_SETPC, OPW_THUMB } from "./support.js";

let warmed = false;

/** Bytes of RAM (from its start) that warm-up loads and stores may touch. */
const SCRATCH = 0x2000;
/** Rounds of every case (different operands and conditions), and the one whose accesses fault. */
const ROUNDS = 8;
const FAULT_ROUND = 7;
/** The base address of the fault round (used only where nothing is mapped around it). */
const FAULT_BASE = 0xfff00000 | 0;

/**
 * Register values: small, zero, negative, 2^31 - 1, -2^31, large, and RAM addresses (r8,
 * r10). In the FAULT_ROUND the memory ops' base r8 is an unmapped address: every access
 * faults (a bus error, no device sees it), so the fault path has run too.
 */
function regValues(round: number, ram: number, faults: boolean): number[] {
  const mix = [1, 0, -1, 0x7fffffff, -0x80000000, 0x12345678, 0xfffff000 | 0, 3];
  const r: number[] = [];
  for (let i = 0; i < 8; i++) r.push(mix[(i + round) % mix.length]!);
  r.push(
    faults && round === FAULT_ROUND ? FAULT_BASE : (ram + 0x800) | 0,
    8,
    (ram + 0x1000) | 1,
    4,
    12,
    0,
    0,
    (ram + 0x100) | 0,
  );
  return r;
}

function fieldValue(def: string, field: string, i: number, k: number, ram: number): number {
  const mem = def.startsWith("ldst") || def.startsWith("ld_");
  switch (field) {
    case "rd":
    case "rt":
      return (k + i) & 7;
    case "rn":
      return mem ? 8 : (k * 3 + 1) & 7;
    case "rm":
      return mem ? 9 : def === "bx_reg" ? [10, 14, 9][k % 3]! : (k * 5 + 2) & 7;
    case "imm":
      return mem ? [0, 4, -4, 8][k % 4]! : [0xff, 0xff000000 | 0, 1, -0x80000000, 0, 0x3fc][k % 6]!;
    case "amt":
      return mem ? k & 1 : [1, 31, 0, 16, 5][k % 5]!;
    case "target":
      return (ram + 0x100 + 4 * k) | 0;
    case "base":
      return (ram + 0x800) | 0;
    case "off":
      return [0, 4, -4][k % 3]!;
    default:
      return k & 7;
  }
}

/** Flag words (NF, ZF, CF, VF) per round, so that every condition both passes and fails. */
const FLAGS = [
  [0, 0, 0, 0],
  [-1, 1, 1, -1],
  [1, 1, 0, -1],
  [-1, 0, 1, 0],
  [0, 5, 1, 0],
  [-5, 5, 0, -5],
];

/**
 * Run every inline case of execOps several times on `cpu` and restore everything it
 * touched. Does nothing after the first call in a process, or when the CPU is not in
 * its reset-like state (MMU off, little-endian, RAM of at least 8 KiB). `again`: run it
 * even if it ran before (tests).
 */
export function warmUpInterpreter(cpu: Cpu, again = false): void {
  if (warmed && !again) return;
  const bus = cpu.bus;
  if (cpu.mmuOn || cpu.bigEndian || bus.ramSize < SCRATCH) return;
  warmed = true;
  const ram = bus.ramBase | 0;
  const W = cpu.W;
  const R = cpu.R;
  const savedState = W.slice(0, S.END >> 2);
  const savedRam = bus.u8.slice(RAM_OFFSET, RAM_OFFSET + SCRATCH);
  const savedFaultOp = cpu.faultOp;
  const ops: { op: number; def: string; fields: string[] }[] = [];
  let mov = 0; // MOV rd, #imm (the loop that asks for optimization, below)
  for (const def of DEFS) {
    let op = def.base;
    for (const p of paramCombos(def)) {
      if (def.name === "dp_imm" && p.op === 13 && p.s === 0 && p.dst === 0 && p.ic === 0) mov = DISPATCH[op]!;
      // the inline cases, and two cold ops for the call out of the switch: ORN, and ORN
      // writing the PC (with one call target V8 inlines it and deoptimizes at the first
      // other one; the second also takes the return after a PC write)
      if (
        isHot(def.name, p) ||
        (def.name === "dp_imm" && p.op === 16 && p.dst! <= 1 && p.s === 0 && p.ic === 0)
      )
        ops.push({ op: DISPATCH[op]!, def: def.name, fields: def.fields });
      op++;
    }
  }
  const A = new Int32Array(8);
  const faults = [-0x100, 0, 0x100].every((d) => bus.isUnmapped(FAULT_BASE + d));
  try {
    // twice over: V8 gives a function its feedback vector only after its first calls
    for (let k = 0; k < 2 * ROUNDS; k++) {
      const regs = regValues(k % ROUNDS, ram, faults);
      const flags = FLAGS[k % FLAGS.length]!;
      for (let j = 0; j < bus.u32.length && j < SCRATCH / 4; j++)
        bus.u32[(RAM_OFFSET >>> 2) + j] = regs[(j + k) % 8]!;
      for (const o of ops) {
        W.set(savedState);
        W[S.NF >> 2] = flags[0]!;
        W[S.ZF >> 2] = flags[1]!;
        W[S.CF >> 2] = flags[2]!;
        W[S.VF >> 2] = flags[3]!;
        for (let i = 0; i < 15; i++) R[i] = regs[i]!;
        A.fill(0);
        o.fields.forEach((f, i) => {
          A[2 + i] = fieldValue(o.def, f, i, k, ram);
        });
        // round 0: AL with no prelude work; then conditions 0..13 (pass and fail), the
        // PC store, and Thumb ops with an ITSTATE (one that makes the op word a large
        // negative number, which V8 does not hold as a small integer)
        const cond = k === 0 ? 14 : (o.op + k) % 14;
        const thumb = k >= 4 && k % 2 === 0;
        const it = k % ROUNDS === 6 ? 0xc8 : 0x08;
        A[0] =
          o.op | (cond << 16) | (k % 2 ? OPW_SETPC : 0) | OPW_LEN4 | (thumb ? OPW_THUMB | (it << 24) : 0);
        if (thumb) W[S.CPSR >> 2] = W[S.CPSR >> 2]! | PSR.T;
        A[1] = (ram + 0x108) | 0;
        R[15] = A[1]!;
        try {
          execOps(cpu, A, 0, 8);
        } catch {
          // a fault thrown by a warm-up op (an unaligned or odd access): nothing to do
        }
      }
    }
    // Then a block of 64 MOVs (to r0), run 64 times. V8 counts a function's work towards
    // optimizing it at its loops' back edges, which the one-op runs above hardly take: this
    // asks for execOps' optimization now (V8 marked it after ~30 such runs), and TurboFan
    // compiles it in the background while the command loads its images. Measured on the
    // Linux boot: execOps was optimized only ~1 M guest instructions and ~0.5 s into the
    // run, which ran them at ~1-2 MIPS; now it is when the guest starts.
    const block = new Int32Array(64 * 8);
    for (let i = 0; i < 64; i++) {
      block[i * 8] = mov | (14 << 16);
      block[i * 8 + 4] = i;
    }
    for (let k = 0; k < 64; k++) execOps(cpu, block, 0, block.length);
  } finally {
    W.set(savedState);
    bus.u8.set(savedRam, RAM_OFFSET);
    cpu.faultOp = savedFaultOp;
  }
}
