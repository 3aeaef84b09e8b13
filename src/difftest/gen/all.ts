// Imports every generator group file (one line per file; order does not matter).

import "./dp.js";
import "./branch.js";
import "./mul.js";
import "./media.js";
import "./ldst.js";
import "./vfp.js";
import "./thumb.js";
import "./thumb_media.js";
import "./thumb_mem.js";
import "./thumb_vfp.js";
import "./system.js";
import "./neon.js";
