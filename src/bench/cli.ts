// `hypwasm bench ...`: benchmarks run from the command line.

import type { Command } from "commander";
import { FetchError, fetchImages, imagePath } from "../images/fetch.js";
import { BenchError, benchHypercalls, formatBench } from "./hcall.js";

type Fail = (msg: string) => never;
type IntArg = (name: string, min: number) => (v: string) => number;

export function registerBenchCommands(program: Command, fail: Fail, intArg: IntArg): void {
  const bench = program.command("bench").description("benchmarks");
  bench
    .command("hypercalls")
    .description(
      "hypercall costs: Xen 4.17 boots a benchmark dom0 (fixtures/src/hcall) that times N calls of each " +
        "hypercall, plus a bare-metal HVC round trip; prints calls per host second, guest instructions " +
        "per call (total and in Hyp mode) and guest time per call",
    )
    .option("--calls <n>", "calls per hypercall in the dom0", intArg("--calls", 1), 1000)
    .option("--vs-qemu", "run the same guests on qemu-system-arm too and show the ratio")
    .option("--json", "print the result as JSON")
    .option("--xen-image <file>", "the Xen image (default: Debian's xen-4.17-armhf from the image cache)")
    .action(async (o: { calls: number; vsQemu?: boolean; json?: boolean; xenImage?: string }) => {
      const log = (l: string) => process.stderr.write(`${l}\n`);
      let xenImage = o.xenImage;
      try {
        if (xenImage === undefined) {
          fetchImages({ log: (l) => log(`hypwasm: ${l}`) });
          xenImage = imagePath("xen");
        }
        const r = await benchHypercalls({ calls: o.calls, vsQemu: !!o.vsQemu, xenImage, log });
        process.stdout.write(`${o.json ? JSON.stringify(r, null, 2) : formatBench(r)}\n`);
        process.exitCode = r.problems.length ? 1 : 0;
      } catch (e) {
        if (e instanceof BenchError || e instanceof FetchError) fail(e.message);
        throw e;
      }
    });
}
