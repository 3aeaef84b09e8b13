// The registry of random instruction generators. Each group file registers its
// generators with registerGen(); add one import line per group file below.

import type { InsnGen } from "./types.js";

export const GENERATORS: InsnGen[] = [];

export function registerGen(...g: InsnGen[]): void {
  GENERATORS.push(...g);
}

export function groupNames(): string[] {
  return [...new Set(GENERATORS.map((g) => g.name))];
}
