// ARM PrimeCell real-time clock (PL031), after the PL031 Technical Reference Manual
// (DDI 0224), as the virt board has it at 0x09010000 (SPI 2 = INTID 34).
//
// The counter runs from virtual time, not from the host clock: RTCDR = the value loaded
// into RTCLR (initially `epoch`) + whole seconds of virtual time since that load. QEMU
// starts the counter at the host's time of day; we start it at a fixed epoch by default
// (2026-01-01 00:00:00 UTC, see DEFAULT_RTC_EPOCH) so that boots are deterministic; the
// board can pass the host time instead (`boot --rtc host`).
//
// The match interrupt (RIS bit 0) is raised when the counter equals RTCMR. Time only
// moves when the guest runs, so the board calls poll() between run slices (and every
// register access re-evaluates it); nextMatchSeconds() tells a scheduler when it is due.
// As in QEMU, the RTC is always enabled: RTCCR reads 1.

import type { Device } from "../../mem/bus.js";

export const PL031_SIZE = 0x1000;
/** 2026-01-01T00:00:00Z. */
export const DEFAULT_RTC_EPOCH = 1767225600;

export const RTC = {
  DR: 0x00,
  MR: 0x04,
  LR: 0x08,
  CR: 0x0c,
  IMSC: 0x10,
  RIS: 0x14,
  MIS: 0x18,
  ICR: 0x1c,
} as const;

const ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export interface Pl031Options {
  base: number;
  intid: number;
  setLevel: (intid: number, level: boolean) => void;
  /** Virtual time in seconds (fractional), monotonic. */
  now: () => number;
  /** RTC value at virtual time 0 (seconds since the Unix epoch). */
  epoch?: number;
  /**
   * Told the virtual time (seconds; Infinity: none) at which poll() must next run for
   * the match interrupt to be raised on time (a deadline on the board's clock).
   */
  schedule?: (seconds: number) => void;
}

export class Pl031 implements Device {
  readonly name = "pl031";
  readonly base: number;
  readonly size = PL031_SIZE;
  /** Counter value loaded at virtual time `loadTime`. */
  private loadValue: number;
  private loadTime = 0;
  private mr = 0;
  private imsc = 0;
  private ris = 0;
  private level = false;
  /** Last counter value seen by poll(), to detect the counter passing RTCMR. */
  private lastCount: number;
  private scheduled = Number.POSITIVE_INFINITY;

  constructor(private readonly opts: Pl031Options) {
    this.base = opts.base;
    this.loadValue = (opts.epoch ?? DEFAULT_RTC_EPOCH) >>> 0;
    this.lastCount = this.loadValue;
  }

  /** The current counter value. */
  count(): number {
    return (this.loadValue + Math.floor(this.opts.now() - this.loadTime)) >>> 0;
  }

  /** Virtual time (seconds) at which the counter next equals RTCMR, or undefined if never. */
  nextMatchSeconds(): number | undefined {
    const cur = this.count();
    const delta = (this.mr - cur) >>> 0;
    if (delta === 0) return undefined;
    return this.loadTime + ((this.mr - this.loadValue) >>> 0);
  }

  /** Bring the match interrupt up to date with virtual time. */
  poll(): void {
    const c = this.count();
    if (c !== this.lastCount) {
      // Did the counter reach MR in (lastCount, c]? (The counter only moves forward.)
      if ((this.mr - this.lastCount - 1) >>> 0 < (c - this.lastCount) >>> 0) this.ris |= 1;
      this.lastCount = c;
    }
    this.update();
  }

  /** The deadline given to `schedule` was reached (and is used up). */
  onDeadline(): void {
    this.scheduled = Number.POSITIVE_INFINITY;
    this.poll();
  }

  private update(): void {
    // A deadline only while the match interrupt is unmasked and not yet raised: a masked
    // match needs no timely poll (RIS is brought up to date on the next access), and a
    // far-away deadline must not become a WFI wake-up source.
    const next = this.imsc & 1 && !(this.ris & 1) ? this.nextMatchSeconds() : undefined;
    const at = next === undefined ? Number.POSITIVE_INFINITY : next;
    if (at !== this.scheduled) {
      this.scheduled = at;
      this.opts.schedule?.(at);
    }
    const l = (this.ris & this.imsc & 1) !== 0;
    if (l !== this.level) {
      this.level = l;
      this.opts.setLevel(this.opts.intid, l);
    }
  }

  read(offset: number, _size: number): number {
    const o = offset & ~3;
    if (o >= 0xfe0 && o < 0x1000) return ID[(o - 0xfe0) >> 2]!;
    this.poll();
    switch (o) {
      case RTC.DR:
        return this.count() | 0;
      case RTC.MR:
        return this.mr | 0;
      case RTC.LR:
        return this.loadValue | 0;
      case RTC.CR:
        return 1;
      case RTC.IMSC:
        return this.imsc;
      case RTC.RIS:
        return this.ris;
      case RTC.MIS:
        return this.ris & this.imsc;
      default:
        return 0;
    }
  }

  write(offset: number, _size: number, value: number): void {
    this.poll();
    switch (offset & ~3) {
      case RTC.MR:
        this.mr = value >>> 0;
        break;
      case RTC.LR:
        this.loadValue = value >>> 0;
        this.loadTime = this.opts.now();
        this.lastCount = this.loadValue;
        break;
      case RTC.IMSC:
        this.imsc = value & 1;
        break;
      case RTC.ICR:
        this.ris &= ~value & 1;
        break;
      default: // CR (always enabled), DR/RIS/MIS read-only
        break;
    }
    this.update();
  }
}
