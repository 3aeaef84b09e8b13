// BKPT inside IT blocks (fixtures/src/diff_bkpt_it.S), checked against the architecture's
// rules written out here, on QEMU and on hypwasm (test/diff/directed.test.ts also compares
// the two record by record).
//
// ARMv7-A (DDI 0406C): BKPT has no condition check, also inside an IT block: it raises
// its debug event (a Prefetch Abort with IFSR.FS = 0b00010, debug event) whether or not
// its IT condition passes. It does not retire: the preferred return address is the BKPT
// itself (LR_abt = BKPT + 4 in Thumb state) and SPSR_abt holds the CPSR with the BKPT's
// own ITSTATE. ITSTATE: an IT instruction sets it to firstcond:mask for the next
// instruction; each instruction of the block moves it on by ITAdvance (IT[2:0] = 0 ends
// the block, else IT[4:0] shifts left by one).
//
// The fixture's code is straight-line, so the walk below finds every breakpoint the
// program must take, in order, with its ITSTATE; the fixture's Prefetch Abort handler
// logs the SPSR, LR and IFSR it found to the scratch memory that each record holds.

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { JitMode } from "../../jit/jit.js";
import { parseRecords } from "../../src/difftest/compare.js";
import { Kind, RW } from "../../src/difftest/layout.js";
import { type RunResult, runHypwasm, runQemu } from "../../src/difftest/run.js";
import { CROSS, fixturesDir } from "../../src/difftest/toolchain.js";

const dir = fixturesDir();
const elf = join(dir, "build", "diff_bkpt_it.elf");
const IMAGE_BASE = 0x40000000;

const itAdvance = (it: number) => ((it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f));
/** ITSTATE from a PSR value: IT[7:2] = PSR[15:10], IT[1:0] = PSR[26:25]. */
const psrIt = (psr: number) => (((psr >>> 10) & 0x3f) << 2) | ((psr >>> 25) & 3);

interface Bkpt {
  addr: number;
  it: number;
}

/** Every BKPT between thumb_main and thumb_end with the ITSTATE it executes with. */
function expectedBreakpoints(): Bkpt[] {
  const syms = new Map<string, number>();
  for (const line of execFileSync(`${CROSS}nm`, [elf], { encoding: "utf8" }).split("\n")) {
    const [v, , name] = line.trim().split(/\s+/);
    if (name && v) syms.set(name, Number.parseInt(v, 16));
  }
  const bin = join(tmpdir(), `diff_bkpt_it-${process.pid}.bin`);
  execFileSync(`${CROSS}objcopy`, ["-O", "binary", "--only-section=.text", elf, bin]);
  const text = readFileSync(bin);
  rmSync(bin);
  const from = syms.get("thumb_main")! & ~1;
  const to = syms.get("thumb_end")!;
  const out: Bkpt[] = [];
  let it = 0;
  for (let a = from; a < to; ) {
    const hw = text.readUInt16LE(a - IMAGE_BASE);
    const wide = hw >>> 11 >= 0x1d;
    if ((hw & 0xff00) === 0xbf00 && (hw & 0xf) !== 0) {
      expect(it, `IT inside an IT block at 0x${a.toString(16)}`).toBe(0);
      it = hw & 0xff; // the next instruction's ITSTATE
    } else {
      if ((hw & 0xff00) === 0xbe00) out.push({ addr: a, it });
      if (it !== 0) it = itAdvance(it);
    }
    a += wide ? 4 : 2;
  }
  return out;
}

/** The Prefetch Abort records: trapping address, and the handler's log of SPSR, LR, IFSR. */
function breakpointsTaken(r: RunResult) {
  const p = parseRecords(r.stdout, false);
  expect(p.error).toBeUndefined();
  return p.records
    .filter((x) => (x[RW.KIND]! & 0xff) === Kind.PABT)
    .map((x) => ({
      lr: x[RW.LR]!,
      fsr: x[RW.FSR]!,
      spsr: x[RW.VFP]!, // scratch[0]: SPSR_abt as the exception left it
      loggedLr: x[RW.VFP + 1]!,
      loggedIfsr: x[RW.VFP + 2]!,
    }));
}

function checkArch(r: RunResult, want: Bkpt[]) {
  expect(r.note, r.stderr).toBeUndefined();
  expect(r.code).toBe(0);
  const got = breakpointsTaken(r);
  const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
  // every BKPT, in order, whatever its IT condition
  expect(got.map((g) => hex(g.lr - 4))).toEqual(want.map((w) => hex(w.addr)));
  for (const [i, g] of got.entries()) {
    const w = want[i]!;
    const where = `BKPT at ${hex(w.addr)}`;
    expect(hex(g.loggedLr), where).toBe(hex(w.addr + 4));
    expect(hex(psrIt(g.spsr)), `${where}: SPSR.IT`).toBe(hex(w.it));
    expect(g.spsr & 0x3f, `${where}: SPSR T, mode`).toBe(0x20 | 0x13); // Thumb, SVC
    expect(g.loggedIfsr & 0x40f, `${where}: IFSR.FS`).toBe(0x002); // debug event
    expect(g.fsr & 0x40f).toBe(0x002);
  }
}

describe("BKPT inside IT blocks (architecture rules)", () => {
  let want: Bkpt[] = [];
  beforeAll(() => {
    execFileSync("make", ["-s", "-C", dir, "build/diff_bkpt_it.elf"], { stdio: "inherit" });
    want = expectedBreakpoints();
  });

  it("the fixture has breakpoints in IT blocks whose conditions fail", () => {
    expect(want.length).toBeGreaterThanOrEqual(10);
    expect(want.filter((w) => w.it !== 0).length).toBeGreaterThanOrEqual(8);
  });

  it("qemu", async () => checkArch(await runQemu(elf, 20_000), want), 30_000);

  for (const mode of ["off", "on", "always"] as JitMode[])
    it(
      `hypwasm, jit ${mode}`,
      async () => checkArch(await runHypwasm(elf, 10_000_000, 20_000, mode), want),
      30_000,
    );
});
