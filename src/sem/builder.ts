// The interface every instruction's semantics is written against. A definition is run
// by two backends: the interpreter generator (V = JavaScript expression text, compiled
// into the pre-decoded block interpreter) and the JIT (V = binaryen expression). Values
// are 32-bit integers; booleans are 0/1 integers.
//
// Rules for definitions:
// - Branch in JavaScript only on *params* (decode-time constants that select the
//   opcode); *fields* (register numbers, immediates) are runtime values in the
//   interpreter, so use b.if/b.select on them.
// - Anything large or rare goes through b.call(helper) into the runtime (Cpu methods),
//   which both tiers call.

export type Width = 8 | 16 | 32;

export interface MemOpts {
  /** Sign-extend a narrow load. */
  signed?: boolean;
  /** LDRT/STRT family: access with PL0 permissions. */
  unpriv?: boolean;
  /** Fault on a misaligned address regardless of SCTLR.A (LDM/STM, LDRD, exclusives). */
  aligned?: boolean;
}

/** A mutable local variable inside one instruction's semantics. */
export interface Var<V> {
  get(): V;
  set(v: V): void;
}

export interface Builder<V> {
  /** i32 constant. */
  k(n: number): V;
  /**
   * The number v stands for when it is known while generating code (the JIT compiles
   * each op with its field values), else undefined (the interpreter's ops read their
   * fields at run time). Lets a definition specialise on a field, e.g. LDM's list.
   */
  known(v: V): number | undefined;
  /** Evaluate once into a temporary; the result may be used many times. */
  let(v: V): V;
  /** A mutable variable initialised to v. */
  mut(v: V): Var<V>;

  add(a: V, b: V): V;
  sub(a: V, b: V): V;
  mul(a: V, b: V): V;
  /** High 32 bits of the unsigned / signed 64-bit product. */
  mulhu(a: V, b: V): V;
  mulhs(a: V, b: V): V;
  /** ARM SDIV/UDIV semantics: x/0 = 0, INT_MIN/-1 = INT_MIN. */
  divs(a: V, b: V): V;
  divu(a: V, b: V): V;
  and(a: V, b: V): V;
  or(a: V, b: V): V;
  xor(a: V, b: V): V;
  not(a: V): V;
  /** Shifts take amounts in 0..31 only (wasm and JS both mask). */
  shl(a: V, n: V): V;
  lsr(a: V, n: V): V;
  asr(a: V, n: V): V;
  ror(a: V, n: V): V;
  clz(a: V): V;
  eq(a: V, b: V): V;
  ne(a: V, b: V): V;
  ltu(a: V, b: V): V;
  lts(a: V, b: V): V;
  leu(a: V, b: V): V;
  les(a: V, b: V): V;
  /** 0 -> 1, else 0. */
  eqz(a: V): V;
  select(c: V, a: V, b: V): V;

  /** Register read. r is a field (0..15); r15 reads as the instruction's PC value. */
  reg(r: V): V;
  /** Register write; r must not be 15 (use writePC). */
  setReg(r: V, v: V): void;
  /** The architectural PC value an instruction reads (address + 8 in ARM, + 4 in Thumb). */
  pc(): V;
  /** The address of this instruction. */
  insnAddr(): V;
  /** The address of the next instruction (fall-through). */
  nextAddr(): V;

  /** Raw state word at a byte offset in the state block (see S in cpu/state.ts). */
  getState(off: number): V;
  setState(off: number, v: V): void;

  /** Memory access through the current translation regime; may raise a data abort. */
  load(w: Width, addr: V, o?: MemOpts): V;
  store(w: Width, addr: V, v: V, o?: MemOpts): void;
  /**
   * The op's next aligned word accesses (of one kind) are at base + lo ... base + lo +
   * bytes - 4, with addresses written b.add(base, b.k(offset)) (LDM/STM): a backend may
   * check the whole range once. The accesses themselves still say what happens.
   */
  wordRange(base: V, lo: number, bytes: number, store: boolean): void;

  if(c: V, then: () => void, els?: () => void): void;

  /** Call a runtime helper: a Cpu method taking and returning i32 values. */
  call(helper: string, ...args: V[]): V;
  /** Call a helper that may change control flow or raise; the block ends after it if it returns non-zero. */
  callMayExit(helper: string, ...args: V[]): void;

  /** Branch within the current instruction set. */
  branch(target: V): void;
  /** BXWritePC: interworking branch (bit 0 selects Thumb). */
  bx(target: V): void;
  /** End the block after this instruction (state that keys translations changed). */
  endBlock(): void;
}

/** Parameter values (decode-time constants) and field values handed to a definition. */
export type Params = Record<string, number>;
export type Fields<V> = Record<string, V>;
