// The JIT backend of the semantic builder: it runs an instruction's definition with the
// op's fields as constants and builds binaryen expressions. Values are a small tree of
// our own (constants folded, so branches on register numbers disappear) turned into
// binaryen nodes where a statement consumes them; reads of mutable state (registers,
// flags, state words, memory, helper results) take the value at the point the definition
// asks for them, as the interpreter's text backend evaluates them (a register or flag
// read is its local until the local is written, then a copy made at the read).
//
// Inside a region (jit/compile.ts) r0-r14 and the NF/ZF/CF/VF flags live in wasm locals;
// helper calls are wrapped by the region (registers spilled before, reloaded after), RAM
// accesses take an inline fast path (the inline TLB), and an access it does not serve
// leaves the op to the interpreter while the op has changed nothing yet (memRetry), else
// calls the runtime, whose fault is reported instead of raised (see compile.ts).
// Within a block, the Q registers that inline Advanced SIMD code uses live in v128 locals
// too, and the D registers of inline double-precision VFP code in f64 locals (see qRegs).

import { CODE_PAGES, FAST_TLB, RAM_OFFSET, S } from "../src/cpu/state.js";
import { IXC } from "../src/fp/fast.js";
import type { Builder, MemOpts, Var, Width } from "../src/sem/builder.js";
import binaryen from "./binaryen.js";
import { type Dirty, RegLocals, type Regs } from "./fpregs.js";
import {
  copyRegs,
  dupCore,
  hasInlineNeon,
  inlineNeon,
  ldSt1Inline,
  ldSt1QRegs,
  memQRegs,
  type QRegs,
  qOperands,
} from "./neon.js";
import { FPSCR_INLINE_MASK, hasInlineVfp, inlineVfpDp, memDRegs, vfpSources } from "./vfp.js";

type Ref = binaryen.ExpressionRef;

/** binaryen.js's Block.appendChild (part of its API, missing from its type declarations). */
export const appendChild = (
  binaryen as unknown as { Block: { appendChild(block: number, child: number): number } }
).Block.appendChild;

/**
 * A labelled block of statements (type none). binaryen's m.block(name, children) finds
 * the type of a named block by walking everything inside it for branches to it, and
 * again when a child cannot complete: the dispatcher's blocks nest, so a region's cost
 * grew with the square of its size (a quarter of the compile worker's time). Made empty
 * with its type given and then filled, the block is never walked.
 */
export function labelled(m: binaryen.Module, name: string, children: Ref[]): Ref {
  const block = m.block(name, [], binaryen.none);
  for (const c of children) appendChild(block, c);
  return block;
}

/** A statement list; null marks a place kept for a statement made only if needed (see let, keepReads). */
type Stmts = (Ref | null)[];
const present = (l: Stmts): Ref[] => l.filter((x): x is Ref => x !== null);

type BinOp =
  | "add"
  | "sub"
  | "mul"
  | "mulhu"
  | "mulhs"
  | "divs"
  | "divu"
  | "and"
  | "or"
  | "xor"
  | "shl"
  | "lsr"
  | "asr"
  | "ror"
  | "eq"
  | "ne"
  | "ltu"
  | "lts"
  | "leu"
  | "les";

/** A value: constant, local, or a pure operation on values. */
export type Val =
  | { t: "k"; n: number }
  | { t: "local"; i: number }
  | { t: "not" | "clz" | "eqz"; a: Val }
  | { t: "bin"; op: BinOp; a: Val; b: Val }
  | { t: "sel"; c: Val; a: Val; b: Val };

/** Constant folding with the interpreter's JavaScript semantics (src/interp/strgen.ts). */
const FOLD: Record<BinOp, (a: number, b: number) => number> = {
  add: (a, b) => (a + b) | 0,
  sub: (a, b) => (a - b) | 0,
  mul: (a, b) => Math.imul(a, b),
  mulhu: (a, b) => Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n) | 0,
  mulhs: (a, b) => Number((BigInt(a) * BigInt(b)) >> 32n) | 0,
  divs: (a, b) => (b === 0 ? 0 : a === -0x80000000 && b === -1 ? a : (a / b) | 0),
  divu: (a, b) => (b === 0 ? 0 : ((a >>> 0) / (b >>> 0)) | 0),
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
  shl: (a, b) => a << b,
  lsr: (a, b) => (a >>> b) | 0,
  asr: (a, b) => a >> b,
  ror: (a, b) => (a >>> (b & 31)) | (a << ((32 - b) & 31)),
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  ltu: (a, b) => +(a >>> 0 < b >>> 0),
  lts: (a, b) => +(a < b),
  leu: (a, b) => +(a >>> 0 <= b >>> 0),
  les: (a, b) => +(a <= b),
};

/** Ops with x op 0 = x. */
const RIGHT_ZERO_IDENTITY = new Set<BinOp>(["add", "sub", "or", "xor", "shl", "lsr", "asr", "ror"]);

const k = (n: number): Val => ({ t: "k", n: n | 0 });

/** The state words held in locals inside a region: r0-r14, then the four flags. */
export const CACHED_FLAGS: number[] = [S.NF, S.ZF, S.CF, S.VF];
export const N_CACHED = 15 + CACHED_FLAGS.length;

/** Cache slot (0..N_CACHED-1) of a state word offset, or -1. */
export function cacheSlot(off: number): number {
  if (off >= S.R && off < S.R + 15 * 4 && (off & 3) === 0) return (off - S.R) >> 2;
  const f = CACHED_FLAGS.indexOf(off);
  return f < 0 ? -1 : 15 + f;
}

/** State offset of a cache slot. */
export function slotOffset(slot: number): number {
  return slot < 15 ? S.R + slot * 4 : CACHED_FLAGS[slot - 15]!;
}

