// `hypwasm boot`: Xen 4.17 with a Linux dom0 on the virt board with the Virtualization
// Extensions, loaded as QEMU's `-kernel xen -device guest-loader,...` does (loader/xen.ts);
// `hypwasm boot --no-xen`: a Linux kernel alone with the Linux boot protocol. The console
// is the PL011 in both cases (Xen's, which it shares with dom0's hvc0).
//
// Console modes:
//   - interactive (stdin is a TTY, no --cmd): the terminal in raw mode, keys go to the
//     UART; as with qemu -nographic, Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A Ctrl-A
//     sends one Ctrl-A (so Xen's console switch, Ctrl-A three times, is Ctrl-A Ctrl-A
//     typed three times);
//   - piped (stdin not a TTY, no --cmd): stdin bytes go to the UART as they come;
//   - scripted (--cmd "..."): when the shell prompt appeared (some console output ended
//     in "# " or "$ ") and the guest then printed nothing for a while, the commands are typed
//     as one line; at the next prompt `poweroff -f` is typed, and the run ends when the
//     guest powers off (PSCI SYSTEM_OFF: dom0's power-off makes Xen halt the machine) or
//     POWEROFF_GRACE instructions later.
// Host input enters the UART one receive FIFO (16 bytes) at a time, once the guest has
// read the previous one: Xen moves what it reads into a 128-byte ring for dom0 and
// drops what does not fit, so a faster line would lose typed text.
// The console is copied to stdout in all modes.

import { readFileSync, writeFileSync } from "node:fs";
import { type JitCliOptions, jitFromOptions, jitStatsLine } from "../../jit/cli.js";
import type { VirtualClock } from "../../runtime/clock.js";
import { HypercallTrace } from "../bench/hypercalls.js";
import { decodeFdt, encodeFdt, FdtError } from "../board/fdt.js";
import { applyChosen, type ChosenOptions, VIRT_FDT_SIZE, VirtBoard } from "../board/virt.js";
import { FetchError, fetchImages, imagePath } from "../images/fetch.js";
import { bootLinux, inspectKernel, LinuxBootError, linuxLayout } from "../loader/linux.js";
import { bootXen, dom0Modules } from "../loader/xen.js";
import { mainThreadLine, runStatsLine } from "./stats.js";

export interface BootCliOptions extends JitCliOptions {
  xen: boolean;
  kernel?: string;
  initrd?: string;
  append?: string;
  xenImage?: string;
  dom0Kernel?: string;
  xenArgs?: string;
  dom0Args?: string;
  mem?: number;
  dtb?: string;
  dumpDtb?: string;
  cmd?: string;
  maxInsns?: number;
  rtc?: string;
  stats?: boolean;
  /** What to trace: "hypercalls" (src/bench/hypercalls.ts), into traceFile. */
  trace?: string;
  traceFile?: string;
}

/** Where --trace hypercalls writes by default. */
export const DEFAULT_TRACE_FILE = "hypercalls.trace";

/**
 * Xen's default command line: the reference recipe's (dom0 gets 256 MiB, Xen's console
 * on the PL011) with Xen's and the guests' messages at every level, as the reference
 * boot logs them, so a boot can be compared with QEMU's line by line. Nothing is needed
 * for determinism: Xen's time and randomness come from the generic timer, which counts
 * virtual time.
 */
export const DEFAULT_XEN_ARGS =
  "dom0_mem=256M console=dtuart dtuart=/pl011@9000000 loglvl=all guest_loglvl=all";
/** dom0's default command line: its console is Xen's (hvc0); the initramfs needs nothing. */
export const DEFAULT_DOM0_ARGS = "console=hvc0";
/** Linux's default command line without Xen. */
export const DEFAULT_LINUX_ARGS = "console=ttyAMA0";
/** Default RAM: the reference boots' (Xen + dom0: 1 GiB; Linux alone: 512 MiB). */
export const DEFAULT_MEM_XEN = 1024;
export const DEFAULT_MEM_LINUX = 512;
/** The cached dom0 kernels --dom0-kernel may name. */
const DOM0_KERNELS = ["lpae", "armmp"];

