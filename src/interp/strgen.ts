// The interpreter backend of the semantic builder: it runs a definition once at
// generation time and produces JavaScript statement text for one opcode's case in the
// pre-decoded block interpreter (src/interp/ops.generated.ts).
//
// Each opcode becomes one small function (V8 optimises small functions; one giant
// switch stays unoptimised). Names in scope: cpu (Cpu), A (op arena), p (op index),
// R (Int32Array over r0..r15), W (Int32Array over the whole memory, word indexed),
// H (the runtime helper table) and f0..f5 (this op's fields, loaded by the prologue).
// The function returns 0 to continue with the next op, 1 when it wrote the PC.

import { PSR, S } from "../cpu/state.js";
import type { Builder, MemOpts, Var, Width } from "../sem/builder.js";

export class StrBuilder implements Builder<string> {
  lines: string[] = [];
  private depth = 1;

  /** exit: the statement that ends the op after a PC write. */
  constructor(private readonly EXIT = "return 1;") {}
  private tmp = 0;

  private emit(s: string): void {
    this.lines.push("  ".repeat(this.depth) + s);
  }
  private fresh(): string {
    return `t${this.tmp++}`;
  }

  k(n: number): string {
    n |= 0;
    return n < 0 ? `(${n})` : `${n}`;
  }
  known(_v: string): number | undefined {
    return undefined; // fields are read from the op words at run time
  }
  let(v: string): string {
    if (/^(t\d+|f\d|-?\d+|\(-\d+\))$/.test(v)) return v;
    const t = this.fresh();
    this.emit(`const ${t} = ${v};`);
    return t;
  }
  mut(v: string): Var<string> {
    const t = this.fresh();
    this.emit(`let ${t} = ${v};`);
    return {
      get: () => t,
      set: (x: string) => this.emit(`${t} = ${x};`),
    };
  }
  add(a: string, b: string): string {
    return `((${a} + ${b}) | 0)`;
  }
  sub(a: string, b: string): string {
    return `((${a} - ${b}) | 0)`;
  }
  mul(a: string, b: string): string {
    return `Math.imul(${a}, ${b})`;
  }
  mulhu(a: string, b: string): string {
    return `mulhu(${a}, ${b})`;
  }
  mulhs(a: string, b: string): string {
    return `mulhs(${a}, ${b})`;
  }
  divs(a: string, b: string): string {
    return `divs(${a}, ${b})`;
  }
  divu(a: string, b: string): string {
    return `divu(${a}, ${b})`;
  }
  and(a: string, b: string): string {
    return `(${a} & ${b})`;
  }
  or(a: string, b: string): string {
    return `(${a} | ${b})`;
  }
  xor(a: string, b: string): string {
    return `(${a} ^ ${b})`;
  }
  not(a: string): string {
    return `(~${a})`;
  }
  shl(a: string, n: string): string {
    return `(${a} << ${n})`;
  }
  lsr(a: string, n: string): string {
    return `((${a} >>> ${n}) | 0)`;
  }
  asr(a: string, n: string): string {
    return `(${a} >> ${n})`;
  }
  ror(a: string, n: string): string {
    const x = this.let(a);
    const s = this.let(n);
    return `((${x} >>> ${s}) | (${x} << ((32 - ${s}) & 31)))`;
  }
  clz(a: string): string {
    return `Math.clz32(${a})`;
  }
  eq(a: string, b: string): string {
    return `+(${a} === ${b})`;
  }
  ne(a: string, b: string): string {
    return `+(${a} !== ${b})`;
  }
  ltu(a: string, b: string): string {
    return `+((${a} >>> 0) < (${b} >>> 0))`;
  }
  lts(a: string, b: string): string {
    return `+(${a} < ${b})`;
  }
  leu(a: string, b: string): string {
    return `+((${a} >>> 0) <= (${b} >>> 0))`;
  }
  les(a: string, b: string): string {
    return `+(${a} <= ${b})`;
  }
  eqz(a: string): string {
    return `+(${a} === 0)`;
  }
  select(c: string, a: string, b: string): string {
    return `(${c} ? ${a} : ${b})`;
  }
  reg(r: string): string {
    return this.let(`R[${r}]`);
  }
  setReg(r: string, v: string): void {
    this.emit(`R[${r}] = ${v};`);
  }
  pc(): string {
    return "A[p + 1]";
  }
  insnAddr(): string {
    return "insnAddr(A, p)";
  }
  nextAddr(): string {
    return "nextAddr(A, p)";
  }
  getState(off: number): string {
    return this.let(`W[${off >> 2}]`);
  }
  setState(off: number, v: string): void {
    this.emit(`W[${off >> 2}] = ${v};`);
  }
  load(w: Width, addr: string, o: MemOpts = {}): string {
    const fn = `ld${w}${o.signed ? "s" : ""}`;
    const flags = (o.unpriv ? 1 : 0) | (o.aligned ? 2 : 0);
    return this.let(`cpu.${fn}(${addr}, ${flags})`);
  }
  store(w: Width, addr: string, v: string, o: MemOpts = {}): void {
    const flags = (o.unpriv ? 1 : 0) | (o.aligned ? 2 : 0);
    this.emit(`cpu.st${w}(${addr}, ${v}, ${flags});`);
  }
  wordRange(): void {
    // each access is checked on its own (Cpu.ld32/st32)
  }
  if(c: string, then: () => void, els?: () => void): void {
    this.emit(`if (${c}) {`);
    this.depth++;
    then();
    this.depth--;
    if (els) {
      this.emit("} else {");
      this.depth++;
      els();
      this.depth--;
    }
    this.emit("}");
  }
  call(helper: string, ...args: string[]): string {
    return this.let(`H.${helper}(cpu${args.map((a) => `, ${a}`).join("")})`);
  }
  callMayExit(helper: string, ...args: string[]): void {
    this.emit(`if (H.${helper}(cpu${args.map((a) => `, ${a}`).join("")})) ${this.EXIT}`);
  }
  branch(target: string): void {
    // Cpu.branchWritePC written out: V8 does not inline calls into execOps (its size)
    const t = this.let(target);
    this.emit(`W[${S.IT >> 2}] = 0;`);
    this.emit(`R[15] = (W[${S.CPSR >> 2}]! & ${PSR.T}) !== 0 ? ${t} & ~1 : ${t} & ~3;`);
    this.emit(this.EXIT);
  }
  bx(target: string): void {
    this.emit(`cpu.bxWritePC(${target});`);
    this.emit(this.EXIT);
  }
  endBlock(): void {
    this.emit("R[15] = nextAddr(A, p);");
    this.emit(this.EXIT);
  }
}
