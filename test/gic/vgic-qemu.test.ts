// The GICv2 virtualization extensions against QEMU 7.2 in the same test: one script of
// register accesses (GICD, GICH, GICV, and ISR for the virtual lines) runs as a
// bare-metal program on `qemu-system-arm -M virt,virtualization=on,gic-version=2` and
// directly on our Gic + VGic; every value read must be the same on both.
//
// The program starts in Hyp mode (QEMU does for an ELF with virtualization=on), sets
// HCR.IMO/FMO and drops to SVC with A/I/F masked, so that ISR.I/F show the virtual IRQ
// and FIQ lines (ARM DDI 0406C B4.1.87). The physical CPU interface stays disabled, so
// nothing is ever taken to Hyp. GICD_ISPENDR0 bit 25 shows the maintenance interrupt.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GICC_BASE, GICD_BASE, Gic } from "../../runtime/gic.js";
import { GICH_BASE, GICV_BASE, VGic } from "../../runtime/vgic.js";
import { QEMU, qemuBareMetalArgs } from "../../src/difftest/run.js";
import { CROSS } from "../../src/difftest/toolchain.js";

type Region = "gicd" | "gicc" | "gich" | "gicv";
const BASE: Record<Region, number> = { gicd: GICD_BASE, gicc: GICC_BASE, gich: GICH_BASE, gicv: GICV_BASE };

type Op =
  | { kind: "read"; region: Region; off: number; label: string }
  | { kind: "write"; region: Region; off: number; value: number }
  | { kind: "isr"; label: string };

const GICH_REGS: [number, string][] = [
  [0x00, "HCR"],
  [0x08, "VMCR"],
  [0x10, "MISR"],
  [0x20, "EISR0"],
  [0x30, "ELRSR0"],
  [0xf0, "APR"],
  [0x100, "LR0"],
  [0x104, "LR1"],
  [0x108, "LR2"],
  [0x10c, "LR3"],
];
const GICV_REGS: [number, string][] = [
  [0x00, "CTLR"],
  [0x04, "PMR"],
  [0x08, "BPR"],
  [0x14, "RPR"],
  [0x18, "HPPIR"],
  [0x1c, "ABPR"],
  [0xd0, "APR0"],
];

class Script {
  readonly ops: Op[] = [];
  private step = "";

  section(name: string): void {
    this.step = name;
  }
  w(region: Region, off: number, value: number): void {
    this.ops.push({ kind: "write", region, off, value: value >>> 0 });
  }
  r(region: Region, off: number, name = `+0x${off.toString(16)}`): void {
    this.ops.push({ kind: "read", region, off, label: `${this.step}: ${region.toUpperCase()}_${name}` });
  }
  /** Every side-effect-free register of the virtual interface, the virtual lines, the
   * maintenance interrupt and the physical active state. */
  snapshot(): void {
    for (const [off, name] of GICH_REGS) this.r("gich", off, name);
    for (const [off, name] of GICV_REGS) this.r("gicv", off, name);
    this.r("gicd", 0x200, "ISPENDR0");
    this.r("gicd", 0x300, "ISACTIVER0");
    this.r("gicd", 0x304, "ISACTIVER1");
    this.ops.push({ kind: "isr", label: `${this.step}: ISR` });
  }
  /** Back to the reset state of the virtual interface. */
  clear(): void {
    for (let i = 0; i < 4; i++) this.w("gich", 0x100 + 4 * i, 0);
    this.w("gich", 0x00, 0);
    this.w("gich", 0x08, 0);
    this.w("gich", 0xf0, 0);
  }
}

/** An LR value (GICH_LRn: VirtualID, PhysicalID or CPUID/EOI, Priority[7:3], State, Grp1, HW). */
function lr(vid: number, prio: number, state: number, extra = 0): number {
  return (vid | ((prio >> 3) << 23) | (state << 28) | extra) >>> 0;
}
const EOI = 1 << 19;
const GRP1 = 1 << 30;
const hw = (pid: number) => ((1 << 31) | (pid << 10)) >>> 0;

