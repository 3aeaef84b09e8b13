// Registers every instruction definition and encoding, in a fixed order (opcode
// numbers follow registration order, and the generated interpreter depends on them).

import "./dp.js";
import "./branch.js";
import "./ldst.js";
import "./mul.js";
import "./thumb_defs.js";
import "./thumb16.js";
import "./thumb32.js";
import "./media.js";
import "./thumb_ldst.js";
import "./vfp.js";
import "./system.js";
import "./thumb_media.js";
import "./thumb_sys.js";
import "./neon.js";
