// Scripted Xen + dom0 boots on both sides (the reference's boot B): hypwasm's `boot
// --cmd` as a child process, and QEMU 7.2 with
//   -M virt,virtualization=on,gic-version=2,highmem=off -cpu cortex-a15 -m 1024
//   -kernel XEN -append XEN_ARGS
//   -device guest-loader,addr=0x50000000,kernel=DOM0,bootargs=DOM0_ARGS
//   -device guest-loader,addr=0x51000000,initrd=INITRD
// booting the same images with the same command lines (hypwasm's defaults), typing the
// same commands at dom0's shell and then `poweroff -f`, which makes Xen halt the
// machine (PSCI SYSTEM_OFF) and QEMU exit.

import { DEFAULT_DOM0_ARGS, DEFAULT_MEM_XEN, DEFAULT_XEN_ARGS } from "../cli/boot.js";
import { QEMU } from "../difftest/run.js";
import { DOM0_INITRD_ADDR, DOM0_KERNEL_ADDR } from "../loader/xen.js";
import { bootHypwasm, bootQemu, type HypwasmBoot, type QemuBoot } from "./run.js";

export interface XenImages {
  xen: string;
  dom0Kernel: string;
  initrd: string;
}

const hex = (v: number) => `0x${v.toString(16)}`;

/** Run `hypwasm boot` (Xen, the CLI at `cli`) with --cmd; killed after `timeoutMs`. */
export function bootHypwasmXen(
  cli: string,
  img: XenImages,
  cmd: string,
  { timeoutMs = Number.POSITIVE_INFINITY, extra = [] as string[] } = {},
): Promise<HypwasmBoot> {
  const args = ["--xen-image", img.xen, "--dom0-kernel", img.dom0Kernel, "--initrd", img.initrd, ...extra];
  return bootHypwasm(cli, args, cmd, { timeoutMs });
}

/**
 * QEMU's boot B machine and image arguments (the reference recipe) for Xen with `dom0`
 * as dom0's kernel, dom0's command line and optionally an initrd.
 */
export function qemuXenArgs(xen: string, dom0: string, dom0Args: string, initrd?: string): string[] {
  return [
    ...["-M", "virt,virtualization=on,gic-version=2,highmem=off", "-cpu", "cortex-a15"],
    ...["-m", String(DEFAULT_MEM_XEN), "-nic", "none"],
    ...["-kernel", xen, "-append", DEFAULT_XEN_ARGS],
    ...["-device", `guest-loader,addr=${hex(DOM0_KERNEL_ADDR)},kernel=${dom0},bootargs=${dom0Args}`],
    ...(initrd ? ["-device", `guest-loader,addr=${hex(DOM0_INITRD_ADDR)},initrd=${initrd}`] : []),
  ];
}

/** QEMU's boot B of the same images; `cmd` at dom0's shell, then power-off. */
export function bootQemuXen(img: XenImages, cmd: string, { timeoutMs = 300_000 } = {}): Promise<QemuBoot> {
  return bootQemu(QEMU, qemuXenArgs(img.xen, img.dom0Kernel, DEFAULT_DOM0_ARGS, img.initrd), cmd, {
    timeoutMs,
    poweroff: true,
  });
}
