// ARM semihosting (the subset that bare-metal test programs use): console output
// and exit. The same fixture runs under `qemu-system-arm -semihosting`, and this
// follows QEMU 7.2 there: SYS_WRITEC/SYS_WRITE0 go to the host's stderr (QEMU's
// semihosting console), SYS_OPEN(":tt") gives handles whose SYS_WRITEs go to stdout
// (modes 4-7) or stderr (modes 8-11) as raw bytes.

import type { Cpu, Semihost } from "../cpu/cpu.js";

const SYS_OPEN = 0x01;
const SYS_CLOSE = 0x02;
const SYS_WRITEC = 0x03;
const SYS_WRITE0 = 0x04;
const SYS_WRITE = 0x05;
const SYS_ISTTY = 0x09;
const SYS_ERRNO = 0x13;
const SYS_EXIT = 0x18;
const SYS_EXIT_EXTENDED = 0x20;
const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

export class Semihosting implements Semihost {
  private out: number[] = [];
  private err: number[] = [];
  /** Open handles: handle -> 1 (stdout) or 2 (stderr). */
  private handles = new Map<number, number>();
  private nextHandle = 1;

  constructor(
    private readonly stdout: (bytes: Uint8Array) => void,
    private readonly stderr: (bytes: Uint8Array) => void,
  ) {}

  flush(): void {
    if (this.out.length) {
      this.stdout(Uint8Array.from(this.out));
      this.out = [];
    }
    if (this.err.length) {
      this.stderr(Uint8Array.from(this.err));
      this.err = [];
    }
  }

  private put(b: number, stream = 2): void {
    (stream === 1 ? this.out : this.err).push(b & 0xff);
    if (this.out.length + this.err.length >= 65536) this.flush();
  }

  private cstring(cpu: Cpu, a: number, max = 256): string {
    let s = "";
    for (let i = 0; i < max; i++) {
      const c = cpu.bus.read8(a + i);
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }

  private word(cpu: Cpu, a: number): number {
    return cpu.bus.read32(a) >>> 0;
  }

  call(cpu: Cpu, op: number, param: number): number {
    const bus = cpu.bus;
    switch (op) {
      case SYS_WRITEC:
        this.put(bus.read8(param));
        return 0;
      case SYS_WRITE0:
        for (let a = param; ; a++) {
          const c = bus.read8(a);
          if (c === 0) break;
          this.put(c);
        }
        return 0;
      case SYS_OPEN: {
        const name = this.cstring(cpu, this.word(cpu, param));
        const mode = this.word(cpu, param + 4);
        if (name !== ":tt" || mode < 4 || mode > 11) return -1;
        const h = this.nextHandle++;
        this.handles.set(h, mode < 8 ? 1 : 2);
        return h;
      }
      case SYS_CLOSE:
        return this.handles.delete(this.word(cpu, param)) ? 0 : -1;
      case SYS_WRITE: {
        const stream = this.handles.get(this.word(cpu, param));
        const buf = this.word(cpu, param + 4);
        const len = this.word(cpu, param + 8);
        if (stream === undefined) return len;
        for (let i = 0; i < len; i++) this.put(bus.read8(buf + i), stream);
        return 0;
      }
      case SYS_ISTTY:
        return 1;
      case SYS_ERRNO:
        return 0;
      case SYS_EXIT:
        this.exit(cpu, param === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1);
        return 0;
      case SYS_EXIT_EXTENDED: {
        const reason = this.word(cpu, param);
        const code = this.word(cpu, param + 4);
        this.exit(cpu, reason === ADP_STOPPED_APPLICATION_EXIT ? code & 0xff : 1);
        return 0;
      }
      default:
        return -1;
    }
  }

  private exit(cpu: Cpu, code: number): void {
    this.flush();
    cpu.exitCode = code;
    cpu.halted = true;
  }
}
