// ARM PrimeCell UART (PL011), after the PL011 Technical Reference Manual (DDI 0183),
// as the virt board has it at 0x09000000 (SPI 1 = INTID 33).
//
// Model:
// - Transmission is instantaneous: a write to DR hands the byte to `output` and the
//   transmit FIFO is empty again at once, so FR.TXFE is always 1, TXFF/BUSY always 0,
//   and each DR write raises the TX interrupt (the FIFO level crosses the trigger).
// - Reception: bytes from the host (`receive()`) wait in an unbounded host-side queue
//   and move into the 16-entry receive FIFO (1 entry when LCR_H.FEN = 0) while it has
//   room, so nothing is ever lost (no overrun). RX interrupt: the FIFO holds at least the
//   IFLS trigger level (1/8 .. 7/8 of 16; any byte without FIFOs). RX timeout interrupt:
//   the FIFO is not empty and the line is idle, i.e. the host queue is empty (the
//   hardware's "no data for 32 bit periods" with an infinitely fast line); it is raised
//   when the last queued byte enters the FIFO and cleared when the FIFO empties or by ICR.
// - Not modelled: modem lines (CTS/DSR/DCD/RI are 0), break/framing/parity errors, IrDA,
//   loopback (CR.LBE), DMA (DMACR is stored only). As in QEMU, TX and RX work whether or
//   not CR.UARTEN/TXE/RXE are set.
// - The interrupt output is (RIS & IMSC) != 0, reported on changes through `setLevel`.

import type { Device } from "../../mem/bus.js";

export const PL011_SIZE = 0x1000;

/** Register offsets. */
export const UART = {
  DR: 0x000,
  RSR: 0x004,
  FR: 0x018,
  ILPR: 0x020,
  IBRD: 0x024,
  FBRD: 0x028,
  LCR_H: 0x02c,
  CR: 0x030,
  IFLS: 0x034,
  IMSC: 0x038,
  RIS: 0x03c,
  MIS: 0x040,
  ICR: 0x044,
  DMACR: 0x048,
} as const;

/** Flag register bits. */
export const FR = { BUSY: 1 << 3, RXFE: 1 << 4, TXFF: 1 << 5, RXFF: 1 << 6, TXFE: 1 << 7 } as const;
/** Interrupt bits (IMSC/RIS/MIS/ICR). */
export const INT = {
  RX: 1 << 4,
  TX: 1 << 5,
  RT: 1 << 6,
  FE: 1 << 7,
  PE: 1 << 8,
  BE: 1 << 9,
  OE: 1 << 10,
} as const;

const LCRH_FEN = 1 << 4;
const FIFO_DEPTH = 16;
/** PeriphID0-3, CellID0-3 at 0xfe0..0xffc. */
const ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export interface Pl011Options {
  base: number;
  /** GIC interrupt ID of the UART's combined interrupt. */
  intid: number;
  /** Interrupt line output. */
  setLevel: (intid: number, level: boolean) => void;
  /** Transmitted bytes. */
  output: (byte: number) => void;
}

export class Pl011 implements Device {
  readonly name = "pl011";
  readonly base: number;
  readonly size = PL011_SIZE;
  private readonly rx: number[] = [];
  private readonly hostQueue: number[] = [];
  private ibrd = 0;
  private fbrd = 0;
  private lcrh = 0;
  private cr = 0x300;
  private ifls = 0x12;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  private ilpr = 0;
  private level = false;

  constructor(private readonly opts: Pl011Options) {
    this.base = opts.base;
  }

  reset(): void {
    this.rx.length = 0;
    this.ibrd = this.fbrd = this.lcrh = this.imsc = this.ris = this.dmacr = this.ilpr = 0;
    this.cr = 0x300;
    this.ifls = 0x12;
    this.update();
  }

  /** Bytes typed on the host side. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.hostQueue.push(b & 0xff);
    this.fill();
  }

  /** Bytes received from the host that the guest has not read yet. */
  get pendingInput(): number {
    return this.hostQueue.length + this.rx.length;
  }

