// The tier-0 execution engine: guest code is decoded once per basic block into 8-word
// ops in one arena, blocks are found by PC (plus Thumb bit and IT state) and chained
// to their last successors, and the generated switch (ops.generated.ts) runs them.

import type { Jit, JitCode } from "../../jit/jit.js";
import { HCR } from "../../runtime/sysregs.js";
import {
  type Cpu,
  Exc,
  GuestAbort,
  HVEC,
  INT_FIQ,
  INT_IRQ,
  INT_VABT,
  INT_VFIQ,
  INT_VIRQ,
  isThumb32,
} from "../cpu/cpu.js";
import { Mode, PSR, S } from "../cpu/state.js";
import { decodeWord } from "../decode/pattern.js";
import { BusError } from "../mem/bus.js";
import "../sem/all.js";
import { DISPATCH } from "./hot.js";
import { CALLS_HELPER, execOps } from "./ops.generated.js";
import { insnAddr, MAX_BLOCK_INSNS, nextAddr, OPW_LEN4, OPW_SETPC, OPW_THUMB } from "./support.js";
import { warmUpInterpreter } from "./warmup.js";

const OP_WORDS = 8;
const ARENA_WORDS = 1 << 22; // 4 Mi words = 16 MiB, ~500k ops

export class Block {
  /** Last successors (chaining). */
  b1: Block | null = null;
  b2: Block | null = null;
  dead = false;
  /** (issue 5) Runs counted for the JIT, and the block's compiled code. */
  runs = 0;
  code: JitCode | null = null;
  /**
   * The translation generation the block was last checked in (Interpreter.tgen), and the
   * physical address its PC translated to then (-1: never re-checked, e.g. a block whose
   * first instruction crosses a page).
   */
  tgen = 0;
  pa = -1;
  constructor(
    /** The key's parts other than the PC, as a small integer (see blockMeta). */
    readonly meta: number,
    readonly pc: number,
    readonly start: number,
    readonly end: number,
    /** Address after the last instruction (fall-through target). */
    readonly endAddr: number,
    /** IT state after the block when it falls through. */
    readonly itAfter: number,
  ) {
    this.insns = (end - start) / OP_WORDS;
  }
  /** Instructions (ops) in the block: a field, as the run loop reads it for every block. */
  readonly insns: number;
  /** The block's key in the blocks map. */
  get key(): number {
    return blockKey(this.pc, this.meta);
  }
}

export interface InterpStats {
  blocksDecoded: number;
  /** Every block dropped (the arena is full). */
  flushes: number;
  /** Translations to re-check (TLB maintenance, translation regime changes). */
  tlbFlushes: number;
  /** Some blocks dropped (code written, a VA range's translations dropped). */
  invalidations: number;
}

/**
 * The block key: PC, Thumb bit and IT state, and (issue 3, 4) User and Hyp blocks apart
 * from PL1 ones (their own instruction-fetch checks and translation regime): pc * 2^11 + meta.
 */
function blockKey(pc: number, meta: number): number {
  return (pc >>> 0) * 2048 + meta;
}

/**
 * A block key without the PC, small enough for integer compares: T | ITSTATE << 1 (Thumb
 * only) | translation class << 9 (0 PL1, 1 User, 2 Hyp). Also the JIT's jump-cache key bits.
 */
export function blockMeta(thumb: boolean, it: number, cls: number): number {
  return (thumb ? 1 | (it << 1) : 0) | (cls << 9);
}
/** The parts of a block's meta: translation class (0 PL1, 1 User, 2 Hyp), T bit, ITSTATE. */
export const metaClass = (meta: number) => meta >> 9;
export const metaThumb = (meta: number) => (meta & 1) !== 0;
export const metaIt = (meta: number) => (meta >> 1) & 0xff;

/**
 * What the run loop reads of the state words, as literals: V8 loads an imported
 * constant (S.CPSR, PSR.T, Mode.USR) from its module object at every use. Checked
 * against state.ts below.
 */