/** What the region provides to the ops it compiles. */
export interface RegionEnv {
  readonly m: binaryen.Module;
  /** Local of a cache slot (registers and flags held in locals). */
  slotLocal(slot: number): number;
  /** The slot is written by the region (it must be spilled). */
  noteWrite(slot: number): void;
  /** Which slots may be newer in locals than in memory: saved around branches (see if()). */
  saveDirty(): DirtyState;
  restoreDirty(d: DirtyState): void;
  /** After the two arms of a branch: dirty if dirty in either (d: the other arm's state). */
  mergeDirty(d: DirtyState): void;
  /**
   * Statements around a helper call (spill, record the op, call, reload): see compile.ts.
   * keepsCore: the helper writes no cached slot, so the locals stay valid (no reload).
   */
  wrapCall(call: Ref, result: number | null, p: number, keepsCore?: boolean): Ref[];
  /** Reload every used slot from the state block. */
  reloadSlots(): Ref;
  /**
   * A memory slow path: the call of import `fn` with `args` (the op and the instructions
   * retired before it go along), its result into local `result` (a load), and the way
   * out on a fault: see compile.ts.
   */
  memCall(fn: string, args: Ref[], result: number | null, p: number): Ref[];
  /** A memory access left to the interpreter (op p, at addr): the way out, see compile.ts. */
  memRetry(addr: Ref, p: number): Ref[];
  /** Import name of a helper / memory access (declared on first use). */
  helper(name: string, arity: number): string;
  mem(name: string): string;
  /** Locals (parameters) holding the inline-TLB column of the accesses and of the unprivileged ones. */
  tlb: number;
  tlbUser: number;
}

/** Slots possibly dirty: all the region writes, or those in `set`. */
export interface DirtyState {
  all: boolean;
  set: Set<number>;
}

/** Where one op is: addresses and the statements ending it after a PC write. */
export interface OpContext {
  /** Arena index of the op. */
  p: number;
  /** PC value the op reads (address + 8 ARM, + 4 Thumb). */
  pc: number;
  /** Address of the instruction and of the next one. */
  addr: number;
  next: number;
  thumb: boolean;
  exit: () => Ref;
  /**
   * A branch to a known target (the op's instruction set, ITSTATE cleared): code going
   * straight to the region's block there when the budget allows, or null (see exit).
   */
  branchTo?: (target: number, stores: () => Ref[]) => Ref | null;
}

export class WasmBuilder implements Builder<Val> {
  /** Statement lists: the innermost is being filled. */
  private stmts: Stmts[] = [[]];
  /**
   * Reads of cached slots still in use, by slot: the value is the slot's local itself
   * until the slot is written; then a copy is made at the read (in the place kept for it
   * in its statement list) and the value switched to the copy.
   */
  private readonly pending: { node: { t: "local"; i: number }; list: Stmts; at: number }[][] = Array.from(
    { length: N_CACHED },
    () => [],
  );
  /** Values of let() not yet set: where their local.set goes (list null: its branch was closed). */
  private readonly lazy = new Map<{ t: "local"; i: number }, { v: Val; list: Stmts | null; at: number }>();
  private ctx!: OpContext;
  /** Numbers the block labels of stores (unique in the function). */
  private labels = 0;
  private readonly m: binaryen.Module;
  /**
   * 1 once the helper vfpOpen said that VFP data processing runs without a trap, for the
   * inline VFP code (jit/vfp.ts); cleared by every runtime call (which may change CPACR,
   * HCPTR, FPEXC or the mode). 0 at entry: a function's locals start at zero.
   */
  private readonly vfpOk: number;
  /**
   * vfpOk is non-zero on every path to the code being emitted: it was checked, or a helper
   * that checks the access (and raises when denied) returned, and no other runtime call
   * came after. False at the start of a block. Inline FP/SIMD code then needs no check.
   */
  private vfpKnown = false;
  private vfpKnownBefore = false;
  /** After inline FP/SIMD code with its helper path: vfpOk is set on both paths. */
  private setVfpKnown(): void {
    if (this.stmts.length === 1) this.vfpKnown = true; // (not past a branch of the op's own)
  }
  /**
   * The inline VFP code may run (vfpOk and FPSCR's RMode, LEN and STRIDE clear), and
   * FPSCR.IXC (or 0 while not known to be set): asked once (askVfpModes) while fpKnown.
   */
  private readonly fpInl: number;
  private readonly fpIxc: number;
  /**
   * fpInl and fpIxc hold on every path to the code being emitted: no runtime call but the
   * vfpDp helper (which changes no mode and sets IXC only) since they were set. False at
   * the start of a block; only VMSR and other runtime calls write FPSCR's modes or clear IXC.
   */
  private fpKnown = false;
  private fpKnownBefore = false;
  /**
   * FP/SIMD registers in locals inside a block: Q registers of inline Advanced SIMD code
   * (qRegs, v128) and D registers of inline double-precision VFP code (dRegs, f64). Every
   * way out of the block, runtime call and access to the register file other than through
   * them stores the newer ones first (regFlush, regBarrier, evict); the calls reload them after.
   * A register is in at most one of them (each evicts the other's overlapping ones).
   */
  private readonly qRegs: RegLocals;
  private readonly dRegs: RegLocals;
  /** The Q and D registers in the state block. */
  private readonly qMem: QRegs;
  private readonly dMem: Regs;
  /** The op runs conditionally: it leaves the registers in the state (see regBarrier). */
  private regsOff = false;
  /**
   * R[15] for an op that reads it from the state (OPW_SETPC): stored only before a runtime
   * call, as nothing else in the op reads it from memory.
   */
  lazyPc: number | null = null;
  /**
   * The op's word range (wordRange): its base, offsets, kind, and the locals holding
   * whether the inline TLB serves all of it and the host address of its first word.
   */
  private range: {
    base: Val;
    lo: number;
    bytes: number;
    store: boolean;
    ok: number;
    host: number;
    /** The op leaves the region when the check fails: its accesses take the host address straight. */
    sure: boolean;
  } | null = null;
  /**
   * The op has changed guest state (a register, flag or state word, a helper call): from
   * then on its memory slow paths call the runtime. Before, a slow path leaves the op to
   * the interpreter (memRetry), which runs it from its start. (Its stores so far do not
   * count: they went to RAM through the inline TLB, any other would have left already,
   * and running the op again stores the same values there.)
   */
  private changed = false;

  constructor(
    private readonly env: RegionEnv,
    /** Types of the function's locals after its parameters. */
    private readonly locals: binaryen.Type[],
    /** Number of parameters (locals are numbered after them). */
    private readonly nParams: number,
  ) {
    this.m = env.m;
    this.vfpOk = this.newLocal();
    this.fpInl = this.newLocal();
    this.fpIxc = this.newLocal();
    this.qMem = memQRegs(this.m);
    this.dMem = memDRegs(this.m);
    const local = (t: binaryen.Type) => this.newLocal(t);
    this.qRegs = new RegLocals(this.m, binaryen.v128, 2, this.qMem, local);
    this.dRegs = new RegLocals(this.m, binaryen.f64, 1, this.dMem, local);
  }

