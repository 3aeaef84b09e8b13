// The prepared copy of binaryen (jit/binaryen.ts) against the npm package itself: the same
// wasm inside, and the same output for the same module built with both.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import original from "binaryen";
import { describe, expect, it } from "vitest";
import prepared, { binaryenSource, prepareBinaryen } from "../../jit/binaryen.js";

/** A function using a spread of binaryen's API (control flow, memory, SIMD, a tail call), emitted as binary and text. */
function build(b: typeof original): { binary: Uint8Array; text: string } {
  const m = new b.Module();
  try {
    m.setFeatures(b.Features.MVP | b.Features.TailCall | b.Features.SIMD128 | b.Features.SignExt);
    m.setMemory(1, -1, null, [], false, false, "mem");
    const i32 = b.i32;
    const get = (i: number) => m.local.get(i, i32);
    m.addFunction(
      "f",
      b.createType([i32, i32]),
      i32,
      [i32, b.v128],
      m.block(null, [
        m.loop(
          "l",
          m.block(null, [
            m.local.set(2, m.i32.add(get(2), m.i32.load8_s(3, 1, get(0)))),
            m.v128.store(0, 16, get(0), m.i32x4.splat(get(2))),
            m.br("l", m.i32.lt_u(get(2), get(1))),
          ]),
        ),
        m.return_call("f", [get(2), m.i32.extend8_s(get(1))], i32),
      ]),
    );
    m.addFunctionExport("f", "f");
    if (!m.validate()) throw new Error("module does not validate");
    m.optimize();
    return { binary: m.emitBinary(), text: m.emitText() };
  } finally {
    m.dispose();
  }
}

describe("binaryen, prepared", () => {
  it("is loaded from the prepared copy here (node_modules is writable)", () => {
    expect(binaryenSource).toBe("prepared");
  });

  it("builds, optimizes and emits exactly what the package does", () => {
    const a = build(original);
    const b = build(prepared);
    expect(b.text).toBe(a.text);
    expect(Buffer.from(b.binary).equals(Buffer.from(a.binary))).toBe(true);
    expect(a.text).toContain("return_call");
  });

  it("holds the package's wasm binary byte for byte, read from the package's own decoder", async () => {
    const source = readFileSync(createRequire(import.meta.url).resolve("binaryen"), "utf8");
    const p = prepareBinaryen(source);
    expect(p).not.toBeNull();
    // the package's module compiles its binary with WebAssembly.instantiate: catch the bytes there
    const seen: Uint8Array[] = [];
    const instantiate = WebAssembly.instantiate;
    WebAssembly.instantiate = ((bytes: BufferSource, imports?: WebAssembly.Imports) => {
      if (bytes instanceof Uint8Array) seen.push(bytes);
      return instantiate(bytes, imports);
    }) as typeof WebAssembly.instantiate;
    try {
      await import(`${createRequire(import.meta.url).resolve("binaryen")}?again`);
    } finally {
      WebAssembly.instantiate = instantiate;
    }
    expect(seen.length).toBe(1);
    expect(Buffer.from(p!.wasm).equals(Buffer.from(seen[0]!))).toBe(true);
  });

  it("gives up on a module of another shape (the package is then imported as is)", () => {
    expect(prepareBinaryen("export default 1;")).toBeNull();
    expect(prepareBinaryen("const w = x6(`\\0asm unterminated")).toBeNull();
  });
});
