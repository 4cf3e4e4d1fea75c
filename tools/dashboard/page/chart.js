// A stacked area chart in SVG, drawn by hand (no library, nothing fetched): allowed requests at the
// bottom, refusals by reason stacked above. viewBox units: 800 × 240.
const W = 800, H = 240, NS = "http://www.w3.org/2000/svg";

export const GROUP_COLORS = {
  authentication: "#f472b6", credentials: "#fb923c", authorization: "#f87171", undeclared: "#a78bfa",
  validation: "#fbbf24", rate: "#38bdf8", host: "#94a3b8",
};
export const ALLOWED_COLOR = "#34d399";

// Reasons of one group get shades of the group's colour, so that the legend stays readable.
export function reasonColors(reasons) {
  const seen = {};
  const out = {};
  for (const r of reasons) {
    const base = GROUP_COLORS[r.group] ?? "#94a3b8";
    const k = (seen[r.group] = (seen[r.group] ?? -1) + 1);
    out[r.code] = k === 0 ? base : shade(base, k);
  }
  return out;
}

function shade(hex, k) {
  const n = parseInt(hex.slice(1), 16);
  const f = 1 - 0.18 * k;
  const c = (v) => Math.max(0, Math.min(255, Math.round(v * f)));
  return `rgb(${c(n >> 16)}, ${c((n >> 8) & 255)}, ${c(n & 255)})`;
}

function niceMax(v) {
  if (v <= 5) return 5;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function el(name, attrs) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

// series: [{ t, allowed, refused: { code: n } }], spanMs: the x range ending at `now`.
export function drawChart(svg, series, reasons, now, spanMs) {
  const colors = reasonColors(reasons);
  const layers = [{ key: "allowed", color: ALLOWED_COLOR, get: (p) => p.allowed }]
    .concat(reasons.map((r) => ({ key: r.code, color: colors[r.code], get: (p) => p.refused[r.code] ?? 0 })));
  let max = 0;
  for (const p of series) max = Math.max(max, layers.reduce((s, l) => s + l.get(p), 0));
  max = niceMax(max * 1.1);
  const x = (t) => W - ((now - t) / spanMs) * W;
  const y = (v) => H - (v / max) * (H - 6);
  svg.replaceChildren();
  for (let i = 1; i <= 4; i++) svg.appendChild(el("line", { class: "grid", x1: 0, x2: W, y1: y((max * i) / 4), y2: y((max * i) / 4) }));
  svg.appendChild(el("line", { class: "grid", x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5 }));
  const base = series.map(() => 0);
  for (const l of layers) {
    if (series.length < 2) break;
    const top = series.map((p, i) => base[i] + l.get(p));
    if (top.every((v, i) => v === base[i])) continue;
    let d = `M${x(series[0].t).toFixed(1)},${y(top[0]).toFixed(1)}`;
    for (let i = 1; i < series.length; i++) d += `L${x(series[i].t).toFixed(1)},${y(top[i]).toFixed(1)}`;
    for (let i = series.length - 1; i >= 0; i--) d += `L${x(series[i].t).toFixed(1)},${y(base[i]).toFixed(1)}`;
    const path = el("path", { d: d + "Z", fill: l.color, "fill-opacity": l.key === "allowed" ? 0.35 : 0.6, stroke: l.color, class: "series", "data-series": l.key });
    svg.appendChild(path);
    for (let i = 0; i < top.length; i++) base[i] = top[i];
  }
  const label = el("text", { x: 6, y: 14, fill: "#8b9bb8", "font-size": 11 });
  label.textContent = `${max} / s`;
  svg.appendChild(label);
  return { max, colors };
}