  /** Start emitting one op (conditional: it may not run, see regBarrier). */
  begin(ctx: OpContext, conditional = false): void {
    this.ctx = ctx;
    this.regsOff = conditional;
    this.vfpKnownBefore = this.vfpKnown;
    this.fpKnownBefore = this.fpKnown;
    this.stmts = [[]];
    this.range = null;
    this.changed = false;
    this.lazyPc = null;
    for (const p of this.pending) p.length = 0; // values do not outlive their op
    this.lazy.clear();
    for (const pool of this.temps.values()) pool.used = 0; // (so their locals are free again)
  }

  /**
   * The op's own statements start (after what every op does first: its ITSTATE, its
   * R[15]): nothing is changed yet that running the op again would not redo.
   */
  semantics(): void {
    this.changed = false;
  }

  /** A block starts: the registers are in the state; vfpOk and the FPSCR modes are not known. */
  startBlock(): void {
    this.qRegs.clear();
    this.dRegs.clear();
    this.vfpKnown = false;
    this.fpKnown = false;
  }
  /** Stores of the registers newer in their locals than in the state (nothing changes here). */
  private regFlush(): Ref[] {
    return [...this.qRegs.flush(), ...this.dRegs.flush()];
  }
  /** Loads of every register held in a local (after a runtime call, which may write them). */
  private regReload(): Ref[] {
    return [...this.qRegs.reload(), ...this.dRegs.reload()];
  }
  /** Statements changing the register locals: only where every path passes (outside the builder's branches). */
  private topLevel(what: string): void {
    if (this.stmts.length > 1 && this.qRegs.size + this.dRegs.size > 0)
      throw new Error(`jit: FP/SIMD register ${what} inside a branch`);
  }
  /**
   * Statements putting the registers back in the state and forgetting the locals: before
   * code that accesses the registers in the state, at the end of a block and before a
   * conditional op.
   */
  regBarrier(): Ref[] {
    this.topLevel("barrier");
    const out = this.regFlush();
    this.qRegs.clear();
    this.dRegs.clear();
    return out;
  }
  /** Emit the stores of the newer locals of `regs` overlapping D registers d..d+n-1, and forget them. */
  private evict(regs: RegLocals, d: number, n: number): void {
    this.topLevel("eviction");
    for (const s of regs.evict(d, n)) this.emit(s);
  }
  /** Dirty flags of the register locals (see fastOrHelper). */
  private regDirty(): [Dirty, Dirty] {
    return [this.qRegs.dirty(), this.dRegs.dirty()];
  }
  private setRegDirty([q, d]: [Dirty, Dirty], or = false): void {
    this.qRegs.setDirty(q, or);
    this.dRegs.setDirty(d, or);
  }
  /** The op's exit, after storing the registers. */
  private exit(): Ref {
    const f = this.regFlush();
    return f.length === 0 ? this.ctx.exit() : this.m.block(null, [...f, this.ctx.exit()]);
  }
  /**
   * Q registers for inline code that reads `src` and writes `dst` (D indexes): the locals,
   * created here (outside the branch between the inline code and the helper, so both
   * paths define them), or the state when the op cannot use them.
   */
  private qPrepare(ops: { src: number[]; dst: number[] } | null): QRegs {
    if (ops === null || this.regsOff) {
      for (const s of this.regBarrier()) this.emit(s);
      return this.qMem;
    }
    for (const d of [...ops.src, ...ops.dst]) this.evict(this.dRegs, d, 2);
    for (const d of ops.src) for (const s of this.qRegs.use(d, true)) this.emit(s);
    for (const d of ops.dst) for (const s of this.qRegs.use(d, false)) this.emit(s);
    return this.qRegs.locals;
  }
  /**
   * D registers for the inline code of vfpDp(opd, d, ...), which reads `src` and writes d
   * (D or S indexes, as the op's): double precision on the locals, created as in
   * qPrepare; single precision (on the S words in the state: no local of a D register
   * holding them) and an op that may not run on the state.
   */
  private dPrepare(dp: boolean, d: number, src: number[]): Regs {
    if (this.regsOff) return this.dMem;
    const ds = dp ? [d, ...src] : [d, ...src].map((s) => s >> 1);
    for (const x of ds) {
      this.evict(this.qRegs, x, 1);
      if (!dp) this.evict(this.dRegs, x, 1);
    }
    if (!dp) return this.dMem;
    for (const x of src) for (const s of this.dRegs.use(x, true)) this.emit(s);
    for (const s of this.dRegs.use(d, false)) this.emit(s);
    return this.dRegs.locals;
  }

  /**
   * The slot's local is about to change: reads still in use get their own copy, made at
   * the place of the read if the value is read again from now on (as a let() value).
   */
  private keepReads(slot: number): void {
    const v: Val = { t: "local", i: this.env.slotLocal(slot) };
    for (const { node, list, at } of this.pending[slot]!) {
      this.lazy.set(node, { v, list, at });
      node.i = -1;
    }
    this.pending[slot]!.length = 0;
  }

  /** Every slot's local is about to be reloaded (after a runtime call). */
  keepAllReads(): void {
    for (let s = 0; s < N_CACHED; s++) this.keepReads(s);
  }

  /** The statements emitted since begin(). */
  end(): Ref[] {
    if (this.regsOff) {
      // the op may not have run
      this.vfpKnown &&= this.vfpKnownBefore;
      this.fpKnown &&= this.fpKnownBefore;
    }
    return present(this.stmts[0]!);
  }

  emit(s: Ref): void {
    this.stmts[this.stmts.length - 1]!.push(s);
  }

  /** A local of the function for as long as it runs (registers, the builder's own state). */
  newLocal(type: binaryen.Type = binaryen.i32): number {
    this.locals.push(type);
    return this.nParams + this.locals.length - 1;
  }

