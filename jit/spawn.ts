// The compile worker's start. Loading binaryen in the worker (~0.4-0.6 s) is the longest
// step before the first compiled region, so the command-line entry starts the worker
// before its own modules load (startEarly), and the Jit adopts it (compileWorker).

import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";

export interface CompileWorker {
  worker: Worker;
  /** The port its results come back on (polled synchronously, see Jit.poll). */
  results: MessagePort;
  /**
   * Word 0 is set by the worker after each result it posts: the run loop reads it at every
   * block (Jit.ready), so that a module is installed as soon as it is ready rather than
   * at the next run slice (1-3 ms later while cold code is interpreted).
   */
  posted: Int32Array;
}

let early: CompileWorker | null = null;

function start(): CompileWorker {
  const { port1, port2 } = new MessageChannel();
  const posted = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL("./worker.js", import.meta.url), {
    workerData: { port: port2, posted },
    transferList: [port2],
  });
  worker.unref(); // a pending compile does not keep the process alive
  return { worker, results: port1, posted };
}

/** Start the compile worker now, for a Jit created later in this process. */
export function startEarly(): void {
  early ??= start();
}

/** The worker startEarly started, else a new one. */
export function compileWorker(): CompileWorker {
  const w = early ?? start();
  early = null;
  return w;
}
