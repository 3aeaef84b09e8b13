// Random instruction streams on QEMU and hypwasm, compared after every unit.
// A group is tested here once its generator exists AND its instructions are
// implemented: keep this list explicit (add your group when it passes).

import { describe, expect, it } from "vitest";
import type { JitMode } from "../../jit/jit.js";
import { formatSummary, runDifftest, type StreamKind } from "../../src/difftest/index.js";

const ENABLED: Record<StreamKind, string[]> = {
  arm: ["dp", "branch", "mul", "media", "ldst", "system"],
  thumb: ["thumb16", "thumb32", "thumb_it", "thumb_branch", "thumb_ldst", "thumb_media"],
  vfp: ["vfp"],
  thumb_vfp: ["thumb_vfp"],
  neon: ["neon"],
  thumb_neon: ["thumb_neon"],
};

/** Streams per kind and their length (keep the suite's runtime modest). */
const STREAMS = 2000;
/** (issue 7) The Advanced SIMD kinds run fewer streams (BigInt element loops; ~20 s each for three modes). */
const STREAMS_OF: Partial<Record<StreamKind, number>> = { neon: 1000, thumb_neon: 1000 };
const LENGTH = 16;
const SEED = 20240601;
/** (issue 5) Every image runs on the interpreter alone and with the JIT (hot blocks; every block). */
const JIT_MODES: JitMode[] = ["off", "on", "always"];

describe("random differential streams", () => {
  for (const [kind, groups] of Object.entries(ENABLED) as [StreamKind, string[]][]) {
    it.skipIf(groups.length === 0)(
      `${kind}: ${groups.join(", ") || "(no groups yet)"}`,
      async () => {
        const s = await runDifftest({
          kinds: [kind],
          seed: SEED,
          count: STREAMS_OF[kind] ?? STREAMS,
          length: LENGTH,
          groups,
          jit: JIT_MODES,
        });
        const bad = s.mismatches.length + s.errors.length;
        expect(bad, formatSummary(s)).toBe(0);
        expect(s.records).toBeGreaterThan(STREAMS_OF[kind] ?? STREAMS);
      },
      240_000,
    );
  }
});