  /**
   * A local for a value of the op being emitted: the ops of a region share them (values
   * do not outlive their op, see begin). Fewer locals make a smaller graph for V8's
   * optimizing compiler, which puts a phi for every local assigned in a loop at the
   * loop's header, and the region is one loop (its dispatcher).
   */
  temp(type: binaryen.Type = binaryen.i32): number {
    let pool = this.temps.get(type);
    if (pool === undefined) {
      pool = { locals: [], used: 0 };
      this.temps.set(type, pool);
    }
    if (pool.used === pool.locals.length) pool.locals.push(this.newLocal(type));
    return pool.locals[pool.used++]!;
  }
  private readonly temps = new Map<binaryen.Type, { locals: number[]; used: number }>();

  /** The binaryen expression computing v (a fresh tree each time: nodes are not shared). */
  expr(v: Val): Ref {
    const m = this.m;
    switch (v.t) {
      case "k":
        return m.i32.const(v.n);
      case "local": {
        if (v.i < 0) {
          const d = this.lazy.get(v);
          if (d === undefined || d.list === null)
            throw new Error("jit: a value read outside the branch that computed it");
          this.lazy.delete(v);
          v.i = this.temp();
          d.list[d.at] = m.local.set(v.i, this.expr(d.v));
        }
        return m.local.get(v.i, binaryen.i32);
      }
      case "not":
        return m.i32.xor(this.expr(v.a), m.i32.const(-1));
      case "clz":
        return m.i32.clz(this.expr(v.a));
      case "eqz":
        return m.i32.eqz(this.expr(v.a));
      case "sel":
        return m.select(this.expr(v.c), this.expr(v.a), this.expr(v.b));
      case "bin":
        return this.binExpr(v.op, v.a, v.b);
    }
  }

  private binExpr(op: BinOp, x: Val, y: Val): Ref {
    const m = this.m;
    const a = () => this.expr(x);
    const b = () => this.expr(y);
    switch (op) {
      case "add":
        return m.i32.add(a(), b());
      case "sub":
        return m.i32.sub(a(), b());
      case "mul":
        return m.i32.mul(a(), b());
      case "mulhu":
        return m.i32.wrap(m.i64.shr_u(m.i64.mul(m.i64.extend_u(a()), m.i64.extend_u(b())), m.i64.const(32n)));
      case "mulhs":
        return m.i32.wrap(m.i64.shr_s(m.i64.mul(m.i64.extend_s(a()), m.i64.extend_s(b())), m.i64.const(32n)));
      case "divs":
        // wasm traps where ARM gives 0 (x/0) or INT_MIN (INT_MIN/-1)
        return m.if(
          m.i32.eqz(b()),
          m.i32.const(0),
          m.if(
            m.i32.and(m.i32.eq(a(), m.i32.const(-0x80000000)), m.i32.eq(b(), m.i32.const(-1))),
            a(),
            m.i32.div_s(a(), b()),
          ),
        );
      case "divu":
        return m.if(m.i32.eqz(b()), m.i32.const(0), m.i32.div_u(a(), b()));
      case "and":
        return m.i32.and(a(), b());
      case "or":
        return m.i32.or(a(), b());
      case "xor":
        return m.i32.xor(a(), b());
      case "shl":
        return m.i32.shl(a(), b());
      case "lsr":
        return m.i32.shr_u(a(), b());
      case "asr":
        return m.i32.shr_s(a(), b());
      case "ror":
        return m.i32.rotr(a(), b());
      case "eq":
        return m.i32.eq(a(), b());
      case "ne":
        return m.i32.ne(a(), b());
      case "ltu":
        return m.i32.lt_u(a(), b());
      case "lts":
        return m.i32.lt_s(a(), b());
      case "leu":
        return m.i32.le_u(a(), b());
      case "les":
        return m.i32.le_s(a(), b());
    }
  }

  private bin(op: BinOp, a: Val, b: Val): Val {
    if (a.t === "k" && b.t === "k") return k(FOLD[op](a.n, b.n));
    if (b.t === "k" && b.n === 0 && RIGHT_ZERO_IDENTITY.has(op)) return a;
    if (op === "and" && b.t === "k" && b.n === -1) return a;
    return { t: "bin", op, a, b };
  }

  /** A new local holding the value of `e` evaluated now. */
  private capture(e: Ref): Val {
    const i = this.temp();
    this.emit(this.m.local.set(i, e));
    return { t: "local", i };
  }

  k(n: number): Val {
    return k(n);
  }
  known(v: Val): number | undefined {
    return v.t === "k" ? v.n : undefined;
  }
  /**
   * A value in a local, set at this place in the code when the local is first read:
   * the semantic definitions compute what an instruction may need (the carry and
   * overflow of a subtraction whose flags are not set, an address for a path not taken),
   * and a value nothing reads costs nothing here, in the module's size and in V8's
   * compilation. (Values are pure: only where they are evaluated matters.)
   */
  let(v: Val): Val {
    if (v.t === "k" || v.t === "local") return v;
    const node = { t: "local" as const, i: -1 }; // (its local too is made at the first read)
    const list = this.stmts[this.stmts.length - 1]!;
    this.lazy.set(node, { v, list, at: list.length });
    list.push(null);
    return node;
  }
  mut(v: Val): Var<Val> {
    const get = this.capture(this.expr(v));
    const i = (get as { i: number }).i;
    return {
      get: () => get,
      set: (x: Val) => this.emit(this.m.local.set(i, this.expr(x))),
    };
  }
  add(a: Val, b: Val): Val {
    // (x + k1) + k2 = x + (k1 + k2): the carry-in of SUB/CMP immediates
    if (b.t === "k" && a.t === "bin" && a.op === "add" && a.b.t === "k")
      return this.bin("add", a.a, k(a.b.n + b.n));
    return this.bin("add", a, b);
  }
  sub(a: Val, b: Val): Val {
    return this.bin("sub", a, b);
  }
  mul(a: Val, b: Val): Val {
    return this.bin("mul", a, b);
  }
  mulhu(a: Val, b: Val): Val {
    return this.bin("mulhu", a, b);
  }
  mulhs(a: Val, b: Val): Val {
    return this.bin("mulhs", a, b);
  }
  divs(a: Val, b: Val): Val {
    return this.bin("divs", this.let(a), this.let(b));
  }
  divu(a: Val, b: Val): Val {
    return this.bin("divu", a, this.let(b));
  }
  and(a: Val, b: Val): Val {
    if ((a.t === "k" && a.n === 0) || (b.t === "k" && b.n === 0)) return k(0);
    return this.bin("and", a, b);
  }
  or(a: Val, b: Val): Val {
    return this.bin("or", a, b);
  }
  xor(a: Val, b: Val): Val {
    return this.bin("xor", a, b);
  }
  not(a: Val): Val {
    return a.t === "k" ? k(~a.n) : a.t === "not" ? a.a : { t: "not", a };
  }
  shl(a: Val, n: Val): Val {
    return this.bin("shl", a, n);
  }
  lsr(a: Val, n: Val): Val {
    return this.bin("lsr", a, n);
  }
  asr(a: Val, n: Val): Val {
    return this.bin("asr", a, n);
  }
  ror(a: Val, n: Val): Val {
    return this.bin("ror", a, n);
  }
  clz(a: Val): Val {
    return a.t === "k" ? k(Math.clz32(a.n)) : { t: "clz", a };
  }
  eq(a: Val, b: Val): Val {
    return this.bin("eq", a, b);
  }
  ne(a: Val, b: Val): Val {
    return this.bin("ne", a, b);
  }
  ltu(a: Val, b: Val): Val {
    return this.bin("ltu", a, b);
  }
  lts(a: Val, b: Val): Val {
    return this.bin("lts", a, b);
  }
  leu(a: Val, b: Val): Val {
    return this.bin("leu", a, b);
  }
  les(a: Val, b: Val): Val {
    return this.bin("les", a, b);
  }
  eqz(a: Val): Val {
    return a.t === "k" ? k(+(a.n === 0)) : { t: "eqz", a };
  }
  select(c: Val, a: Val, b: Val): Val {
    if (c.t === "k") return c.n !== 0 ? a : b;
    return { t: "sel", c, a, b };
  }

