// A32 B and BL, forward within the stream (random conditions).

import { registerGen } from "./index.js";
import { randCond } from "./types.js";

registerGen({
  name: "branch",
  isa: "arm",
  weight: 1,
  gen(rng) {
    const cond = randCond(rng);
    const link = rng.int(2);
    const head = ((cond << 28) | (0b101 << 25) | (link << 24)) >>> 0;
    return {
      words: [head],
      branch: {
        skip: rng.chance(0.5) ? 0 : rng.int(4),
        encode: (offset) => (head | (((offset - 8) >> 2) & 0xffffff)) >>> 0,
      },
    };
  },
});
