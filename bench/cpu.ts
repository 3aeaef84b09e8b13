// CPU benchmark: guest MIPS of the interpreter tier on the integer, memory, VFP and NEON
// hot-loop fixtures, side by side with qemu-system-arm running the same ELF files in
// the same run. Both execute the same guest program, so the instruction count that
// hypwasm retires (deterministic) is QEMU's too; QEMU's time excludes its start-up,
// measured on the hello fixture.
//
//   node dist/bench/cpu.js [--runs N] [--json] [--no-qemu]

import { execFileSync } from "node:child_process";
import { runHotLoop } from "../src/bench/suite.js";
import { QEMU } from "../src/difftest/run.js";
import { FIXTURES, fx, requireFixtures, runQemu } from "./fixtures.js";

interface Row {
  fixture: string;
  insns: number;
  exit: number;
  hypwasmMs: number;
  hypwasmMips: number;
  qemuMs?: number;
  qemuMips?: number;
  ratio?: number;
}

function main(): void {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 3;
  const json = args.includes("--json");
  const withQemu = !args.includes("--no-qemu");
  requireFixtures();
  let qemuVersion = "";
  if (withQemu) qemuVersion = execFileSync(QEMU, ["--version"]).toString().split("\n")[0]!;
  const startup = withQemu ? Math.min(...Array.from({ length: runs }, () => runQemu(fx("hello")).ms)) : 0;
  const rows: Row[] = [];
  for (const f of FIXTURES) {
    const hs = Array.from({ length: runs }, () => runHotLoop(f));
    const h = hs.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const row: Row = {
      fixture: f,
      insns: h.insns,
      exit: h.exit,
      hypwasmMs: h.ms,
      hypwasmMips: h.insns / h.ms / 1000,
    };
    if (withQemu) {
      const qs = Array.from({ length: runs }, () => runQemu(fx(f)));
      const q = qs.reduce((a, b) => (a.ms <= b.ms ? a : b));
      // the figures count only if the guest computed what it computes on QEMU
      const differs = [
        q.exit !== h.exit ? `exit status (qemu ${q.exit}, hypwasm ${h.exit})` : "",
        q.stdout !== h.stdout ? "stdout" : "",
        q.stderr !== h.stderr ? "stderr" : "",
      ].filter(Boolean);
      if (differs.length) {
        console.error(`bench: ${f}: differs from QEMU: ${differs.join(", ")}`);
        process.exitCode = 1;
      }
      row.qemuMs = Math.max(q.ms - startup, 1);
      row.qemuMips = h.insns / row.qemuMs / 1000;
      row.ratio = row.hypwasmMips / row.qemuMips;
    }
    rows.push(row);
  }
  if (json) {
    console.log(JSON.stringify({ runs, qemuVersion, qemuStartupMs: startup, rows }, null, 2));
    return;
  }
  console.log(`best of ${runs} runs; QEMU start-up (${startup.toFixed(0)} ms, hello fixture) subtracted`);
  console.log("fixture      guest insns   hypwasm ms  hypwasm MIPS   qemu ms  qemu MIPS  hypwasm/qemu");
  for (const r of rows)
    console.log(
      `${r.fixture.padEnd(11)} ${String(r.insns).padStart(12)} ${r.hypwasmMs.toFixed(0).padStart(12)} ${r.hypwasmMips
        .toFixed(1)
        .padStart(
          13,
        )} ${(r.qemuMs?.toFixed(0) ?? "-").padStart(9)} ${(r.qemuMips?.toFixed(1) ?? "-").padStart(10)} ${(
        r.ratio?.toFixed(3) ?? "-"
      ).padStart(13)}`,
    );
}

main();
