// The device tree writer/reader, and the virt board's tree against QEMU's: QEMU 7.2
// `-M virt,highmem=off -cpu cortex-a15 -m 512 -machine dumpdtb=...` with the same
// kernel, initrd and command line, and `-M virt,virtualization=on,gic-version=2,
// highmem=off -m 1024` with Xen's guest-loader modules. Every node and property QEMU
// writes must be in ours with the same value, except the intended differences listed
// below.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeFdt, encodeFdt, FDT_MAGIC, FdtError, FdtNode } from "../../src/board/fdt.js";
import { applyChosen, VIRT_FDT_SIZE, VirtBoard } from "../../src/board/virt.js";
import { linuxLayout } from "../../src/loader/linux.js";
import { DOM0_INITRD_ADDR, DOM0_KERNEL_ADDR, dom0Modules } from "../../src/loader/xen.js";

const dir = mkdtempSync(join(tmpdir(), "hypwasm-fdt-"));

/** Nodes QEMU has and our board intentionally does not (the board lacks the device). */
const OMITTED_NODES = [
  /^\/platform-bus@c000000$/, // no dynamic sysbus devices
  /^\/fw-cfg@9020000$/, // no fw_cfg
  /^\/virtio_mmio@a00[0-3][0-9a-f]00$/, // no virtio devices yet
  /^\/gpio-keys(\/|$)/, // no GPIO power key
  /^\/pl061@9030000$/, // no PL061 GPIO
  /^\/pcie@10000000$/, // no PCIe
  /^\/intc@8000000\/v2m@8020000$/, // no GICv2m MSI frame (no PCIe)
  /^\/flash@0$/, // no pflash
  /^\/pmu$/, // QEMU's is an empty node
];
/** Properties whose values intentionally differ (QEMU draws them at random; ours are fixed). */
const RANDOM_PROPS = ["/chosen:rng-seed", "/chosen:kaslr-seed"];

