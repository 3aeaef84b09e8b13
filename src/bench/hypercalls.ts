// Hypercalls seen from outside the core. Xen's arm32 ABI (xen/include/public/arch-arm.h):
// a guest at PL1 executes HVC #0xEA1 with the hypercall number in r12 and up to five
// arguments in r0-r4; Xen answers in r0 when it returns to the guest with ERET.
//
// watchHypercalls() wraps two methods of one Cpu instance (the core itself is unchanged):
//   - enterHyp: an HVC from PL0/PL1 arrives at the Hyp Trap vector with HSR.EC = 0x12
//     (B3.13.6) and HSR.ISS = the immediate: the call;
//   - regimeChanged: the core calls it whenever it leaves Hyp mode; the first time after
//     a call is Xen's ERET back to the guest: the return, with the result in r0.
// Between the two the guest is suspended: everything executed is Xen's work for the call
// (and, with several guests, possibly another guest's time slice).
// Instruction counts are exact at both points although the run loop adds to cpu.icount
// only at block ends: the clock's insnOffset() gives the instructions the current block
// retired before the executing instruction (runtime/clock.ts).

import { appendFileSync, writeFileSync } from "node:fs";
import { type Cpu, EC, HVEC } from "../cpu/cpu.js";
import { BANK, Mode } from "../cpu/state.js";

/** The HVC immediate Xen's hypercalls carry (XEN_HYPERCALL_TAG). */
export const XEN_HYPERCALL_TAG = 0xea1;

export interface HypercallEntry {
  /** HVC immediate (XEN_HYPERCALL_TAG for Xen's ABI). */
  imm: number;
  /** r12: the hypercall number. */
  nr: number;
  /** r0-r4. */
  args: number[];
  /** Address of the HVC instruction. */
  pc: number;
  /** Instructions retired before the HVC, in total and in Hyp mode (PL2). */
  icount: number;
  hypIcount: number;
  /** Host time (performance.now(), ms) at the HVC. */
  hostMs: number;
}

export interface HypercallExit {
  /** r0 at the return, as a signed value. */
  result: number;
  /**
   * Where the guest resumes (ELR_hyp at the ERET). The HVC's own address is a hypercall
   * continuation: Xen preempted the call (a multicall between its entries, a long
   * memory_op...) and the guest executes the same HVC again to go on with it.
   */
  resumeAt: number;
  /** Instructions retired up to and including the ERET back to the guest, total and in Hyp mode. */
  icount: number;
  hypIcount: number;
  hostMs: number;
}

export interface HypercallListener {
  call(e: HypercallEntry): void;
  /** The return of the call `e` (a call that never returns, such as a shutdown, has none). */
  ret(e: HypercallEntry, x: HypercallExit): void;
}

/** Watch the HVCs from PL0/PL1 on `cpu` and their returns; returns the function that stops it. */
export function watchHypercalls(cpu: Cpu, listener: HypercallListener): () => void {
  const enterHyp = cpu.enterHyp;
  const regimeChanged = cpu.regimeChanged;
  let pending: HypercallEntry | null = null;
  // Instructions the current block retired before the executing one.
  const offset = () => cpu.clock.insnOffset();
  cpu.enterHyp = (vec: number, elr: number, hsr: number | null): void => {
    if (vec === HVEC.TRAP && hsr !== null && hsr >>> 26 === EC.HVC) {
      const R = cpu.R;
      // The executing block is the guest's: its instructions so far are not Hyp ones.
      pending = {
        imm: hsr & 0xffff,
        nr: R[12]! >>> 0,
        args: [R[0]! >>> 0, R[1]! >>> 0, R[2]! >>> 0, R[3]! >>> 0, R[4]! >>> 0],
        pc: (elr - 4) >>> 0, // HVC is a 32-bit instruction in ARM and Thumb state
        icount: cpu.icount + offset(),
        hypIcount: cpu.plInsns[2]!,
        hostMs: performance.now(),
      };
      listener.call(pending);
    }
    enterHyp.call(cpu, vec, elr, hsr);
  };
  cpu.regimeChanged = (): void => {
    regimeChanged.call(cpu);
    if (pending === null || cpu.mode === Mode.HYP) return;
    // Leaving Hyp mode: the ERET executing now is a Hyp instruction (+1) and so were
    // the block's earlier ones.
    const e = pending;
    pending = null;
    const n = offset() + 1;
    listener.ret(e, {
      result: cpu.R[0]! | 0,
      resumeAt: cpu.W[BANK.HYP_R13 + 1]! >>> 0, // ELR_hyp (not banked away by leaving Hyp mode)
      icount: cpu.icount + n,
      hypIcount: cpu.plInsns[2]! + n,
      hostMs: performance.now(),
    });
  };
  return () => {
    cpu.enterHyp = enterHyp;
    cpu.regimeChanged = regimeChanged;
  };
}

