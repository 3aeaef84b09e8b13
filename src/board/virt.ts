// The `virt` board (QEMU's `-M virt,highmem=off`, 32-bit, one Cortex-A15) as far as
// hypwasm implements it: RAM at 0x40000000, GICv2 at 0x08000000/0x08010000, PL011 UART
// at 0x09000000 (SPI 1), PL031 RTC at 0x09010000 (SPI 2), the architected timer, PSCI
// through HVC. The device tree is generated here from what the board has.
//
// With `virtualization` (QEMU's `-M virt,virtualization=on,gic-version=2,highmem=off`)
// the core has EL2 and the GIC its virtualization interfaces: GICH at 0x08030000, GICV
// at 0x08040000, the maintenance interrupt on PPI 9. The tree then changes as QEMU's
// does: the GIC node lists GICH and GICV and the maintenance interrupt, and PSCI moves
// to SMC (HVC now belongs to the hypervisor; QEMU's firmware answers SMCs instead).
//
// Differences from QEMU's tree (QEMU 7.2 `-M virt,highmem=off -cpu cortex-a15 -machine
// dumpdtb=...`), all because the board does not have the device:
//   - no pcie@10000000 and no GICv2m MSI frame (intc/v2m@8020000): no PCI;
//   - no virtio_mmio@a000000..a003e00: no virtio devices yet;
//   - no flash@0 (no pflash), no fw-cfg@9020000, no platform-bus@c000000 (no dynamic
//     sysbus devices), no pl061@9030000 + gpio-keys (no GPIO power button);
//   - no empty `pmu` node (QEMU writes an empty one; it has no meaning to Linux);
//   - /chosen/rng-seed and kaslr-seed are fixed values (QEMU draws them at random) so
//     boots are deterministic.
// The phandles are QEMU's (clock 0x8000, cpu 0x8001, GIC 0x8002) so the trees diff
// cleanly. Like QEMU, the blob is padded to 1 MiB (Linux reserves the whole blob, so
// this keeps the kernel's memory accounting identical to QEMU's).

import type { ClockClient } from "../../runtime/clock.js";
import type { Gic } from "../../runtime/gic.js";
import type { BootModule } from "../loader/xen.js";
import { Pl011 } from "./devices/pl011.js";
import { DEFAULT_RTC_EPOCH, Pl031 } from "./devices/pl031.js";
import { FdtNode } from "./fdt.js";
import { Machine } from "./machine.js";

export const VIRT = {
  RAM: 0x40000000,
  GICD: 0x08000000,
  GICD_SIZE: 0x10000,
  GICC: 0x08010000,
  GICC_SIZE: 0x10000,
  /** GIC virtual interface control (GICH) and virtual CPU interface (GICV): virtualization only. */
  GICH: 0x08030000,
  GICH_SIZE: 0x10000,
  GICV: 0x08040000,
  GICV_SIZE: 0x10000,
  /** GIC maintenance interrupt (virtualization only): PPI 9 = INTID 25. */
  GIC_MAINT_PPI: 9,
  UART: 0x09000000,
  RTC: 0x09010000,
  /** SPI numbers (INTID = 32 + SPI). */
  UART_SPI: 1,
  RTC_SPI: 2,
  /** Architected timer PPIs (INTID = 16 + PPI): secure phys, non-secure phys, virt, hyp. */
  TIMER_PPI: [13, 14, 11, 10],
} as const;

export const PHANDLE = { CLK: 0x8000, CPU: 0x8001, GIC: 0x8002 } as const;
/** QEMU's virt device tree size. */
export const VIRT_FDT_SIZE = 0x100000;

/** PSCI 0.2 32-bit function IDs as QEMU lists them in /psci. */
export const PSCI_FN = {
  CPU_SUSPEND: 0x84000001,
  CPU_OFF: 0x84000002,
  CPU_ON: 0x84000003,
  MIGRATE: 0x84000005,
  SYSTEM_OFF: 0x84000008,
  SYSTEM_RESET: 0x84000009,
} as const;

const GIC_SPI = 0;
const GIC_PPI = 1;
const IRQ_LEVEL_HIGH = 4;

export interface VirtOptions {
  memMiB: number;
  /** Console output (bytes written to the PL011). */
  console: (byte: number) => void;
  /** Virtual time in nanoseconds; default: the CPU's virtual clock (runtime/clock.ts). */
  clockNs?: () => number;
  /** PL031 value at virtual time 0; default DEFAULT_RTC_EPOCH (deterministic). */
  rtcEpoch?: number;
  /** The Virtualization Extensions: EL2 in the core, GICH/GICV in the GIC. */
  virtualization?: boolean;
}

