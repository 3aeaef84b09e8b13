// Translation of interpreter blocks into wasm: a region (a hot block and its hot
// successors) becomes one function with a dispatcher loop, so loops between its blocks
// stay inside wasm with r0-r14 and the flags in locals. Each block runs its ops exactly
// as execOps does (condition, ITSTATE, R[15] for ops that read it, then the op's
// semantics from its definition in src/sem).
//
// The function (entry, limit, left, tlb, tlbUser, retired) -> i32 starts at block `entry`
// and returns what execOps returns for the last block it ran: the arena index after its
// last op, or the complement when an op wrote the PC. It moves on to a successor block
// inside the region only where the run loop would do nothing but run that block: fewer
// than `limit` instructions retired, the successor ends before the next clock event
// (`left` instructions away), and, when the block called the runtime (which may raise an
// interrupt, move a clock event, change the mode or drop translations), the runtime's
// `resume` says nothing of that happened. The globals `retired` (instructions of the blocks
// before the last) and `last` (region index of the last block) tell the rest; `op` holds
// the arena index of the op that made the latest runtime call, so a fault is taken there.
// A memory slow path that faults sets `fault`: the function stores the registers and
// returns at once, and the caller raises the fault.
//
// Memory accesses the inline TLB does not serve (a miss, MMIO, a page holding code, a
// misaligned or page-crossing access) mostly do not call the runtime: while its op has
// changed no guest state yet, the function stores the registers and returns with the op
// left to the interpreter (JIT_STOP.RETRY), which runs it and the rest of its block.
// Without such calls on its paths, no value is live across a call in the function's
// loop: V8's register allocator otherwise keeps every register local's value in a stack
// slot too, written where it is defined, on the fast paths as well (bench_mem +25-35%,
// the Linux boot's main thread ~-10%). LDM/STM and LDRD/STRD check all their words at
// once before they write anything (WasmBuilder.wordRange). An access after its op changed
// guest state would call the runtime (memCall); no definition has one today (checked by
// logging memCall through the differential suites and a Xen boot), so the path is kept
// for definitions to come.
//
// Chaining: where a block leaves the region for a PC outside it (a return, an indirect
// branch, a successor compiled elsewhere) under the same conditions, the function
// tail-calls the dispatcher (chainModule), which looks the PC up in the jump cache
// (JUMP_CACHE) and tail-calls the region holding that block, passing on the instructions
// retired so far; on a miss it returns as the leaving region would have. `retired`
// (the last parameter) counts from where the first region of the chain was entered, and
// S.JIT_REGION names the region running, so the caller finds the last block.

import { JIT_STOP, JUMP_CACHE, S } from "../src/cpu/state.js";
import { DISPATCH } from "../src/interp/hot.js";
import { MAX_BLOCK_INSNS, OPW_LEN4, OPW_SETPC, OPW_THUMB } from "../src/interp/support.js";
import type { Params } from "../src/sem/builder.js";
import { DEFS, type InsnDef, opcodeCount, paramCombos } from "../src/sem/defs.js";
import binaryen from "./binaryen.js";
import "../src/sem/all.js";
import {
  appendChild,
  cacheSlot,
  type DirtyState,
  labelled,
  N_CACHED,
  type RegionEnv,
  slotOffset,
  type Val,
  WasmBuilder,
} from "./wasmgen.js";

const OP_WORDS = 8;

/** A successor block inside the region, identified as the interpreter keys blocks. */
export interface Succ {
  /** Region index. */
  idx: number;
  pc: number;
  thumb: boolean;
  it: number;
  insns: number;
}

/** One block to compile: its ops (a copy of the arena words) and where they live in the arena. */
export interface BlockCode {
  /** Arena index of the first op (the function returns arena indexes, as execOps). */
  start: number;
  /** The ops, OP_WORDS words each. */
  ops: Int32Array;
  thumb: boolean;
  /** Fall-through address and ITSTATE after the block. */
  endAddr: number;
  itAfter: number;
  /** Successors in the region (the interpreter's chained successors that were included). */
  succ: Succ[];
}

