// Boot benchmark: time from start to the shell's ready marker for Debian's Linux on
// hypwasm and on qemu-system-arm, side by side in the same run, plus the guest
// instructions hypwasm executed (deterministic: the same on every run).
//
//   node dist/bench/boot.js [--kernel lpae|armmp] [--runs N] [--json]

import { spawn } from "node:child_process";
import { imagePath } from "../src/images/fetch.js";
import { bootQemuLinux, READY_RE } from "../src/reference/qemu-linux.js";

const CLI = new URL("../src/cli/main.js", import.meta.url).pathname;

interface HypwasmBoot {
  markerMs: number;
  totalMs: number;
  insns: number;
}

function bootHypwasm(kernel: string): Promise<HypwasmBoot> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(
      "node",
      [CLI, "boot", "--no-xen", "--kernel", imagePath(kernel), "--initrd", imagePath("initramfs")].concat([
        "--append",
        "console=ttyAMA0",
        "--cmd",
        "echo hello",
        "--stats",
      ]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    let markerMs = -1;
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (markerMs < 0 && READY_RE.test(out)) markerMs = performance.now() - t0;
    });
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString("latin1");
    });
    p.on("close", (code) => {
      const m = /hypwasm: (\d+) instructions/.exec(err);
      if (code !== 0 || !m || markerMs < 0) reject(new Error(`hypwasm boot failed (exit ${code}):\n${err}`));
      else resolve({ markerMs, totalMs: performance.now() - t0, insns: Number(m[1]) });
    });
  });
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