  /** The current interrupt output. */
  get irq(): boolean {
    return this.level;
  }

  private depth(): number {
    return this.lcrh & LCRH_FEN ? FIFO_DEPTH : 1;
  }

  private rxTrigger(): number {
    if (!(this.lcrh & LCRH_FEN)) return 1;
    const sel = (this.ifls >>> 3) & 7;
    return [2, 4, 8, 12, 14][sel] ?? 8;
  }

  private fill(): void {
    const d = this.depth();
    let got = false;
    while (this.hostQueue.length && this.rx.length < d) {
      this.rx.push(this.hostQueue.shift()!);
      got = true;
    }
    if (got && this.rx.length >= this.rxTrigger()) this.ris |= INT.RX;
    // The last byte of a burst arrived and the line goes idle with data waiting: receive
    // timeout (whatever the fill level, as the hardware's 32-bit-period timer).
    if (got && !this.hostQueue.length) this.ris |= INT.RT;
    this.update();
  }

  private update(): void {
    const l = (this.ris & this.imsc) !== 0;
    if (l !== this.level) {
      this.level = l;
      this.opts.setLevel(this.opts.intid, l);
    }
  }

  private flags(): number {
    let f = FR.TXFE;
    if (!this.rx.length) f |= FR.RXFE;
    if (this.rx.length >= this.depth()) f |= FR.RXFF;
    return f;
  }

  read(offset: number, _size: number): number {
    const o = offset & ~3;
    if (o >= 0xfe0 && o < 0x1000) return ID[(o - 0xfe0) >> 2]!;
    switch (o) {
      case UART.DR: {
        if (!this.rx.length) return 0;
        const c = this.rx.shift()!;
        if (this.rx.length < this.rxTrigger()) this.ris &= ~INT.RX;
        if (!this.rx.length) this.ris &= ~INT.RT;
        this.fill();
        this.update();
        return c;
      }
      case UART.RSR:
        return 0;
      case UART.FR:
        return this.flags();
      case UART.ILPR:
        return this.ilpr;
      case UART.IBRD:
        return this.ibrd;
      case UART.FBRD:
        return this.fbrd;
      case UART.LCR_H:
        return this.lcrh;
      case UART.CR:
        return this.cr;
      case UART.IFLS:
        return this.ifls;
      case UART.IMSC:
        return this.imsc;
      case UART.RIS:
        return this.ris;
      case UART.MIS:
        return this.ris & this.imsc;
      case UART.DMACR:
        return this.dmacr;
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    const o = offset & ~3;
    switch (o) {
      case UART.DR:
        this.opts.output(value & 0xff);
        this.ris |= INT.TX;
        break;
      case UART.RSR: // ECR: clear errors (none are recorded)
        break;
      case UART.ILPR:
        this.ilpr = value & 0xff;
        break;
      case UART.IBRD:
        this.ibrd = value & 0xffff;
        break;
      case UART.FBRD:
        this.fbrd = value & 0x3f;
        break;
      case UART.LCR_H: {
        const old = this.lcrh;
        this.lcrh = value & 0xff;
        // Changing FEN resizes the FIFO: the excess (if any) goes back to the host queue.
        if ((old ^ this.lcrh) & LCRH_FEN) {
          while (this.rx.length > this.depth()) this.hostQueue.unshift(this.rx.pop()!);
          this.fill();
        }
        break;
      }
      case UART.CR:
        this.cr = value & 0xffff;
        break;
      case UART.IFLS:
        this.ifls = value & 0x3f;
        break;
      case UART.IMSC:
        this.imsc = value & 0x7ff;
        break;
      case UART.ICR:
        this.ris &= ~value;
        break;
      case UART.DMACR:
        this.dmacr = value & 7;
        break;
      default:
        break;
    }
    this.update();
  }
}