export interface RegionCode {
  /** The JIT's id of the region (S.JIT_REGION while it runs). */
  id: number;
  /** The key bits of its translation class (JUMP_CACHE entries: 0 PL1, 1 << 9 User, 2 << 9 Hyp). */
  cls: number;
  blocks: BlockCode[];
}

/** A compiled module and the names it imports (bound by the loader, see jit.ts). */
export interface CompiledModule {
  binary: Uint8Array;
}

/** Dispatch number -> the definition and params it was generated from. */
const BY_DISPATCH: ({ def: InsnDef; p: Params } | undefined)[] = (() => {
  const t: ({ def: InsnDef; p: Params } | undefined)[] = new Array(opcodeCount());
  for (const def of DEFS) {
    let op = def.base;
    for (const p of paramCombos(def)) t[DISPATCH[op++]!] = { def, p };
  }
  return t;
})();

const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.MutableGlobals |
  binaryen.Features.SignExt |
  binaryen.Features.TailCall |
  binaryen.Features.SIMD128;

/** Region function parameters. */
const P_ENTRY = 0;
const P_LIMIT = 1;
const P_LEFT = 2;
/** Inline-TLB column (see FAST_TLB) of the region's accesses and of its unprivileged ones. */
const P_TLB = 3;
const P_TLB_USER = 4;
/** Instructions retired before this region, in the chain of regions entered from the run loop. */
const P_RETIRED = 5;
const N_PARAMS = 6;
/** The region functions' type. */
const REGION_PARAMS = binaryen.createType(new Array(N_PARAMS).fill(binaryen.i32));

/**
 * One binaryen module reused for many compiles (creating one costs ~300 µs): the memory
 * and the globals are declared once, functions and imports are removed after each emit.
 * Expressions live in the module's arena until it is disposed (and binaryen's heap never
 * shrinks), so it is renewed after a few regions.
 */
let shared: binaryen.Module | null = null;
let sharedRegions = 0;
const SHARED_MAX_REGIONS = 64;

function sharedModule(regions: number): binaryen.Module {
  sharedRegions += regions;
  if (shared !== null && sharedRegions > SHARED_MAX_REGIONS) {
    shared.dispose();
    shared = null;
  }
  if (shared === null) {
    sharedRegions = regions;
    const m = new binaryen.Module();
    m.setFeatures(FEATURES);
    m.setMemory(1, -1, null, [], false, false, "mem");
    m.addMemoryImport("mem", "env", "mem");
    shared = m;
  }
  return shared;
}

/**
 * Compile regions into one module exporting r0..r(n-1). `validate`: run binaryen's
 * validator too (its messages name the faulty expression; V8 validates every module it
 * compiles anyway, so the compile worker skips it: ~10% of its time).
 */
export function compileRegions(regions: RegionCode[], validate = true): CompiledModule {
  const m = sharedModule(regions.length);
  const added: string[] = [];
  const imports = new Map<string, string>();
  const declare = (mod: string, name: string, params: number, result: boolean): string => {
    const key = `${mod}.${name}`;
    let f = imports.get(key);
    if (f === undefined) {
      f = `${mod}_${name}`;
      m.addFunctionImport(
        f,
        mod,
        name,
        binaryen.createType(new Array(params).fill(binaryen.i32)),
        result ? binaryen.i32 : binaryen.none,
      );
      imports.set(key, f);
      added.push(f);
    }
    return f;
  };
  try {
    regions.forEach((r, i) => {
      new RegionCompiler(m, r, declare).build(`r${i}`);
      m.addFunctionExport(`r${i}`, `r${i}`);
      added.push(`r${i}`);
    });
    if (validate && !m.validate()) throw new Error("jit: generated module does not validate");
    return { binary: m.emitBinary() };
  } finally {
    for (const f of added) {
      if (f.startsWith("r")) m.removeExport(f);
      m.removeFunction(f);
    }
  }
}

/** Jump-cache entry words (see JUMP_CACHE). */
const JC_PC = 0;
const JC_KEY = 4;
const JC_GEN = 8;
const JC_TARGET = 12;
/** The region table's initial size (Jit grows it). */
const TABLE_INITIAL = 1024;

