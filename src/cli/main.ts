#!/usr/bin/env node
// The hypwasm command line's entry. A command that runs guest code with the JIT in its
// default mode (on: compiled in a worker) starts the compile worker first, so that
// binaryen loads there while the commands' modules load here (compiled code ~0.2 s
// sooner); then the commands run.

import { startEarly } from "../../jit/spawn.js";

const [command, ...args] = process.argv.slice(2);
const i = args.findIndex((a) => a === "--jit" || a.startsWith("--jit="));
const jit = i < 0 ? "on" : args[i] === "--jit" ? args[i + 1] : args[i]!.slice("--jit=".length);
if ((command === "boot" || command === "run") && jit === "on") startEarly();
await import("./commands.js");
