// The JIT tier: counts block executions for the interpreter, turns hot blocks into
// regions (the block and its hot successors, as the interpreter chained them), compiles
// queued regions in batches into one wasm module each (jit/compile.ts) and runs them in
// place of execOps. A region is entered at any of its blocks and runs until it leaves
// its blocks or must give control back (see compile.ts).
//
// Regions chain into each other inside wasm (compile.ts chainModule): exec fills the jump
// cache with the block it enters, and a region leaving for a PC that is there tail-calls
// its region without coming back to the run loop.
//
// Invalidation: compiled code hangs off interpreter Blocks. A block that is dropped (code
// write, flush) is never looked up again; a region whose member died is checked before
// it runs (the interpreter's invalidation counters act as an epoch) and dropped.

import { setFlagsFromString } from "node:v8";
import { type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import { type Cpu, GuestAbort } from "../src/cpu/cpu.js";
import { FAST_TLB, JIT_STOP, JUMP_CACHE, jumpCacheIndex, S } from "../src/cpu/state.js";
import {
  type Block,
  blockMeta,
  type Interpreter,
  metaClass,
  metaIt,
  metaThumb,
} from "../src/interp/interp.js";
import { MAX_BLOCK_INSNS } from "../src/interp/support.js";
import { H, type Helper } from "../src/sem/helpers.js";
import type { BlockCode, CompiledModule, RegionCode } from "./compile.js";
import { compileWorker } from "./spawn.js";
import { deprioritizeOthers } from "./threads.js";
import type { CompileRequest, CompileResult } from "./worker.js";

export type JitMode = "off" | "on" | "always";

/**
 * Builds modules: compile.ts in this thread (loaded on demand, it brings binaryen), or
 * null to compile in a worker thread. `chain` builds the dispatcher (compile.ts chainModule).
 */
export type Compiler = { regions: (regions: RegionCode[]) => CompiledModule; chain: () => Uint8Array } | null;

export interface JitOptions {
  /** on: compile blocks that ran `threshold` times; always: compile every block before its first run. */
  mode: "on" | "always";
  /** Executions before a block is queued for compilation (mode on). */
  threshold?: number;
  /** Queued regions that make a module. */
  batch?: number;
  /** Wall-clock ms a queued region waits at most for its batch to fill. */
  maxWaitMs?: number;
  /** Compiled blocks kept; beyond it all compiled code is dropped (blocks recompile when hot again). */
  maxBlocks?: number;
  /** Mode on: compile in a worker thread (needs the compiled dist/jit/worker.js). */
  worker?: boolean;
}

/**
 * Block runs before its region is compiled. The issue's prototype broke even at ~600-1,600
 * runs; with the compile worker, its priority over V8's tier-ups and the shared locals,
 * the Linux boot measured 6.77-6.88 s at 1,000, 6.54-6.57 s at 3,000, 6.47-6.64 s at
 * 4,000 and ~7.07 s at 16,000 (session 12): fewer, hotter regions cost less compiling
 * and tiering than the interpreter spends on the blocks that wait longer.
 */
export const DEFAULT_THRESHOLD = 3000;
/** Blocks in a region at most (a block's index in its region has JUMP_CACHE.IDX_BITS bits). */
const MAX_REGION_BLOCKS = 1 << JUMP_CACHE.IDX_BITS;
/**
 * Blocks per module sent to the compile worker (~0.3-1 ms each to build and compile):
 * bounds how long a region promoted later waits behind one module.
 */
const MODULE_BLOCKS = 64;

export interface JitStats {
  /** Regions queued for compilation. */
  queued: number;
  /** Regions compiled, the blocks in them, and the modules they went into. */
  regions: number;
  blocks: number;
  modules: number;
  /** Wall time spent building and compiling modules (in the worker when there is one). */
  compileMs: number;
  /** Bytes of the wasm modules built: what binaryen and V8 worked on (a deterministic cost). */
  wasmBytes: number;
  /** Main-thread time spent forming regions and installing compiled modules. */
  mainMs: number;
  /** Regions with a block that died before their module was ready. */
  discarded: number;
  /** Regions dropped because a member block died. */
  dropped: number;
  /** Times the code cache was full and emptied. */
  evictions: number;
  /** Entries into compiled code. */
  execs: number;
  /** Instructions retired in compiled code. */
  insns: number;
  /** Regions entered from another region through the jump cache (not from the run loop). */
  chains: number;
  /**
   * Instructions the interpreter ran in promoted blocks (region heads) while they waited
   * for their compiled code: the cost of the compile latency.
   */
  waitInsns: number;
  /** Returns from compiled code to the run loop, by reason (see Jit.exitReason). */
  exits: Record<ExitReason, number>;
}

/** Why compiled code gave control back to the run loop (see Jit.exitReason). */
export const EXIT_REASONS = [
  "fault", // a memory access faulted (the run loop takes the abort)
  "memory", // a memory access the inline TLB did not serve is left to the interpreter
  "interrupt", // an interrupt line was raised
  "wait", // WFI, or the CPU halted
  "mode", // privilege level, MMU or endianness changed (exception entry and return)
  "translation", // translations changed (code written, TLB or cache maintenance; DACR for User code)
  "budget", // the run slice's instructions were used up
  "clock", // the next block would cross a clock event (a timer deadline), or it moved
  "uncompiled", // the next block has no compiled code that the jump cache knows
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/**
 * (entry, limit, left, inline-TLB column of the accesses, column of the unprivileged ones,
 * instructions retired before it) -> as execOps.
 */
type RegionFn = (
  entry: number,
  limit: number,
  left: number,
  tlb: number,
  tlbUser: number,
  retired: number,
) => number;

interface Region {
  fn: RegionFn;
  blocks: Block[];
  /** Interpreter invalidation epoch at which every member was last seen alive. */
  epoch: number;
  /** Its id (S.JIT_REGION) and its slot in the dispatcher's table. */
  id: number;
  slot: number;
}

/** A block's compiled code: its region and its index there. */
export interface JitCode {
  region: Region;
  idx: number;
}

/** A region function's counts are 31-bit. */
const clampCount = (n: number) => Math.max(0, Math.min(n, 0x3fffffff));

export class Jit {
  readonly stats: JitStats = {
    queued: 0,
    regions: 0,
    blocks: 0,
    modules: 0,
    compileMs: 0,
    wasmBytes: 0,
    mainMs: 0,
    discarded: 0,
    dropped: 0,
    evictions: 0,
    execs: 0,
    insns: 0,
    chains: 0,
    waitInsns: 0,
    exits: Object.fromEntries(EXIT_REASONS.map((r) => [r, 0])) as Record<ExitReason, number>,
  };
  readonly threshold: number;
  /** After exec(): instructions retired by the blocks before the last one, and the last block. */
  retired = 0;
  last: Block | null = null;
  private readonly always: boolean;
  private readonly batch: number;
  private readonly maxWaitMs: number;
  private readonly maxBlocks: number;
  private queue: Block[] = [];
  /** Promoted blocks not yet compiled, and their run count when promoted (for stats.waitInsns). */
  private readonly promotedRuns = new Map<Block, number>();
  private queuedAt = 0;
  /** Blocks in regions being compiled (not put in another region meanwhile). */
  private readonly claimed = new Set<Block>();
  /** Compiled regions not dropped, and their blocks (the code cache's size). */
  private readonly live = new Set<Region>();
  private liveBlocks = 0;
  /** Compiled code is running (for the clock's instruction offset). */
  private running = false;
  /** Live regions by id, the dispatcher's table of their functions and its free slots. */
  private readonly regions = new Map<number, Region>();
  private nextRegionId = 0;
  private table: WebAssembly.Table | null = null;
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  /** What the run loop would look at between blocks, as it was when the region was entered. */
  private entryEventAt = 0;
  private entryEpoch = 0;
  private entryPl = 0;
  private entryMmuOn = false;
  private entryBigEndian = false;
  /** The state block as words: compiled code's exit words S.JIT_* (plain loads, unlike wasm globals). */
  private readonly W: Int32Array;
  /** The fault of a memory slow path (S.JIT_STOP = FAULT), raised by exec. */
  private pending: unknown = null;
  private readonly imports: WebAssembly.Imports;
  private readonly cpu: Cpu;
  /** The compile worker, its result port, and the regions of each request in flight. */
  private readonly worker: Worker | null = null;
  private readonly results: MessagePort | null = null;
  /** Set by the worker when it posted a result (see CompileWorker.posted); a word never set without one. */
  private readonly posted: Int32Array<ArrayBufferLike> = new Int32Array(1);
  private readonly inFlight = new Map<number, { regions: Block[][]; firstId: number }>();
  private nextRequest = 0;

  constructor(
    readonly interp: Interpreter,
    opts: JitOptions,
    private readonly compile: Compiler,
  ) {
    this.always = opts.mode === "always";
    this.threshold = this.always ? 1 : (opts.threshold ?? DEFAULT_THRESHOLD);
    this.batch = this.always ? 1 : (opts.batch ?? 50);
    // none with the worker: with one request in flight at a time (compileQueue), regions
    // promoted while it is busy gather into the next module anyway, and a wait only
    // delays a lone hot block while it is idle (a Linux boot's instructions interpreted
    // in waiting blocks after its first second: ~15 M with none, ~22 M with 5 ms, and
    // 35-48 M in all with 5 ms against 66-68 M with 20 ms before the worker's results
    // were installed at once); in this thread a module per region would cost more
    this.maxWaitMs = opts.maxWaitMs ?? (compile === null ? 0 : 5);
    // mode always makes a module of every block, and V8 commits code space (and jump
    // tables) per module: a Linux boot's 129 k one-block modules ran out of it ("Commit
    // wasm code space Allocation failed") before the cache was full; 20 k keeps it under
    this.maxBlocks = opts.maxBlocks ?? (this.always ? 20_000 : 100_000);
    const cpu = interp.cpu;
    this.cpu = cpu;
    this.W = cpu.W;
    new Int32Array(cpu.memory.buffer, FAST_TLB.NONE, (FAST_TLB.ENTRIES * FAST_TLB.ENTRY_BYTES) / 4).fill(-1);
    this.imports = {
      env: { mem: cpu.memory },
      h: {
        ...Object.fromEntries(Object.entries(H).map(([n, f]) => [n, bindHelper(f as Helper, cpu)])),
        neonLdSt1: this.neonLdSt1(),
      },
      m: this.memoryImports(),
      j: { resume: () => this.resume() },
    };
    if (compile !== null)
      this.installChain(new WebAssembly.Module(compile.chain() as Uint8Array<ArrayBuffer>));
    // helpers that read the clock inside a region: instructions retired in compiled code so far
    const interpOffset = cpu.clock.insnOffset;
    cpu.clock.insnOffset = () => (this.running ? this.regionOffset() : interpOffset());
    if (compile === null) {
      const { worker, results, posted } = compileWorker();
      this.worker = worker;
      this.results = results;
      this.posted = posted;
    }
    interp.jit = this;
  }

  /**
   * Called by the run loop before running a whole block: counts the run and says
   * whether the block has compiled code (in mode always it is compiled right now).
   */
  ready(b: Block): boolean {
    if (this.posted[0] !== 0) this.poll();
    const c = b.code;
    if (c !== null && (c.region.epoch === this.epoch() || this.revalidate(c.region))) return true;
    if (++b.runs === this.threshold) this.promote(b);
    return b.code !== null;
  }

  /**
   * Run compiled code from block b: at most `limit` instructions before leaving, and
   * no block that would cross the clock event `left` instructions away. Returns as
   * execOps for `last`; `retired` instructions of earlier blocks are already counted in
   * cpu.icount. A fault leaves cpu.faultOp at the faulting op, `last` its block.
   */
  exec(b: Block, limit: number, left: number): number {
    const c = b.code!;
    const r = c.region;
    const cpu = this.cpu;
    const W = this.W;
    const pl = cpu.pl;
    // the inline TLB of the regime (big-endian data: the one that never hits)
    const tlb = cpu.bigEndian ? FAST_TLB.NONE : pl === 2 ? FAST_TLB.HYP : FAST_TLB.PL10;
    this.stats.execs++;
    this.running = true;
    const epoch = this.epoch();
    this.entryEventAt = cpu.clock.eventAt;
    this.entryEpoch = epoch;
    this.entryPl = pl;
    this.entryMmuOn = cpu.mmuOn;
    this.entryBigEndian = cpu.bigEndian;
    // regions leaving for this block come here directly from now on (while the epoch holds)
    W[S.JIT_GEN >> 2] = epoch;
    const e = (JUMP_CACHE.BASE >> 2) + jumpCacheIndex(b.pc) * (JUMP_CACHE.ENTRY_BYTES >> 2);
    W[e] = b.pc;
    W[e + 1] = b.meta | (b.insns << JUMP_CACHE.INSNS_SHIFT); // the meta bits are the jump cache's key bits
    W[e + 2] = epoch;
    W[e + 3] = (r.slot << JUMP_CACHE.IDX_BITS) | c.idx;
    let ret: number;
    let stop: number;
    try {
      ret = r.fn(
        c.idx,
        clampCount(limit),
        clampCount(left),
        pl === 0 ? tlb + FAST_TLB.USER : tlb,
        tlb + FAST_TLB.USER,
        0,
      );
      stop = W[S.JIT_STOP >> 2]!;
      if (stop === JIT_STOP.FAULT) {
        W[S.JIT_STOP >> 2] = 0;
        throw this.pending;
      }
    } catch (e) {
      const p = W[S.JIT_OP >> 2]!;
      this.last = blockOf(this.regions.get(W[S.JIT_REGION >> 2]!)!, p);
      this.account(W[S.JIT_RETIRED >> 2]!, pl);
      cpu.faultOp = p;
      this.stats.exits.fault++;
      throw e;
    } finally {
      this.running = false;
    }
    this.stats.chains = W[S.JIT_CHAINS >> 2]! >>> 0;
    if (stop === JIT_STOP.RETRY) {
      // the op at JIT_OP is the interpreter's: the block's ops before it ran (a partial
      // block for the run loop, which runs the rest interpreted)
      W[S.JIT_STOP >> 2] = 0;
      const p = W[S.JIT_OP >> 2]!;
      this.last = blockOf(this.regions.get(W[S.JIT_REGION >> 2]!)!, p);
      this.account(W[S.JIT_RETIRED >> 2]!, pl);
      this.stats.insns += (p - this.last.start) / 8;
      this.stats.exits.memory++;
      // (with the MMU off the interpreter's access fills no inline-TLB entry: see Mmu.prime)
      cpu.tr.prime(W[S.JIT_ADDR >> 2]!);
      return p;
    }
    const last = this.regions.get(W[S.JIT_REGION >> 2]!)!.blocks[W[S.JIT_LAST >> 2]!]!;
    this.last = last;
    this.account(this.W[S.JIT_RETIRED >> 2]!, pl);
    const lastInsns = ((ret < 0 ? ~ret : ret) - last.start) / 8; // the run loop counts them
    this.stats.insns += lastInsns;
    this.stats.exits[this.exitReason(this.retired + lastInsns, limit, lastInsns)]++;
    return ret;
  }

  /**
   * Why the region returned, having retired `ran` instructions of the `limit` it had (the
   * last block's `lastInsns` not yet in cpu.icount): what changed that resume() would
   * refuse, else the budget, a clock event within the next block's reach, or a next block
   * with no code the jump cache knows.
   */
  private exitReason(ran: number, limit: number, lastInsns: number): ExitReason {
    const change = this.change();
    if (change !== null) return change;
    if (ran >= limit) return "budget";
    if (this.cpu.clock.eventAt - this.cpu.icount - lastInsns < MAX_BLOCK_INSNS) return "clock";
    return "uncompiled";
  }

  /**
   * What changed since the region was entered that the run loop must see before the next
   * block (an interrupt input, a halt or WFI, the mode, regime or endianness, translations
   * and, for User mode, stale code translations, the clock event), or null.
   */
  private change(): ExitReason | null {
    const cpu = this.cpu;
    if (cpu.intLines !== 0) return "interrupt";
    if (cpu.halted || cpu.wfiPending) return "wait";
    if (cpu.pl !== this.entryPl || cpu.mmuOn !== this.entryMmuOn || cpu.bigEndian !== this.entryBigEndian)
      return "mode";
    if (this.epoch() !== this.entryEpoch || (this.entryPl === 0 && cpu.mmu.pl0CodeStale))
      return "translation";
    if (cpu.clock.eventAt !== this.entryEventAt) return "clock";
    return null;
  }

  /**
   * Compiled code called the runtime in a block and would go on to the next: allowed
   * when the run loop would just run that block, as at the region's entry (see change).
   */
  private resume(): number {
    return this.change() === null ? 1 : 0;
  }

  /**
   * Between run slices: install the modules the worker finished, and compile the queue
   * if its oldest region has waited long enough.
   */
  poll(): void {
    this.posted[0] = 0; // (before the port is read: a result posted after that sets it again)
    if (this.results !== null && this.inFlight.size > 0) {
      for (let msg = receiveMessageOnPort(this.results); msg; msg = receiveMessageOnPort(this.results)) {
        const res = msg.message as CompileResult;
        if ("chain" in res) {
          this.installChain(res.chain); // the worker's first message, before any region
          // V8's platform threads (TurboFan tier-up, GC helpers) yield to the guest and the worker
          if (res.tid !== null) deprioritizeOthers([res.tid]);
          continue;
        }
        const req = this.inFlight.get(res.id)!;
        this.inFlight.delete(res.id);
        this.stats.compileMs += res.ms;
        if ("error" in res) throw new Error(`jit: compile worker: ${res.error}`);
        this.stats.wasmBytes += res.bytes;
        const t0 = performance.now();
        this.install(req.regions, req.firstId, res.module);
        this.stats.mainMs += performance.now() - t0;
      }
    }
    if (this.queue.length > 0 && performance.now() - this.queuedAt >= this.maxWaitMs) this.compileQueue();
  }

  /** Compile what is queued and wait until the worker's modules are installed (tests, benchmarks). */
  async settle(): Promise<void> {
    for (;;) {
      if (this.queue.length > 0) this.compileQueue();
      if (this.queue.length === 0 && this.inFlight.size === 0) return;
      await new Promise((r) => setTimeout(r, 2));
      this.poll();
    }
  }

  /** The dispatcher's instance: its chain() for the regions, its table for their functions. */
  private installChain(module: WebAssembly.Module): void {
    const ex = new WebAssembly.Instance(module, { env: { mem: this.cpu.memory } }).exports;
    this.table = ex.table as WebAssembly.Table;
    (this.imports.j as Record<string, unknown>).chain = ex.chain;
  }

  /** Stop the compile worker (results still in flight are dropped). */
  close(): void {
    void this.worker?.terminate();
  }

  /** Count the instructions of the blocks before the last (all run at privilege level pl). */
  private account(retired: number, pl: number): void {
    this.retired = retired;
    this.cpu.icount += retired;
    this.cpu.plInsns[pl] += retired;
    this.stats.insns += retired;
  }

  /** Instructions retired in compiled code before the op that called out. */
  private regionOffset(): number {
    const f = blockOf(this.regions.get(this.W[S.JIT_REGION >> 2]!)!, this.W[S.JIT_OP >> 2]!);
    return this.W[S.JIT_RETIRED >> 2]! + (this.interp.currentOp(f) - f.start) / 8;
  }

  private epoch(): number {
    const s = this.interp.stats;
    return s.invalidations + s.flushes + s.tlbFlushes + this.stats.evictions;
  }

  /**
   * The interpreter dropped blocks or the translations changed: keep the region if all
   * its blocks live and still translate as they did, else drop it.
   */
  private revalidate(r: Region): boolean {
    if (r.blocks.every((b) => !b.dead && (b.tgen === this.interp.tgen || this.recheck(b)))) {
      r.epoch = this.epoch();
      return true;
    }
    for (const b of r.blocks)
      if (b.code?.region === r) {
        b.code = null;
        b.runs = 0;
      }
    this.forget(r);
    this.liveBlocks -= r.blocks.length;
    this.stats.dropped++;
    return false;
  }

  /** Re-check a member's translation (a prefetch abort there is taken when the run loop gets there). */
  private recheck(b: Block): boolean {
    try {
      return this.interp.recheck(b);
    } catch (e) {
      if (e instanceof GuestAbort) return false;
      throw e;
    }
  }

  private promote(b: Block): void {
    if (this.queue.length === 0) this.queuedAt = performance.now();
    this.queue.push(b);
    this.promotedRuns.set(b, b.runs);
    this.stats.queued++;
    if (this.queue.length >= this.batch) this.compileQueue();
  }

  /**
   * The region of hot block h: h and the chained successors that are hot too and not
   * compiled or being compiled (a block compiled elsewhere is reached through the run loop).
   */
  private regionOf(h: Block): Block[] {
    const cls = metaClass(h.meta); // the run loop never mixes translation classes
    const members = [h];
    this.claimed.add(h);
    if (this.always) return members;
    // a successor joins with a sixteenth of the threshold's runs: when a function's first
    // block gets hot, its other blocks are often far from it, and a region formed of hot
    // blocks only leaves them to regions of their own, every move between which is a hop
    // through the dispatcher (a Linux boot: 79 M hops with a quarter, 42 M with a
    // sixteenth, 34 M with a hundredth; main-thread CPU -5% with a sixteenth, none with a
    // hundredth, whose larger modules stay longer in V8's baseline code; bench_lz +5%)
    const hot = this.threshold / 16;
    for (let i = 0; i < members.length && members.length < MAX_REGION_BLOCKS; i++) {
      const b = members[i]!;
      for (const s of [b.b1, b.b2])
        if (
          s !== null &&
          !s.dead &&
          !members.includes(s) &&
          metaClass(s.meta) === cls &&
          s.code === null &&
          s.tgen === this.interp.tgen &&
          !this.claimed.has(s) &&
          s.runs >= hot &&
          members.length < MAX_REGION_BLOCKS
        ) {
          members.push(s);
          this.claimed.add(s);
        }
    }
    return members;
  }

  /**
   * Compile the queued regions. With a worker, one request at a time is in flight and it
   * holds at most MODULE_BLOCKS blocks, the hottest regions first (a queued block goes on
   * counting its runs): the rest wait here, where a hotter region promoted meanwhile can
   * overtake them, instead of in the worker's queue behind modules that take long to build.
   */
  private compileQueue(): void {
    const worker = this.compile === null;
    if (worker && this.inFlight.size > 0) return; // poll() sends them when the worker is done
    const t0 = performance.now();
    const regions: Block[][] = [];
    const heads: Block[] = [];
    for (const h of this.queue)
      if (!h.dead && h.code === null) heads.push(h);
      else this.waited(h); // died, or compiled as another region's member
    let discarded = this.queue.length - heads.length;
    if (worker) heads.sort((a, b) => b.runs - a.runs);
    let blocks = 0;
    let i = 0;
    for (; i < heads.length && (!worker || blocks < MODULE_BLOCKS); i++) {
      const h = heads[i]!;
      if (this.claimed.has(h)) {
        discarded++; // in a region of this batch or of one being compiled
        continue;
      }
      const r = this.regionOf(h);
      regions.push(r);
      blocks += r.length;
    }
    this.stats.discarded += discarded;
    this.queue = heads.slice(i); // (they have waited since queuedAt: sent as soon as the worker is free)
    if (regions.length === 0) return;
    const firstId = this.nextRegionId;
    this.nextRegionId += regions.length;
    const code = this.regionCode(regions, firstId);
    if (this.compile === null) {
      const id = this.nextRequest++;
      this.inFlight.set(id, { regions, firstId });
      // (cloned, not transferred: the first ArrayBuffer detached in a process invalidates
      // V8's ArrayBufferDetaching protector, which throws away all optimized code that
      // reads typed arrays — the interpreter's execOps, the memory accesses — and makes
      // it check for detached buffers from then on; the ops are a few KiB)
      this.worker!.postMessage({ id, regions: code } satisfies CompileRequest);
      this.stats.mainMs += performance.now() - t0;
      return;
    }
    const compiled = this.compile.regions(code);
    this.stats.wasmBytes += compiled.binary.length;
    this.install(regions, firstId, new WebAssembly.Module(compiled.binary as Uint8Array<ArrayBuffer>));
    this.stats.compileMs += performance.now() - t0;
  }

  /** What the compiler needs of the regions' blocks: copies of their ops, their successors in the region. */
  private regionCode(regions: Block[][], firstId: number): RegionCode[] {
    const A = this.interp.arena;
    return regions.map((blocks, i) => ({
      id: firstId + i,
      cls: blockMeta(false, 0, metaClass(blocks[0]!.meta)),
      blocks: blocks.map((b): BlockCode => {
        const succ = [b.b1, b.b2].flatMap((s) => {
          const idx = s === null ? -1 : blocks.indexOf(s);
          return idx < 0
            ? []
            : [{ idx, pc: s!.pc, thumb: metaThumb(s!.meta), it: metaIt(s!.meta), insns: s!.insns }];
        });
        return {
          start: b.start,
          ops: A.slice(b.start, b.end),
          thumb: metaThumb(b.meta),
          endAddr: b.endAddr,
          itAfter: b.itAfter,
          succ,
        };
      }),
    }));
  }

  /** A promoted block got its code or was given up: count the runs it made meanwhile. */
  private waited(b: Block): void {
    const at = this.promotedRuns.get(b);
    if (at === undefined) return;
    this.stats.waitInsns += Math.max(0, b.runs - at) * b.insns;
    this.promotedRuns.delete(b);
  }

  /** Give the regions' blocks their compiled code (the head always, the others unless they have some). */
  private install(regions: Block[][], firstId: number, module: WebAssembly.Module): void {
    const n = regions.reduce((a, r) => a + r.length, 0);
    if (this.liveBlocks + n > this.maxBlocks) this.evict();
    const ex = new WebAssembly.Instance(module, this.imports).exports as Record<string, RegionFn>;
    const epoch = this.epoch();
    regions.forEach((blocks, i) => {
      for (const b of blocks) {
        this.claimed.delete(b);
        this.waited(b);
      }
      if (blocks.some((b) => b.dead)) {
        // code was written while the module was being compiled: the live blocks count
        // their runs again, to be promoted anew (they ran past the threshold meanwhile)
        for (const b of blocks) if (b.code === null) b.runs = 0;
        this.stats.discarded++;
        return;
      }
      // a member from an older translation generation is re-checked at the first entry
      const current = blocks.every((b) => b.tgen === this.interp.tgen);
      const fn = ex[`r${i}`]!;
      const region: Region = {
        fn,
        blocks,
        epoch: current ? epoch : -1,
        id: firstId + i,
        slot: this.slotFor(fn),
      };
      blocks.forEach((b, idx) => {
        if (b.code === null || b === blocks[0]) b.code = { region, idx };
      });
      this.live.add(region);
      this.regions.set(region.id, region);
      this.liveBlocks += blocks.length;
    });
    this.stats.regions += regions.length;
    this.stats.blocks += n;
    this.stats.modules++;
  }

  /** A slot of the dispatcher's table holding fn. */
  private slotFor(fn: RegionFn): number {
    const t = this.table!;
    const slot = this.freeSlots.pop() ?? this.nextSlot++;
    if (slot >= t.length) t.grow(t.length);
    t.set(slot, fn);
    return slot;
  }

  /**
   * A region is no longer live. Jump-cache entries may still name its slot, but only with
   * an older epoch: it was dropped or evicted because the epoch moved on.
   */
  private forget(r: Region): void {
    this.live.delete(r);
    this.regions.delete(r.id);
    this.table!.set(r.slot, null);
    this.freeSlots.push(r.slot);
  }

  /** The code cache is full: drop every compiled region (blocks compile again when hot). */
  private evict(): void {
    for (const r of [...this.live]) {
      for (const b of r.blocks) {
        b.code = null;
        b.runs = 0;
      }
      this.forget(r);
    }
    this.live.clear();
    this.liveBlocks = 0;
    this.stats.evictions++;
  }

  /**
   * The VLD1-4/VST1-4 helper, which is also the slow path of the inline VLD1/VST1
   * (jit/neon.ts): a transfer that succeeded primes the inline TLB with the base
   * address's page, as the memory imports below do, so the next ones run inline.
   */
  private neonLdSt1(): (sel: number, d: number, rn: number, rm: number) => number {
    const cpu = this.cpu;
    return (sel, d, rn, rm) => {
      const base = cpu.R[rn]!;
      const r = H.neonLdSt1(cpu, sel, d, rn, rm);
      if (r === 0) cpu.tr.prime(base);
      return r;
    };
  }

  /**
   * The memory accesses of the semantics (Cpu.ld8 ... st32), named as compile.ts imports
   * them: the slow path of the inline TLB. A fault is not raised through wasm but kept
   * pending (the compiled code stores its registers and returns, exec raises it). A
   * successful access primes the inline TLB (see Mmu.prime).
   */
  private memoryImports(): WebAssembly.ModuleImports {
    const cpu = this.cpu;
    const fault = (e: unknown) => {
      this.pending = e;
      this.W[S.JIT_STOP >> 2] = JIT_STOP.FAULT;
      return 0;
    };
    const W = this.W;
    // p, r: the op and the instructions the region retired before it, for the clock and faults
    const at = (p: number, r: number) => {
      W[S.JIT_OP >> 2] = p;
      W[S.JIT_RETIRED >> 2] = r;
    };
    const load = (ld: (a: number, f: number) => number) => (a: number, f: number, p: number, r: number) => {
      at(p, r);
      try {
        const v = ld.call(cpu, a, f);
        cpu.tr.prime(a);
        return v;
      } catch (e) {
        return fault(e);
      }
    };
    const store =
      (st: (a: number, v: number, f: number) => void) =>
      (a: number, v: number, f: number, p: number, r: number) => {
        at(p, r);
        try {
          st.call(cpu, a, v, f);
          cpu.tr.prime(a);
          return 0;
        } catch (e) {
          fault(e);
          return 1;
        }
      };
    return {
      ld8: load(cpu.ld8),
      ld8s: load(cpu.ld8s),
      ld16: load(cpu.ld16),
      ld16s: load(cpu.ld16s),
      ld32: load(cpu.ld32),
      st8: store(cpu.st8),
      st16: store(cpu.st16),
      st32: store(cpu.st32),
    };
  }
}

/** The block of a region that holds arena index p. */
function blockOf(r: Region, p: number): Block {
  return r.blocks.find((b) => p >= b.start && p < b.end)!;
}

/** A helper with the Cpu bound, with a fixed arity (wasm calls it with i32 arguments). */
function bindHelper(f: Helper, cpu: Cpu): (...a: number[]) => number {
  switch (f.length - 1) {
    case 0:
      return () => f(cpu);
    case 1:
      return (a) => f(cpu, a!);
    case 2:
      return (a, b) => f(cpu, a!, b!);
    case 3:
      return (a, b, c) => f(cpu, a!, b!, c!);
    case 4:
      return (a, b, c, d) => f(cpu, a!, b!, c!, d!);
    default:
      return (...a) => f(cpu, ...a);
  }
}

/** Attach a JIT to an interpreter (loads the compiler and binaryen here unless a worker compiles). */
export async function enableJit(interp: Interpreter, opts: JitOptions): Promise<Jit> {
  if (opts.mode === "on" && opts.worker) return new Jit(interp, opts, null);
  const { compileRegions, chainModule } = await import("./compile.js");
  setFlagsFromString("--no-wasm-lazy-compilation"); // (see worker.ts)
  return new Jit(interp, opts, { regions: compileRegions, chain: chainModule });
}