const RUN_W = { PC: 15, IT: 22, CPSR: 23, T: 0x20, USR: 0x10, HYP: 0x1a } as const;
if (
  S.R !== 0 ||
  RUN_W.IT !== S.IT >> 2 ||
  RUN_W.CPSR !== S.CPSR >> 2 ||
  RUN_W.T !== PSR.T ||
  RUN_W.USR !== Mode.USR ||
  RUN_W.HYP !== Mode.HYP
)
  throw new Error("interp: RUN_W is out of step with cpu/state.ts");

/** Block.tgen of a block that must be re-checked whatever the generation (invalidateVaRange). */
const STALE = -1;

/** Entries of the direct-mapped block lookup in front of the blocks map (a power of 2). */
const LOOKUP_ENTRIES = 1 << 16;
const lookupIndex = (pc: number, meta: number) =>
  ((pc >>> 1) ^ (pc >>> 17) ^ (meta << 5)) & (LOOKUP_ENTRIES - 1);

/** Core-register operand fields: an op naming r15 in one of them reads the PC through R[15]. */
const REG_FIELDS = new Set(["rd", "rn", "rm", "rs", "rt", "rt2", "ra", "rdlo", "rdhi"]);

function readsPc(names: string[], values: number[]): boolean {
  for (let i = 0; i < names.length; i++) if (values[i] === 15 && REG_FIELDS.has(names[i]!)) return true;
  return false;
}