  /** Register number of a register operand: always a constant here (fields are constants). */
  private regNum(r: Val): number {
    if (r.t !== "k") throw new Error("jit: register number not constant");
    return r.n & 15;
  }
  reg(r: Val): Val {
    const n = this.regNum(r);
    // r15 as an operand reads the PC value (the interpreter stores it in R[15] first)
    if (n === 15) return k(this.ctx.pc);
    return this.getState(S.R + n * 4);
  }
  setReg(r: Val, v: Val): void {
    this.setState(S.R + this.regNum(r) * 4, v);
  }
  pc(): Val {
    return k(this.ctx.pc);
  }
  insnAddr(): Val {
    return k(this.ctx.addr);
  }
  nextAddr(): Val {
    return k(this.ctx.next);
  }
  /** The op reads R[15] from the state: stored before any runtime call it makes. */
  setPcLazy(pc: number): void {
    this.lazyPc = pc;
  }
  getState(off: number): Val {
    if (off === S.R + 60 && this.lazyPc !== null) return k(this.lazyPc);
    const slot = cacheSlot(off);
    if (slot >= 0) {
      const node = { t: "local" as const, i: this.env.slotLocal(slot) };
      const list = this.stmts[this.stmts.length - 1]!;
      this.pending[slot]!.push({ node, list, at: list.length });
      list.push(null);
      return node;
    }
    return this.capture(this.m.i32.load(off, 4, this.m.i32.const(0)));
  }
  setState(off: number, v: Val): void {
    this.changed = true;
    if (off === S.R + 60) this.lazyPc = null;
    const slot = cacheSlot(off);
    if (slot >= 0) {
      const e = this.expr(v); // (before the reads are kept: v's own lets read the slot as it was)
      this.keepReads(slot);
      this.env.noteWrite(slot);
      this.emit(this.m.local.set(this.env.slotLocal(slot), e));
    } else this.emit(this.m.i32.store(off, 4, this.m.i32.const(0), this.expr(v)));
  }

  /**
   * The inline TLB (FAST_TLB): `e` = the entry column of addr's page; the access hits when
   * the tag for its kind equals addr with the offset-in-page bits cleared but for the
   * alignment bits of the width (a misaligned access misses: the slow path handles it, as
   * Cpu.ld32's fast path). Sets e and returns the hit condition.
   */
  private tlbHit(addr: Val, alignMask: number, o: MemOpts, e: number, store: boolean): Ref {
    const m = this.m;
    const col = o.unpriv ? this.env.tlbUser : this.env.tlb;
    // entry offset = ((addr >>> 12) & (ENTRIES - 1)) * ENTRY_BYTES
    const index = m.i32.and(
      m.i32.shr_u(this.expr(addr), m.i32.const(12 - Math.log2(FAST_TLB.ENTRY_BYTES))),
      m.i32.const((FAST_TLB.ENTRIES - 1) * FAST_TLB.ENTRY_BYTES),
    );
    this.emit(m.local.set(e, m.i32.add(m.local.get(col, binaryen.i32), index)));
    const tag = m.i32.load(store ? FAST_TLB.WRITE : 0, 4, m.local.get(e, binaryen.i32));
    return m.i32.eq(tag, this.expr(this.and(addr, k(~0xfff | alignMask))));
  }
  /** Host byte address of addr through entry e (a hit). */
  private hostAddr(addr: Val, e: number): Ref {
    const m = this.m;
    return m.i32.add(this.expr(addr), m.i32.load(FAST_TLB.ADDEND, 4, m.local.get(e, binaryen.i32)));
  }

  /**
   * LDM/STM: one inline-TLB check for all the words (one page, aligned, for stores no
   * translated code in it); each access then takes the host address straight when it
   * passed, else checks on its own (see load, store).
   */
  wordRange(base: Val, lo: number, bytes: number, store: boolean): void {
    const first = this.let(this.add(base, k(lo)));
    const ok = this.temp();
    const host = this.temp();
    this.emit(this.m.local.set(ok, this.transferHit(first, 3, bytes, store, host)));
    // before the op changed anything, a transfer the check does not pass is the
    // interpreter's (at its first word's address, where the interpreter starts)
    const sure = !this.changed;
    if (sure)
      this.emit(
        this.m.if(this.m.i32.eqz(this.m.local.get(ok, binaryen.i32)), this.m.block(null, this.retry(first))),
      );
    this.range = { base, lo, bytes, store, ok, host, sure };
  }