class BootFail extends Error {}

/** Instructions per run slice between console/device/input work. */
const SLICE = 200_000;
/** Quiet slices (no console output) before a prompt at the end of the output counts. */
const PROMPT_QUIET_SLICES = 2;
/** Instructions allowed after `poweroff -f` before we stop anyway. */
const POWEROFF_GRACE = 2_000_000_000;
/** The interactive console's escape keys (Ctrl-A h). */
export const ESCAPE_HELP =
  "\nC-a h    print this help\nC-a x    exit emulator\nC-a C-a  sends C-a (Xen's console switch: C-a C-a three times)\n";
/** Host bytes handed to the UART at a time: its receive FIFO's depth. */
const INPUT_CHUNK = 16;
// A shell prompt at the end of the output; busybox ash may follow it with a cursor
// position query (ESC [ 6 n) when the console looks like a terminal.
const PROMPT_RE = new RegExp(`[#$] (${String.fromCharCode(27)}\\[6n)?$`);

function readInput(what: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BootFail(
      `cannot read ${what} '${path}': ${err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message}`,
    );
  }
}

function parseRtc(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === "host") return Math.floor(Date.now() / 1000);
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new BootFail(`--rtc: expected 'host' or seconds since 1970, got '${v}'`);
  return n;
}

/** Run the boot command; returns the process exit code. */
export async function bootMain(o: BootCliOptions): Promise<number> {
  try {
    return await boot(o);
  } catch (e) {
    if (e instanceof BootFail || e instanceof LinuxBootError || e instanceof FdtError) {
      process.stderr.write(`hypwasm: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Fetch the guest images into the cache on first use; `name` is an image's short name. */
function cachedImage(name: string): string {
  try {
    fetchImages({ log: (l) => process.stderr.write(`hypwasm: ${l}\n`) });
    return imagePath(name);
  } catch (e) {
    if (e instanceof FetchError) throw new BootFail(e.message);
    throw e;
  }
}

/** Reject the options that belong to the other kind of boot. */
function checkOptionMix(o: BootCliOptions): void {
  const set = (names: [keyof BootCliOptions, string][]) =>
    names.filter(([k]) => o[k] !== undefined).map(([, flag]) => flag);
  if (o.xen) {
    const wrong = set([
      ["kernel", "--kernel"],
      ["append", "--append"],
    ]);
    if (wrong.length)
      throw new BootFail(
        `${wrong.join(" and ")}: only with --no-xen (dom0's kernel and command line are --dom0-kernel and --dom0-args)`,
      );
  } else {
    const wrong = set([
      ["xenImage", "--xen-image"],
      ["dom0Kernel", "--dom0-kernel"],
      ["xenArgs", "--xen-args"],
      ["dom0Args", "--dom0-args"],
      ["trace", "--trace"],
    ]);
    if (wrong.length)
      throw new BootFail(`${wrong.join(" and ")}: not with --no-xen (Linux alone: --kernel, --append)`);
  }
}

async function boot(o: BootCliOptions): Promise<number> {
  checkOptionMix(o);
  if (o.trace !== undefined && o.trace !== "hypercalls")
    throw new BootFail(`--trace: unknown trace '${o.trace}' (known: hypercalls)`);
  if (o.traceFile !== undefined && o.trace === undefined)
    throw new BootFail("--trace-file: only with --trace");
  const mem = o.mem ?? (o.xen ? DEFAULT_MEM_XEN : DEFAULT_MEM_LINUX);
  if (mem > 3072) throw new BootFail("--mem: at most 3072 MiB (RAM window 0x40000000-0xffffffff)");
  const rtcEpoch = parseRtc(o.rtc);
  const userDtb = o.dtb ? readInput("device tree", o.dtb) : undefined;

  const out: number[] = [];
  const board = new VirtBoard({ memMiB: mem, console: (b) => out.push(b), rtcEpoch, virtualization: o.xen });
  const m = board.machine;
  const jit = await jitFromOptions(m.interp, o); // (issue 5)

  const makeDtb = (chosen: ChosenOptions): Uint8Array => {
    if (userDtb) {
      const blob = decodeFdt(userDtb);
      applyChosen(blob.root.child("chosen"), chosen);
      return encodeFdt(blob.root, {
        memReserve: blob.memReserve,
        bootCpuId: blob.bootCpuId,
        minSize: new DataView(userDtb.buffer, userDtb.byteOffset).getUint32(4),
      });
    }
    return encodeFdt(board.deviceTree(chosen), { minSize: VIRT_FDT_SIZE });
  };
  const writeDtb = (dtb: Uint8Array): number => {
    try {
      writeFileSync(o.dumpDtb!, dtb);
    } catch (e) {
      throw new BootFail(`cannot write '${o.dumpDtb}': ${(e as Error).message}`);
    }
    process.stderr.write(`hypwasm: device tree written to ${o.dumpDtb}\n`);
    return 0;
  };

  if (o.xen) {
    const dom0Path =
      o.dom0Kernel === undefined || DOM0_KERNELS.includes(o.dom0Kernel)
        ? cachedImage(o.dom0Kernel ?? "lpae")
        : o.dom0Kernel;
    const xen = readInput("Xen image", o.xenImage ?? cachedImage("xen"));
    const dom0Kernel = readInput("dom0 kernel", dom0Path);
    const dom0Initrd = readInput("initrd", o.initrd ?? cachedImage("initramfs"));
    // An empty command line means none (no bootargs property), as with QEMU.
    const xenArgs = (o.xenArgs ?? DEFAULT_XEN_ARGS) || undefined;
    const dom0Args = (o.dom0Args ?? DEFAULT_DOM0_ARGS) || undefined;
    const dtb = (modules: ChosenOptions["modules"]) => makeDtb({ bootargs: xenArgs, modules });
    if (o.dumpDtb) return writeDtb(dtb(dom0Modules(dom0Kernel.length, dom0Initrd.length, dom0Args)));
    bootXen(m.bus, m.cpu, { xen, dom0Kernel, dom0Initrd, dom0Args, dtb });
  } else {
    if (!o.kernel && !o.dumpDtb) {
      // The default guest: Debian's armmp-lpae kernel and our busybox initramfs.
      o.kernel = cachedImage("lpae");
      o.initrd ??= imagePath("initramfs");
      o.append ??= DEFAULT_LINUX_ARGS;
    }
    const kernel = o.kernel ? readInput("kernel", o.kernel) : undefined;
    const initrd = o.initrd ? readInput("initrd", o.initrd) : undefined;
    const linuxDtb = (l?: { initrdStart: number; initrdEnd: number }) =>
      makeDtb({
        bootargs: o.append || undefined,
        initrd: l && initrd?.length ? { start: l.initrdStart, end: l.initrdEnd } : undefined,
      });
    if (o.dumpDtb) {
      if (!kernel && !initrd?.length) return writeDtb(linuxDtb());
      const kernelSize = kernel ? inspectKernel(kernel).size : 0;
      const l = linuxLayout(board.ramBase, board.ramSize, kernelSize, initrd?.length ?? 0, linuxDtb().length);
      return writeDtb(linuxDtb(l));
    }
    bootLinux(m.bus, m.cpu, { kernel: kernel!, initrd, dtb: linuxDtb });
  }

  const trace = o.trace ? new HypercallTrace(m.cpu, o.traceFile ?? DEFAULT_TRACE_FILE) : null;
  const console = new ConsoleDriver(board, o.cmd);
  // a user at a terminal: idle guest time passes in real time (no busy host core, a
  // guest clock that keeps pace); scripted and piped runs stay deterministic
  m.interp.realTimeIdle = o.cmd === undefined && process.stdin.isTTY === true;
  const t0 = performance.now();
  let stopped: "halt" | "max" | "quit" | "grace" | "idle" = "halt";
  try {
    let steps = 0;
    for (;;) {
      if (m.interp.idleHalt) {
        // The guest waits for an interrupt that only the host side can cause (input).
        m.interp.idleHalt = false;
        m.cpu.halted = false;
        if (!(await console.idle(m.cpu.icount, m.cpu.clock))) {
          stopped = console.quitting ? "quit" : "idle";
          break;
        }
      }
      if (m.cpu.halted) break;
      if (o.maxInsns !== undefined && steps >= o.maxInsns) {
        stopped = "max";
        break;
      }
      const n = o.maxInsns !== undefined ? Math.min(SLICE, o.maxInsns - steps) : SLICE;
      steps += m.interp.run(n);
      board.poll();
      const wrote = out.length > 0;
      if (wrote) {
        console.output(Uint8Array.from(out));
        out.length = 0;
      }
      const s = console.afterSlice(wrote, m.cpu.icount);
      if (s) {
        stopped = s;
        break;
      }
      if (console.needsEvents) await new Promise((r) => setImmediate(r));
    }
  } finally {
    console.close();
    trace?.close();
  }
  if (trace) process.stderr.write(`hypwasm: ${trace.calls} hypercalls traced to ${trace.path}\n`);
  const ms = performance.now() - t0;
  if (o.stats) {
    process.stderr.write(`${runStatsLine(m, ms)}\n`);
    const [pl0, pl1, pl2] = m.cpu.plInsns;
    process.stderr.write(`hypwasm: instructions by privilege level: PL0 ${pl0} PL1 ${pl1} PL2 ${pl2}\n`);
    // resourceUsage's maxRSS is in KiB
    process.stderr.write(`hypwasm: peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`);
    const main = mainThreadLine();
    if (main) process.stderr.write(`${main}\n`);
    if (jit) process.stderr.write(`${jitStatsLine(jit)}\n`);
  }
  if (stopped === "max") {
    process.stderr.write(`\nhypwasm: stopped after ${m.cpu.icount} instructions (--max-insns)\n`);
    return 3;
  }
  if (stopped === "grace") {
    process.stderr.write("\nhypwasm: the guest did not power off after `poweroff -f`; stopped\n");
    return 0;
  }
  if (stopped === "quit") return 0;
  if (stopped === "idle") {
    process.stderr.write("\nhypwasm: the guest waits for an interrupt that can never come; stopped\n");
    return 0;
  }
  return m.cpu.exitCode;
}

/** The host side of the PL011: terminal, pipe or script. */
class ConsoleDriver {
  /** True when stdin events must be able to run between slices. */
  readonly needsEvents: boolean;
  private raw = false;
  private escape = false;
  private quit = false;
  private tail = "";
  private sawPrompt = false;
  private quiet = 0;
  private phase: "wait-prompt" | "wait-result" | "poweroff" = "wait-prompt";
  private poweroffAt = 0;
  private readonly onData = (d: Buffer) => {
    this.input(d);
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake?.();
  };
  /** stdin reached its end. */
  private ended = false;
  /** Set when a scripted line was typed (idle() reports progress with it). */
  private typed = false;
  /** Host bytes not yet handed to the UART (see INPUT_CHUNK). */
  private readonly pending: number[] = [];
  private wake: (() => void) | null = null;

  constructor(
    private readonly board: VirtBoard,
    private readonly cmd: string | undefined,
  ) {
    const stdin = process.stdin;
    this.needsEvents = cmd === undefined;
    if (cmd === undefined) {
      if (stdin.isTTY) {
        stdin.setRawMode(true);
        this.raw = true;
      }
      stdin.on("data", this.onData);
      stdin.on("end", this.onEnd);
      stdin.on("close", this.onEnd);
      stdin.resume();
    }
  }

  output(bytes: Uint8Array): void {
    process.stdout.write(bytes);
    if (this.cmd === undefined) return;
    this.tail = (this.tail + Buffer.from(bytes).toString("latin1")).slice(-256);
    // A prompt ended some output: kernel messages printed after it do not hide it.
    if (PROMPT_RE.test(this.tail)) this.sawPrompt = true;
  }

  /**
   * The guest is idle with no event ahead: wait for host input (interactive, piped), or
   * type the next scripted line. False: nothing can wake the guest any more.
   */
  async idle(icount: number, clock: VirtualClock): Promise<boolean> {
    if (this.feed()) return true;
    if (this.cmd !== undefined) {
      if (this.phase === "poweroff") return false;
      this.quiet = PROMPT_QUIET_SLICES;
      this.typed = false;
      this.afterSlice(false, icount);
      return this.typed;
    }
    // Interactive: the guest's idle time passes in real time, until its next timer event
    // or host input (Interpreter.realTimeIdle); with no event ahead, only input can wake it.
    const d = clock.nextDeadline() - clock.now();
    if (this.quit || (this.ended && d === Number.POSITIVE_INFINITY)) return false;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      if (d !== Number.POSITIVE_INFINITY) timer = setTimeout(resolve, Math.max(0, d / 1e6));
    });
    clearTimeout(timer);
    this.wake = null;
    clock.idleAdvance((performance.now() - t0) * 1e6);
    this.feed();
    return !this.quit;
  }

  /** The user asked to quit (Ctrl-A x). */
  get quitting(): boolean {
    return this.quit;
  }

  /** Called after each slice; returns a reason to stop, if any. */
  afterSlice(wrote: boolean, icount: number): "quit" | "grace" | undefined {
    if (this.quit) return "quit";
    this.feed();
    if (this.cmd === undefined) return undefined;
    this.quiet = wrote ? 0 : this.quiet + 1;
    if (this.phase === "poweroff") return icount - this.poweroffAt > POWEROFF_GRACE ? "grace" : undefined;
    if (this.quiet < PROMPT_QUIET_SLICES || !this.sawPrompt) return undefined;
    if (this.phase === "wait-prompt") {
      this.type(`${this.cmd}\n`);
      this.phase = "wait-result";
    } else {
      this.type("poweroff -f\n");
      this.phase = "poweroff";
      this.poweroffAt = icount;
    }
    return undefined;
  }

  private type(s: string): void {
    this.typed = true;
    this.tail = "";
    this.sawPrompt = false;
    this.quiet = 0;
    for (const b of Buffer.from(s, "utf8")) this.pending.push(b);
    this.feed();
  }

  /** Hand the UART the next chunk of host input once it has none left; true if it did. */
  private feed(): boolean {
    if (!this.pending.length || this.board.uart.pendingInput) return false;
    this.board.uart.receive(this.pending.splice(0, INPUT_CHUNK));
    return true;
  }

  private input(d: Buffer): void {
    for (const b of d) {
      if (!this.raw) this.pending.push(b);
      else if (this.escape) {
        this.escape = false;
        if (b === 0x78 || b === 0x58) {
          this.quit = true;
          process.stderr.write("\nhypwasm: terminated\n"); // the TTY keeps ONLCR in raw mode
        } else if (b === 0x68 || b === 0x48) process.stderr.write(ESCAPE_HELP);
        else if (b === 0x01) this.pending.push(0x01);
      } else if (b === 0x01) this.escape = true;
      else this.pending.push(b);
    }
  }

  close(): void {
    if (this.cmd !== undefined) return;
    const stdin = process.stdin;
    stdin.off("data", this.onData);
    stdin.off("end", this.onEnd);
    stdin.off("close", this.onEnd);
    if (this.raw) stdin.setRawMode(false);
    stdin.destroy(); // nothing more to read; must not keep the process alive
  }
}
