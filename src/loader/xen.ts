// Xen and its dom0 placed in RAM as QEMU does for
//   -kernel xen -append XEN_ARGS
//   -device guest-loader,addr=0x50000000,kernel=DOM0,bootargs=DOM0_ARGS
//   -device guest-loader,addr=0x51000000,initrd=INITRD
// Xen's arm32 image has a zImage header, so QEMU loads and enters it like a Linux
// kernel (linux.ts: RAM + 0x10000, the DTB where an initrd would start, r0 = 0,
// r1 = ~0, r2 = DTB; Hyp mode since the core has EL2). guest-loader copies the dom0
// kernel and initrd unchanged to their addresses and describes each in a
// /chosen/module@0x... node (Xen's docs/misc/arm/device-tree/booting.txt); Xen finds
// its own command line in /chosen/bootargs.

import type { Cpu } from "../cpu/cpu.js";
import type { Bus } from "../mem/bus.js";
import {
  enterLinux,
  inspectKernel,
  LinuxBootError,
  type LinuxLayout,
  linuxLayout,
  zImageHeader,
} from "./linux.js";

/** Where the reference recipe puts the dom0 kernel and initrd (guest-loader addr=). */
export const DOM0_KERNEL_ADDR = 0x50000000;
export const DOM0_INITRD_ADDR = 0x51000000;

/** A blob a boot loader placed in RAM for the hypervisor (a /chosen/module node). */
export interface BootModule {
  addr: number;
  size: number;
  kind: "kernel" | "ramdisk";
  /** The kernel's command line (kernel modules only). */
  bootargs?: string;
}

export interface XenBootImages {
  xen: Uint8Array;
  dom0Kernel: Uint8Array;
  dom0Initrd?: Uint8Array;
  dom0Args?: string;
  /** The device tree blob for these modules (its size must not depend on the layout). */
  dtb: (modules: BootModule[]) => Uint8Array;
}

export interface XenLayout extends LinuxLayout {
  modules: BootModule[];
}

const hex = (v: number) => `0x${v.toString(16)}`;
const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

/** The boot modules for a dom0 kernel (and initrd) of these sizes. */
export function dom0Modules(kernelSize: number, initrdSize?: number, bootargs?: string): BootModule[] {
  const m: BootModule[] = [{ addr: DOM0_KERNEL_ADDR, size: kernelSize, kind: "kernel", bootargs }];
  if (initrdSize !== undefined) m.push({ addr: DOM0_INITRD_ADDR, size: initrdSize, kind: "ramdisk" });
  return m;
}

/** Where Xen, its DTB and the modules go; throws if something does not fit or overlaps. */
export function xenLayout(
  ramBase: number,
  ramSize: number,
  xenSize: number,
  dtbSize: number,
  modules: BootModule[],
): XenLayout {
  const l = linuxLayout(ramBase, ramSize, xenSize, 0, dtbSize);
  const what = (m: BootModule) => (m.kind === "kernel" ? "dom0 kernel" : "dom0 initrd");
  const ramEnd = ramBase + ramSize;
  const regions = [
    { name: "Xen", start: l.kernelAddr, end: l.kernelEnd },
    { name: "the device tree", start: l.dtbAddr, end: l.dtbAddr + dtbSize },
  ];
  for (const m of modules) {
    const end = m.addr + m.size;
    if (m.addr < ramBase || end > ramEnd)
      throw new LinuxBootError(
        `${what(m)} (${mib(m.size)} at ${hex(m.addr)}) does not fit in RAM, which ends at ${hex(ramEnd)} (use a larger --mem)`,
      );
    for (const r of regions)
      if (m.addr < r.end && r.start < end)
        throw new LinuxBootError(
          `${what(m)} (${mib(m.size)} at ${hex(m.addr)}) overlaps ${r.name} (${hex(r.start)}-${hex(r.end)})`,
        );
    regions.push({ name: `the ${what(m)}`, start: m.addr, end });
  }
  return { ...l, modules };
}

/** Load Xen, the DTB and dom0's modules into RAM and set the CPU up for Xen's entry. */
export function bootXen(bus: Bus, cpu: Cpu, img: XenBootImages): XenLayout {
  // Xen's header `end` includes its BSS, so unlike a Linux zImage the file is shorter.
  const z = zImageHeader(img.xen);
  if (!z || z.bigEndian)
    throw new LinuxBootError("the Xen image has no little-endian zImage header (is it xen-4.17-armhf?)");
  inspectKernel(img.dom0Kernel);
  const modules = dom0Modules(img.dom0Kernel.length, img.dom0Initrd?.length, img.dom0Args);
  const dtb = img.dtb(modules);
  const layout = xenLayout(bus.ramBase, bus.ramSize, img.xen.length, dtb.length, modules);
  bus.load(layout.kernelAddr, img.xen);
  bus.load(DOM0_KERNEL_ADDR, img.dom0Kernel);
  if (img.dom0Initrd) bus.load(DOM0_INITRD_ADDR, img.dom0Initrd);
  bus.load(layout.dtbAddr, dtb);
  enterLinux(cpu, layout.kernelAddr, layout.dtbAddr);
  return layout;
}
