// Directed Hyp-mode fixtures (fixtures/src/hyp_*.S, library fixtures/src/lib/hyp.inc):
// each starts in Hyp mode, configures a trap, runs a guest at PL1/PL0 and prints one
// line per exception taken (vector, HSR, ELR_hyp, SPSR_hyp, HDFAR, HIFAR, HPFAR, or the
// PL1 LR/SPSR/FSR/FAR) and what the guest saw. Every fixture runs on QEMU
// (`-M virt,virtualization=on -cpu cortex-a15 -semihosting`, the oracle) and on hypwasm's
// board with EL2 in the same test; the whole outputs must be identical line by line.
//
// Where QEMU 7.2 does not do what the ARM ARM (DDI 0406C) requires, the fixture marks the
// case "[arch]" and ARCH_CASES below says why and what the architecture requires instead:
// either the Hyp Trap lines of that case are computed here from the trapped instructions'
// encodings by the architecture's rules (HSR layout, B3.13.6; ELR_hyp = the trapped
// instruction, B1.8.3), or QEMU's lines are corrected field by field by a stated rule;
// everything else still comes from QEMU.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Machine } from "../../src/board/machine.js";
import { QEMU, qemuBareMetalArgs } from "../../src/difftest/run.js";
import { CROSS, fixturesDir } from "../../src/difftest/toolchain.js";

const dir = fixturesDir();
const names = readdirSync(join(dir, "src"))
  .filter((f) => /^hyp_.*\.S$/.test(f))
  .map((f) => f.replace(/\.S$/, ""))
  .sort();

/** A case where QEMU 7.2 deviates from the architecture, and what the architecture requires. */
interface ArchCase {
  /** Why QEMU's output is not the oracle here. */
  why: string;
  /**
   * Code ranges [from, to) (symbols) where every MCR/MRC/MCRR/MRRC/WFI/WFE traps: these
   * trap lines replace QEMU's Hyp Trap lines of the case.
   */
  ranges?: { from: string; to: string; thumb?: boolean }[];
  /** The guest's CPSR (SPSR_hyp in the trap lines). */
  spsr?: number;
  /** Or: the architecture's correction of QEMU's HSR and HPFAR in each line of the case. */
  fix?: (f: { vec: number; hsr: number; hdfar: number; hpfar: number }) => { hsr: number; hpfar: number };
}