function buildScript(): Script {
  const s = new Script();
  const [HCR, VMCR, MISR, APR, LR0] = [0x00, 0x08, 0x10, 0xf0, 0x100];
  const [CTLR, PMR, BPR, IAR, EOIR, ABPR, APR0, DIR] = [0x00, 0x04, 0x08, 0x0c, 0x10, 0x1c, 0xd0, 0x1000];
  const ack = () => s.r("gicv", IAR, "IAR");

  s.section("reset");
  s.snapshot();
  s.r("gich", 0x04, "VTR");
  for (const off of [0x0c, 0x24, 0x34, 0x40, 0xec, 0xf4, 0x200, 0xffc]) s.r("gich", off);
  for (const off of [0x0c, 0x20, 0x24, 0x28, 0xd4, 0xdc, 0xe0, 0xfc, 0x1000, 0x1ffc]) s.r("gicv", off);
  for (const off of [0x004, 0x008, 0xc04]) s.r("gicd", off);
  s.r("gicc", 0xfc, "IIDR");

  s.section("write masks");
  s.w("gich", HCR, 0xffffffff);
  s.r("gich", HCR, "HCR");
  s.w("gich", HCR, 0);
  s.w("gich", LR0, 0xffffffff);
  s.snapshot();
  s.w("gich", LR0, 0);
  for (const v of [0xffffffff, 0, 0x5a5a5a5a]) {
    s.w("gich", VMCR, v);
    s.snapshot();
  }
  s.w("gicv", CTLR, 0xffffffff);
  s.w("gicv", PMR, 0xffffffff);
  s.w("gicv", BPR, 0);
  s.w("gicv", ABPR, 0);
  s.snapshot();
  s.w("gicv", BPR, 7);
  s.w("gicv", ABPR, 2);
  s.w("gich", APR, 0x80010000);
  s.snapshot();
  s.w("gicv", APR0, 0x100);
  s.snapshot();
  s.w("gicv", 0xd4, 0xffffffff); // APR1-3, NSAPR: not there
  s.w("gicv", 0xe0, 0xffffffff);
  s.w("gich", 0x04, 0xffffffff); // read-only registers
  s.w("gich", MISR, 0xffffffff);
  s.w("gich", 0x30, 0xffffffff);
  s.snapshot();
  s.clear();

  s.section("lifecycle");
  s.w("gich", HCR, 1);
  s.w("gicv", CTLR, 3);
  s.w("gicv", PMR, 0xff);
  s.w("gich", LR0, lr(42, 0x50, 1, EOI));
  s.snapshot();
  ack();
  s.snapshot();
  ack();
  s.w("gicv", EOIR, 42);
  s.snapshot();
  s.w("gich", LR0, 0);
  s.snapshot();
  s.w("gich", LR0 + 4, lr(43, 0x60, 1));
  ack();
  s.w("gich", LR0 + 4, lr(43, 0x60, 3)); // pending again while active
  s.snapshot();
  s.w("gicv", EOIR, 43);
  s.snapshot();
  ack();
  s.w("gicv", EOIR, 43);
  s.snapshot();
  s.clear();

  s.section("priorities");
  s.w("gich", HCR, 1);
  s.w("gicv", CTLR, 3);
  s.w("gicv", PMR, 0x40);
  s.w("gich", LR0, lr(100, 0x80, 1));
  s.w("gich", LR0 + 4, lr(101, 0x40, 1));
  s.w("gich", LR0 + 12, lr(103, 0x40, 1)); // same priority as 101: the lower LR wins
  s.snapshot();
  s.w("gicv", PMR, 0x48);
  s.snapshot();
  s.w("gicv", PMR, 0xff);
  ack();
  s.snapshot();
  ack();
  s.w("gich", LR0 + 8, lr(102, 0x38, 1));
  s.snapshot();
  ack();
  s.snapshot();
  s.w("gicv", EOIR, 102);
  s.snapshot();
  s.w("gicv", EOIR, 101);
  s.snapshot();
  s.clear();

  s.section("binary point");
  s.w("gich", HCR, 1);
  s.w("gicv", CTLR, 3);
  s.w("gicv", PMR, 0xff);
  s.w("gicv", BPR, 4);
  s.w("gich", LR0, lr(50, 0x58, 1));
  s.w("gich", LR0 + 4, lr(51, 0x48, 1));
  ack();
  s.snapshot();
  ack();
  s.w("gicv", EOIR, 50);
  ack();
  s.snapshot();
  s.clear();

  s.section("groups");
  s.w("gich", HCR, 1);
  s.w("gicv", CTLR, 0xb); // EnableGrp0/1, FIQEn
  s.w("gicv", PMR, 0xff);
  s.w("gich", LR0, lr(7, 0x20, 1));
  s.snapshot();
  s.w("gicv", CTLR, 0xa);
  s.snapshot();
  s.w("gich", LR0, 0);
  s.w("gich", LR0 + 4, lr(60, 0x58, 1, GRP1));
  s.snapshot();
  ack();
  s.w("gicv", CTLR, 0x6); // AckCtl
  s.w("gicv", ABPR, 5);
  ack();
  s.snapshot();
  s.w("gicv", EOIR, 60);
  s.w("gicv", CTLR, 0x16); // CBPR
  s.w("gich", LR0 + 4, lr(60, 0x58, 1, GRP1));
  ack();
  s.snapshot();
  s.w("gicv", EOIR, 60);
  s.w("gicv", CTLR, 0x8); // group 1 pending, nothing enabled
  s.w("gich", LR0 + 4, lr(61, 0x58, 1, GRP1));
  s.snapshot();
  s.clear();

  s.section("EOImode");
  s.w("gich", HCR, 1);
  s.w("gicv", CTLR, 0x201);
  s.w("gicv", PMR, 0xff);
  s.w("gich", LR0, lr(77, 0x60, 1, EOI));
  ack();
  s.w("gicv", EOIR, 77);
  s.snapshot();
  s.w("gicv", DIR, 77);
  s.snapshot();
  s.w("gicv", CTLR, 1);
  s.w("gich", LR0, lr(78, 0x60, 1));
  ack();
  s.w("gicv", DIR, 78); // ignored with EOImode 0
  s.snapshot();
  s.clear();

  s.section("HW");
  s.w("gicd", 0x000, 3);
  s.w("gicd", 0x300, (1 << 27) | (1 << 3));
  // SPI 40 active through a physical acknowledge (QEMU 7.2 cannot deactivate an SPI set
  // active through GICD_ISACTIVER from a vCPU: it clears only this CPU's bit of eight).
  // Group 1 with only group 0 enabled and AckCtl: acknowledged but never signalled, as
  // a physical IRQ would be taken to Hyp mode.
  s.w("gicd", 0x084, 1 << 8);
  s.w("gicd", 0x104, 1 << 8);
  s.w("gicd", 0x204, 1 << 8);
  s.w("gicc", 0x00, 0x205); // EnableGrp0, AckCtl, EOImode
  s.w("gicc", 0x04, 0xff);
  s.r("gicc", 0x0c, "IAR");
  s.w("gicc", 0x10, 40);
  s.w("gicc", 0x00, 0);
  s.w("gich", HCR, 1);
  s.w("gicv", CTLR, 1);
  s.w("gicv", PMR, 0xff);
  s.w("gich", LR0, lr(27, 0xa0, 1, hw(27)));
  ack();
  s.snapshot();
  s.w("gicv", EOIR, 27);
  s.snapshot();
  s.w("gicv", CTLR, 0x201);
  s.w("gich", LR0, lr(90, 0x10, 1, hw(40)));
  s.w("gich", LR0 + 4, lr(91, 0x20, 1, hw(3) | EOI));
  ack();
  s.w("gicv", EOIR, 90);
  s.snapshot();
  s.w("gicv", DIR, 90);
  ack();
  s.w("gicv", EOIR, 91);
  s.w("gicv", DIR, 91);
  s.snapshot();
  s.w("gicd", 0x000, 0);
  s.clear();

  s.section("EOICount");
  s.w("gich", HCR, 1 | 4);
  s.w("gicv", CTLR, 1);
  s.w("gicv", PMR, 0xff);
  s.w("gicv", EOIR, 5);
  s.snapshot();
  s.w("gich", LR0, lr(5, 0x30, 1));
  ack();
  s.w("gich", LR0, 0);
  s.w("gicv", EOIR, 5);
  s.snapshot();
  s.w("gicv", EOIR, 1023);
  s.w("gich", HCR, 1 | 4);
  s.w("gicv", CTLR, 0x201);
  for (let i = 0; i < 33; i++) s.w("gicv", DIR, 200 + i);
  s.snapshot();
  s.w("gicv", DIR, 1022);
  s.w("gich", HCR, 1 | (31 << 27));
  s.snapshot();
  s.clear();

  s.section("maintenance");
  s.w("gich", HCR, 1 | 2 | 8); // UIE, NPIE
  s.snapshot();
  s.w("gich", LR0, lr(1, 0, 2));
  s.snapshot();
  s.w("gich", LR0 + 8, lr(2, 0, 3));
  s.snapshot();
  s.w("gich", LR0 + 8, lr(2, 0, 1));
  s.snapshot();
  s.w("gich", LR0, lr(1, 0, 0, EOI));
  s.snapshot();
  s.w("gich", HCR, 0xf0); // group enable/disable requests, En = 0
  s.snapshot();
  s.w("gich", HCR, 0xf1);
  s.w("gicv", CTLR, 1);
  s.snapshot();
  s.w("gich", VMCR, 2);
  s.snapshot();
  s.clear();

  s.section("virtual SGI");
  s.w("gich", HCR, 1);
  s.w("gicv", CTLR, 1);
  s.w("gicv", PMR, 0xff);
  s.w("gich", LR0, lr(2, 0x40, 1, 5 << 10));
  s.snapshot();
  ack();
  s.w("gicv", EOIR, 2 | (5 << 10));
  s.snapshot();
  s.clear();
  return s;
}