export interface ChosenOptions {
  bootargs?: string;
  initrd?: { start: number; end: number };
  /** Xen's boot modules (dom0 kernel, initrd), as `-device guest-loader` writes them. */
  modules?: BootModule[];
}

export class VirtBoard {
  readonly machine: Machine;
  readonly gic: Gic;
  readonly uart: Pl011;
  readonly rtc: Pl031;
  /** Interrupt line levels as last reported by the UART and RTC (INTID -> level). */
  readonly lines = new Map<number, boolean>();
  /** Where interrupt lines go: the GIC's setLevel (connectIrq() replaces it, for tests). */
  private irqSink: (intid: number, level: boolean) => void;

  constructor(readonly opts: VirtOptions) {
    this.machine = new Machine({ memMiB: opts.memMiB, semihosting: false, el2: !!opts.virtualization });
    const cpu = this.machine.cpu;
    const bus = this.machine.bus;
    const clockNs = opts.clockNs ?? (() => cpu.clock.now());
    // The GICv2 (runtime/gic.ts) is the Machine's: it is on the bus, drives the CPU's
    // IRQ/FIQ inputs and takes the generic timer's PPIs. The devices' SPIs go to it too.
    this.gic = this.machine.gic;
    this.irqSink = (intid, level) => this.gic.setLevel(intid, level);
    const setLevel = (intid: number, level: boolean) => {
      this.lines.set(intid, level);
      this.irqSink(intid, level);
    };
    // The RTC's match time is a deadline on the virtual clock (WFI skips to it).
    const rtcClient: ClockClient = { onDeadline: () => this.rtc.onDeadline() };
    this.uart = new Pl011({ base: VIRT.UART, intid: 32 + VIRT.UART_SPI, setLevel, output: opts.console });
    this.rtc = new Pl031({
      base: VIRT.RTC,
      intid: 32 + VIRT.RTC_SPI,
      setLevel,
      now: () => clockNs() / 1e9,
      epoch: opts.rtcEpoch ?? DEFAULT_RTC_EPOCH,
      schedule: (s) => cpu.clock.schedule(rtcClient, s === Number.POSITIVE_INFINITY ? s : Math.ceil(s * 1e9)),
    });
    bus.addDevice(this.uart);
    bus.addDevice(this.rtc);
  }

  get ramBase(): number {
    return this.machine.bus.ramBase;
  }
  get ramSize(): number {
    return this.machine.bus.ramSize;
  }

  /** Route the interrupt lines elsewhere than the board's GIC (tests). */
  connectIrq(sink: (intid: number, level: boolean) => void): void {
    this.irqSink = sink;
    for (const [intid, level] of this.lines) sink(intid, level);
  }

  /** Periodic device work between run slices (RTC match interrupt). */
  poll(): void {
    this.rtc.poll();
  }