// ---- names (xen/include/public: xen.h and the per-hypercall headers) -------------------

interface HypercallDef {
  name: string;
  /** Arguments the hypercall takes. */
  nargs: number;
  /** Names of the sub-operations selected by the first argument. */
  ops?: Record<number, string>;
  /** Bits of the first argument that select the sub-operation (memory_op keeps a continuation above). */
  opMask?: number;
}

const HYPERCALLS: Record<number, HypercallDef> = {
  7: { name: "platform_op", nargs: 1 },
  12: {
    name: "memory_op",
    nargs: 2,
    opMask: 0x3f,
    ops: {
      0: "increase_reservation",
      1: "decrease_reservation",
      2: "maximum_ram_page",
      3: "current_reservation",
      4: "maximum_reservation",
      6: "populate_physmap",
      7: "add_to_physmap",
      9: "memory_map",
      11: "exchange",
      14: "maximum_gpfn",
      15: "remove_from_physmap",
      23: "add_to_physmap_batch",
      28: "acquire_resource",
    },
  },
  13: { name: "multicall", nargs: 2 },
  15: { name: "set_timer_op", nargs: 2 },
  17: {
    name: "xen_version",
    nargs: 2,
    ops: {
      0: "version",
      1: "extraversion",
      2: "compile_info",
      3: "capabilities",
      4: "changeset",
      5: "platform_parameters",
      6: "get_features",
      7: "pagesize",
      8: "guest_handle",
      9: "commandline",
      10: "build_id",
    },
  },
  18: { name: "console_io", nargs: 3, ops: { 0: "write", 1: "read" } },
  20: {
    name: "grant_table_op",
    nargs: 3,
    ops: {
      0: "map_grant_ref",
      1: "unmap_grant_ref",
      2: "setup_table",
      3: "dump_table",
      4: "transfer",
      5: "copy",
      6: "query_size",
      7: "unmap_and_replace",
      8: "set_version",
      9: "get_status_frames",
      10: "get_version",
      11: "swap_grant_ref",
      12: "cache_flush",
    },
  },
  21: { name: "vm_assist", nargs: 2 },
  24: {
    name: "vcpu_op",
    nargs: 3,
    ops: {
      0: "initialise",
      1: "up",
      2: "down",
      3: "is_up",
      4: "get_runstate_info",
      5: "register_runstate_memory_area",
      6: "set_periodic_timer",
      7: "stop_periodic_timer",
      8: "set_singleshot_timer",
      9: "stop_singleshot_timer",
      10: "register_vcpu_info",
      11: "send_nmi",
      12: "get_physid",
      13: "register_vcpu_time_memory_area",
    },
  },
  27: { name: "xsm_op", nargs: 1 },
  29: {
    name: "sched_op",
    nargs: 2,
    ops: {
      0: "yield",
      1: "block",
      2: "shutdown",
      3: "poll",
      4: "remote_shutdown",
      5: "shutdown_code",
      6: "watchdog",
      7: "pin_override",
    },
  },
  30: { name: "callback_op", nargs: 2 },
  32: {
    name: "event_channel_op",
    nargs: 2,
    ops: {
      0: "bind_interdomain",
      1: "bind_virq",
      2: "bind_pirq",
      3: "close",
      4: "send",
      5: "status",
      6: "alloc_unbound",
      7: "bind_ipi",
      8: "bind_vcpu",
      9: "unmask",
      10: "reset",
      11: "init_control",
      12: "expand_array",
      13: "set_priority",
    },
  },
  33: { name: "physdev_op", nargs: 2 },
  34: { name: "hvm_op", nargs: 2, ops: { 0: "set_param", 1: "get_param" } },
  35: { name: "sysctl", nargs: 1 },
  36: { name: "domctl", nargs: 1 },
  37: { name: "kexec_op", nargs: 2 },
  39: { name: "argo_op", nargs: 5 },
  41: { name: "dm_op", nargs: 3 },
  42: { name: "hypfs_op", nargs: 5 },
};

