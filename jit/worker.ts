// The compile worker: builds each batch of regions with binaryen and compiles the wasm
// module here, off the main thread, which keeps interpreting meanwhile. Requests come as
// messages; results go back on the port in workerData, which the main thread polls
// synchronously between run slices (see Jit.poll).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { chainModule, compileRegions, type RegionCode } from "./compile.js";
import { threadId } from "./threads.js";

export interface CompileRequest {
  id: number;
  regions: RegionCode[];
}

export type CompileResult =
  | { id: number; module: WebAssembly.Module; ms: number; bytes: number }
  | { id: number; error: string; ms: number }
  | { chain: WebAssembly.Module; tid: number | null };

const { port: results, posted } = workerData as { port: MessagePort; posted: Int32Array };

// V8 compiles wasm functions lazily, on their first call: for a region module that is on
// the main thread, which would defeat the worker; eagerly, it is done here in new
// WebAssembly.Module (measured: the Linux boot 21-24 s -> 18-19 s). The flag is
// process-wide and read when a module is compiled: it is set only now, after binaryen's
// own module (15 MB) was compiled lazily at import, which takes ~0.4 s where eager
// compilation took ~0.7 s, while the guest's first hot blocks wait for this worker.
setFlagsFromString("--no-wasm-lazy-compilation");

// the dispatcher that region modules import (the first message, so it precedes every
// region), and this thread's id (the main thread lowers the others' priority, see threads.ts)
results.postMessage({
  chain: new WebAssembly.Module(chainModule() as Uint8Array<ArrayBuffer>),
  tid: threadId(),
} satisfies CompileResult);

// Warm binaryen up while the emulator starts: a one-op region (an UNDEFINED op: a helper
// call with its spills, and the exits)
compileRegions([
  {
    id: 0,
    cls: 0,
    blocks: [
      {
        start: 0,
        ops: Int32Array.of(14 << 16, 8, 0, 0, 0, 0, 0, 0),
        thumb: false,
        endAddr: 4,
        itAfter: 0,
        succ: [],
      },
    ],
  },
]);

// HYPWASM_JIT_DUMP=<dir>: each request and its module are written there (m<id>.json,
// m<id>.wasm) to read the generated code (binaryen's `npx wasm-dis`) or replay a compile
const dumpDir = process.env.HYPWASM_JIT_DUMP;
if (dumpDir) mkdirSync(dumpDir, { recursive: true });

parentPort!.on("message", (req: CompileRequest) => {
  const t0 = performance.now();
  let res: CompileResult;
  try {
    const { binary } = compileRegions(req.regions, false);
    const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
    res = { id: req.id, module, ms: performance.now() - t0, bytes: binary.length };
    if (dumpDir) {
      // (after the time is taken: the files are not the compile's cost)
      const json = JSON.stringify(req, (_, v) => (v instanceof Int32Array ? Array.from(v) : v));
      writeFileSync(join(dumpDir, `m${req.id}.json`), json);
      writeFileSync(join(dumpDir, `m${req.id}.wasm`), binary);
    }
  } catch (e) {
    res = { id: req.id, error: e instanceof Error ? e.message : String(e), ms: performance.now() - t0 };
  }
  results.postMessage(res);
  Atomics.store(posted, 0, 1); // (after the message: the main thread's poll finds it)
});