// ---- the script on QEMU ----------------------------------------------------------------

const LOG = 0x40100000;

function assemble(ops: Op[]): string {
  const load = (reg: string, v: number) => `    movw ${reg}, #${v & 0xffff}\n    movt ${reg}, #${v >>> 16}\n`;
  let body = "";
  let n = 0;
  for (const op of ops) {
    if (op.kind === "isr") {
      body += "    mrc p15, 0, r0, c12, c1, 0\n    str r0, [r11], #4\n";
      n++;
    } else if (op.kind === "read") {
      body += `${load("r1", BASE[op.region] + op.off)}    ldr r0, [r1]\n    str r0, [r11], #4\n`;
      n++;
    } else {
      body += `${load("r1", BASE[op.region] + op.off)}${load("r0", op.value)}    str r0, [r1]\n`;
    }
  }
  return `    .syntax unified
    .arm
    .global _start
_start:
    mov r0, #0x18                   @ HCR.FMO | HCR.IMO
    mcr p15, 4, r0, c1, c1, 0
    movw r0, #:lower16:vectors
    movt r0, #:upper16:vectors
    mcr p15, 4, r0, c12, c0, 0      @ HVBAR
    mcr p15, 0, r0, c12, c0, 0      @ VBAR
    mov r0, #0x1d3                  @ SVC, A/I/F masked
    msr spsr_cxsf, r0
    movw r0, #:lower16:svc_start
    movt r0, #:upper16:svc_start
    msr elr_hyp, r0
    eret
svc_start:
${load("r11", LOG)}${body}
    adr r1, open_args
    mov r0, #1                      @ SYS_OPEN ":tt" for writing
    svc 0x123456
    adr r1, write_args
    str r0, [r1]
    mov r0, #5                      @ SYS_WRITE the log
    svc 0x123456
    mov r2, #0
exit:
    adr r1, exit_args
    str r2, [r1, #4]
    mov r0, #0x20                   @ SYS_EXIT
    svc 0x123456
    .balign 32
vectors:                            @ any exception: exit with status 1
    .rept 8
    b fail
    .endr
fail:
    mov r2, #1
    b exit
open_args: .word tt, 4, 3
write_args: .word 0, ${LOG}, ${4 * n}
exit_args: .word 0x20026, 0
tt: .asciz ":tt"
`;
}

