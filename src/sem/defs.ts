// The registry of instruction definitions. Each definition is one semantic function
// plus the decode-time params that specialise it; each combination of param values is
// one opcode of the pre-decoded interpreter (and one code shape for the JIT).

import type { Builder, Fields, Params } from "./builder.js";

export type Isa = "A32" | "T16" | "T32";

export interface InsnDef {
  name: string;
  /** param name -> number of values (0 .. n-1). */
  params: Record<string, number>;
  /** Runtime operand names, at most MAX_FIELDS. */
  fields: string[];
  sem: <V>(b: Builder<V>, p: Params, f: Fields<V>) => void;
  /** First opcode number of this definition (assigned at registration). */
  base: number;
  /** Number of opcodes (product of param counts). */
  count: number;
  /** The params' names and counts, in declaration order (opcodeOf runs for every decoded instruction). */
  paramList: [string, number][];
}

export const MAX_FIELDS = 6;

export const DEFS: InsnDef[] = [];
let nextOpcode = 1; // opcode 0 is reserved for "undefined instruction"

export function defineInsn(
  name: string,
  params: Record<string, number>,
  fields: string[],
  sem: <V>(b: Builder<V>, p: Params, f: Fields<V>) => void,
): InsnDef {
  if (fields.length > MAX_FIELDS) throw new Error(`${name}: too many fields`);
  let count = 1;
  for (const n of Object.values(params)) count *= n;
  const def: InsnDef = {
    name,
    params,
    fields,
    sem,
    base: nextOpcode,
    count,
    paramList: Object.entries(params),
  };
  nextOpcode += count;
  DEFS.push(def);
  return def;
}

/** Opcode for a definition with concrete param values (mixed radix, in declaration order). */
export function opcodeOf(def: InsnDef, p: Params): number {
  let idx = 0;
  for (const [k, n] of def.paramList) {
    const v = p[k] ?? 0;
    if (v < 0 || v >= n) throw new Error(`${def.name}: param ${k}=${v} out of range`);
    idx = idx * n + v;
  }
  return def.base + idx;
}

/** All param combinations of a definition, in opcode order. */
export function* paramCombos(def: InsnDef): Generator<Params> {
  const keys = Object.keys(def.params);
  const sizes = keys.map((k) => def.params[k]!);
  for (let i = 0; i < def.count; i++) {
    const p: Params = {};
    let r = i;
    for (let j = keys.length - 1; j >= 0; j--) {
      p[keys[j]!] = r % sizes[j]!;
      r = Math.floor(r / sizes[j]!);
    }
    yield p;
  }
}

export function opcodeCount(): number {
  return nextOpcode;
}