  /**
   * Does the inline TLB serve a transfer of `bytes` at addr as one piece: a hit for its
   * kind, addr aligned to alignMask + 1, the transfer inside the page and, for a store, no
   * translated code in it? Non-zero when it does, and then local `host` is addr's host
   * address.
   */
  private transferHit(addr: Val, alignMask: number, bytes: number, store: boolean, host: number): Ref {
    const m = this.m;
    const e = this.temp();
    let hit = this.tlbHit(addr, alignMask, {}, e, store);
    if (alignMask + 1 < bytes)
      hit = m.i32.and(hit, m.i32.le_u(this.expr(this.and(addr, k(0xfff))), m.i32.const(0x1000 - bytes)));
    const h = m.local.tee(host, this.hostAddr(addr, e), binaryen.i32);
    // (a load needs only the tee and a non-zero result)
    return m.if(hit, store ? m.i32.eqz(this.codePage(h)) : m.i32.or(h, m.i32.const(1)), m.i32.const(0));
  }

  /** The offset of a word access at addr inside the op's range (wordRange), or undefined. */
  private rangeOffset(w: Width, addr: Val, store: boolean): number | undefined {
    const r = this.range;
    if (r === null || r.store !== store || w !== 32) return undefined;
    const off =
      addr === r.base
        ? 0
        : addr.t === "bin" && addr.op === "add" && addr.a === r.base && addr.b.t === "k"
          ? addr.b.n
          : addr.t === "k" && r.base.t === "k" // (a literal address: b.add folded it)
            ? (addr.n - r.base.n) | 0
            : NaN;
    return off >= r.lo && off <= r.lo + r.bytes - 4 && ((off - r.lo) & 3) === 0 ? off : undefined;
  }

  /**
   * Emit the access statements that `full` emits, or, inside the op's checked word range,
   * `direct(host address)` when the range check passed and those statements otherwise.
   */
  private inRange(w: Width, addr: Val, store: boolean, full: () => void, direct: (host: Ref) => Ref): void {
    const r = this.range;
    const off = this.rangeOffset(w, addr, store);
    if (r === null || off === undefined) {
      full();
      return;
    }
    const m = this.m;
    const host = m.i32.add(m.local.get(r.host, binaryen.i32), m.i32.const(off - r.lo));
    if (r.sure) {
      this.emit(direct(host));
      return;
    }
    this.stmts.push([]);
    full();
    const slow = this.closeBranch();
    this.emit(m.if(m.local.get(r.ok, binaryen.i32), direct(host), slow));
  }

  load(w: Width, addr: Val, o: MemOpts = {}): Val {
    const t = this.temp();
    this.inRange(
      w,
      addr,
      false,
      () => this.loadInto(t, w, this.let(addr), o),
      (host) => this.m.local.set(t, this.m.i32.load(0, 4, host)),
    );
    return { t: "local", i: t };
  }
  private loadInto(t: number, w: Width, addr: Val, o: MemOpts): void {
    const m = this.m;
    const e = this.temp();
    const host = this.hostAddr(addr, e);
    const fast =
      w === 8
        ? o.signed
          ? m.i32.load8_s(0, 1, host)
          : m.i32.load8_u(0, 1, host)
        : w === 16
          ? o.signed
            ? m.i32.load16_s(0, 2, host)
            : m.i32.load16_u(0, 2, host)
          : m.i32.load(0, 4, host);
    const slow = this.slowAccess(addr, `ld${w}${o.signed ? "s" : ""}`, () => [m.i32.const(memFlags(o))], t);
    this.emit(m.if(this.tlbHit(addr, w / 8 - 1, o, e, false), m.local.set(t, fast), m.block(null, slow)));
  }
  /**
   * A store hits when the inline TLB gives the write right and the page holds no
   * translated code (CODE_PAGES); else the slow path, which also invalidates the code.
   */
  store(w: Width, addr: Val, v: Val, o: MemOpts = {}): void {
    v = this.let(v);
    this.inRange(
      w,
      addr,
      true,
      () => this.storeOf(w, this.let(addr), v, o),
      (host) => this.m.i32.store(0, 4, host, this.expr(v)),
    );
  }
  private storeOf(w: Width, addr: Val, v: Val, o: MemOpts): void {
    const m = this.m;
    const e = this.temp();
    const h = this.temp();
    const host = m.local.get(h, binaryen.i32);
    const fast =
      w === 8
        ? m.i32.store8(0, 1, host, this.expr(v))
        : w === 16
          ? m.i32.store16(0, 2, host, this.expr(v))
          : m.i32.store(0, 4, host, this.expr(v));
    const slow = this.slowAccess(addr, `st${w}`, () => [this.expr(v), m.i32.const(memFlags(o))], null);
    const done = `st${this.labels}`;
    const miss = `sm${this.labels++}`;
    const hit = this.tlbHit(addr, w / 8 - 1, o, e, true);
    const codePage = this.codePage(m.local.get(h, binaryen.i32));
    this.emit(
      labelled(m, done, [
        labelled(m, miss, [
          m.br(miss, m.i32.eqz(hit)),
          m.local.set(h, this.hostAddr(addr, e)),
          m.br(miss, codePage),
          fast,
          m.br(done),
        ]),
        ...slow,
      ]),
    );
  }

  /**
   * The slow path of an access at addr that the inline TLB did not serve: left to the
   * interpreter while the op has changed nothing (retry), else a call of the memory
   * import `fn` with addr and `args()`, its result into local `result` (a load).
   */
  private slowAccess(addr: Val, fn: string, args: () => Ref[], result: number | null): Ref[] {
    if (!this.changed) return this.retry(addr);
    return [
      ...this.regFlush(), // (a fault leaves the region)
      ...this.env.memCall(this.env.mem(fn), [this.expr(addr), ...args()], result, this.ctx.p),
    ];
  }
  /** Leave the op, whose access at addr the inline TLB did not serve, to the interpreter. */
  private retry(addr: Val): Ref[] {
    return [...this.regFlush(), ...this.env.memRetry(this.expr(addr), this.ctx.p)];
  }

  /** The code-page byte of host address h (non-zero: the page holds translated code). */
  private codePage(h: Ref): Ref {
    // CODE_PAGES + (h - RAM_OFFSET) / 4096
    return this.m.i32.load8_u(CODE_PAGES - RAM_OFFSET / 4096, 1, this.m.i32.shr_u(h, this.m.i32.const(12)));
  }

