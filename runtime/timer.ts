// The ARMv7 generic timer of one core (ARM ARM B8): the 64-bit system counter (from
// the virtual clock, runtime/clock.ts), and the physical (CNTP_*), virtual (CNTV_*) and
// hyp (CNTHP_*, for issue 4) timers. Each timer has CTL (ENABLE, IMASK, ISTATUS) and a
// 64-bit compare value CVAL; TVAL is the signed 32-bit view CVAL - counter.
//
//   ISTATUS = ENABLE && counter >= CVAL   (reads 0 while the timer is disabled, as QEMU)
//   output  = ISTATUS && !IMASK           (a level-sensitive PPI: 30 phys, 27 virt, 26 hyp)
//
// The output level only changes when a register is written or when the counter reaches
// CVAL; the latter is a deadline on the virtual clock, so the interrupt is raised at
// exactly the instruction where counter >= CVAL first holds.

import type { Cpu } from "../src/cpu/cpu.js";
import { type ClockClient, NS_PER_TICK, type VirtualClock } from "./clock.js";

export const TIMER_PHYS = 0;
export const TIMER_VIRT = 1;
export const TIMER_HYP = 2;
/** The PPI (GIC INTID) of each timer on the virt board. */
export const TIMER_PPI = [30, 27, 26] as const;

const CTL_ENABLE = 1;
const CTL_IMASK = 2;
const CTL_ISTATUS = 4;
const TWO32 = 0x100000000;
/** CVAL high words at or above this are beyond 2^53 ticks: never reached. */
const CVAL_HI_NEVER = 0x200000;

class Timer implements ClockClient {
  /** ENABLE and IMASK (ISTATUS is computed). */
  ctl = 0;
  cvalLo = 0;
  cvalHi = 0;
  /** Current output level. */
  level = false;
  constructor(
    readonly gt: GenericTimer,
    readonly which: number,
  ) {}
  onDeadline(): void {
    this.gt.update(this.which);
  }
}

export class GenericTimer {
  readonly timers = [new Timer(this, 0), new Timer(this, 1), new Timer(this, 2)];
  /** CNTVOFF (64-bit): the virtual counter is the physical one minus it (0 without EL2). */
  cntvoffLo = 0;
  cntvoffHi = 0;
  /** Output lines: the board connects them to the GIC (ppi, level). */
  onLevel: (ppi: number, level: boolean) => void = () => {};

  constructor(
    readonly cpu: Cpu,
    readonly clock: VirtualClock,
  ) {}

  reset(): void {
    for (const t of this.timers) {
      t.ctl = 0;
      t.cvalLo = 0;
      t.cvalHi = 0;
      this.clock.schedule(t, Number.POSITIVE_INFINITY);
      if (t.level) {
        t.level = false;
        this.onLevel(TIMER_PPI[t.which]!, false);
      }
    }
    this.cntvoffLo = 0;
    this.cntvoffHi = 0;
  }

  // ---- counters -------------------------------------------------------------------

  /** The counter (ticks, as a number) the timer compares against: physical or virtual. */
  private count(which: number): number {
    const p = this.clock.ticks();
    if (which !== TIMER_VIRT) return p;
    return p - (this.cntvoffHi * TWO32 + this.cntvoffLo);
  }

  /** CNTPCT (which 0) / CNTVCT (which 1) as [lo, hi]. */
  counter64(which: number): [number, number] {
    return split64(this.count(which === 1 ? TIMER_VIRT : TIMER_PHYS));
  }

  // ---- register views -------------------------------------------------------------

  private istatus(t: Timer): boolean {
    if (!(t.ctl & CTL_ENABLE)) return false;
    if (t.cvalHi >>> 0 >= CVAL_HI_NEVER) return false;
    return this.count(t.which) >= (t.cvalHi >>> 0) * TWO32 + (t.cvalLo >>> 0);
  }

  /** CNTVOFF write (issue 4): the virtual timer's deadline moves with the offset. */
  writeCntvoff(lo: number, hi: number): void {
    this.cntvoffLo = lo >>> 0;
    this.cntvoffHi = hi >>> 0;
    this.update(TIMER_VIRT);
  }

  readCtl(which: number): number {
    const t = this.timers[which]!;
    return t.ctl | (this.istatus(t) ? CTL_ISTATUS : 0);
  }
  writeCtl(which: number, v: number): void {
    this.timers[which]!.ctl = v & (CTL_ENABLE | CTL_IMASK);
    this.update(which);
  }

  readCval(which: number): [number, number] {
    const t = this.timers[which]!;
    return [t.cvalLo | 0, t.cvalHi | 0];
  }
  writeCval(which: number, lo: number, hi: number): void {
    const t = this.timers[which]!;
    t.cvalLo = lo >>> 0;
    t.cvalHi = hi >>> 0;
    this.update(which);
  }

  /** TVAL: CVAL - counter, truncated to a signed 32-bit value. */
  readTval(which: number): number {
    const t = this.timers[which]!;
    const c = this.count(which);
    return (t.cvalLo - (c % TWO32)) | 0;
  }
  /** TVAL write: CVAL = counter + SignExtend(v) (64-bit wrap-around). */
  writeTval(which: number, v: number): void {
    const [lo, hi] = split64(this.count(which) + (v | 0));
    this.writeCval(which, lo, hi);
  }

  /** Recompute a timer's output and its next deadline (after any change). */
  update(which: number): void {
    const t = this.timers[which]!;
    const ist = this.istatus(t);
    const level = ist && !(t.ctl & CTL_IMASK);
    // the next change of ISTATUS: the counter reaching CVAL
    let deadline = Number.POSITIVE_INFINITY;
    if (t.ctl & CTL_ENABLE && !ist && t.cvalHi >>> 0 < CVAL_HI_NEVER) {
      let target = (t.cvalHi >>> 0) * TWO32 + (t.cvalLo >>> 0);
      if (which === TIMER_VIRT) target += this.cntvoffHi * TWO32 + this.cntvoffLo;
      deadline = target * NS_PER_TICK;
    }
    this.clock.schedule(t, deadline);
    if (level !== t.level) {
      t.level = level;
      this.onLevel(TIMER_PPI[which]!, level);
    }
  }
}

/** A count (possibly negative: 64-bit two's complement) as [lo, hi] signed words. */
function split64(n: number): [number, number] {
  if (n < 0) {
    const lo = n % TWO32; // in (-2^32, 0]
    return [lo | 0, Math.floor(n / TWO32) | 0];
  }
  return [(n % TWO32) | 0, Math.floor(n / TWO32) | 0];
}
