// Virtual time. Deterministic: it is derived from the number of retired guest
// instructions, never from the host clock.
//
//   1 retired instruction = 1 ns of virtual time   (NS_PER_INSN)
//   generic timer counter = 62.5 MHz = one tick every 16 ns (16 instructions)
//
// so the same guest run always sees the same counter values and takes its timer
// interrupts at the same instruction. WFI (and PSCI CPU_SUSPEND) with nothing pending
// skips virtual time forward to the next event: `skew` holds the nanoseconds skipped
// that way, so now = icount + instructions already retired in the current block + skew.
//
// Events: an owner (the generic timer, later devices) keeps one deadline in virtual ns
// with `schedule`; the run loop asks for `eventAt` (in instruction-count units, so its
// per-block check is one subtraction) and bounds its blocks to stop exactly there,
// then calls `fire`, which calls back every owner whose deadline has passed.

import type { Cpu } from "../src/cpu/cpu.js";

export const NS_PER_INSN = 1;
export const COUNTER_HZ = 62_500_000;
/** Virtual nanoseconds per counter tick (1e9 / 62.5e6). */
export const NS_PER_TICK = 16;

export interface ClockClient {
  /** Called by `fire` once virtual time reached the deadline the client scheduled. */
  onDeadline(now: number): void;
}

export class VirtualClock {
  /** Virtual ns skipped by WFI. */
  skew = 0;
  /** icount at which the run loop must call `fire` (Infinity: no event scheduled). */
  eventAt = Number.POSITIVE_INFINITY;
  /**
   * Instructions retired in the current block before the instruction now executing;
   * the interpreter installs it (helpers run in the middle of a block, while icount is
   * only updated at the block's end).
   */
  insnOffset: () => number = () => 0;
  private readonly clients: ClockClient[] = [];
  private readonly deadlines: number[] = [];

  constructor(readonly cpu: Cpu) {}

  reset(): void {
    this.skew = 0;
    this.deadlines.fill(Number.POSITIVE_INFINITY);
    this.eventAt = Number.POSITIVE_INFINITY;
  }

  /** Current virtual time in ns (exact below 2^53). */
  now(): number {
    return (this.cpu.icount + this.insnOffset()) * NS_PER_INSN + this.skew;
  }

  /** Counter ticks at virtual time `ns`. */
  static ticksAt(ns: number): number {
    return Math.floor(ns / NS_PER_TICK);
  }

  /** The 62.5 MHz system counter now. */
  ticks(): number {
    return VirtualClock.ticksAt(this.now());
  }

  /** Set (or with Infinity cancel) the deadline of `c`, in virtual ns. */
  schedule(c: ClockClient, ns: number): void {
    let i = this.clients.indexOf(c);
    if (i < 0) {
      i = this.clients.length;
      this.clients.push(c);
      this.deadlines.push(ns);
    } else this.deadlines[i] = ns;
    this.recompute();
  }

  /** The earliest deadline in virtual ns (Infinity when none). */
  nextDeadline(): number {
    let m = Number.POSITIVE_INFINITY;
    for (const d of this.deadlines) if (d < m) m = d;
    return m;
  }

  private recompute(): void {
    const d = this.nextDeadline();
    // first instruction count at which now() >= d (now() = icount + skew at block edges)
    this.eventAt = d === Number.POSITIVE_INFINITY ? d : Math.ceil((d - this.skew) / NS_PER_INSN);
  }

  /** Run the clients whose deadline has passed (each deadline fires once). */
  fire(): void {
    const now = this.now();
    for (let i = 0; i < this.clients.length; i++) {
      if (this.deadlines[i]! <= now) {
        this.deadlines[i] = Number.POSITIVE_INFINITY;
        this.clients[i]!.onDeadline(now);
      }
    }
    this.recompute();
  }

  /**
   * The CPU waits for an interrupt with nothing pending: jump virtual time to the next
   * deadline and fire it. Returns false when no deadline is scheduled (nothing in the
   * machine's own time line can ever wake the CPU).
   */
  /**
   * The CPU idles in real time (interactive runs): let `ns` of virtual time pass, but not
   * beyond the next deadline, which fires when reached.
   */
  idleAdvance(ns: number): void {
    const d = this.nextDeadline();
    const now = this.now();
    this.skew += Math.max(0, Math.min(ns, d - now));
    if (this.now() >= d) this.fire();
    else this.recompute();
  }

  skipToNextEvent(): boolean {
    const d = this.nextDeadline();
    if (d === Number.POSITIVE_INFINITY) return false;
    const now = this.now();
    if (d > now) this.skew += d - now;
    this.fire();
    return true;
  }
}
