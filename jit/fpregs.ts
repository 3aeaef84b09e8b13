// FP/SIMD registers held in wasm locals inside a block: the Q registers of inline Advanced
// SIMD code (v128) and the D registers of inline double-precision VFP code (f64). The
// register file in the state memory is the definition: WasmBuilder stores the locals that
// are newer than it before anything else reads it (runtime calls, ways out of the block,
// other inline code) and reloads them after runtime calls, which may write it.

import type binaryen from "./binaryen.js";

type Ref = binaryen.ExpressionRef;

/** Access to registers of one size by the D index of their first D register. */
export interface Regs {
  get(d: number): Ref;
  set(d: number, v: Ref): Ref;
}

/** Whether each register held in a local is newer than the state, by D index. */
export type Dirty = Map<number, boolean>;

/** Registers of `span` D registers each (2: Q, 1: D) in locals of `type`, backed by `mem`. */
export class RegLocals {
  private readonly regs = new Map<number, { l: number; dirty: boolean }>();

  constructor(
    private readonly m: binaryen.Module,
    private readonly type: binaryen.Type,
    private readonly span: number,
    private readonly mem: Regs,
    private readonly newLocal: (type: binaryen.Type) => number,
  ) {}

  get size(): number {
    return this.regs.size;
  }

  /** Statements giving register d a local (loaded from the state when `load`), unless it has one. */
  use(d: number, load: boolean): Ref[] {
    if (this.regs.has(d)) return [];
    const l = this.newLocal(this.type);
    this.regs.set(d, { l, dirty: false });
    return load ? [this.m.local.set(l, this.mem.get(d))] : [];
  }

  /** The registers on their locals (each given one by use first). */
  readonly locals: Regs = {
    get: (d) => this.m.local.get(this.entry(d).l, this.type),
    set: (d, v) => {
      const e = this.entry(d);
      e.dirty = true;
      return this.m.local.set(e.l, v);
    },
  };

  private entry(d: number): { l: number; dirty: boolean } {
    const e = this.regs.get(d);
    if (e === undefined) throw new Error(`jit: the register at D${d} has no local`);
    return e;
  }

  /** Stores of the locals newer than the state (they stay newer: the stores may be on one path only). */
  flush(): Ref[] {
    const out: Ref[] = [];
    for (const [d, e] of this.regs) if (e.dirty) out.push(this.mem.set(d, this.m.local.get(e.l, this.type)));
    return out;
  }

  /** Loads of every local (after a runtime call, which may write the registers). */
  reload(): Ref[] {
    return [...this.regs].map(([d, e]) => this.m.local.set(e.l, this.mem.get(d)));
  }

  /** Stores of the newer locals overlapping D registers d..d+n-1, which are forgotten. */
  evict(d: number, n: number): Ref[] {
    const out: Ref[] = [];
    for (const [r, e] of this.regs)
      if (r < d + n && d < r + this.span) {
        if (e.dirty) out.push(this.mem.set(r, this.m.local.get(e.l, this.type)));
        this.regs.delete(r);
      }
    return out;
  }

  clear(): void {
    this.regs.clear();
  }

  dirty(): Dirty {
    return new Map([...this.regs].map(([d, e]) => [d, e.dirty]));
  }

  /** Dirty flags from `s` (`or`: added to the current ones). */
  setDirty(s: Dirty, or = false): void {
    for (const [d, e] of this.regs) e.dirty = (or && e.dirty) || (s.get(d) ?? false);
  }
}