function itAdvance(it: number): number {
  return (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
}

/** (issue 4) Interrupt routing, FIQ before IRQ: physical line, virtual line, HCR routing bit, CPSR mask, PL1 exception, Hyp vector. */
const ROUTES = [
  [INT_FIQ, INT_VFIQ, HCR.FMO, PSR.F, Exc.FIQ, HVEC.FIQ],
  [INT_IRQ, INT_VIRQ, HCR.IMO, PSR.I, Exc.IRQ, HVEC.IRQ],
] as const;

export class Interpreter {
  readonly arena = new Int32Array(ARENA_WORDS);
  private top = 0;
  private blocks = new Map<number, Block>();
  /** Recently run blocks by a hash of PC and meta (dead ones are skipped): saves most map lookups. */
  private readonly lookup: (Block | undefined)[] = new Array(LOOKUP_ENTRIES).fill(undefined);
  private pageBlocks = new Map<number, Block[]>();
  /** Blocks by the VA page of their PC (for a VA range's invalidation; dead ones too until then). */
  private readonly vaPageBlocks = new Map<number, Block[]>();
  /** VA pages whose blocks were all made stale by invalidateVaRange and not re-checked or added to since. */
  private readonly stalePages = new Set<number>();
  readonly stats: InterpStats = { blocksDecoded: 0, flushes: 0, tlbFlushes: 0, invalidations: 0 };
  /**
   * (issue 5) The translation generation: bumped when the cached instruction translations
   * may have changed. A block of an older generation is run again only after its PC
   * translated to the same physical address once more (as a TLB refill would), so a TLB
   * flush that changed nothing costs a walk per block instead of decoding it again.
   */
  tgen = 0;
  /** (issue 3) The block being executed, for the clock's mid-block instruction offset. */
  private cur: Block | null = null;
  /**
   * (issue 3) Called when the CPU waits for an interrupt and no event of the virtual
   * clock can wake it: return true after delivering something from outside (host
   * input), false to stop. Default: stop (`idleHalt` is then set).
   */
  idleHook: (() => boolean) | null = null;
  /** (issue 3) The run stopped because the CPU waits for an interrupt that can never come. */
  idleHalt = false;
  /**
   * Interactive runs: instead of skipping virtual time to the next timer event, stop with
   * idleHalt so that the host waits for it in real time (or for input); see
   * VirtualClock.idleAdvance. Off (the default) keeps runs deterministic.
   */
  realTimeIdle = false;
  /** (issue 5) The JIT tier, when enabled (jit/jit.ts sets itself here). */
  jit: Jit | null = null;

  constructor(readonly cpu: Cpu) {
    cpu.bus.onCodeWrite = (pa) => this.invalidatePage(pa);
    cpu.mmu.codeFlush = () => this.flushTranslations(); // (issue 3) translation regime / TLB changes
    cpu.mmu.codeFlushRange = (lo, hi) => this.invalidateVaRange(lo, hi);
    cpu.hypMmu.codeFlush = () => this.flushTranslations(); // (issue 4)
    cpu.hypMmu.codeFlushRange = () => this.flushTranslations();
    cpu.clock.insnOffset = () =>
      this.cur === null ? 0 : (this.currentOp(this.cur) - this.cur.start) / OP_WORDS;
    warmUpInterpreter(cpu); // once per process: see warmup.ts
  }

  /** The cached instruction translations may be stale: re-check each block before it runs again. */
  flushTranslations(): void {
    this.tgen++;
    this.stats.tlbFlushes++;
  }

  /**
   * Does block b (of an older translation generation) still mean what it did: does its PC
   * translate to the same physical address? If not it is dropped. The translation is an
   * instruction fetch's (a prefetch abort propagates; it also tells the MMU that code was
   * fetched through that mapping again).
   */
  recheck(b: Block): boolean {
    if (b.pa >= 0 && this.cpu.codePa(b.pc) === b.pa) {
      if (b.tgen === STALE) this.stalePages.delete(b.pc >>> 12);
      b.tgen = this.tgen;
      return true;
    }
    b.dead = true;
    this.blocks.delete(b.key);
    this.stats.invalidations++;
    return false;
  }

  /** Drop every translation (the arena is full). */
  flush(): void {
    for (const b of this.blocks.values()) b.dead = true;
    this.blocks.clear();
    this.lookup.fill(undefined);
    this.pageBlocks.clear();
    this.vaPageBlocks.clear();
    this.stalePages.clear();
    this.top = 0;
    this.cpu.bus.codePages.fill(0);
    this.stats.flushes++;
  }

  /**
   * (issue 3) The translations of the VAs in [lo, hi] may have changed (a TTBR0 switch
   * with LPAE keeps the kernel's TTBR1 code; a TLBIMVA, the range of the mapping it hits):
   * the blocks that start there are re-checked before they run again, as after a
   * generation change (recheck: dropped unless their PC still translates to the same
   * physical address). Just before it starts user space, Linux issues ~7,000 TLBIMVAs
   * that each hit a 2 MiB mapping of its text, with the text where it was: dropping their
   * blocks had the kernel's code decoded again (a Linux boot decoded 76,844 blocks
   * instead of 55,302).
   */
  invalidateVaRange(lo: number, hi: number): void {
    const first = lo >>> 12;
    const last = hi >>> 12;
    // the range's pages, or (a large range: a TTBR0 switch's) the pages holding blocks
    if (last - first < this.vaPageBlocks.size) for (let vp = first; vp <= last; vp++) this.staleVaPage(vp);
    // (a Map visits no entry deleted during the loop, and setting an existing key keeps its place)
    else for (const vp of this.vaPageBlocks.keys()) if (vp >= first && vp <= last) this.staleVaPage(vp);
    this.stats.invalidations++;
  }

  /**
   * The blocks of VA page vp are to be re-checked (the dead ones leave its list). A page
   * whose blocks are all stale already is skipped: Linux invalidates its text page by
   * page, and each TLBIMVA hits the same 2 MiB mapping (1,024 times).
   */
  private staleVaPage(vp: number): void {
    if (this.stalePages.has(vp)) return;
    const list = this.vaPageBlocks.get(vp);
    if (!list) return;
    const live = list.filter((b) => !b.dead);
    for (const b of live) b.tgen = STALE;
    if (live.length > 0) {
      this.vaPageBlocks.set(vp, live);
      this.stalePages.add(vp);
    } else this.vaPageBlocks.delete(vp);
  }

  invalidatePage(pagePa: number): void {
    const list = this.pageBlocks.get(pagePa >>> 12);
    if (!list) return;
    for (const b of list) {
      b.dead = true;
      this.blocks.delete(b.key);
    }
    this.pageBlocks.delete(pagePa >>> 12);
    this.stats.invalidations++;
  }

  /**
   * The block at pc with these key bits, current in this translation generation: from the
   * direct-mapped lookup, else the blocks map, else decoded now. Throws as translate.
   */
  private find(pc: number, meta: number, thumb: boolean, it: number): Block {
    const h = lookupIndex(pc, meta);
    let b = this.lookup[h];
    if (b === undefined || b.pc !== pc || b.meta !== meta || b.dead) b = this.blocks.get(blockKey(pc, meta));
    if (b !== undefined && b.tgen !== this.tgen && !this.recheck(b)) b = undefined;
    if (b === undefined) b = this.translate(meta, pc, thumb, it);
    this.lookup[h] = b;
    return b;
  }

  /** Decode the block at the current PC. Throws GuestAbort/BusError if its first fetch fails. */
  private translate(meta: number, pc: number, thumb: boolean, it0: number): Block {
    if (this.top + MAX_BLOCK_INSNS * OP_WORDS > this.arena.length) this.flush();
    const cpu = this.cpu;
    const A = this.arena;
    const start = this.top;
    let p = start;
    let addr = pc;
    let it = it0;
    const page = pc >>> 12;
    // A block stays in the page of its first instruction (but for the second halfword of a
    // first T32 instruction): the page is translated once, here, where a prefetch abort
    // is thrown, and its physical words are read directly.
    const ppc = cpu.codePa(pc); // (issue 3) code pages are tracked by physical address
    const bus = cpu.bus;
    const paOf = (a: number) => (ppc + (a - pc)) >>> 0;
    for (let n = 0; n < MAX_BLOCK_INSNS; n++) {
      let raw: number;
      let len: number;
      let isa: "A32" | "T16" | "T32";
      if (addr >>> 12 !== page && n > 0) break;
      try {
        if (!thumb) {
          raw = bus.fetch32(paOf(addr));
          len = 4;
          isa = "A32";
        } else {
          const hw1 = bus.fetch16(paOf(addr));
          if (isThumb32(hw1)) {
            const next = addr + 2;
            if (next >>> 12 !== page && n > 0) break;
            raw = ((hw1 << 16) | (next >>> 12 === page ? bus.fetch16(paOf(next)) : cpu.fetch16(next))) >>> 0;
            len = 4;
            isa = "T32";
          } else {
            raw = hw1;
            len = 2;
            isa = "T16";
          }
        }
      } catch (e) {
        if (n === 0) throw e;
        break; // the fault is taken when execution reaches it
      }
      const inIT = it !== 0;
      const d = decodeWord(isa, raw, { inIT, lastInIT: inIT && (it & 7) === 0 });
      let opw: number;
      let ends = false;
      const pcRead = (addr + (thumb ? 4 : 8)) | 0;
      let cond = 14;
      let setpc = OPW_SETPC;
      if (typeof d === "string") {
        opw = 0; // opcode 0: UNDEFINED
        ends = true;
        // a conditional UNDEFINED encoding that fails its condition is a NOP (as in QEMU)
        if (inIT) cond = it >>> 4;
        else if (isa === "A32") cond = raw >>> 28;
      } else {
        opw = DISPATCH[d.opcode]!;
        setpc = 0;
        cond = inIT && !d.uncond ? it >>> 4 : d.cond; // (BKPT: unconditional in IT blocks)
        ends = d.ends;
        for (let i = 0; i < d.fields.length; i++) A[p + 2 + i] = d.fields[i]!;
        if (CALLS_HELPER[opw] || readsPc(d.def.fields, d.fields)) setpc = OPW_SETPC;
        for (const i of d.rel) A[p + 2 + i] = (A[p + 2 + i]! + addr) | 0;
      }
      if (cond === 15) cond = 14;
      A[p] =
        opw |
        setpc |
        (cond << 16) |
        (thumb ? OPW_THUMB : 0) |
        (len === 4 ? OPW_LEN4 : 0) |
        (inIT ? it << 24 : 0);
      A[p + 1] = pcRead;
      p += OP_WORDS;
      addr = (addr + len) | 0;
      if (typeof d !== "string" && d.def.name === "it") {
        it = (d.fields[0]! << 4) | d.fields[1]!;
        if (ends) break;
        continue;
      }
      if (inIT) it = itAdvance(it);
      if (ends && it === 0) break;
      if (ends) break;
    }
    this.top = p;
    const b = new Block(meta, pc, start, p, addr, it);
    this.blocks.set(b.key, b);
    const vl = this.vaPageBlocks.get(pc >>> 12);
    if (vl) vl.push(b);
    else this.vaPageBlocks.set(pc >>> 12, [b]);
    this.stalePages.delete(pc >>> 12);
    b.tgen = this.tgen;
    if ((addr - 1) >>> 12 === pc >>> 12) b.pa = ppc >>> 0;
    const pa = cpu.bus.ramOffset(ppc) >= 0 ? ppc >>> 12 : -1;
    if (pa >= 0) {
      const l = this.pageBlocks.get(pa);
      if (l) l.push(b);
      else this.pageBlocks.set(pa, [b]);
    }
    this.stats.blocksDecoded++;
    return b;
  }

  /**
   * Run until at least `budget` steps were taken or the CPU halts. A step is a retired
   * instruction or an exception taken on an instruction fetch. Returns the steps taken.
   */
  run(budget: number): number {
    const cpu = this.cpu;
    const A = this.arena;
    const W = cpu.W; // R[i] is W[i]: one typed array for V8 to check (see RUN_W)
    const clock = cpu.clock;
    const plInsns = cpu.plInsns;
    let done = 0;
    let prev: Block | null = null;
    const jit = this.jit;
    jit?.poll();
    while (done < budget && cpu.halted === false) {
      // (issue 3) virtual-time events (timer deadlines), WFI, and IRQ/FIQ between blocks
      let left = clock.eventAt - cpu.icount;
      if (left <= 0) {
        clock.fire();
        left = clock.eventAt - cpu.icount;
      }
      if (cpu.wfiPending === true) {
        if (!this.waitForInterrupt()) break;
        left = clock.eventAt - cpu.icount;
      }
      if (cpu.intLines !== 0 && this.takeInterrupt()) prev = null;
      const cpsr = W[RUN_W.CPSR]!;
      const thumb = (cpsr & RUN_W.T) !== 0;
      const pc = W[RUN_W.PC]!;
      const it = thumb ? W[RUN_W.IT]! : 0;
      // (issue 3) User-mode blocks are separate: instruction fetches are checked at PL0;
      // they are dropped when DACR changed for their domains since they were translated
      const mode = cpsr & 0x1f;
      const user = mode === RUN_W.USR;
      if (user && cpu.mmu.pl0CodeStale) {
        cpu.mmu.flushCode();
        prev = null;
      }
      const hyp = mode === RUN_W.HYP;
      const meta = blockMeta(thumb, it, user ? 1 : hyp ? 2 : 0);
      let b: Block | null = null;
      if (prev !== null) {
        const s1: Block | null = prev.b1;
        if (s1 !== null && s1.pc === pc && s1.meta === meta && s1.dead === false) b = s1;
        else {
          const s2: Block | null = prev.b2;
          if (s2 !== null && s2.pc === pc && s2.meta === meta && s2.dead === false) b = s2;
        }
        if (b !== null && b.tgen !== this.tgen) b = null;
      }
      if (b === null) {
        try {
          b = this.find(pc, meta, thumb, it);
        } catch (e) {
          this.fetchFault(e, pc);
          prev = null;
          done++; // no instruction retired, but a guest stuck in an abort loop must not hang us
          continue;
        }
        if (prev !== null && !prev.dead) {
          prev.b2 = prev.b1;
          prev.b1 = b;
        }
      }
      const pl = user ? 0 : hyp ? 2 : 1;
      const start = b.start;
      // (issue 3) stop exactly at the next clock event: run only the first `left` ops (a
      // small integer then; | 0 keeps `end` an integer for V8 instead of a double)
      let end: number = left > 0 && left < b.insns ? start + (left | 0) * OP_WORDS : b.end;
      let ret: number;
      this.cur = b;
      // (issue 5) compiled code may run several blocks: it counts all but the last one
      const viaJit = jit !== null && end === b.end && jit.ready(b);
      try {
        if (viaJit) {
          ret = jit.exec(b, budget - done, left);
          // a memory access that compiled code left to the interpreter (see Jit.exec):
          // the rest of its block runs here, from that op
          const last = jit.last!;
          if (ret >= 0 && ret !== last.end) {
            this.cur = last; // (the clock's instruction offset: see the constructor)
            ret = execOps(cpu, A, ret, last.end);
          }
        } else ret = execOps(cpu, A, start, end);
      } catch (e) {
        this.cur = null;
        if (viaJit) {
          done += jit.retired;
          b = jit.last!;
        }
        const p = cpu.faultOp;
        const n = (p - b.start) / OP_WORDS;
        cpu.icount += n;
        plInsns[pl] += n;
        done += n;
        this.dataFault(e, p);
        prev = null;
        continue;
      }
      this.cur = null;
      if (viaJit) {
        done += jit.retired;
        b = jit.last!;
        end = b.end;
      }
      if (ret < 0) {
        ret = ~ret;
        // (the op's own instruction set decides: compiled code may have moved to the other)
        if (thumb || viaJit) this.itAfterExit(ret - OP_WORDS);
      } else if (end === b.end) {
        W[RUN_W.PC] = b.endAddr;
        if (thumb || viaJit) W[RUN_W.IT] = b.itAfter; // (0 after an ARM block)
      } else {
        // (issue 3) a partial block: continue at the next op, with its ITSTATE
        W[RUN_W.PC] = insnAddr(A, end);
        if (thumb) W[RUN_W.IT] = A[end]! >>> 24;
        ret = end;
      }
      const n = (ret - b.start) >> 3; // OP_WORDS = 8
      cpu.icount += n;
      plInsns[pl] += n;
      done += n;
      prev = end === b.end ? b : null;
    }
    return done;
  }

  /**
   * (issue 3) Take a pending IRQ or FIQ if it is not masked (FIQ first). At a block
   * boundary R[15] is the next instruction to execute, so LR = that + 4 (ARM and Thumb).
   * (issue 4) With EL2 (B1.8.6-B1.8.8): HCR.IMO/FMO route the physical IRQ/FIQ to Hyp
   * mode, where they are taken from PL0/PL1 whatever CPSR.I/F say; in Hyp mode every
   * physical IRQ/FIQ, routed or not, is taken in Hyp mode when CPSR.I/F are clear (an
   * exception taken from Hyp mode is taken to Hyp mode, B1.8.4; QEMU does the same). The virtual
   * IRQ/FIQ (GIC virtual interface, HCR.VI/VF) are taken at PL1, only when routed and
   * not in Hyp mode, masked by CPSR.I/F.
   */
  private takeInterrupt(): boolean {
    const cpu = this.cpu;
    const cpsr = cpu.W[S.CPSR >> 2]!;
    const lines = cpu.intLines;
    const next = cpu.R[15]!;
    // (without EL2, HCR reads 0 and the core is never in Hyp mode: plain PL1 routing)
    const hcr = cpu.sys.hcr;
    const inHyp = (cpsr & 0x1f) === Mode.HYP;
    // the virtual abort first (asynchronous aborts have priority over FIQ and IRQ)
    if (lines & INT_VABT && hcr & HCR.AMO && !inHyp && !(cpsr & PSR.A)) {
      cpu.takeVirtualAbort(next);
      return true;
    }
    for (const [line, vline, route, mask, kind, hvec] of ROUTES) {
      if (lines & line) {
        if (inHyp ? !(cpsr & mask) : hcr & route) {
          cpu.enterHyp(hvec, next, null);
          return true;
        }
        if (!inHyp && !(cpsr & mask)) {
          cpu.takeException(kind, (next + 4) | 0);
          return true;
        }
      }
      if (lines & vline && hcr & route && !inHyp && !(cpsr & mask)) {
        cpu.takeException(kind, (next + 4) | 0);
        return true;
      }
    }
    return false;
  }

  /**
   * (issue 3) WFI (cpu.wfiPending): an asserted interrupt input wakes the CPU even when
   * CPSR masks it; otherwise virtual time skips to the next clock event until one
   * asserts an input. Returns false (and halts) when nothing can ever wake the CPU.
   * (issue 4) The virtual inputs do not wake Hyp mode, where they cannot be taken.
   */
  private waitForInterrupt(): boolean {
    const cpu = this.cpu;
    const wakes = () =>
      (cpu.intLines &
        (cpu.mode === Mode.HYP ? INT_IRQ | INT_FIQ : INT_IRQ | INT_FIQ | INT_VIRQ | INT_VFIQ | INT_VABT)) !==
      0;
    while (!wakes()) {
      if (this.realTimeIdle && cpu.clock.nextDeadline() !== Number.POSITIVE_INFINITY) {
        this.idleHalt = true;
        cpu.halted = true;
        return false;
      }
      if (cpu.clock.skipToNextEvent()) continue;
      if (this.idleHook?.()) continue;
      this.idleHalt = true;
      cpu.halted = true;
      return false;
    }
    cpu.wfiPending = false;
    return true;
  }

  /**
   * An op inside an IT block ended the block without branching or taking an exception
   * (MSR, CPS, ISB, MCR, semihosting SVC...): R[15] is its fall-through address but
   * ITSTATE still holds its own value; advance it as the instruction retired.
   */
  private itAfterExit(p: number): void {
    const A = this.arena;
    const W = this.cpu.W;
    const w = A[p]!;
    const its = w >>> 24;
    if (its === 0 || !(w & OPW_THUMB) || W[S.IT >> 2] !== its) return;
    if (!(W[S.CPSR >> 2]! & PSR.T) || this.cpu.R[15] !== nextAddr(A, p)) return;
    W[S.IT >> 2] = itAdvance(its);
  }

  /**
   * The op of block b whose PC value is in R[15]: the op now executing, when called
   * from a helper (ops that call helpers always set R[15], see OPW_SETPC).
   */
  currentOp(b: Block): number {
    const pcv = this.cpu.R[15]!;
    for (let p = b.start; p < b.end; p += OP_WORDS) if (this.arena[p + 1] === pcv) return p;
    return b.end - OP_WORDS; // a helper already moved the PC: count the block as run
  }

  /** A fault while fetching the first instruction of a block: Prefetch Abort. */
  private fetchFault(e: unknown, pc: number): void {
    const cpu = this.cpu;
    if (e instanceof BusError) {
      cpu.takeAbort(new GuestAbort(Exc.PABT, 0x08, pc, false), pc);
    } else if (e instanceof GuestAbort) {
      cpu.takeAbort(e, pc);
    } else throw e;
  }

  /** A fault raised by the op at arena index p (its instruction does not retire). */
  private dataFault(e: unknown, p: number): void {
    const cpu = this.cpu;
    const A = this.arena;
    const w = A[p]!;
    const addr = (A[p + 1]! - (w & OPW_THUMB ? 4 : 8)) | 0;
    if (w & OPW_THUMB) cpu.W[S.IT >> 2] = w >>> 24;
    if (e instanceof BusError) {
      cpu.takeAbort(new GuestAbort(Exc.DABT, 0x08, cpu.faultVa(e.pa), e.write), addr);
    } else if (e instanceof GuestAbort) {
      cpu.takeAbort(e, addr);
    } else throw e;
  }
}
