// The physical address space: guest RAM inside the shared WebAssembly.Memory plus
// memory-mapped devices. Accesses to nothing raise a synchronous external abort.

import { CODE_PAGES, RAM_OFFSET } from "../cpu/state.js";

export interface Device {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /** offset is relative to base; size 1, 2 or 4 bytes. */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

/** Thrown for a physical access that hits no RAM and no device. */
export class BusError {
  constructor(
    readonly pa: number,
    readonly write: boolean,
  ) {}
}

const PAGE_SHIFT = 12;

export class Bus {
  readonly memory: WebAssembly.Memory;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Int32Array;
  readonly devices: Device[] = [];
  /**
   * One byte per RAM page: non-zero when translated code was made from the page. In the
   * shared memory, where compiled code checks it before a store.
   */
  readonly codePages: Uint8Array;
  /** Called with the physical page address when a code page is written. */
  onCodeWrite: (pagePa: number) => void = () => {};

  constructor(
    readonly ramBase: number,
    readonly ramSize: number,
  ) {
    const bytes = RAM_OFFSET + ramSize;
    const pages = Math.ceil(bytes / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.u8 = new Uint8Array(this.memory.buffer);
    this.u16 = new Uint16Array(this.memory.buffer);
    this.u32 = new Int32Array(this.memory.buffer);
    this.codePages = new Uint8Array(this.memory.buffer, CODE_PAGES, ramSize >>> PAGE_SHIFT);
  }

  addDevice(d: Device): void {
    this.devices.push(d);
  }

  /** Host byte offset of a RAM physical address, or -1. */
  ramOffset(pa: number): number {
    const off = (pa >>> 0) - this.ramBase;
    return off >= 0 && off < this.ramSize ? RAM_OFFSET + off : -1;
  }

  /** Neither RAM nor a device: every access there is a bus error. */
  isUnmapped(pa: number): boolean {
    return this.ramOffset(pa) < 0 && this.device(pa) === undefined;
  }

  private device(pa: number): Device | undefined {
    for (const d of this.devices) if (pa - d.base >= 0 && pa - d.base < d.size) return d;
    return undefined;
  }

  private mmioRead(pa: number, size: number): number {
    const d = this.device(pa);
    if (!d) throw new BusError(pa, false);
    return d.read(pa - d.base, size);
  }
  private mmioWrite(pa: number, size: number, v: number): void {
    const d = this.device(pa);
    if (!d) throw new BusError(pa, true);
    d.write(pa - d.base, size, v);
  }

  read8(pa: number): number {
    const o = this.ramOffset(pa);
    return o >= 0 ? this.u8[o]! : this.mmioRead(pa, 1) & 0xff;
  }
  read16(pa: number): number {
    const o = this.ramOffset(pa);
    return o >= 0 ? this.u16[o >>> 1]! : this.mmioRead(pa, 2) & 0xffff;
  }
  read32(pa: number): number {
    const o = this.ramOffset(pa);
    return o >= 0 ? this.u32[o >>> 2]! : this.mmioRead(pa, 4) | 0;
  }
  private noteWrite(o: number): void {
    const page = (o - RAM_OFFSET) >>> PAGE_SHIFT;
    if (this.codePages[page]) {
      this.codePages[page] = 0;
      this.onCodeWrite(this.ramBase + page * 4096);
    }
  }
  write8(pa: number, v: number): void {
    const o = this.ramOffset(pa);
    if (o < 0) {
      this.mmioWrite(pa, 1, v & 0xff);
      return;
    }
    this.noteWrite(o);
    this.u8[o] = v;
  }
  write16(pa: number, v: number): void {
    const o = this.ramOffset(pa);
    if (o < 0) {
      this.mmioWrite(pa, 2, v & 0xffff);
      return;
    }
    this.noteWrite(o);
    this.u16[o >>> 1] = v;
  }
  write32(pa: number, v: number): void {
    const o = this.ramOffset(pa);
    if (o < 0) {
      this.mmioWrite(pa, 4, v);
      return;
    }
    this.noteWrite(o);
    this.u32[o >>> 2] = v;
  }

  /** Instruction fetch: RAM only; marks the page as holding code. */
  fetch16(pa: number): number {
    const o = this.ramOffset(pa);
    if (o < 0) throw new BusError(pa, false);
    this.codePages[(o - RAM_OFFSET) >>> PAGE_SHIFT] = 1;
    return this.u16[o >>> 1]!;
  }
  fetch32(pa: number): number {
    const o = this.ramOffset(pa);
    if (o < 0) throw new BusError(pa, false);
    this.codePages[(o - RAM_OFFSET) >>> PAGE_SHIFT] = 1;
    return this.u32[o >>> 2]!;
  }

  /** Copy bytes into guest physical memory (loaders). */
  load(pa: number, data: Uint8Array): void {
    const o = this.ramOffset(pa);
    if (o < 0 || this.ramOffset(pa + data.length - 1) < 0)
      throw new Error(
        `image segment 0x${(pa >>> 0).toString(16)}+0x${data.length.toString(16)} lies outside RAM`,
      );
    this.u8.set(data, o);
  }
}
