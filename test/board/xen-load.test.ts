// Xen and dom0 placed as QEMU places them for
//   -M virt,virtualization=on,gic-version=2,highmem=off -m 1024 -kernel XEN -append ARGS
//   -device guest-loader,addr=0x50000000,kernel=DOM0,bootargs=...
//   -device guest-loader,addr=0x51000000,initrd=INITRD
// XEN is a stand-in with a zImage header that prints, with semihosting, its CPSR (flags
// cleared), r0, r1, r2, the word at r2 (the DTB magic), its own address, and a checksum
// of each module's bytes at 0x50000000 and 0x51000000. QEMU and hypwasm must print the
// same line, and the checksums must be those of the files. (The device tree itself is
// compared with QEMU's in fdt.test.ts.) Also: the layout errors.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeFdt } from "../../src/board/fdt.js";
import { Machine } from "../../src/board/machine.js";
import { VIRT_FDT_SIZE, VirtBoard } from "../../src/board/virt.js";
import { LinuxBootError } from "../../src/loader/linux.js";
import { bootXen, DOM0_INITRD_ADDR, DOM0_KERNEL_ADDR, dom0Modules, xenLayout } from "../../src/loader/xen.js";

const dir = mkdtempSync(join(tmpdir(), "hypwasm-xenload-"));
const XEN = join(dir, "fakexen.bin");
const DOM0 = join(dir, "dom0.bin");
const INITRD = join(dir, "initrd.bin");
const DOM0_SIZE = 0x23450;
const INITRD_SIZE = 0x1234;

const SOURCE = `
    .syntax unified
    .arm
    .global _start
_start:
    b       entry
    .org    0x24
    .word   0x016f2818, 0, end - _start     @ zImage magic, start, end
entry:
    mrs     r4, cpsr
    bic     r4, r4, #0xf8000000             @ NZCVQ: UNKNOWN at reset
    mov     r5, r0
    mov     r6, r1
    mov     r7, r2
    adr     r9, buf
    mov     r0, r4
    bl      puthex
    mov     r0, r5
    bl      puthex
    mov     r0, r6
    bl      puthex
    mov     r0, r7
    bl      puthex
    ldr     r0, [r7]
    bl      puthex
    adr     r0, _start
    bl      puthex
    ldr     r0, =${DOM0_KERNEL_ADDR}
    ldr     r1, =${DOM0_SIZE}
    bl      sum
    bl      puthex
    ldr     r0, =${DOM0_INITRD_ADDR}
    ldr     r1, =${INITRD_SIZE}
    bl      sum
    bl      puthex
    mov     r0, #0
    strb    r0, [r9]
    mov     r0, #0x04                       @ SYS_WRITE0
    adr     r1, buf
    svc     0x123456
    mov     r0, #0x18                       @ SYS_EXIT
    ldr     r1, =0x20026
    svc     0x123456
1:  b       1b

puthex:                                     @ r0 as 8 hex digits and a space at r9
    mov     r2, #28
1:  lsr     r3, r0, r2
    and     r3, r3, #15
    cmp     r3, #10
    addlo   r3, r3, #'0'
    addhs   r3, r3, #'a' - 10
    strb    r3, [r9], #1
    subs    r2, r2, #4
    bpl     1b
    mov     r3, #' '
    strb    r3, [r9], #1
    bx      lr

sum:                                        @ r0 = sum of the r1 / 4 words at r0
    mov     r2, #0
1:  ldr     r3, [r0], #4
    add     r2, r2, r3
    subs    r1, r1, #4
    bne     1b
    mov     r0, r2
    bx      lr
    .ltorg
buf: .space 128
end:
`;

/** Deterministic filler bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The oracle for the fixture's checksum: the sum of the file's little-endian words. */
function wordSum(b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let s = 0;
  for (let i = 0; i < b.length; i += 4) s = (s + dv.getUint32(i, true)) >>> 0;
  return s;
}

beforeAll(() => {
  const src = join(dir, "fakexen.S");
  const obj = join(dir, "fakexen.o");
  const elf = join(dir, "fakexen.elf");
  writeFileSync(src, SOURCE);
  execFileSync("arm-linux-gnueabihf-as", ["-march=armv7ve", src, "-o", obj]);
  execFileSync("arm-linux-gnueabihf-ld", [
    "-N",
    "-Ttext=0x40010000",
    "--no-warn-rwx-segments",
    obj,
    "-o",
    elf,
  ]);
  execFileSync("arm-linux-gnueabihf-objcopy", ["-O", "binary", elf, XEN]);
  writeFileSync(DOM0, bytes(DOM0_SIZE, 1));
  writeFileSync(INITRD, bytes(INITRD_SIZE, 2));
});