const ARCH_CASES: Record<string, ArchCase> = {
  "[arch] HCR.TID1": {
    why: "HCR.TID1 traps PL1 reads of TCMTR, TLBTR, REVIDR and AIDR (B4.1.65); QEMU 7.2 traps AIDR only",
    ranges: [{ from: "g_tid1", to: "g_tid1_end" }],
    spsr: 0x1d3,
  },
  "[arch] HCR.TID3": {
    why: "HCR.TID3 traps PL1 reads of the ID_PFRn/ID_DFR0/ID_AFR0/ID_MMFRn/ID_ISARn registers (B4.1.65); QEMU 7.2 traps only VMRS of MVFR0/1",
    ranges: [{ from: "g_tid3", to: "g_tid3_end" }],
    spsr: 0x1d3,
  },
  "[arch] HCR.TSW": {
    why: "HCR.TSW traps DCISW, DCCSW, DCCISW (B4.1.65); QEMU 7.2 does not implement it for AArch32",
    ranges: [{ from: "g_tsw", to: "g_tsw_end" }],
    spsr: 0x1d3,
  },
  "[arch] HCR.TPC": {
    why: "HCR.TPC traps DCIMVAC, DCCMVAC, DCCIMVAC (B4.1.65); QEMU 7.2 does not implement it for AArch32",
    ranges: [{ from: "g_tpc", to: "g_tpc_end" }],
    spsr: 0x1d3,
  },
  "[arch] HCR.TPU": {
    why: "HCR.TPU traps ICIALLU, ICIMVAU, ICIALLUIS, DCCMVAU (B4.1.65); QEMU 7.2 does not implement it for AArch32",
    ranges: [{ from: "g_tpu", to: "g_tpu_end" }],
    spsr: 0x1d3,
  },
  "[arch] HCR.TIDCP": {
    why: "HCR.TIDCP traps PL1 accesses to the lockdown space CRn = 9, CRm = 0 (B4.1.65); QEMU 7.2 does not implement it",
    ranges: [{ from: "g_tidcp", to: "g_tidcp_end" }],
    spsr: 0x1d3,
  },
  "[arch] HDCR.TPMCR only: PMCR": {
    why: "HDCR.TPMCR traps PL0/PL1 accesses to PMCR (B4.1.66); QEMU 7.2 only implements HDCR.TPM",
    ranges: [{ from: "g_pmcr", to: "g_pmcr_end" }],
    spsr: 0x1d3,
  },
  "[arch] HDCR.TDRA: cp14 DBGDRAR, DBGDSAR (MRRC)": {
    why: "HDCR.TDRA traps the 64-bit (MRRC) forms of DBGDRAR and DBGDSAR as well (B4.1.66); QEMU 7.2 traps the 32-bit forms only",
    ranges: [{ from: "g_dbgdrar64", to: "g_dbgdrar64_end" }],
    spsr: 0x1d3,
  },
  "[arch] guest stage 1 (LPAE): a VA mapped to an IPA above 4 GiB (HPFAR)": {
    why:
      "HPFAR[31:4] = IPA[39:12] of the faulting access (B4.1.68); the fixture's stage 1 maps VA 0xc0000000 + x " +
      "to IPA 0x1_00000000 + x, but QEMU 7.2 (32-bit target) drops IPA bit 32",
    fix: ({ hsr, hdfar }) => ({ hsr, hpfar: ((0x100000 + ((hdfar - 0xc0000000) >>> 12)) << 4) >>> 0 }),
  },
  "[arch] guest stage 1 (LPAE): a stage-1 table that stage 2 does not map (S1PTW)": {
    why:
      "for a stage-2 fault on a stage-1 table walk (S1PTW) the FSC gives the stage-2 fault (B3.13.6): the walk reads " +
      "IPA 0xc0000000, which misses at stage-2 level 1 (translation fault, level 1 = 0x05); QEMU 7.2 reports the " +
      "level of the stage-1 walk (2)",
    fix: ({ hsr, hpfar }) => ({ hsr: ((hsr & ~0x3f) | 0x05) >>> 0, hpfar }),
  },
  "[arch] Hyp mode aborts: HSCTLR.M with unmapped addresses, HSCTLR.A alignment": {
    why:
      "only stage-2 data aborts from PL0/PL1 carry an instruction syndrome: for a data abort taken from Hyp mode " +
      "ISV = 0, so ISS[23:14] and IL are UNK/SBZP (B3.13.6; 0, as QEMU does for its other aborts without ISV); " +
      "QEMU 7.2 also reports the syndrome of Hyp mode's own loads and stores",
    fix: ({ vec, hsr, hpfar }) => ({ hsr: vec === 0x10 ? (hsr & ~0x03ffc000) >>> 0 : hsr, hpfar }),
  },
  "[arch] wfe with HCR.TWE (arm, thumb 16, thumb 32)": {
    why:
      "HCR.TWE traps a WFE that would suspend execution (B1.14.10); QEMU 7.2 never suspends on WFE and so never traps it, " +
      "which the architecture permits too; hypwasm's WFE (no event register, B1.8.13) always traps when TWE is set",
    ranges: [
      { from: "g_wfe", to: "g_wfe_arm_end" },
      { from: "g_wfe_thumb", to: "g_wfe_end", thumb: true },
    ],
    spsr: 0x1d3,
  },
};

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");

/** HSR ISS.CV = 1, ISS.COND from an ARM instruction's cond field (B3.13.6). */
const cvCond = (cond: number) => (1 << 24) | (cond << 20);

/**
 * The HSR of a trapped instruction by the ARM ARM's encoding rules (B3.13.6): EC, IL
 * (32-bit instruction) and ISS for MCR/MRC (EC 0x03 cp15, 0x05 cp14), MCRR/MRRC (0x04,
 * 0x0c) and WFI/WFE (0x01, ISS.TI = 1 for WFE); null for any other instruction.
 */
