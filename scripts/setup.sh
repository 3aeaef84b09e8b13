#!/usr/bin/env bash
# Installs everything hypwasm's tests and fixtures need on a fresh Debian/Ubuntu
# machine: the ARM cross toolchain, QEMU (the reference we compare against), the
# device-tree compiler, cpio (tests read our initramfs archives back with it), time (its
# rusage figures: benchmarks' peak memory, a test of --stats' CPU times), the npm
# dependencies (which also compiles the TypeScript), Chromium (the benchmark report's test
# opens the page in it, headless) and the fixture programs. It also
# enables apt's armhf architecture, which `hypwasm images fetch` needs to download the
# Debian guest images (that download, ~60 MB, is not part of setup).
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(gcc-arm-linux-gnueabihf binutils-arm-linux-gnueabihf qemu-system-arm qemu-user device-tree-compiler make cpio chromium time)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
need_armhf=
dpkg --print-foreign-architectures | grep -qx armhf || need_armhf=1
if ((${#missing[@]})) || [ -n "$need_armhf" ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "setup: need root (or sudo) to install: ${missing[*]:-}${need_armhf:+ (and to add the armhf architecture)}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" dpkg --add-architecture armhf
  # A mirror in the middle of a sync can fail one index; the packages we need are still found.
  "${SUDO[@]}" apt-get update || echo "setup: apt-get update reported errors; continuing" >&2
  if ((${#missing[@]})); then "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; fi
fi

# `npm install` rather than `npm ci`: our npm registry carries only the Linux builds of
# biome's platform packages, so the lock file cannot list the others and `npm ci`'s
# lock check fails; `npm install` installs exactly the locked versions all the same.
npm install --no-audit --no-fund
make -C fixtures
