// A machine: RAM and devices on the bus, one CPU, the execution engine, and the
// loaded image. The `virt` board layout: RAM at 0x40000000.

import { Gic } from "../../runtime/gic.js";
import { VGic } from "../../runtime/vgic.js";
import { Cpu, INT_FIQ, INT_IRQ } from "../cpu/cpu.js";
import { Interpreter } from "../interp/interp.js";
import { type LoadedImage, loadImage } from "../loader/image.js";
import { entryCpsr } from "../loader/linux.js";
import { Bus } from "../mem/bus.js";
import { Semihosting } from "./semihosting.js";

export const RAM_BASE = 0x40000000;

export interface MachineOptions {
  memMiB: number;
  semihosting: boolean;
  /** The Virtualization Extensions (QEMU's `-M virt,virtualization=on`): EL2, GICH/GICV. */
  el2?: boolean;
  /** Where semihosting output goes (default: the process's stdout and stderr). */
  stdout?: (b: Uint8Array) => void;
  stderr?: (b: Uint8Array) => void;
}

export class Machine {
  readonly bus: Bus;
  readonly cpu: Cpu;
  readonly interp: Interpreter;
  readonly semihost: Semihosting | null;
  /** (issue 3) GICv2: distributor 0x08000000, CPU interface 0x08010000. */
  readonly gic: Gic;
  /** (issue 4) The GIC's virtualization interfaces, GICH and GICV: with `el2` only. */
  readonly vgic: VGic | null;
  image: LoadedImage | null = null;

  constructor(readonly opts: MachineOptions) {
    this.bus = new Bus(RAM_BASE, opts.memMiB * 1024 * 1024);
    this.cpu = new Cpu(this.bus);
    this.interp = new Interpreter(this.cpu);
    // (issue 3) the GIC drives the core's IRQ/FIQ inputs; the generic timer's outputs
    // are PPIs 30 (physical), 27 (virtual), 26 (hyp).
    const cpu = this.cpu;
    cpu.el2 = !!opts.el2;
    // The physical lines only: the virtual ones (INT_VIRQ/VFIQ) are the GICV's.
    this.gic = new Gic((irq, fiq) => {
      cpu.intLines = (cpu.intLines & ~(INT_IRQ | INT_FIQ)) | (irq ? INT_IRQ : 0) | (fiq ? INT_FIQ : 0);
    });
    this.bus.addDevice(this.gic.distributor);
    this.bus.addDevice(this.gic.cpuInterface);
    cpu.timer.onLevel = (ppi, level) => this.gic.setLevel(ppi, level);
    // (issue 4) GICV drives the core's virtual IRQ/FIQ; GICH's maintenance interrupt is PPI 25.
    this.vgic = opts.el2 ? new VGic(this.gic, (virq, vfiq) => cpu.setVirtualLines(virq, vfiq)) : null;
    if (this.vgic) {
      this.bus.addDevice(this.vgic.hypInterface);
      this.bus.addDevice(this.vgic.vcpuInterface);
    }
    this.semihost = opts.semihosting
      ? new Semihosting(
          opts.stdout ?? ((b) => process.stdout.write(b)),
          opts.stderr ?? ((b) => process.stderr.write(b)),
        )
      : null;
    this.cpu.semihost = this.semihost;
  }

  load(data: Uint8Array): LoadedImage {
    const img = loadImage(this.bus, data);
    const cpu = this.cpu;
    cpu.reset();
    this.gic.reset(); // (issue 3)
    this.vgic?.reset();
    cpu.setCPSR(entryCpsr(cpu));
    if (img.linux) {
      cpu.R[0] = 0;
      cpu.R[1] = -1;
      cpu.R[2] = 0; // no device tree yet (issue 3)
    }
    cpu.R[15] = img.entry | 0;
    if (img.entry & 1) {
      cpu.bxWritePC(img.entry);
    }
    this.image = img;
    return img;
  }

  /** Run until the guest halts or `maxSteps` steps (instructions or fetch aborts) were taken. */
  run(maxSteps = Number.POSITIVE_INFINITY): void {
    const slice = 1_000_000;
    let steps = 0;
    while (!this.cpu.halted && steps < maxSteps) {
      steps += this.interp.run(Math.min(slice, maxSteps - steps));
    }
    this.semihost?.flush();
  }
}
