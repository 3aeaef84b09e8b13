// `hypwasm bench report`: one self-contained HTML page (no external scripts or styles)
// with a chart per figure over the history. The page carries the history's figures as
// JSON and draws the charts itself as inline SVG when it loads: one <svg data-figure=NAME>
// per figure, a path through the records that have it (oldest left) and, for measured
// figures, a bar from the least to the greatest of each record's samples.

import type { BenchRecord } from "./record.js";

/** What the page needs of each record. */
interface PageRecord {
  commit: string;
  date: string;
  quick: boolean;
  slowdown?: number;
  figures: Record<string, { value: number; unit: string; kind: string; min?: number; max?: number }>;
}

function pageData(history: BenchRecord[]): PageRecord[] {
  return history.map((r) => ({
    commit: r.commit,
    date: r.date,
    quick: r.quick,
    ...(r.plantedSlowdown ? { slowdown: r.plantedSlowdown } : {}),
    figures: Object.fromEntries(
      Object.entries(r.figures).map(([name, f]) => [
        name,
        {
          value: f.value,
          unit: f.unit,
          kind: f.kind,
          ...(f.samples?.length ? { min: Math.min(...f.samples), max: Math.max(...f.samples) } : {}),
        },
      ]),
    ),
  }));
}

/** Runs in the browser: builds the charts from the JSON in #history. */
function drawCharts(): void {
  const W = 560;
  const H = 180;
  const PAD = { l: 70, r: 10, t: 10, b: 24 };
  const NS = "http://www.w3.org/2000/svg";
  const history = JSON.parse(document.getElementById("history")!.textContent!) as PageRecord[];
  const names = [...new Set(history.flatMap((r) => Object.keys(r.figures)))].sort();
  const root = document.getElementById("charts")!;
  const el = (tag: string, attrs: Record<string, string | number>, parent: Element) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    parent.appendChild(e);
    return e;
  };
  const fmt = (v: number) =>
    Math.abs(v) >= 1000 || Number.isInteger(v) ? Math.round(v).toLocaleString("en-US") : v.toPrecision(4);
  for (const name of names) {
    const points = history
      .map((r, index) => ({ r, index, f: r.figures[name] }))
      .filter(
        (p): p is { r: PageRecord; index: number; f: PageRecord["figures"][string] } => p.f !== undefined,
      );
    const first = points[0]!.f;
    const section = document.createElement("section");
    const title = document.createElement("h2");
    title.textContent = `${name} (${first.unit}, ${first.kind}${first.kind === "rate" ? ", higher is better" : ", lower is better"})`;
    section.appendChild(title);
    const svg = el(
      "svg",
      { width: W, height: H, viewBox: `0 0 ${W} ${H}`, "data-figure": name, "data-points": points.length },
      section,
    );
    const lo = Math.min(...points.map((p) => p.f.min ?? p.f.value));
    const hi = Math.max(...points.map((p) => p.f.max ?? p.f.value));
    // A constant figure (a count that never changed) is drawn across the middle.
    const span = hi - lo || Math.abs(hi) || 1;
    const base = hi === lo ? lo - span / 2 : lo;
    const x = (i: number) =>
      PAD.l + (points.length > 1 ? (i * (W - PAD.l - PAD.r)) / (points.length - 1) : (W - PAD.l - PAD.r) / 2);
    const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - (v - (base - span * 0.05)) / (span * 1.1));
    el("line", { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b, class: "axis" }, svg);
    el("line", { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, class: "axis" }, svg);
    el("text", { x: PAD.l - 4, y: y(hi) + 4, "text-anchor": "end" }, svg).textContent = fmt(hi);
    el("text", { x: PAD.l - 4, y: y(lo) + 4, "text-anchor": "end" }, svg).textContent = fmt(lo);
    points.forEach((p, i) => {
      if (p.f.min !== undefined && p.f.max !== undefined)
        el("line", { x1: x(i), y1: y(p.f.min), x2: x(i), y2: y(p.f.max), class: "spread" }, svg);
    });
    el(
      "path",
      {
        d: points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)} ${y(p.f.value).toFixed(1)}`).join(" "),
        class: "line",
      },
      svg,
    );
    points.forEach((p, i) => {
      const dot = el(
        "circle",
        { cx: x(i), cy: y(p.f.value), r: 3, class: p.r.slowdown ? "planted" : "" },
        svg,
      );
      const label =
        `#${p.index} ${p.r.commit.slice(0, 12)} ${p.r.date}${p.r.quick ? " quick" : ""}` +
        `${p.r.slowdown ? ` (planted slowdown x${p.r.slowdown})` : ""}: ${fmt(p.f.value)} ${p.f.unit}`;
      el("title", {}, dot).textContent = label;
    });
    el("text", { x: W - PAD.r, y: H - 6, "text-anchor": "end" }, svg).textContent =
      `${points.length} records, last ${fmt(points[points.length - 1]!.f.value)}`;
    root.appendChild(section);
  }
  document.getElementById("summary")!.textContent =
    `${history.length} records, ${names.length} figures; hover a point for its commit.`;
}

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1em; margin: 1.2em 0 0.2em; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 0 1em; }
svg text { font-size: 11px; fill: #555; }
.axis { stroke: #999; } .line { fill: none; stroke: #2a6fdb; stroke-width: 1.5; }
.spread { stroke: #2a6fdb; stroke-opacity: 0.35; stroke-width: 5; }
circle { fill: #2a6fdb; } circle.planted { fill: #d33; }
`;

/** The page for `history` (JSON embedded safely: no "<" survives into the script element). */
export function reportHtml(history: BenchRecord[]): string {
  const json = JSON.stringify(pageData(history)).replace(/</g, "\\u003c");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hypwasm benchmark history</title>
<style>${STYLE}</style>
</head>
<body>
<h1>hypwasm benchmark history</h1>
<p id="summary"></p>
<div id="charts"></div>
<script type="application/json" id="history">${json}</script>
<script>
${drawCharts.toString()}
drawCharts();
</script>
</body>
</html>
`;
}