  /** The board's device tree. */
  deviceTree(chosen: ChosenOptions = {}): FdtNode {
    const root = new FdtNode("");
    root
      .u32("interrupt-parent", PHANDLE.GIC)
      .str("model", "linux,dummy-virt")
      .u32("#size-cells", 2)
      .u32("#address-cells", 2)
      .str("compatible", "linux,dummy-virt");

    root
      .child("psci")
      .strList("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci")
      .str("method", this.opts.virtualization ? "smc" : "hvc")
      .u32("cpu_suspend", PSCI_FN.CPU_SUSPEND)
      .u32("cpu_off", PSCI_FN.CPU_OFF)
      .u32("cpu_on", PSCI_FN.CPU_ON)
      .u32("migrate", PSCI_FN.MIGRATE);

    root
      .child(`memory@${hex(this.ramBase)}`)
      .str("device_type", "memory")
      .u32("reg", ...reg64(this.ramBase, this.ramSize));

    const cpus = root.child("cpus").u32("#address-cells", 1).u32("#size-cells", 0);
    cpus.child("cpu-map").child("socket0").child("cluster0").child("core0").u32("cpu", PHANDLE.CPU);
    cpus
      .child("cpu@0")
      .str("device_type", "cpu")
      .str("compatible", "arm,cortex-a15")
      .u32("reg", 0)
      .u32("phandle", PHANDLE.CPU);

    root
      .child("apb-pclk")
      .str("compatible", "fixed-clock")
      .u32("#clock-cells", 0)
      .u32("clock-frequency", 24000000)
      .str("clock-output-names", "clk24mhz")
      .u32("phandle", PHANDLE.CLK);

    // PPI flags: CPU mask (one CPU: bit 8) | level-high.
    const ppiFlags = (1 << 8) | IRQ_LEVEL_HIGH;
    root
      .child("timer")
      .str("compatible", "arm,armv7-timer")
      .flag("always-on")
      .u32("interrupts", ...VIRT.TIMER_PPI.flatMap((p) => [GIC_PPI, p, ppiFlags]));

    const gicRegs = [...reg64(VIRT.GICD, VIRT.GICD_SIZE), ...reg64(VIRT.GICC, VIRT.GICC_SIZE)];
    if (this.opts.virtualization)
      gicRegs.push(...reg64(VIRT.GICH, VIRT.GICH_SIZE), ...reg64(VIRT.GICV, VIRT.GICV_SIZE));
    const gic = root
      .child(`intc@${hex(VIRT.GICD)}`)
      .u32("#interrupt-cells", 3)
      .flag("interrupt-controller")
      .u32("#address-cells", 2)
      .u32("#size-cells", 2)
      .flag("ranges")
      .str("compatible", "arm,cortex-a15-gic")
      .u32("reg", ...gicRegs);
    if (this.opts.virtualization) gic.u32("interrupts", GIC_PPI, VIRT.GIC_MAINT_PPI, IRQ_LEVEL_HIGH);
    gic.u32("phandle", PHANDLE.GIC);

    root
      .child(`pl011@${hex(VIRT.UART)}`)
      .strList("compatible", "arm,pl011", "arm,primecell")
      .u32("reg", ...reg64(VIRT.UART, this.uart.size))
      .u32("interrupts", GIC_SPI, VIRT.UART_SPI, IRQ_LEVEL_HIGH)
      .u32("clocks", PHANDLE.CLK, PHANDLE.CLK)
      .strList("clock-names", "uartclk", "apb_pclk");

    root
      .child(`pl031@${hex(VIRT.RTC)}`)
      .strList("compatible", "arm,pl031", "arm,primecell")
      .u32("reg", ...reg64(VIRT.RTC, this.rtc.size))
      .u32("interrupts", GIC_SPI, VIRT.RTC_SPI, IRQ_LEVEL_HIGH)
      .u32("clocks", PHANDLE.CLK)
      .str("clock-names", "apb_pclk");

    const ch = root.child("chosen");
    applyChosen(ch, chosen);
    ch.str("stdout-path", `/pl011@${hex(VIRT.UART)}`);
    // Fixed seeds (QEMU's are random): deterministic boots.
    ch.u32("rng-seed", ...fixedSeed(8, 0x68797077));
    ch.u32("kaslr-seed", ...fixedSeed(2, 0x61736d21));
    return root;
  }
}

/**
 * Set /chosen's bootargs, initrd properties and boot modules (also used to patch a
 * user's --dtb: its own modules are replaced).
 */
export function applyChosen(ch: FdtNode, c: ChosenOptions): void {
  if (c.bootargs !== undefined) ch.str("bootargs", c.bootargs);
  if (c.initrd) {
    ch.u32("linux,initrd-start", c.initrd.start);
    ch.u32("linux,initrd-end", c.initrd.end);
  } else {
    ch.remove("linux,initrd-start");
    ch.remove("linux,initrd-end");
  }
  ch.removeChildren((n) => n.getStrings("compatible")?.[0] === "multiboot,module");
  // guest-loader adds each node in front of the existing ones (libfdt's add_subnode),
  // so the last module comes first in QEMU's tree.
  for (const m of [...(c.modules ?? [])].reverse()) {
    const node = ch.child(`module@0x${m.addr.toString(16).padStart(8, "0")}`);
    // guest-loader writes reg as two 64-bit cells whatever #address-cells says.
    node.u32("reg", ...reg64(m.addr, m.size));
    node.strList(
      "compatible",
      "multiboot,module",
      m.kind === "kernel" ? "multiboot,kernel" : "multiboot,ramdisk",
    );
    if (m.bootargs !== undefined) node.str("bootargs", m.bootargs);
  }
}

function hex(v: number): string {
  return (v >>> 0).toString(16);
}

/** A (base, size) pair with #address-cells = #size-cells = 2. */
function reg64(base: number, size: number): number[] {
  return [Math.floor(base / 2 ** 32), base >>> 0, Math.floor(size / 2 ** 32), size >>> 0];
}

/** Deterministic pseudo-random cells (xorshift32). */
function fixedSeed(n: number, seed: number): number[] {
  let x = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(x);
  }
  return out;
}
