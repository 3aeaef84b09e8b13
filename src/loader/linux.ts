// The 32-bit ARM Linux boot protocol (Documentation/arm/booting.rst) with the memory
// placement QEMU's hw/arm/boot.c uses for `-kernel/-initrd` with a device tree:
//   - the kernel (zImage or raw Image) at RAM + 0x10000 (KERNEL_LOAD_ADDR);
//   - the initrd at RAM + min(RAM size / 2, 128 MiB), moved up to the first page after
//     the kernel if the kernel reaches that far;
//   - the DTB at the first 4 KiB boundary after the initrd (at the initrd address when
//     there is no initrd);
//   - entry at the kernel's first byte in SVC mode (Hyp mode when the core has EL2), MMU
//     and caches off, IRQ/FIQ/async aborts masked, r0 = 0, r1 = 0xffffffff (machine
//     type: none, DT only), r2 = DTB.
// QEMU gets there through a few instructions of bootloader at the start of RAM; we set
// the registers directly (no guest-visible difference but those instructions).

import type { Cpu } from "../cpu/cpu.js";
import { Mode, PSR } from "../cpu/state.js";
import type { Bus } from "../mem/bus.js";

export class LinuxBootError extends Error {}

export const KERNEL_LOAD_OFFSET = 0x10000;
const INITRD_MAX_OFFSET = 128 * 1024 * 1024;
const PAGE = 4096;
const DTB_ALIGN = 4096;
const ZIMAGE_MAGIC = 0x016f2818;

export interface KernelInfo {
  kind: "zimage" | "image";
  /** Bytes of the file that make up the kernel. */
  size: number;
}

/** Recognise a kernel image and check it is complete. */
export function inspectKernel(data: Uint8Array): KernelInfo {
  if (data.length < 64) throw new LinuxBootError(`kernel image is truncated (${data.length} bytes)`);
  if (data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46)
    throw new LinuxBootError(
      "kernel is an ELF file; boot takes a zImage or Image (use `hypwasm run` for ELF)",
    );
  const z = zImageHeader(data);
  if (z) {
    if (z.bigEndian) throw new LinuxBootError("big-endian zImage kernels are not supported");
    const size = (z.end - z.start) >>> 0;
    if (size > data.length)
      throw new LinuxBootError(`kernel zImage is truncated (${data.length} of ${size} bytes)`);
    return { kind: "zimage", size: data.length };
  }
  return { kind: "image", size: data.length };
}

/** The zImage header (magic at 0x24, then start and end addresses), if there is one. */
export function zImageHeader(data: Uint8Array): { start: number; end: number; bigEndian: boolean } | null {
  if (data.length < 0x30) return null;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = dv.getUint32(0x24, true) === ZIMAGE_MAGIC;
  if (!le && dv.getUint32(0x24, false) !== ZIMAGE_MAGIC) return null;
  return { start: dv.getUint32(0x28, le), end: dv.getUint32(0x2c, le), bigEndian: !le };
}

export interface LinuxLayout {
  kernelAddr: number;
  kernelEnd: number;
  initrdStart: number;
  initrdEnd: number;
  dtbAddr: number;
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;
const hex = (v: number) => `0x${v.toString(16)}`;

/** Where QEMU places kernel, initrd and DTB; throws if they do not fit in RAM. */
export function linuxLayout(
  ramBase: number,
  ramSize: number,
  kernelSize: number,
  initrdSize: number,
  dtbSize: number,
): LinuxLayout {
  const ramEnd = ramBase + ramSize;
  const kernelAddr = ramBase + KERNEL_LOAD_OFFSET;
  const kernelEnd = kernelAddr + kernelSize;
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  if (kernelEnd > ramEnd)
    throw new LinuxBootError(`kernel (${mib(kernelSize)}) does not fit in ${mib(ramSize)} of RAM`);
  const initrdStart = alignUp(Math.max(ramBase + Math.min(ramSize / 2, INITRD_MAX_OFFSET), kernelEnd), PAGE);
  const initrdEnd = initrdStart + initrdSize;
  if (initrdEnd > ramEnd)
    throw new LinuxBootError(
      `initrd (${mib(initrdSize)}) does not fit in RAM: it would end at ${hex(initrdEnd)}, RAM ends at ${hex(ramEnd)} (use a larger --mem)`,
    );
  const dtbAddr = alignUp(initrdEnd, DTB_ALIGN);
  if (dtbAddr + dtbSize > ramEnd)
    throw new LinuxBootError(
      `no room for the device tree (${mib(dtbSize)}) after the kernel and initrd (use a larger --mem)`,
    );
  return { kernelAddr, kernelEnd, initrdStart, initrdEnd, dtbAddr };
}

export interface LinuxBootImages {
  kernel: Uint8Array;
  initrd?: Uint8Array;
  /** The device tree blob for a layout (its size must not depend on the layout). */
  dtb: (layout: LinuxLayout) => Uint8Array;
}

/** Load kernel, initrd and DTB into RAM and set the CPU up for the kernel's entry. */
export function bootLinux(bus: Bus, cpu: Cpu, img: LinuxBootImages): LinuxLayout {
  const k = inspectKernel(img.kernel);
  const initrdSize = img.initrd?.length ?? 0;
  // The DTB's size does not depend on the addresses in it: size it with a provisional layout.
  const probe = img.dtb({ kernelAddr: 0, kernelEnd: 0, initrdStart: 0, initrdEnd: 0, dtbAddr: 0 }).length;
  const layout = linuxLayout(bus.ramBase, bus.ramSize, k.size, initrdSize, probe);
  const dtb = img.dtb(layout);
  if (dtb.length !== probe) throw new Error("device tree size changed with the layout");
  bus.load(layout.kernelAddr, img.kernel);
  if (img.initrd?.length) bus.load(layout.initrdStart, img.initrd);
  bus.load(layout.dtbAddr, dtb);
  enterLinux(cpu, layout.kernelAddr, layout.dtbAddr);
  return layout;
}

/**
 * The CPSR an image is entered with: SVC, or Hyp when the core has EL2 (QEMU enters ELF
 * and Linux images alike in Hyp mode then, as firmware on hardware with the
 * Virtualization Extensions does for Linux: booting.rst), asynchronous aborts, IRQ and
 * FIQ masked.
 */
export function entryCpsr(cpu: Cpu): number {
  return (cpu.el2 ? Mode.HYP : Mode.SVC) | PSR.A | PSR.I | PSR.F;
}

/** CPU state at the kernel's entry point. */
export function enterLinux(cpu: Cpu, entry: number, dtbAddr: number): void {
  cpu.reset();
  cpu.setCPSR(entryCpsr(cpu));
  cpu.R[0] = 0;
  cpu.R[1] = -1;
  cpu.R[2] = dtbAddr | 0;
  cpu.R[15] = entry | 0;
}