/**
 * The dispatcher module: the table of region functions (filled by the Jit) and
 * chain(ret, limit, left, tlb, tlbUser, retired, cls), which a region tail-calls when it
 * leaves: it looks up R[15], the T bit and ITSTATE in the jump cache and tail-calls the
 * region with that block if the entry is of the current epoch and the block fits the
 * budget as goTo requires; else it returns ret, as the region would have.
 */
export function chainModule(): Uint8Array {
  const m = new binaryen.Module();
  try {
    m.setFeatures(FEATURES);
    m.setMemory(1, -1, null, [], false, false, "mem");
    m.addMemoryImport("mem", "env", "mem");
    m.addTable("table", TABLE_INITIAL, 0x1000000);
    m.addTableExport("table", "table");
    const i32 = binaryen.i32;
    const get = (l: number) => m.local.get(l, i32);
    const ld = (off: number, base = m.i32.const(0)) => m.i32.load(off, 4, base);
    const [RET, LIMIT, LEFT, TLB, TLB_USER, RETIRED, CLS, PC, E, KEY, TARGET] = [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ];
    const thumb = m.i32.and(ld(S.CPSR), m.i32.const(0x20));
    const body = m.block(null, [
      m.local.set(PC, ld(S.R + 60)),
      m.local.set(
        E,
        m.i32.add(
          m.i32.const(JUMP_CACHE.BASE),
          m.i32.shl(
            // jumpCacheIndex
            m.i32.and(
              m.i32.xor(m.i32.shr_u(get(PC), m.i32.const(1)), m.i32.shr_u(get(PC), m.i32.const(13))),
              m.i32.const(JUMP_CACHE.ENTRIES - 1),
            ),
            m.i32.const(Math.log2(JUMP_CACHE.ENTRY_BYTES)),
          ),
        ),
      ),
      m.local.set(KEY, ld(JC_KEY, get(E))),
      m.if(
        m.i32.and(
          m.i32.and(
            m.i32.eq(ld(JC_PC, get(E)), get(PC)),
            // key bits: T | ITSTATE << 1 (Thumb only) | class
            m.i32.eq(
              m.i32.and(get(KEY), m.i32.const((1 << JUMP_CACHE.INSNS_SHIFT) - 1)),
              m.i32.or(
                get(CLS),
                m.select(
                  thumb,
                  m.i32.or(m.i32.const(1), m.i32.shl(ld(S.IT), m.i32.const(1))),
                  m.i32.const(0),
                ),
              ),
            ),
          ),
          m.i32.and(
            m.i32.eq(ld(JC_GEN, get(E)), ld(S.JIT_GEN)),
            m.i32.and(
              m.i32.lt_s(get(RETIRED), get(LIMIT)),
              m.i32.le_s(
                m.i32.add(get(RETIRED), m.i32.shr_u(get(KEY), m.i32.const(JUMP_CACHE.INSNS_SHIFT))),
                get(LEFT),
              ),
            ),
          ),
        ),
        m.block(null, [
          m.i32.store(S.JIT_CHAINS, 4, m.i32.const(0), m.i32.add(ld(S.JIT_CHAINS), m.i32.const(1))),
          m.local.set(TARGET, ld(JC_TARGET, get(E))),
          m.return_call_indirect(
            "table",
            m.i32.shr_u(get(TARGET), m.i32.const(JUMP_CACHE.IDX_BITS)),
            [
              m.i32.and(get(TARGET), m.i32.const((1 << JUMP_CACHE.IDX_BITS) - 1)),
              get(LIMIT),
              get(LEFT),
              get(TLB),
              get(TLB_USER),
              get(RETIRED),
            ],
            REGION_PARAMS,
            i32,
          ),
        ]),
      ),
      m.return(get(RET)),
    ]);
    m.addFunction("chain", binaryen.createType(new Array(7).fill(i32)), i32, [i32, i32, i32, i32], body);
    m.addFunctionExport("chain", "chain");
    if (!m.validate()) throw new Error("jit: the dispatcher module does not validate");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

type Declare = (mod: string, name: string, params: number, result: boolean) => string;

class RegionCompiler implements RegionEnv {
  readonly locals: binaryen.Type[] = [];
  readonly b: WasmBuilder;
  /** Locals of the cache slots (created for the slots the region uses). */
  private readonly slots = new Array<number>(N_CACHED).fill(-1);
  private readonly written = new Set<number>();
  /** Slots possibly newer in their locals than in memory, at the point being compiled. */
  private dirty: DirtyState = { all: true, set: new Set() };
  private readonly next: number;
  private readonly ret: number;
  private readonly called: number;
  private readonly retired: number;
  /**
   * Moving on to a successor is allowed while retired (with the block) is at most this:
   * below the instruction limit, and MAX_BLOCK_INSNS before the clock's next event (so
   * no successor crosses it; near the event the run loop takes over). One comparison.
   */
  private readonly bound: number;
  /** Instructions of a block that left through a PC write (see blockCode). */
  private readonly ran: number;
  /** Instructions retired with the block that leaves the region (for the next region). */
  private readonly total: number;
  /** Runtime calls emitted so far (a block with none needs no resume check). */
  private calls = 0;
  /** `calls` when the block being compiled began. */
  private blockCalls = 0;
  /** Region index of the block being compiled. */
  private current = -1;
  /** The block being compiled branches to its own start (it needs its loop). */
  private selfLoop = false;
  /** Numbers goTo's labels (unique in the function). */
  private labels = 0;
  readonly tlb = P_TLB;
  readonly tlbUser = P_TLB_USER;
  /** Spill/reload code is emitted as placeholders first: the slot sets are known at the end. */
  private readonly spills: { block: binaryen.ExpressionRef; dirty: DirtyState }[] = [];

  constructor(
    readonly m: binaryen.Module,
    private readonly region: RegionCode,
    private readonly declare: Declare,
  ) {
    this.b = new WasmBuilder(this, this.locals, N_PARAMS);
    this.next = this.b.newLocal();
    this.ret = this.b.newLocal();
    this.called = this.b.newLocal();
    this.retired = this.b.newLocal();
    this.total = this.b.newLocal();
    this.bound = this.b.newLocal();
    this.ran = this.b.newLocal();
  }

  slotLocal(slot: number): number {
    let l = this.slots[slot]!;
    if (l < 0) {
      l = this.b.newLocal();
      this.slots[slot] = l;
    }
    return l;
  }
  noteWrite(slot: number): void {
    this.written.add(slot);
    this.dirty.set.add(slot);
  }
  saveDirty(): DirtyState {
    return { all: this.dirty.all, set: new Set(this.dirty.set) };
  }
  restoreDirty(d: DirtyState): void {
    this.dirty = { all: d.all, set: new Set(d.set) };
  }
  mergeDirty(d: DirtyState): void {
    this.dirty.all ||= d.all;
    for (const s of d.set) this.dirty.set.add(s);
  }
  /** A word of the state block that the JIT's run loop reads (S.JIT_*). */
  private setWord(off: number, v: binaryen.ExpressionRef): binaryen.ExpressionRef {
    return this.m.i32.store(off, 4, this.m.i32.const(0), v);
  }
  private getWord(off: number): binaryen.ExpressionRef {
    return this.m.i32.load(off, 4, this.m.i32.const(0));
  }
  helper(name: string, arity: number): string {
    return this.declare("h", name, arity, true);
  }
  mem(name: string): string {
    return this.declare("m", name, name.startsWith("st") ? 5 : 4, true);
  }

  /**
   * Store the dirty slots to the state block (before calls and exits; `all`: every slot
   * the region writes). They are clean afterwards.
   */
  private spill(all = false): binaryen.ExpressionRef {
    const block = this.m.block(null, []);
    this.spills.push({ block, dirty: all ? { all: true, set: new Set() } : this.dirty });
    this.dirty = { all: false, set: new Set() };
    return block;
  }
  /** Load every used slot from the state block (at entry and after calls). */
  private reload(): binaryen.ExpressionRef {
    const s = this.m.block(null, []);
    this.reloads.push(s);
    return s;
  }
  private readonly reloads: binaryen.ExpressionRef[] = [];

  wrapCall(
    call: binaryen.ExpressionRef,
    result: number | null,
    p: number,
    keepsCore = false,
  ): binaryen.ExpressionRef[] {
    const m = this.m;
    this.calls++;
    if (!keepsCore) this.b.keepAllReads();
    return [
      this.spill(),
      ...this.pcWord(),
      this.setWord(S.JIT_OP, m.i32.const(p)),
      this.setWord(S.JIT_RETIRED, m.local.get(this.retired, binaryen.i32)),
      m.local.set(this.called, m.i32.const(1)),
      result === null ? call : m.local.set(result, call),
      ...(keepsCore ? [] : [this.reload()]),
    ];
  }
  reloadSlots(): binaryen.ExpressionRef {
    return this.reload();
  }
  /** The op's R[15] store, made before its runtime calls only (see WasmBuilder.lazyPc). */
  private pcWord(): binaryen.ExpressionRef[] {
    const pc = this.b.lazyPc;
    return pc === null ? [] : [this.m.i32.store(S.R + 60, 4, this.m.i32.const(0), this.m.i32.const(pc))];
  }

  memCall(
    fn: string,
    args: binaryen.ExpressionRef[],
    result: number | null,
    p: number,
  ): binaryen.ExpressionRef[] {
    const m = this.m;
    this.calls++;
    // (the import records the op and the count, JIT_OP and JIT_RETIRED, itself; a store
    // returns whether it faulted, a load its value with JIT_STOP set on a fault)
    const call = m.call(fn, [...args, m.i32.const(p), m.local.get(this.retired, binaryen.i32)], binaryen.i32);
    return [
      ...this.pcWord(),
      m.local.set(this.called, m.i32.const(1)),
      ...(result === null
        ? [m.br("fault", call)]
        : [m.local.set(result, call), m.br("fault", this.getWord(S.JIT_STOP))]),
    ];
  }

  memRetry(addr: binaryen.ExpressionRef, p: number): binaryen.ExpressionRef[] {
    const m = this.m;
    // (no runtime call: nothing of the region's is live across one, see the header)
    return [
      this.setWord(S.JIT_OP, m.i32.const(p)),
      this.setWord(S.JIT_RETIRED, m.local.get(this.retired, binaryen.i32)),
      this.setWord(S.JIT_ADDR, addr),
      this.setWord(S.JIT_STOP, m.i32.const(JIT_STOP.RETRY)),
      m.br("fault"),
    ];
  }

  build(name: string): void {
    const m = this.m;
    const blocks = this.region.blocks;
    const n = blocks.length;
    // dispatcher: br_table over nested blocks; block i's code follows the end of $b<i>,
    // so a block reaches any later one with a direct br (see goTo), and only entries and
    // moves back to an earlier block go through the br_table
    let inner: binaryen.ExpressionRef = labelled(m, "b0", [
      m.switch(
        blocks.map((_, i) => `b${i}`),
        "exit",
        m.local.get(this.next, binaryen.i32),
      ),
    ]);
    for (let i = 1; i < n; i++) inner = labelled(m, `b${i}`, [inner, ...this.blockCode(i - 1)]);
    const get = (l: number) => m.local.get(l, binaryen.i32);
    const loop = m.loop("dispatch", labelled(m, "leave", [inner, ...this.blockCode(n - 1)]));
    const exitWords = () => [
      this.spill(true),
      this.setWord(S.JIT_RETIRED, get(this.retired)),
      this.setWord(S.JIT_LAST, get(this.next)),
    ];
    const body = [
      this.setWord(S.JIT_REGION, m.i32.const(this.region.id)),
      m.local.set(this.retired, get(P_RETIRED)),
      m.local.set(this.bound, m.i32.sub(get(P_LIMIT), m.i32.const(1))),
      m.local.set(
        this.bound,
        m.select(
          m.i32.lt_s(get(this.bound), m.i32.sub(get(P_LEFT), m.i32.const(MAX_BLOCK_INSNS))),
          get(this.bound),
          m.i32.sub(get(P_LEFT), m.i32.const(MAX_BLOCK_INSNS)),
        ),
      ),
      this.reload(),
      m.local.set(this.next, get(P_ENTRY)),
      labelled(m, "fault", [
        labelled(m, "exit", [
          loop,
          // leave (ret and total set): chain to the region of the next PC, if the
          // runtime agrees that the run loop would do nothing else (as goTo)
          ...(this.calls > 0
            ? [m.if(get(this.called), m.br("exit", m.i32.eqz(m.call(this.resumeFn(), [], binaryen.i32))))]
            : []),
          ...exitWords(),
          m.return_call(
            this.declare("j", "chain", N_PARAMS + 1, true),
            [
              get(this.ret),
              get(P_LIMIT),
              get(P_LEFT),
              get(P_TLB),
              get(P_TLB_USER),
              get(this.total),
              m.i32.const(this.region.cls),
            ],
            binaryen.i32,
          ),
        ]),
        // exit: ret and last are set
        ...exitWords(),
        m.return(get(this.ret)),
      ]),
      // a memory access faulted or is left to the interpreter (JIT_STOP, op and retired
      // are set): the caller raises the fault or runs the op
      this.spill(true),
      m.return(m.i32.const(0)),
    ];
    this.fillSpills();
    m.addFunction(name, REGION_PARAMS, binaryen.i32, this.locals, m.block(null, body, binaryen.none));
  }

  private resumeFn(): string {
    return this.declare("j", "resume", 0, true);
  }

  /** Now that every op is compiled: the spill and reload placeholders get their stores and loads. */
  private fillSpills(): void {
    const m = this.m;
    const used = this.slots.flatMap((l, s) => (l >= 0 ? [s] : []));
    for (const { block, dirty } of this.spills)
      for (const slot of dirty.all ? this.written : dirty.set)
        appendChild(
          block,
          m.i32.store(slotOffset(slot), 4, m.i32.const(0), m.local.get(this.slots[slot]!, binaryen.i32)),
        );
    for (const s of this.reloads)
      for (const slot of used)
        appendChild(s, m.local.set(this.slots[slot]!, m.i32.load(slotOffset(slot), 4, m.i32.const(0))));
  }

  /**
   * Block i: its ops, then the way out. `next` stays i while it runs; leaving for a
   * successor sets next and retired and branches to the dispatcher; leaving the region
   * branches to $exit with ret set (next = the last block).
   */
  private blockCode(i: number): binaryen.ExpressionRef[] {
    const m = this.m;
    const blk = this.region.blocks[i]!;
    const insns = blk.ops.length / OP_WORDS;
    const pcw = `pcw${i}`;
    const ops: binaryen.ExpressionRef[] = [];
    const calls = this.calls;
    this.blockCalls = calls;
    this.current = i;
    this.selfLoop = false;
    this.dirty = { all: true, set: new Set() }; // entered from any block of the region
    this.b.startBlock();
    for (let q = 0; q < blk.ops.length; q += OP_WORDS) ops.push(...this.compileOp(blk, q, pcw));
    ops.push(...this.b.regBarrier());
    const callsRuntime = this.calls !== calls;
    // fall-through: as the run loop, R[15] = the next address (and ITSTATE for Thumb),
    // stored only on the way out (a successor in the region needs neither)
    ops.push(m.local.set(this.ret, m.i32.const(blk.start + blk.ops.length)));
    const fallWords = () => [
      m.i32.store(S.R + 60, 4, m.i32.const(0), m.i32.const(blk.endAddr)),
      ...(blk.thumb ? [m.i32.store(S.IT, 4, m.i32.const(0), m.i32.const(blk.itAfter))] : []),
    ];
    const fall = blk.succ.find((s) => s.pc === blk.endAddr && s.thumb === blk.thumb && s.it === blk.itAfter);
    // (a runtime call could have changed the instruction set without writing the PC)
    if (fall) ops.push(this.goTo(() => m.i32.const(insns), fall, callsRuntime, fallWords, false, blk.thumb));
    ops.push(...fallWords(), this.leave(m.i32.const(insns)));
    // an op wrote the PC (ret is set): a successor whose key matches R[15], T and ITSTATE;
    // the ops up to that one retired (it need not be the last: a helper may have raised)
    const ran = () => m.local.get(this.ran, binaryen.i32);
    const after: binaryen.ExpressionRef[] = [
      m.local.set(
        this.ran,
        m.i32.shr_u(
          m.i32.sub(m.i32.xor(m.local.get(this.ret, binaryen.i32), m.i32.const(-1)), m.i32.const(blk.start)),
          m.i32.const(3),
        ),
      ),
    ];
    for (const s of blk.succ) {
      // (ITSTATE is zero in ARM state: only a Thumb successor's is compared)
      const tbit = m.i32.eq(
        m.i32.and(m.i32.load(S.CPSR, 4, m.i32.const(0)), m.i32.const(0x20)),
        m.i32.const(s.thumb ? 0x20 : 0),
      );
      const match = m.i32.and(
        m.i32.eq(m.i32.load(S.R + 60, 4, m.i32.const(0)), m.i32.const(s.pc)),
        s.thumb ? m.i32.and(tbit, m.i32.eq(m.i32.load(S.IT, 4, m.i32.const(0)), m.i32.const(s.it))) : tbit,
      );
      after.push(m.if(match, this.goTo(ran, s, callsRuntime)));
    }
    after.push(this.leave(ran()));
    // (the loop only for a block that branches to its own start: V8 puts an interrupt
    // check at every loop header)
    const body = this.selfLoop ? m.loop(`self${i}`, m.block(null, ops)) : m.block(null, ops);
    return [labelled(m, pcw, [body]), ...after];
  }

  /** A branch back to the start of the block being compiled (see blockCode). */
  private brSelf(): binaryen.ExpressionRef {
    this.selfLoop = true;
    return this.m.br(`self${this.current}`);
  }

  /** Leave the region after the block, which retired `ran` instructions (see build: chaining). */
  private leave(ran: binaryen.ExpressionRef): binaryen.ExpressionRef {
    const m = this.m;
    return m.block(null, [
      m.local.set(this.total, m.i32.add(m.local.get(this.retired, binaryen.i32), ran)),
      m.br("leave"),
    ]);
  }

  /**
   * Continue with successor s if the budget allows, s ends before the next clock event,
   * and (for a block that may have called the runtime) the runtime agrees.
   */
  private goTo(
    ran: () => binaryen.ExpressionRef,
    s: Succ,
    callsRuntime: boolean,
    stores: () => binaryen.ExpressionRef[] = () => [],
    /** Inside the block's ops (its loop label in scope). */
    inOps = false,
    /**
     * A fall-through: after a runtime call, move on only in this instruction set (T bit
     * set or not), which the call could have changed without writing the PC.
     */
    fallThumb?: boolean,
  ): binaryen.ExpressionRef {
    const m = this.m;
    const retired = () => m.i32.add(m.local.get(this.retired, binaryen.i32), ran());
    const ok = m.i32.le_s(retired(), m.local.get(this.bound, binaryen.i32));
    // a branch back to the start of the block being compiled: its own loop, no dispatch;
    // to a later block: straight to its code after $b<s>, which encloses this block's
    // (no loop header and indirect jump on the way)
    const go =
      inOps && s.idx === this.current
        ? [m.local.set(this.retired, retired()), this.brSelf()]
        : [
            m.local.set(this.retired, retired()),
            m.local.set(this.next, m.i32.const(s.idx)),
            m.br(s.idx > this.current ? `b${s.idx}` : "dispatch"),
          ];
    // (a fall-through that a runtime call switched to the other instruction set: stay in
    // this block's code, which then leaves the region)
    const checkT = callsRuntime && fallThumb !== undefined;
    const stay = checkT ? `stay${this.labels++}` : "";
    if (callsRuntime)
      go.unshift(
        m.if(
          m.local.get(this.called, binaryen.i32),
          m.block(null, [
            // (the state words a branch leaves for the exit, see WasmBuilder.branch)
            ...stores(),
            m.br("exit", m.i32.eqz(m.call(this.resumeFn(), [], binaryen.i32))),
            ...(!checkT
              ? []
              : [
                  m.br(
                    stay,
                    m.i32.ne(
                      m.i32.and(m.i32.load(S.CPSR, 4, m.i32.const(0)), m.i32.const(0x20)),
                      m.i32.const(fallThumb ? 0x20 : 0),
                    ),
                  ),
                ]),
            m.local.set(this.called, m.i32.const(0)),
          ]),
        ),
      );
    return m.if(ok, checkT ? labelled(m, stay, go) : m.block(null, go));
  }

  /** The statements of one op (at blk.ops[q]), as execOps runs it. */
  private compileOp(blk: BlockCode, q: number, pcw: string): binaryen.ExpressionRef[] {
    const m = this.m;
    const b = this.b;
    const A = blk.ops;
    const w = A[q]!;
    const pc = A[q + 1]!;
    const p = blk.start + q; // arena index
    const thumb = (w & OPW_THUMB) !== 0;
    const addr = (pc - (thumb ? 4 : 8)) | 0;
    const next = (addr + (w & OPW_LEN4 ? 4 : 2)) | 0;
    const ret = this.ret;
    const inIT = thumb && w >>> 24 !== 0;
    const before = this.saveDirty();
    const cond = (w >>> 16) & 15;
    // an op that may not run leaves the FP/SIMD registers in the state (see WasmBuilder.regBarrier)
    const pre = cond === 14 ? [] : b.regBarrier();
    b.begin(
      {
        p,
        pc,
        addr,
        next,
        thumb,
        // inside an IT block the run loop may have to advance ITSTATE after the op
        // (Interpreter.itAfterExit): leave the region there
        exit: () =>
          m.block(null, [m.local.set(ret, m.i32.const(~(p + OP_WORDS))), m.br(inIT ? "exit" : pcw)]),
        // a successor known at compile time: no look-up of R[15], T and ITSTATE (see blockCode)
        branchTo: (target, stores) => {
          const s = inIT
            ? undefined
            : blk.succ.find((x) => x.pc === target && x.thumb === thumb && x.it === 0);
          if (s === undefined) return null;
          const ran = (p + OP_WORDS - blk.start) / OP_WORDS;
          // (ret as the generic path sets it: the run loop's result if the runtime stops us)
          return m.block(null, [
            m.local.set(ret, m.i32.const(~(p + OP_WORDS))),
            this.goTo(() => m.i32.const(ran), s, this.calls !== this.blockCalls, stores, true),
          ]);
        },
      },
      cond !== 14,
    );
    if (thumb) b.setState(S.IT, b.k(w >>> 24));
    if (w & OPW_SETPC) b.setPcLazy(pc);
    b.semantics();
    const d = w & 0xffff;
    const entry = BY_DISPATCH[d];
    if (d === 0 || entry === undefined) {
      b.callMayExit("undefinedInsn", b.k(pc), b.k(w));
    } else {
      const f: Record<string, Val> = {};
      entry.def.fields.forEach((n, i) => {
        f[n] = b.k(A[q + 2 + i]!);
      });
      entry.def.sem(b, entry.p, f);
    }
    const stmts = b.end();
    if (cond === 14) return stmts;
    this.mergeDirty(before); // the op may not run
    return [...pre, m.if(this.condExpr(cond), m.block(null, stmts))];
  }

  /** ConditionPassed (A8.3) on the flags in NF/ZF/CF/VF form (held in locals). */
  private condExpr(cond: number): binaryen.ExpressionRef {
    const m = this.m;
    const ld = (off: number) => m.local.get(this.slotLocal(cacheSlot(off)), binaryen.i32);
    const zSet = () => m.i32.eqz(ld(S.ZF));
    const cSet = () => m.i32.ne(ld(S.CF), m.i32.const(0));
    const nSet = () => m.i32.lt_s(ld(S.NF), m.i32.const(0));
    const vSet = () => m.i32.lt_s(ld(S.VF), m.i32.const(0));
    const nEqV = () => m.i32.ge_s(m.i32.xor(ld(S.NF), ld(S.VF)), m.i32.const(0));
    let e: binaryen.ExpressionRef;
    switch (cond >> 1) {
      case 0:
        e = zSet();
        break;
      case 1:
        e = cSet();
        break;
      case 2:
        e = nSet();
        break;
      case 3:
        e = vSet();
        break;
      case 4:
        e = m.i32.and(cSet(), m.i32.eqz(zSet()));
        break;
      case 5:
        e = nEqV();
        break;
      default:
        e = m.i32.and(m.i32.eqz(zSet()), nEqV());
        break;
    }
    return cond & 1 ? m.i32.eqz(e) : e;
  }
}
