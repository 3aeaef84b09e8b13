// The board with the Virtualization Extensions (`hypwasm run --virtualization`) against
// QEMU's `-M virt,virtualization=on -cpu cortex-a15 -kernel`: a bare-metal program reads
// its CPSR at its first instruction and prints it with semihosting. Loaded as an ELF
// and as a raw (Linux-protocol) image, both must start where QEMU starts them: Hyp
// mode with asynchronous aborts, IRQ and FIQ masked (the ARM ARM's Hyp entry state,
// B1.8.4; Linux's booting.rst asks firmware on VE hardware for Hyp mode). Without
// virtualization both start in SVC mode.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Machine } from "../../src/board/machine.js";
import { QEMU, qemuBareMetalArgs } from "../../src/difftest/run.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hypwasm-virt-"));
const ELF = join(dir, "cpsr.elf");
const RAW = join(dir, "cpsr.bin");

// Position independent, so the same bytes run at 0x40000000 (ELF) and 0x40010000 (raw).
const SOURCE = `
    .syntax unified
    .arm
    .global _start
_start:
    mrs     r4, cpsr
    adr     r6, digits
    mov     r7, #28
1:  lsr     r8, r4, r7
    and     r8, r8, #15
    cmp     r8, #10
    addlo   r8, r8, #'0'
    addhs   r8, r8, #'a' - 10
    strb    r8, [r6], #1
    subs    r7, r7, #4
    bpl     1b
    mov     r0, #0x04           @ SYS_WRITE0
    adr     r1, text
    svc     0x123456
    mov     r0, #0x18           @ SYS_EXIT, ADP_Stopped_ApplicationExit
    ldr     r1, =0x20026
    svc     0x123456
2:  b       2b
    .ltorg
text:   .ascii "cpsr="
digits: .asciz "00000000\\n"
`;

beforeAll(() => {
  const src = join(dir, "cpsr.S");
  const obj = join(dir, "cpsr.o");
  writeFileSync(src, SOURCE);
  execFileSync("arm-linux-gnueabihf-as", ["-march=armv7ve", src, "-o", obj]);
  execFileSync("arm-linux-gnueabihf-ld", [
    "-N",
    "-Ttext=0x40000000",
    "--no-warn-rwx-segments",
    obj,
    "-o",
    ELF,
  ]);
  execFileSync("arm-linux-gnueabihf-objcopy", ["-O", "binary", ELF, RAW]);
});

/** The CPSR the fixture printed. */
function cpsrOf(out: string): number {
  const m = /cpsr=([0-9a-f]{8})/.exec(out);
  expect(m, out).not.toBeNull();
  return Number.parseInt(m![1]!, 16);
}

function qemuCpsr(image: string, virtualization: boolean): number {
  const machine = virtualization ? "virt,virtualization=on" : "virt";
  const r = spawnSync(QEMU, [...qemuBareMetalArgs(machine), image], { encoding: "latin1", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return cpsrOf(r.stdout + r.stderr);
}

function hypwasmCpsr(image: string, virtualization: boolean): number {
  const args = ["run", "--semihosting", ...(virtualization ? ["--virtualization"] : []), image];
  const r = spawnSync("node", [CLI, ...args], { encoding: "latin1", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return cpsrOf(r.stdout + r.stderr);
}

const MODE = 0x1f;
const HYP = 0x1a;
const SVC = 0x13;
/** Mode, T, F, I, A, E: the entry state. (The flags are compared nowhere: they are
 * UNKNOWN at reset, and QEMU's reset leaves Z set where ours leaves it clear.) */
const ENTRY_STATE = 0x3ff;

describe("run --virtualization: entry state as QEMU's virt,virtualization=on", () => {
  for (const [kind, image] of [
    ["ELF", ELF],
    ["raw image", RAW],
  ] as const) {
    it(`${kind}: Hyp mode with A, I, F masked`, () => {
      const q = qemuCpsr(image, true);
      expect(q & MODE).toBe(HYP);
      expect(hypwasmCpsr(image, true) & ENTRY_STATE).toBe(q & ENTRY_STATE);
    });
    it(`${kind}: SVC mode without virtualization`, () => {
      const q = qemuCpsr(image, false);
      expect(q & MODE).toBe(SVC);
      expect(hypwasmCpsr(image, false) & ENTRY_STATE).toBe(q & ENTRY_STATE);
    });
  }

  it("the machine has EL2 and the GIC virtualization interfaces only with the option", () => {
    const on = new Machine({ memMiB: 16, semihosting: false, el2: true });
    const off = new Machine({ memMiB: 16, semihosting: false });
    expect(on.cpu.el2).toBe(true);
    expect(off.cpu.el2).toBe(false);
    expect(off.vgic).toBeNull();
    const at = (m: Machine, pa: number) => m.bus.devices.find((d) => pa >= d.base && pa < d.base + d.size);
    expect(at(on, 0x08030000)).toBe(on.vgic!.hypInterface);
    expect(at(on, 0x08040000)).toBe(on.vgic!.vcpuInterface);
    expect(at(off, 0x08030000)).toBeUndefined();
    expect(at(off, 0x08040000)).toBeUndefined();
  });
});