function trapHsr(insn: number, len32: boolean, thumb: boolean): number | null {
  const il = len32 ? 1 << 25 : 0;
  // Thumb MCR/MRC/MCRR/MRRC share the ARM field layout with cond = 0b1110
  const cond = thumb ? 0xe : insn >>> 28;
  const word = thumb ? (insn & 0x0fffffff) | 0xe0000000 : insn;
  if (!thumb || len32) {
    const cp = (word >>> 8) & 0xf;
    if ((word & 0x0f000010) === 0x0e000010 && (cp === 14 || cp === 15)) {
      const iss =
        cvCond(cond) |
        (((word >>> 5) & 7) << 17) |
        (((word >>> 21) & 7) << 14) |
        (((word >>> 16) & 0xf) << 10) |
        (((word >>> 12) & 0xf) << 5) |
        ((word & 0xf) << 1) |
        ((word >>> 20) & 1);
      return (((cp === 15 ? 0x03 : 0x05) << 26) | il | iss) >>> 0;
    }
    if ((word & 0x0fe00000) === 0x0c400000 && (cp === 14 || cp === 15)) {
      const iss =
        cvCond(cond) |
        (((word >>> 4) & 0xf) << 16) |
        (((word >>> 16) & 0xf) << 10) |
        (((word >>> 12) & 0xf) << 5) |
        ((word & 0xf) << 1) |
        ((word >>> 20) & 1);
      return (((cp === 15 ? 0x04 : 0x0c) << 26) | il | iss) >>> 0;
    }
  }
  const wfx = thumb ? (len32 ? insn - 0xf3af8002 : insn - 0xbf20) : (insn & 0x0fffffff) - 0x0320f002;
  if (wfx === 0 || wfx === (thumb && !len32 ? 0x10 : 1)) {
    const wfe = wfx === 0;
    return ((0x01 << 26) | il | cvCond(thumb ? 0xe : cond) | (wfe ? 1 : 0)) >>> 0;
  }
  return null;
}

/** The Hyp Trap lines the architecture requires for an [arch] case. */
function archTrapLines(elf: string, c: ArchCase): string[] {
  if (!c.ranges) return [];
  const syms = new Map<string, number>();
  for (const line of execFileSync(`${CROSS}nm`, [elf]).toString().split("\n")) {
    const [addr, , name] = line.split(" ");
    if (name) syms.set(name, Number.parseInt(addr!, 16));
  }
  // the .text section alone, which starts with the Hyp vectors (lib/hyp.inc)
  const bin = join(mkdtempSync(join(tmpdir(), "hyp-traps-")), "text.bin");
  execFileSync(`${CROSS}objcopy`, ["-O", "binary", "-j", ".text", elf, bin]);
  const image = readFileSync(bin);
  const base = syms.get("hyp_vectors")!;
  const lines: string[] = [];
  for (const r of c.ranges) {
    const end = syms.get(r.to)!;
    for (let a = syms.get(r.from)!; a < end; ) {
      let insn: number;
      let len32 = true;
      if (r.thumb) {
        const hw1 = image.readUInt16LE(a - base);
        len32 = hw1 >= 0xe800;
        insn = len32 ? ((hw1 << 16) | image.readUInt16LE(a - base + 2)) >>> 0 : hw1;
      } else insn = image.readUInt32LE(a - base);
      const hsr = trapHsr(insn, len32, !!r.thumb);
      if (hsr !== null) {
        const spsr = c.spsr! | (r.thumb ? 0x20 : 0);
        lines.push(
          `hyp 00000014 hsr=${hex(hsr)} elr=${hex(a)} spsr=${hex(spsr)} hdfar=00000000 hifar=00000000 hpfar=00000000`,
        );
      }
      a += len32 ? 4 : 2;
    }
  }
  return lines;
}

/** A Hyp exception line with HSR and HPFAR corrected by `fix`. */
function fixLine(line: string, fix: NonNullable<ArchCase["fix"]>): string {
  const field = (name: string) => Number.parseInt(new RegExp(`${name}=([0-9a-f]{8})`).exec(line)![1]!, 16);
  const vec = Number.parseInt(line.split(" ")[1]!, 16);
  const { hsr, hpfar } = fix({ vec, hsr: field("hsr"), hdfar: field("hdfar"), hpfar: field("hpfar") });
  return line
    .replace(/hsr=[0-9a-f]{8}/, `hsr=${hex(hsr)}`)
    .replace(/hpfar=[0-9a-f]{8}/, `hpfar=${hex(hpfar)}`);
}