  if(c: Val, then: () => void, els?: () => void): void {
    if (c.t === "k") {
      if (c.n !== 0) then();
      else els?.();
      return;
    }
    const cond = this.expr(c);
    const before = this.env.saveDirty();
    this.stmts.push([]);
    then();
    const t = this.closeBranch();
    const afterThen = this.env.saveDirty();
    this.env.restoreDirty(before);
    let e: Ref | undefined;
    if (els) {
      this.stmts.push([]);
      els();
      e = this.closeBranch();
    }
    this.env.mergeDirty(afterThen);
    this.emit(this.m.if(cond, t, e));
  }

  /** The block of the innermost branch; its reads cannot be used outside it. */
  private closeBranch(): Ref {
    const list = this.stmts.pop()!;
    for (const d of this.lazy.values()) if (d.list === list) d.list = null; // never read: never set
    for (let s = 0; s < N_CACHED; s++) {
      const p = this.pending[s]!;
      if (p.some((r) => r.list === list)) this.pending[s] = p.filter((r) => r.list !== list);
    }
    return this.m.block(null, present(list));
  }

  call(helper: string, ...args: Val[]): Val {
    if (!RETRY_SAFE.has(helper)) this.changed = true;
    const t = this.temp();
    for (const s of this.helperCall(helper, args, t)) this.emit(s);
    return { t: "local", i: t };
  }
  callMayExit(helper: string, ...args: Val[]): void {
    if (!RETRY_SAFE.has(helper)) this.changed = true;
    if (helper === "vfpDp" && args.every((a) => a.t === "k") && hasInlineVfp((args[0] as { n: number }).n)) {
      this.vfpDp(args as { t: "k"; n: number }[]);
      return;
    }
    if (this.inlineSimd(helper, args)) return;
    this.helperMayExit(helper, args);
  }
  /** Call a helper; leave through the op's exit when it returns non-zero. */
  private helperMayExit(helper: string, args: Val[]): void {
    const t = this.temp();
    for (const s of this.helperCall(helper, args, t)) this.emit(s);
    // a helper that raised may have changed the mode (banked registers): the exit's spill
    // must store what is in the state now
    const exit = KEEPS_CORE.has(helper)
      ? this.m.block(null, [this.env.reloadSlots(), this.exit()])
      : this.exit();
    this.emit(this.m.if(this.m.local.get(t, binaryen.i32), exit));
  }
  /** A call of a runtime helper (helpers may throw guest exceptions), result into local t. */
  private helperCall(helper: string, args: Val[], t: number): Ref[] {
    const fn = this.env.helper(helper, args.length);
    const call = this.m.call(
      fn,
      args.map((a) => this.expr(a)),
      binaryen.i32,
    );
    this.vfpKnown = false;
    this.fpKnown = false;
    return [
      ...this.regFlush(),
      ...this.env.wrapCall(call, t, this.ctx.p, KEEPS_CORE.has(helper)),
      ...this.regReload(),
      this.m.local.set(this.vfpOk, this.m.i32.const(0)),
    ];
  }

  /**
   * Advanced SIMD helpers with inline v128 code (jit/neon.ts), run when the FP/SIMD unit
   * is open (vfpOpen) and, for VLD1/VST1, the inline TLB hits for the whole transfer;
   * else the helper. False when the call has no inline form.
   */
  private inlineSimd(helper: string, args: Val[]): boolean {
    const m = this.m;
    const ks = args.map((a) => (a.t === "k" ? a.n : Number.NaN));
    let hit: (() => Ref) | null = null;
    let fast: (qr: QRegs) => void;
    let qOps: { src: number[]; dst: number[] } | null = null;
    if (ks.every((n) => !Number.isNaN(n)) && hasInlineNeon(helper, ks)) {
      qOps = qOperands(helper, ks);
      fast = (qr) => {
        for (const s of inlineNeon(m, helper, ks, qr)) this.emit(s);
      };
    } else if (
      helper === "neonDupCore" &&
      !Number.isNaN(ks[0]!) &&
      !Number.isNaN(ks[1]!) &&
      (ks[0]! & 3) < 3
    ) {
      const v = args[2]!;
      qOps = qOperands(helper, ks);
      fast = (qr) => {
        for (const s of dupCore(m, ks[0]!, ks[1]!, this.expr(v), qr)) this.emit(s);
      };
    } else if (helper === "neonLdSt1" && ks.every((n) => !Number.isNaN(n)) && ldSt1Inline(ks[0]!, ks[2]!)) {
      const [sel, d, rn, rm] = ks as [number, number, number, number];
      const load = (sel & 1) === 1;
      const bytes = 8 * ((sel >> 5) & 7);
      const qs = ldSt1QRegs(d, bytes);
      qOps = qs === null ? null : load ? { src: [], dst: qs } : { src: qs, dst: [] };
      // the inline TLB's alignment bits: the element's, or the :align hint's when larger
      const align = Math.max(1 << ((sel >> 3) & 3), 1 << ((sel >> 11) & 7)) - 1;
      const base = this.let(this.reg(k(rn)));
      const h = this.temp();
      hit = () => this.transferHit(base, align, bytes, !load, h);
      fast = (qr) => {
        for (const s of copyRegs(m, load, d, bytes, () => m.local.get(h, binaryen.i32), qr)) this.emit(s);
        if (rm !== 15) this.setReg(k(rn), this.add(base, rm === 13 ? k(bytes) : this.reg(k(rm))));
      };
    } else return false;
    const qr = this.qPrepare(qOps);
    const known = this.vfpKnown;
    if (known && hit === null) {
      fast(qr);
      return true;
    }
    const ok = () => m.local.get(this.vfpOk, binaryen.i32);
    if (!known) this.askVfpOpen();
    const go = hit === null ? ok() : known ? hit() : m.if(ok(), hit(), m.i32.const(0));
    this.fastOrHelper(
      (slow) => {
        this.emit(m.br(slow, m.i32.eqz(go)));
        fast(qr);
      },
      helper,
      args,
    );
    return true;
  }