const XEN_ARGS = "dom0_mem=256M console=dtuart dtuart=/pl011@9000000";
const DOM0_ARGS = "console=hvc0";

function qemu(): string {
  const r = spawnSync(
    "qemu-system-arm",
    [
      ...["-M", "virt,virtualization=on,gic-version=2,highmem=off", "-cpu", "cortex-a15", "-m", "1024"],
      ...["-display", "none", "-monitor", "none", "-serial", "none", "-nic", "none", "-semihosting"],
      ...["-kernel", XEN, "-append", XEN_ARGS],
      ...["-device", `guest-loader,addr=0x50000000,kernel=${DOM0},bootargs=${DOM0_ARGS}`],
      ...["-device", `guest-loader,addr=0x51000000,initrd=${INITRD}`],
    ],
    { encoding: "latin1", timeout: 60_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout + r.stderr;
}

function hypwasm(): string {
  let out = "";
  const capture = (b: Uint8Array) => {
    out += Buffer.from(b).toString("latin1");
  };
  // The board's device tree, on a machine with semihosting for the stand-in's output.
  const board = new VirtBoard({ memMiB: 1024, console: () => {}, virtualization: true });
  const m = new Machine({ memMiB: 1024, semihosting: true, el2: true, stdout: capture, stderr: capture });
  bootXen(m.bus, m.cpu, {
    xen: new Uint8Array(readFileSync(XEN)),
    dom0Kernel: new Uint8Array(readFileSync(DOM0)),
    dom0Initrd: new Uint8Array(readFileSync(INITRD)),
    dom0Args: DOM0_ARGS,
    dtb: (modules) =>
      encodeFdt(board.deviceTree({ bootargs: XEN_ARGS, modules }), { minSize: VIRT_FDT_SIZE }),
  });
  m.run(1_000_000);
  expect(m.cpu.halted).toBe(true);
  return out;
}

describe("Xen + dom0 loading as QEMU's -kernel and guest-loader", () => {
  it("same entry registers, DTB address, image address and module bytes", () => {
    const q = qemu().trim();
    const words = q.split(" ").map((w) => Number.parseInt(w, 16));
    expect(words.length).toBe(8);
    expect(words[0]! & 0x1f).toBe(0x1a); // Hyp mode
    expect(words[4]).toBe(0xedfe0dd0); // FDT magic read little-endian
    expect(words[5]).toBe(0x40010000);
    expect(words[6]).toBe(wordSum(new Uint8Array(readFileSync(DOM0))));
    expect(words[7]).toBe(wordSum(new Uint8Array(readFileSync(INITRD))));
    expect(hypwasm().trim()).toBe(q);
  });

  it("layout errors: modules outside RAM or over Xen/the DTB", () => {
    const ram = 0x40000000;
    const mods = dom0Modules(0x100000, 0x1000);
    expect(() => xenLayout(ram, 256 * 2 ** 20, 0x100000, VIRT_FDT_SIZE, mods)).toThrow(
      /dom0 kernel .* does not fit in RAM/,
    );
    expect(() => xenLayout(ram, 0x11000800, 0x100000, VIRT_FDT_SIZE, mods)).toThrow(
      /dom0 initrd .* does not fit in RAM/,
    );
    expect(() => xenLayout(ram, 1 << 30, 0x100000, VIRT_FDT_SIZE, dom0Modules(0x1000001, 0x1000))).toThrow(
      /dom0 initrd .* overlaps the dom0 kernel/,
    );
    // A Xen image reaching 0x50000000 pushes the DTB above the dom0 kernel's place.
    expect(() => xenLayout(ram, 1 << 30, 0x10000000, VIRT_FDT_SIZE, mods)).toThrow(LinuxBootError);
    const ok = xenLayout(ram, 1 << 30, 0x100000, VIRT_FDT_SIZE, mods);
    expect(ok.kernelAddr).toBe(0x40010000);
    expect(ok.dtbAddr).toBe(0x48000000);
  });
});
