// Registers every instruction definition and encoding, in a fixed order (opcode
// numbers follow registration order, and the generated interpreter depends on them).

import "./dp.js";
import "./branch.js";
