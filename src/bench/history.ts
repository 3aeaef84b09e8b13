// The benchmark history: one BenchRecord per line (JSON Lines), appended by each
// `hypwasm bench` run, read by `bench compare` and `bench report`.

import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BenchError } from "./hcall.js";
import { type BenchRecord, HISTORY_DIR } from "./record.js";

export const DEFAULT_HISTORY = join(HISTORY_DIR, "history.jsonl");

export function appendRecord(file: string, r: BenchRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(r)}\n`);
}

export function readHistory(file: string): BenchRecord[] {
  if (!existsSync(file))
    throw new BenchError(`no benchmark history at '${file}' (run 'hypwasm bench' first)`);
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        const r = JSON.parse(line) as BenchRecord;
        if (typeof r.commit !== "string" || typeof r.figures !== "object") throw new Error("not a record");
        return [r];
      } catch (e) {
        throw new BenchError(`${file}:${i + 1}: ${(e as Error).message}`);
      }
    });
}

/**
 * The record `sel` names: "last", "prev" (the one before it), an index (0 the first,
 * -1 the last), or a commit (a prefix of it; the latest record of that commit).
 */
export function selectRecord(history: BenchRecord[], sel: string): { record: BenchRecord; index: number } {
  const at = (i: number) => {
    const index = i < 0 ? history.length + i : i;
    const record = history[index];
    if (!record) throw new BenchError(`no record ${sel}: the history has ${history.length}`);
    return { record, index };
  };
  if (sel === "last") return at(-1);
  if (sel === "prev") return at(-2);
  if (/^-?\d+$/.test(sel) && sel.length < 7) return at(Number(sel));
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.commit.startsWith(sel)) return at(i);
  throw new BenchError(`no record of commit '${sel}' in the history`);
}
