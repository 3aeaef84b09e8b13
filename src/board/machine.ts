// A machine: RAM and devices on the bus, one CPU, the execution engine, and the
// loaded image. The `virt` board layout: RAM at 0x40000000.

import { Gic } from "../../runtime/gic.js";
import { Cpu, INT_FIQ, INT_IRQ } from "../cpu/cpu.js";
import { Mode, PSR } from "../cpu/state.js";
import { Interpreter } from "../interp/interp.js";
import { type LoadedImage, loadImage } from "../loader/image.js";
import { Bus } from "../mem/bus.js";
import { Semihosting } from "./semihosting.js";

export const RAM_BASE = 0x40000000;

export interface MachineOptions {
  memMiB: number;
  semihosting: boolean;
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
  image: LoadedImage | null = null;

  constructor(readonly opts: MachineOptions) {
    this.bus = new Bus(RAM_BASE, opts.memMiB * 1024 * 1024);
    this.cpu = new Cpu(this.bus);
    this.interp = new Interpreter(this.cpu);
    // (issue 3) the GIC drives the core's IRQ/FIQ inputs; the generic timer's outputs
    // are PPIs 30 (physical), 27 (virtual), 26 (hyp); 25 (maintenance) is for issue 4.
    const cpu = this.cpu;
    this.gic = new Gic((irq, fiq) => {
      cpu.intLines = (irq ? INT_IRQ : 0) | (fiq ? INT_FIQ : 0);
    });
    this.bus.addDevice(this.gic.distributor);
    this.bus.addDevice(this.gic.cpuInterface);
    cpu.timer.onLevel = (ppi, level) => this.gic.setLevel(ppi, level);
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
    cpu.setCPSR(Mode.SVC | PSR.A | PSR.I | PSR.F);
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
