// Boot benchmark: time from start to the shell's ready marker for Debian's Linux on
// hypwasm and on qemu-system-arm, side by side in the same run, plus the guest
// instructions hypwasm executed (deterministic: the same on every run).
//
//   node dist/bench/boot.js [--kernel lpae|armmp] [--runs N] [--json]

import { imagePath } from "../src/images/fetch.js";
import { bootHypwasmLinux, bootQemuLinux, type HypwasmBoot } from "../src/reference/linux-boot.js";

const CLI = new URL("../src/cli/main.js", import.meta.url).pathname;

async function bootHypwasm(kernel: string): Promise<HypwasmBoot> {
  const h = await bootHypwasmLinux(CLI, imagePath(kernel), imagePath("initramfs"), "echo hello");
  if (h.code !== 0 || h.insns < 0 || h.markerMs < 0) throw new Error(`hypwasm boot failed (exit ${h.code})`);
  return h;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const kernel = args.includes("--kernel") ? args[args.indexOf("--kernel") + 1]! : "lpae";
  const runs = Number(args[args.indexOf("--runs") + 1]) || 1;
  const h: HypwasmBoot[] = [];
  const q: number[] = [];
  for (let i = 0; i < runs; i++) {
    h.push(await bootHypwasm(kernel));
    q.push((await bootQemuLinux(imagePath(kernel), imagePath("initramfs"), "echo hello")).markerMs);
  }
  const hm = Math.min(...h.map((x) => x.markerMs));
  const qm = Math.min(...q);
  const insns = [...new Set(h.map((x) => x.insns))];
  const r = {
    kernel,
    runs,
    hypwasmMarkerMs: hm,
    qemuMarkerMs: qm,
    ratio: hm / qm,
    hypwasmInsnsToPoweroff: insns,
  };
  if (args.includes("--json")) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  console.log(`Linux (${kernel}) to the shell's ready marker, best of ${runs}:`);
  console.log(
    `  hypwasm ${(hm / 1000).toFixed(2)} s   qemu ${(qm / 1000).toFixed(2)} s   hypwasm/qemu ${r.ratio.toFixed(1)}x`,
  );
  console.log(
    `  hypwasm guest instructions, boot to power-off: ${insns.join(", ")}${insns.length > 1 ? " (NOT deterministic!)" : ""}`,
  );
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