  /**
   * The statements `fast` emits, or, where they branch to label `slow` (given), the helper,
   * which checks the access (vfpOk is set after it). The helper's path starts from the
   * registers' dirty flags before the inline code (it stores those); after both, a local
   * is newer where either says so.
   */
  private fastOrHelper(fast: (slow: string) => void, helper: string, args: Val[]): void {
    const m = this.m;
    const done = `fd${this.labels}`;
    const slow = `fs${this.labels++}`;
    const regs = this.regDirty();
    const core = this.env.saveDirty();
    this.stmts.push([]);
    fast(slow);
    this.emit(m.br(done));
    const inline = this.closeBranch();
    const afterFast = this.env.saveDirty();
    const regsAfterFast = this.regDirty();
    this.env.restoreDirty(core);
    this.setRegDirty(regs);
    this.stmts.push([]);
    this.helperMayExit(helper, args);
    this.emit(m.local.set(this.vfpOk, m.i32.const(1)));
    const helperPath = this.closeBranch();
    this.env.mergeDirty(afterFast);
    this.setRegDirty(regsAfterFast, true);
    this.emit(labelled(m, done, [labelled(m, slow, [inline]), helperPath]));
    this.setVfpKnown();
  }

  /** Unless vfpOk already says so, ask the helper vfpOpen whether the FP/SIMD unit is open. */
  private askVfpOpen(): void {
    const m = this.m;
    const ok = m.local.get(this.vfpOk, binaryen.i32);
    this.emit(
      m.if(m.i32.eqz(ok), m.local.set(this.vfpOk, m.call(this.env.helper("vfpOpen", 0), [], binaryen.i32))),
    );
  }

  /** Set fpInl and fpIxc (see there), asking vfpOpen unless vfpOk is known. */
  private askVfpModes(): void {
    const m = this.m;
    const known = this.vfpKnown;
    if (!known) this.askVfpOpen();
    const fpscr = this.temp();
    const f = () => m.local.get(fpscr, binaryen.i32);
    const modes = m.i32.eqz(m.i32.and(f(), m.i32.const(FPSCR_INLINE_MASK)));
    this.emit(m.local.set(fpscr, m.i32.load(S.FPSCR, 4, m.i32.const(0))));
    this.emit(
      m.local.set(this.fpInl, known ? modes : m.i32.and(m.local.get(this.vfpOk, binaryen.i32), modes)),
    );
    this.emit(m.local.set(this.fpIxc, m.i32.and(f(), m.i32.const(IXC))));
  }

  /** vfpDp with its inline fast path (jit/vfp.ts); the helper when that path does not apply. */
  private vfpDp(args: { t: "k"; n: number }[]): void {
    const m = this.m;
    const [opd, d, n, mr] = args.map((a) => a.n) as [number, number, number, number];
    const dr = this.dPrepare((opd & 1) === 1, d, vfpSources(opd, d, n, mr));
    if (!this.fpKnown) this.askVfpModes();
    this.fastOrHelper(
      (slow) => {
        this.emit(m.br(slow, m.i32.eqz(m.local.get(this.fpInl, binaryen.i32))));
        for (const s of inlineVfpDp(m, opd, d, n, mr, dr, slow, this.fpIxc, () => this.temp(binaryen.f64)))
          this.emit(s);
      },
      "vfpDp",
      args,
    );
    // (fpInl and fpIxc were set before the op's branches, here or earlier)
    if (this.stmts.length === 1) this.fpKnown = true;
  }

  branch(target: Val): void {
    this.changed = true;
    // BranchWritePC: IT state cleared; the block's instruction set decides the alignment
    const pc = () => this.expr(this.and(target, k(this.ctx.thumb ? ~1 : ~3)));
    const stores = () => [
      this.m.i32.store(S.IT, 4, this.m.i32.const(0), this.m.i32.const(0)),
      this.m.i32.store(S.R + 60, 4, this.m.i32.const(0), pc()),
    ];
    this.lazyPc = null;
    const known = this.known(target);
    // to a block of the region: the state words only where it leaves instead (see goTo)
    const go =
      known === undefined ? null : (this.ctx.branchTo?.(known & (this.ctx.thumb ? ~1 : ~3), stores) ?? null);
    if (go !== null) {
      for (const s of this.regFlush()) this.emit(s); // another block
      this.emit(go);
    }
    for (const s of stores()) this.emit(s);
    this.emit(this.exit());
  }
  bx(target: Val): void {
    // BXWritePC: bit 0 selects Thumb (CPSR.T); an ARM target is word aligned
    const t = this.let(target);
    const thumb = this.let(this.and(t, k(1)));
    this.setState(S.IT, k(0));
    const cpsr = this.getState(S.CPSR);
    this.setState(S.CPSR, this.or(this.and(cpsr, k(~0x20)), this.shl(thumb, k(5))));
    this.emit(
      this.m.i32.store(
        S.R + 60,
        4,
        this.m.i32.const(0),
        this.expr(this.and(t, this.select(thumb, k(~1), k(~3)))),
      ),
    );
    this.emit(this.exit());
  }
  endBlock(): void {
    this.changed = true;
    this.emit(this.m.i32.store(S.R + 60, 4, this.m.i32.const(0), this.m.i32.const(this.ctx.next)));
    this.emit(this.exit());
  }
}

/**
 * Helpers that write no core register or flag (their results go through the builder) and,
 * unless they report an exit, leave the mode alone: the registers in locals stay valid
 * across them, so the region does not reload them (fewer values for V8 to keep across
 * the slow path). Any helper that raises returns non-zero or throws.
 */
const KEEPS_CORE = new Set([
  "neon3Same",
  "neon3Diff",
  "neon2Misc",
  "neonByScalar",
  "neonShiftImm",
  "neonImm",
  "neonDupCore",
  "neonDupScalar",
  "neonExt",
  "neonTbl",
  "neonFp",
  "neonGetScalar",
  "neonSetScalar",
  "vfpDp",
  "vfpAccess",
  "vfpGet32",
  "vfpSet32",
]);

/**
 * Helpers that change no guest state unless they raise (and then the op leaves through
 * its exit): an op that called them may still leave a memory access to the interpreter,
 * which runs the op again from its start (see WasmBuilder.changed).
 */
const RETRY_SAFE = new Set(["vfpAccess", "vfpGet32", "exclCheckAlign8"]);

/** Flags word of the memory-access imports (see Cpu.ld32: MF_UNPRIV, MF_ALIGNED). */
export function memFlags(o: MemOpts): number {
  return (o.unpriv ? 1 : 0) | (o.aligned ? 2 : 0);
}
