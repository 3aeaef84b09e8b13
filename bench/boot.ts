// Boot benchmark: time from start to the shell's ready marker on hypwasm and on
// qemu-system-arm, side by side in the same run, plus the guest instructions hypwasm
// executed from reset to power-off (deterministic: the same on every run), split by
// privilege level (PL0 user, PL1 kernel, PL2 Hyp).
//
//   node dist/bench/boot.js [--no-xen] [--kernel lpae|armmp] [--runs N] [--json]
//
// Default: Xen 4.17 + dom0 (the reference's boot B); --no-xen: Linux alone (boot A).

import { imagePath } from "../src/images/fetch.js";
import { bootHypwasmLinux, bootQemuLinux } from "../src/reference/linux-boot.js";
import type { HypwasmBoot } from "../src/reference/run.js";
import { bootHypwasmXen, bootQemuXen, type XenImages } from "../src/reference/xen-boot.js";

const CLI = new URL("../src/cli/main.js", import.meta.url).pathname;
const CMD = "echo hello";

interface Side {
  hypwasm: () => Promise<HypwasmBoot>;
  qemu: () => Promise<{ markerMs: number }>;
}

function sides(xen: boolean, kernel: string): Side {
  const k = imagePath(kernel === "armmp" ? "armmp" : "lpae");
  const initrd = imagePath("initramfs");
  if (!xen)
    return {
      hypwasm: () => bootHypwasmLinux(CLI, k, initrd, CMD),
      qemu: () => bootQemuLinux(k, initrd, CMD),
    };
  const img: XenImages = { xen: imagePath("xen"), dom0Kernel: k, initrd };
  return { hypwasm: () => bootHypwasmXen(CLI, img, CMD), qemu: () => bootQemuXen(img, CMD) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const xen = !args.includes("--no-xen");
  const kernel = args.includes("--kernel") ? args[args.indexOf("--kernel") + 1]! : "lpae";
  const runs = Number(args[args.indexOf("--runs") + 1]) || 1;
  const side = sides(xen, kernel);
  const h: HypwasmBoot[] = [];
  const q: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await side.hypwasm();
    if (r.code !== 0 || r.insns < 0 || r.markerMs < 0)
      throw new Error(`hypwasm boot failed (exit ${r.code})`);
    h.push(r);
    const qr = await side.qemu();
    if (qr.markerMs < 0) throw new Error("qemu boot did not reach the marker");
    q.push(qr.markerMs);
  }
  const hm = Math.min(...h.map((x) => x.markerMs));
  const qm = Math.min(...q);
  const insns = [...new Set(h.map((x) => x.insns))];
  const pl = h[0]!.plInsns;
  const r = {
    boot: xen ? "xen+dom0" : "linux",
    kernel,
    runs,
    hypwasmMarkerMs: hm,
    qemuMarkerMs: qm,
    ratio: hm / qm,
    hypwasmInsnsToPoweroff: insns,
    hypwasmInsnsByPl: pl ? { pl0: pl[0], pl1: pl[1], pl2: pl[2] } : null,
  };
  if (args.includes("--json")) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  const what = xen ? `Xen 4.17 + dom0 (${kernel})` : `Linux (${kernel})`;
  console.log(`${what} to the shell's ready marker, best of ${runs}:`);
  console.log(
    `  hypwasm ${(hm / 1000).toFixed(2)} s   qemu ${(qm / 1000).toFixed(2)} s   hypwasm/qemu ${r.ratio.toFixed(1)}x`,
  );
  console.log(
    `  hypwasm guest instructions, boot to power-off: ${insns.join(", ")}${insns.length > 1 ? " (NOT deterministic!)" : ""}`,
  );
  if (pl) console.log(`    by privilege level: PL0 ${pl[0]}  PL1 ${pl[1]}  PL2 (Hyp) ${pl[2]}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
