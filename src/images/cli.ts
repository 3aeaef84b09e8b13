// `hypwasm images ...`: fetch, list and locate the guest images.

import type { Command } from "commander";
import { defaultCacheDir, FetchError, fetchImages, imagePath, listImages } from "./fetch.js";

type Fail = (msg: string) => never;

function guard<T>(fail: Fail, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FetchError) fail(e.message);
    throw e;
  }
}

export function registerImagesCommands(program: Command, fail: Fail): void {
  const images = program
    .command("images")
    .description("guest images: Debian 12 armhf kernels, busybox initramfs, Xen (cached locally)");
  const cacheOpt = "--cache <dir>";
  const cacheHelp = "image cache directory (default: $HYPWASM_CACHE or ~/.cache/hypwasm/images)";

  images
    .command("fetch")
    .description("download the Debian armhf packages with apt and fill the cache (about 60 MB)")
    .option(cacheOpt, cacheHelp)
    .option("--force", "download again even if all files are present")
    .action((o: { cache?: string; force?: boolean }) => {
      const r = guard(fail, () =>
        fetchImages({
          cache: o.cache,
          force: o.force,
          log: (l) => process.stderr.write(`hypwasm: ${l}\n`),
        }),
      );
      if (!r.downloaded && !r.builtInitramfs) process.stdout.write(`all images present in ${r.cache}\n`);
      else process.stdout.write(`images ready in ${r.cache}\n`);
    });

  images
    .command("list")
    .description("show the cached images and their package versions")
    .option(cacheOpt, cacheHelp)
    .action((o: { cache?: string }) => {
      const cache = o.cache ?? defaultCacheDir();
      const { manifest, images: list } = listImages(cache);
      const out = [`cache: ${cache}${manifest ? ` (${manifest.source}, ${manifest.fetched})` : ""}`];
      for (const p of manifest?.packages ?? [])
        out.push(`  package ${p.package} ${p.version}${p.kernel ? ` -> ${p.kernel}` : ""}`);
      for (const i of list)
        out.push(
          `  ${i.name.padEnd(13)}${i.file.padEnd(20)}${i.present ? `${String(i.size).padStart(9)}  ` : "  missing  "}${i.description}`,
        );
      if (list.some((i) => !i.present)) out.push("(run 'hypwasm images fetch' to fill the cache)");
      process.stdout.write(`${out.join("\n")}\n`);
    });

  images
    .command("path")
    .description(
      "print the path of a cached image (lpae, armmp, config-lpae, config-armmp, busybox, xen, initramfs, initramfs-neon)",
    )
    .argument("<name>", "image name")
    .option(cacheOpt, cacheHelp)
    .action((name: string, o: { cache?: string }) => {
      process.stdout.write(`${guard(fail, () => imagePath(name, o.cache ?? defaultCacheDir()))}\n`);
    });
}