/** Xen's error numbers (xen/include/public/errno.h), the ones a trace is likely to show. */
const ERRNO: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  4: "EINTR",
  5: "EIO",
  6: "ENXIO",
  7: "E2BIG",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  16: "EBUSY",
  17: "EEXIST",
  19: "ENODEV",
  22: "EINVAL",
  28: "ENOSPC",
  38: "ENOSYS",
  95: "EOPNOTSUPP",
};

/** The hypercall's name ("hypercall_N" when unknown). */
export function hypercallName(nr: number): string {
  return HYPERCALLS[nr]?.name ?? `hypercall_${nr}`;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/** "name(op, arg, ...)" with the sub-operation's name when known. */
export function formatCall(e: HypercallEntry): string {
  const d = HYPERCALLS[e.nr];
  if (!d) return `${hypercallName(e.nr)}(${e.args.map(hex).join(", ")})`;
  const args = e.args.slice(0, d.nargs).map(hex);
  const op = d.ops?.[e.args[0]! & (d.opMask ?? 0xffffffff)];
  if (op !== undefined && args.length > 0) {
    const cont = d.opMask !== undefined ? e.args[0]! & ~d.opMask : 0;
    args[0] = cont ? `${op}|${hex(cont)}` : op;
  }
  return `${d.name}(${args.join(", ")})`;
}

/** A result: negative values in Xen's errno range by name, others in hex and decimal. */
export function formatResult(r: number): string {
  if (r < 0 && r > -4096) return `${r} (${ERRNO[-r] ?? "E?"})`;
  return r >= 0 && r < 10 ? String(r) : `${hex(r)} (${r})`;
}

/**
 * `hypwasm boot --trace hypercalls`: one line per hypercall, written to `path`:
 *   <icount at the HVC> <name>(<args>) = <result>  insns=<HVC to ERET, inclusive> hyp=<of which in Hyp mode>
 * A call without a return (the guest's shutdown) ends in "= (no return)"; one that Xen
 * preempted, to be executed again from the same HVC (a continuation), in "= (continued)".
 */
export class HypercallTrace {
  /** Hypercalls seen. */
  calls = 0;
  private lines: string[] = [];
  private open: HypercallEntry | null = null;
  private readonly stop: () => void;

  constructor(
    cpu: Cpu,
    readonly path: string,
  ) {
    writeFileSync(
      path,
      "# hypwasm hypercall trace: icount at the HVC, call, result, guest instructions from the HVC to the\n" +
        "# ERET back (inclusive) and how many of them ran in Hyp mode\n",
    );
    this.stop = watchHypercalls(cpu, {
      call: (e) => {
        this.unanswered();
        this.open = e;
        this.calls++;
      },
      ret: (e, x) => {
        this.open = null;
        const tag = e.imm === XEN_HYPERCALL_TAG ? "" : ` [hvc #${hex(e.imm)}]`;
        // (a continuation's r0 is the argument the call goes on with, not a result)
        const result = x.resumeAt === e.pc ? "(continued)" : formatResult(x.result);
        this.add(
          `${e.icount} ${formatCall(e)}${tag} = ${result}  insns=${x.icount - e.icount} hyp=${x.hypIcount - e.hypIcount}`,
        );
      },
    });
  }

  private unanswered(): void {
    if (this.open) this.add(`${this.open.icount} ${formatCall(this.open)} = (no return)`);
    this.open = null;
  }

  private add(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= 4096) this.flush();
  }

  private flush(): void {
    if (this.lines.length) appendFileSync(this.path, `${this.lines.join("\n")}\n`);
    this.lines = [];
  }

  /** Stop tracing and write what is left. */
  close(): void {
    this.stop();
    this.unanswered();
    this.flush();
  }
}