function runOnQemu(ops: Op[]): number[] {
  const dir = mkdtempSync(join(tmpdir(), "vgic-qemu-"));
  try {
    writeFileSync(join(dir, "t.S"), assemble(ops));
    execFileSync(`${CROSS}as`, ["-march=armv7ve", "-o", "t.o", "t.S"], { cwd: dir });
    execFileSync(`${CROSS}ld`, ["-N", "-Ttext=0x40000000", "--no-warn-rwx-segments", "-o", "t.elf", "t.o"], {
      cwd: dir,
    });
    const out = execFileSync(
      QEMU,
      [...qemuBareMetalArgs("virt,virtualization=on,gic-version=2"), join(dir, "t.elf")],
      { timeout: 30_000 },
    );
    const words: number[] = [];
    for (let i = 0; i + 4 <= out.length; i += 4) words.push(out.readUInt32LE(i));
    return words;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the script on hypwasm's GIC --------------------------------------------------------

function runOnModel(ops: Op[]): number[] {
  let virq = false;
  let vfiq = false;
  const gic = new Gic(() => {});
  const vgic = new VGic(gic, (i, f) => {
    virq = i;
    vfiq = f;
  });
  const dev = {
    gicd: gic.distributor,
    gicc: gic.cpuInterface,
    gich: vgic.hypInterface,
    gicv: vgic.vcpuInterface,
  };
  const words: number[] = [];
  for (const op of ops) {
    if (op.kind === "isr") words.push((virq ? 1 << 7 : 0) | (vfiq ? 1 << 6 : 0));
    else if (op.kind === "read") words.push(dev[op.region].read(op.off, 4) >>> 0);
    else dev[op.region].write(op.off, 4, op.value);
  }
  return words;
}

// QEMU and the cross assembler are installed by scripts/setup.sh: a missing tool fails the test
describe("GICv2 virtualization extensions against QEMU", () => {
  it("every register read matches qemu-system-arm -M virt,virtualization=on", () => {
    const { ops } = buildScript();
    const labels = ops.flatMap((op) => (op.kind === "write" ? [] : [op.label]));
    const qemu = runOnQemu(ops);
    expect(qemu.length).toBe(labels.length); // the program ran to the end
    const ours = runOnModel(ops);
    const hex = (v: number) => `0x${v.toString(16).padStart(8, "0")}`;
    const mismatches = labels
      .map((label, i) => ({ label, qemu: qemu[i]!, ours: ours[i]! }))
      .filter((m) => m.qemu !== m.ours)
      .map((m) => `${m.label}: qemu ${hex(m.qemu)} hypwasm ${hex(m.ours)}`);
    expect(mismatches.slice(0, 20).join("\n")).toBe("");
  });
});