/**
 * QEMU's output with every [arch] case corrected: its Hyp Trap lines replaced by the
 * architecture's (the title, the trap lines, then QEMU's other lines of that case), or
 * its Hyp exception lines fixed.
 */
function expectedOutput(elf: string, qemu: string[]): string[] {
  const out: string[] = [];
  let arch: ArchCase | undefined;
  for (const line of qemu) {
    if (line.startsWith("# ")) {
      arch = ARCH_CASES[line.slice(2)];
      out.push(line);
      if (arch) out.push(...archTrapLines(elf, arch));
    } else if (arch?.fix && /^hyp [0-9a-f]{8} hsr=/.test(line)) out.push(fixLine(line, arch.fix));
    else if (!(arch?.ranges && line.startsWith("hyp 00000014 "))) out.push(line);
  }
  return out;
}

interface Run {
  out: string;
  code: number | null;
  note: string;
}

/** QEMU's bare-metal command line with the Virtualization Extensions (the image starts in Hyp mode). */
const QEMU_EL2_ARGS = qemuBareMetalArgs("virt,virtualization=on");

function runQemu(elf: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(QEMU, [...QEMU_EL2_ARGS, elf], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.stdout.on("data", (b: Buffer) => out.push(b));
    p.stderr.on("data", (b: Buffer) => err.push(b));
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ out: Buffer.concat(out).toString(), code, note: Buffer.concat(err).toString() });
    });
  });
}

function runHypwasm(elf: string): Run {
  const out: Uint8Array[] = [];
  const m = new Machine({
    memMiB: 128,
    semihosting: true,
    el2: true,
    stdout: (b) => out.push(b),
    stderr: () => {},
  });
  m.load(readFileSync(elf));
  let note = "";
  try {
    m.run(50_000_000);
  } catch (e) {
    note = `hypwasm threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    m.semihost?.flush();
  }
  if (!note && !m.cpu.halted) note = `did not halt (pc=0x${(m.cpu.R[15]! >>> 0).toString(16)})`;
  return { out: Buffer.concat(out).toString(), code: m.cpu.halted ? m.cpu.exitCode : null, note };
}

/** The first difference, with the case title ("# ...") it belongs to; "" when equal. */
function firstDifference(expected: string[], ours: string[]): string {
  for (let i = 0; i < Math.max(expected.length, ours.length); i++) {
    if (expected[i] === ours[i]) continue;
    let title = "";
    for (let j = i; j >= 0 && !title; j--) if (expected[j]?.startsWith("#")) title = expected[j]!;
    const why = ARCH_CASES[title.slice(2)]?.why;
    return (
      `line ${i + 1} in ${title}${why ? ` (expected from the architecture: ${why})` : ""}\n` +
      `  expected: ${expected[i] ?? "(end)"}\n  hypwasm:  ${ours[i] ?? "(end)"}`
    );
  }
  return "";
}

/** The [arch] cases met in the fixtures' outputs (each must exist, or its rule went unused). */
const archSeen = new Set<string>();

describe("Hyp-mode trap fixtures against QEMU", () => {
  beforeAll(() => {
    execFileSync("make", ["-s", "-C", dir], { stdio: "inherit" });
  });

  it.each(names)(
    "%s matches qemu",
    async (name) => {
      const elf = join(dir, "build", `${name}.elf`);
      const [qemu, ours] = [await runQemu(elf), runHypwasm(elf)];
      expect(qemu.code, qemu.note).toBe(0);
      const q = qemu.out.split("\n");
      for (const line of q) if (ARCH_CASES[line.slice(2)]) archSeen.add(line.slice(2));
      expect(q.at(-2), "the fixture ran to its end on qemu").toBe("# done");
      expect(ours.note).toBe("");
      expect(firstDifference(expectedOutput(elf, q), ours.out.split("\n"))).toBe("");
      expect(ours.code).toBe(qemu.code);
    },
    60_000,
  );

  it("every [arch] case is in a fixture", () => {
    expect([...archSeen].sort()).toEqual(Object.keys(ARCH_CASES).sort());
  });
});
