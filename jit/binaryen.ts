// binaryen, loaded fast. The npm package is one 15 MB ES module with its 10 MB wasm
// binary inside a template literal: V8 scans that literal when it parses the module and
// again when it compiles the function holding it, then a loop turns the string into bytes.
// Importing it took ~280 ms, most of the time the compile worker needs before it can
// build the first module while the guest is interpreted (the Linux boot's first module
// was installed at ~630 ms, after 20 M instructions; with this, at ~440 ms, after 3.7 M).
// So the first import makes a prepared copy
// beside node_modules (node_modules/.cache/hypwasm-binaryen: the module with the literal
// replaced by the bytes read from index.wasm there) and later imports load that (~70 ms).
// Anything unexpected (another packaging, no write access) falls back to the package.

import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type Binaryen from "binaryen";

/** The prepared module's text and wasm file for the package's index.js source, or null if its shape is not the expected one. */
export function prepareBinaryen(source: string): { js: string; wasm: Uint8Array } | null {
  // the call that decodes the literal: NAME(`\0asm...`)
  const call = /([A-Za-z_$][\w$]*)\(`\\0asm/.exec(source);
  if (call === null) return null;
  const open = call.index + call[1]!.length + 2;
  let close = open;
  for (;;) {
    const c = source.charCodeAt(close);
    if (Number.isNaN(c)) return null;
    if (c === 0x5c) close += 2;
    else if (c === 0x60) break;
    else close++;
  }
  if (source[close + 1] !== ")") return null;
  // the literal's value, as V8 reads it (escapes and line ends), then the package's own
  // decoding of each char to a byte
  const text = Function(`return \`${source.slice(open, close)}\`;`)() as string;
  const wasm = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    wasm[i] = (~c >> 8) & c;
  }
  if (!WebAssembly.validate(wasm)) return null;
  const head =
    'import { readFileSync as hypwasmRead } from "node:fs";\n' +
    'const hypwasmWasm = new Uint8Array(hypwasmRead(new URL("./index.wasm", import.meta.url)));\n';
  return { js: `${head}${source.slice(0, call.index)}hypwasmWasm${source.slice(close + 2)}`, wasm };
}

/** The prepared copy's index.js for the installed package (made now if missing or stale), or null. */
function preparedPath(): string | null {
  const original = createRequire(import.meta.url).resolve("binaryen");
  const st = statSync(original);
  const stamp = `${original} ${st.size} ${st.mtimeMs}\n`;
  const dir = join(dirname(dirname(original)), ".cache", "hypwasm-binaryen");
  const js = join(dir, "index.js");
  try {
    if (readFileSync(join(dir, "stamp"), "utf8") === stamp) return js;
  } catch {
    // not prepared yet
  }
  const prepared = prepareBinaryen(readFileSync(original, "utf8"));
  if (prepared === null) return null;
  mkdirSync(dir, { recursive: true });
  // (each file whole or absent for a concurrent reader: written aside, then renamed; the stamp last)
  const put = (name: string, data: string | Uint8Array) => {
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  };
  put("index.wasm", prepared.wasm);
  put("index.js", prepared.js);
  put("stamp", stamp);
  return js;
}

/** Where binaryen came from: the prepared copy or, failing that, the package itself. */
export let binaryenSource: "prepared" | "package" = "package";

async function load(): Promise<typeof Binaryen> {
  let path: string | null = null;
  try {
    path = preparedPath();
  } catch {
    // (a read-only node_modules, say)
  }
  if (path !== null) {
    try {
      const mod = (await import(pathToFileURL(path).href)) as { default: typeof Binaryen };
      binaryenSource = "prepared";
      return mod.default;
    } catch {
      // fall back to the package itself
    }
  }
  return (await import("binaryen")).default;
}

const binaryen: typeof Binaryen = await load();
/** binaryen's types, under the same name as the module object (as `import binaryen from "binaryen"` gives). */
declare namespace binaryen {
  type ExpressionRef = Binaryen.ExpressionRef;
  type FunctionRef = Binaryen.FunctionRef;
  type Module = Binaryen.Module;
  type Type = Binaryen.Type;
}
export default binaryen;
