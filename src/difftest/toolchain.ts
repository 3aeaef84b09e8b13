// The cross toolchain: assembling and linking generated images (cached by content
// hash under fixtures/build/difftest/), and disassembly for reports.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CROSS = process.env.CROSS ?? "arm-linux-gnueabihf-";
const AS_FLAGS = ["-march=armv7ve", "-mfpu=vfpv4", "-mfloat-abi=hard"];

/** The repository root (works from src/ under vitest and from dist/src/ when compiled). */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, "fixtures", "src", "lib", "start.S"))) return d;
    d = dirname(d);
  }
  throw new Error("difftest: cannot find fixtures/src/lib (repository root)");
}

export function fixturesDir(): string {
  return join(repoRoot(), "fixtures");
}

function cacheDir(): string {
  const d = join(fixturesDir(), "build", "difftest");
  mkdirSync(d, { recursive: true });
  return d;
}

function run(cmd: string, args: string[], cwd?: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`${cmd} ${args.join(" ")}: ${err.stderr?.toString() || err.message}`);
  }
}

const LIB_FILES = ["layout.inc", "link.ld", "start.S", "streams.S"];

function libHash(): string {
  const h = createHash("sha256");
  for (const f of LIB_FILES) h.update(readFileSync(join(fixturesDir(), "src", "lib", f)));
  return h.digest("hex").slice(0, 16);
}

/** Assemble one source (text) to an object in the cache; returns its path. */
function assemble(source: string, name: string): string {
  const dir = cacheDir();
  const obj = join(dir, `${name}.o`);
  if (existsSync(obj)) return obj;
  const src = join(dir, `${name}.S`);
  writeFileSync(src, source);
  const tmp = `${obj}.${process.pid}.tmp`;
  run(`${CROSS}as`, [...AS_FLAGS, "-I", join(fixturesDir(), "src"), src, "-o", tmp]);
  renameSync(tmp, obj);
  return obj;
}

function libObjects(): string[] {
  const lh = libHash();
  return ["start", "streams"].map((n) =>
    assemble(readFileSync(join(fixturesDir(), "src", "lib", `${n}.S`), "utf8"), `lib-${n}-${lh}`),
  );
}

/** Build an image from a generated stream source (start.S + streams.S + it); cached. */
export function buildStreamImage(source: string): string {
  const h = createHash("sha256").update(libHash()).update(source).digest("hex").slice(0, 24);
  const dir = cacheDir();
  const elf = join(dir, `img-${h}.elf`);
  if (existsSync(elf)) {
    const now = new Date();
    utimesSync(elf, now, now); // recently used: kept by prune()
    return elf;
  }
  const libs = libObjects();
  const obj = assemble(source, `gen-${h}`);
  const tmp = `${elf}.${process.pid}.tmp`;
  run(`${CROSS}ld`, [
    "-N",
    "-T",
    join(fixturesDir(), "src", "lib", "link.ld"),
    "--no-warn-rwx-segments",
    ...libs,
    obj,
    "-o",
    tmp,
  ]);
  renameSync(tmp, elf);
  rmSync(obj, { force: true });
  rmSync(join(dir, `gen-${h}.S`), { force: true });
  prune(dir);
  return elf;
}

/** Keep the cache bounded: the most recently used MAX_CACHED images. */
const MAX_CACHED = 64;
function prune(dir: string): void {
  const now = Date.now();
  for (const f of readdirSync(dir)) {
    // leftovers of interrupted builds
    if (f.startsWith("gen-") && now - statSync(join(dir, f)).mtimeMs > 600_000)
      rmSync(join(dir, f), { force: true });
  }
  const imgs = readdirSync(dir)
    .filter((f) => f.startsWith("img-") && f.endsWith(".elf"))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }));
  if (imgs.length <= MAX_CACHED) return;
  imgs.sort((a, b) => b.t - a.t);
  for (const { f } of imgs.slice(MAX_CACHED)) rmSync(join(dir, f), { force: true });
}

/** Disassemble instruction words (A32, or Thumb with the (hw1 << 16) | hw2 convention). */
export function disassemble(words: number[], thumb: boolean, addr: number): string[] {
  try {
    const bytes: number[] = [];
    for (const w of words) {
      if (!thumb) bytes.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
      else if (w >>> 0 > 0xffff) bytes.push((w >>> 16) & 0xff, w >>> 24, w & 0xff, (w >>> 8) & 0xff);
      else bytes.push(w & 0xff, (w >>> 8) & 0xff);
    }
    const f = join(tmpdir(), `hypwasm-dis-${process.pid}.bin`);
    writeFileSync(f, Uint8Array.from(bytes));
    const args = ["-D", "-b", "binary", "-marm", `--adjust-vma=0x${(addr >>> 0).toString(16)}`, f];
    if (thumb) args.splice(3, 0, "-Mforce-thumb");
    const out = execFileSync(`${CROSS}objdump`, args, { stdio: ["ignore", "pipe", "ignore"] }).toString();
    const lines: string[] = [];
    for (const l of out.split("\n")) {
      const m = /^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2,8} ?)+)\s+(.*)$/.exec(l);
      if (m) lines.push(`${m[1]}: ${m[2]!.trim().padEnd(10)} ${m[3]!.replace(/\s+/g, " ").trim()}`);
    }
    return lines;
  } catch {
    return words.map((w) => `0x${(w >>> 0).toString(16)}`);
  }
}

/** Check that the assembler placed every stream where the generator computed. */
export function verifyLayout(elf: string, streams: { index: number; start: number; end: number }[]): void {
  const out = execFileSync(`${CROSS}nm`, [elf], { stdio: ["ignore", "pipe", "pipe"] }).toString();
  const sym = new Map<string, number>();
  for (const l of out.split("\n")) {
    const m = /^([0-9a-f]+) \w (s\d+(?:_end)?)$/.exec(l);
    if (m) sym.set(m[2]!, Number.parseInt(m[1]!, 16));
  }
  for (const s of streams) {
    if (sym.get(`s${s.index}`) !== s.start || sym.get(`s${s.index}_end`) !== s.end)
      throw new Error(`difftest: stream ${s.index} layout mismatch in ${elf}`);
  }
}