function walk(n: FdtNode, path: string, out: Map<string, FdtNode>): Map<string, FdtNode> {
  out.set(path || "/", n);
  for (const c of n.children) walk(c, `${path}/${c.name}`, out);
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("fdt writer", () => {
  it("round-trips through our reader and through dtc", () => {
    const root = new FdtNode("");
    root.u32("#address-cells", 2).str("model", "test").strList("compatible", "a,b", "c");
    root.child("node@1").u64("big", 0x123456789).flag("empty").u32("phandle", 7);
    root
      .child("node@1")
      .child("leaf")
      .set("raw", Uint8Array.from([1, 2, 3]));
    const blob = encodeFdt(root, { memReserve: [[0x40000000, 0x1000]], bootCpuId: 0 });
    const dv = new DataView(blob.buffer);
    expect(dv.getUint32(0)).toBe(FDT_MAGIC);
    expect(dv.getUint32(4)).toBe(blob.length);
    expect(dv.getUint32(20)).toBe(17); // version
    expect(dv.getUint32(24)).toBe(16); // last compatible version
    const back = decodeFdt(blob);
    expect(back.memReserve).toEqual([[0x40000000, 0x1000]]);
    expect(back.root.getStrings("compatible")).toEqual(["a,b", "c"]);
    expect(back.root.find("/node@1")!.getU32("big", 1)).toBe(0x23456789);
    expect(back.root.find("/node@1")!.get("empty")!.length).toBe(0);
    expect(Array.from(back.root.find("/node@1/leaf")!.get("raw")!)).toEqual([1, 2, 3]);
    // dtc decompiles it and recompiles it to the same tree
    const f = join(dir, "rt.dtb");
    writeFileSync(f, blob);
    const dts = execFileSync("dtc", ["-q", "-I", "dtb", "-O", "dts", f], { encoding: "utf8" });
    expect(dts).toMatch(/\/memreserve\/\s+0x0*40000000 0x0*1000;/);
    expect(dts).toMatch(/big = <0x01 0x23456789>;/);
    expect(dts).toMatch(/compatible = "a,b\\0c";/);
    const again = execFileSync("dtc", ["-q", "-I", "dtb", "-O", "dtb", f]);
    const rt = decodeFdt(new Uint8Array(again));
    expect(JSON.stringify(walkProps(rt.root))).toBe(JSON.stringify(walkProps(back.root)));
  });

  it("pads to minSize and rejects bad blobs", () => {
    const blob = encodeFdt(new FdtNode(""), { minSize: 4096 });
    expect(blob.length).toBe(4096);
    expect(() => decodeFdt(new Uint8Array(64))).toThrow(FdtError);
    const trunc = blob.slice(0, 48);
    expect(() => decodeFdt(trunc)).toThrow(FdtError);
  });
});

function walkProps(n: FdtNode): Record<string, Record<string, string>> {
  const m = walk(n, "", new Map());
  const r: Record<string, Record<string, string>> = {};
  for (const [p, node] of m) r[p] = Object.fromEntries(node.props.map((q) => [q.name, hex(q.value)]));
  return r;
}

/** QEMU 7.2's device tree for a -M option and boot arguments (-machine dumpdtb). */
function qemuDtb(machine: string, mem: number, args: string[]): Uint8Array {
  const qdtb = join(dir, `qemu-${machine.replace(/\W/g, "_")}.dtb`);
  const q = spawnSync(
    "qemu-system-arm",
    [
      "-M",
      machine,
      "-cpu",
      "cortex-a15",
      "-m",
      String(mem),
      "-display",
      "none",
      "-nic",
      "none",
      ...args,
    ].concat(["-machine", `dumpdtb=${qdtb}`]),
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(q.status, q.stderr).toBe(0);
  return new Uint8Array(readFileSync(qdtb));
}

/**
 * Every node and property of QEMU's tree is in ours with the same value, except the
 * intended differences; ours has nothing more; dtc accepts ours.
 */
function expectQemuTree(qemuBlob: Uint8Array, ours: Uint8Array): void {
  const qemu = decodeFdt(qemuBlob);
  // same total size as QEMU's blob (Linux reserves the whole blob)
  expect(ours.length).toBe(qemuBlob.length);
  const mine = decodeFdt(ours);
  expect(mine.memReserve).toEqual(qemu.memReserve);

  // dtc accepts ours with no complaint it does not make about QEMU's (guest-loader's
  // module@0x... nodes draw warnings in both)
  const dtc = (blob: Uint8Array, name: string) => {
    const f = join(dir, name);
    writeFileSync(f, blob);
    return spawnSync("dtc", ["-I", "dtb", "-O", "dts", "-o", "/dev/null", f], { encoding: "utf8" });
  };
  const d = dtc(ours, "ours.dtb");
  expect(d.status).toBe(0);
  expect(d.stderr.replaceAll("ours.dtb", "x")).toBe(
    dtc(qemuBlob, "qemu.dtb").stderr.replaceAll("qemu.dtb", "x"),
  );

  const qn = walk(qemu.root, "", new Map());
  const on = walk(mine.root, "", new Map());
  const missing: string[] = [];
  const diffs: string[] = [];
  for (const [path, qnode] of qn) {
    if (OMITTED_NODES.some((re) => re.test(path))) {
      expect(on.has(path), `${path} is listed as omitted but present`).toBe(false);
      continue;
    }
    const onode = on.get(path);
    if (!onode) {
      missing.push(path);
      continue;
    }
    for (const p of qnode.props) {
      const key = `${path}:${p.name}`;
      const v = onode.get(p.name);
      if (!v) diffs.push(`${key} missing`);
      else if (RANDOM_PROPS.includes(key)) {
        if (v.length !== p.value.length) diffs.push(`${key} length ${v.length} != ${p.value.length}`);
      } else if (hex(v) !== hex(p.value)) diffs.push(`${key}: ours ${hex(v)} qemu ${hex(p.value)}`);
    }
    for (const p of onode.props) if (!qnode.get(p.name)) diffs.push(`${path}:${p.name} is ours only`);
  }
  // the boot modules in QEMU's order (a module without a specific compatible string
  // would get its kind from its place)
  const modules = (t: FdtNode) => t.find("/chosen")!.children.map((c) => c.name);
  expect(modules(mine.root)).toEqual(modules(qemu.root));
  for (const path of on.keys()) if (!qn.has(path)) diffs.push(`${path}: node is ours only`);
  expect(missing).toEqual([]);
  expect(diffs).toEqual([]);
  // the omissions are all real: QEMU has every node we say we leave out
  for (const re of OMITTED_NODES)
    expect(
      [...qn.keys()].some((p) => re.test(p)),
      String(re),
    ).toBe(true);
}

describe("virt device tree vs QEMU's", () => {
  it("has QEMU's nodes and properties (minus the intended differences)", () => {
    // a small raw "kernel" and an initrd: /chosen gets bootargs and initrd addresses
    const kernel = join(dir, "k.bin");
    const initrd = join(dir, "initrd");
    writeFileSync(kernel, new Uint8Array(0x10000));
    writeFileSync(initrd, "0123456789abcdef0123");
    const append = "console=ttyAMA0 earlycon rdinit=/init";
    const qemu = qemuDtb("virt,highmem=off", 512, ["-kernel", kernel, "-initrd", initrd, "-append", append]);

    const board = new VirtBoard({ memMiB: 512, console: () => {} });
    const l = linuxLayout(board.ramBase, board.ramSize, 0x10000, 20, VIRT_FDT_SIZE);
    const ours = encodeFdt(
      board.deviceTree({ bootargs: append, initrd: { start: l.initrdStart, end: l.initrdEnd } }),
      { minSize: VIRT_FDT_SIZE },
    );
    expectQemuTree(qemu, ours);
  });

  it("with virtualization and Xen's boot modules: as QEMU's virtualization=on and guest-loader", () => {
    // Xen's image is loaded as a kernel; guest-loader adds /chosen/module@0x... nodes.
    const xen = join(dir, "xen.bin");
    const dom0 = join(dir, "dom0.bin");
    const initrd = join(dir, "dom0-initrd");
    writeFileSync(xen, new Uint8Array(0x20000));
    writeFileSync(dom0, new Uint8Array(0x12345));
    writeFileSync(initrd, "initrd bytes");
    const xenArgs = "dom0_mem=256M console=dtuart dtuart=/pl011@9000000";
    const dom0Args = "console=hvc0 foo=bar";
    const qemu = qemuDtb("virt,virtualization=on,gic-version=2,highmem=off", 1024, [
      "-kernel",
      xen,
      "-append",
      xenArgs,
      "-device",
      `guest-loader,addr=0x${DOM0_KERNEL_ADDR.toString(16)},kernel=${dom0},bootargs=${dom0Args}`,
      "-device",
      `guest-loader,addr=0x${DOM0_INITRD_ADDR.toString(16)},initrd=${initrd}`,
    ]);
    const board = new VirtBoard({ memMiB: 1024, console: () => {}, virtualization: true });
    const modules = dom0Modules(0x12345, 12, dom0Args);
    const ours = encodeFdt(board.deviceTree({ bootargs: xenArgs, modules }), { minSize: VIRT_FDT_SIZE });
    expectQemuTree(qemu, ours);
    // what the comparison relies on: QEMU's tree has the virtualization parts
    const q = decodeFdt(qemu).root;
    expect(q.find("/intc@8000000")!.getU32("reg", 13)).toBe(0x08040000); // GICV
    expect(q.find("/psci")!.getStrings("method")).toEqual(["smc"]);
    expect(q.find("/chosen/module@0x50000000")!.getStrings("bootargs")).toEqual([dom0Args]);
  });

  it("--dtb: applyChosen replaces the boot modules of a given tree", () => {
    const board = new VirtBoard({ memMiB: 1024, console: () => {}, virtualization: true });
    const tree = board.deviceTree({ modules: dom0Modules(100, 200, "a") });
    applyChosen(tree.find("/chosen")!, { modules: dom0Modules(300) });
    const mods = tree.find("/chosen")!.children;
    expect(mods.map((m) => m.name)).toEqual(["module@0x50000000"]);
    expect(mods[0]!.getU32("reg", 3)).toBe(300);
    expect(mods[0]!.get("bootargs")).toBeUndefined();
  });
});
