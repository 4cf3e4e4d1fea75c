// The dashboard page: one stream of snapshots from the server (server-sent events), rendered into
// the cards. Countdowns tick locally between snapshots.
import { ALLOWED_COLOR, drawChart } from "./chart.js";

const $ = (id) => document.getElementById(id);
const SPAN_MS = 180_000;
let last = null;
let clockSkew = 0;             // server time minus page time
let lastMessage = 0;
let attacksBuilt = false;

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const fmt = (n) => (n >= 100 ? Math.round(n).toString() : n >= 10 ? n.toFixed(1) : n.toFixed(1));
const clock = (t) => new Date(t).toLocaleTimeString([], { hour12: false });
const pct = (x) => (x >= 0.9995 ? "100%" : `${(x * 100).toFixed(1)}%`);

function connect() {
  const source = new EventSource("/api/stream");
  source.onmessage = (m) => {
    const s = JSON.parse(m.data);
    clockSkew = s.now - Date.now();
    lastMessage = Date.now();
    last = s;
    render(s);
  };
  source.onerror = () => { $("live").classList.add("stale"); };
}

function render(s) {
  $("live").classList.toggle("stale", !s.envoy.up);
  const envoy = $("envoy");
  envoy.className = `envoy ${s.envoy.up ? "up" : "down"}`;
  $("envoy-text").textContent = s.envoy.up ? `Envoy ${s.envoy.admin.replace(/^https?:\/\//, "")} · connected` : `Envoy unreachable: ${s.envoy.error}`;
  const p = s.policy;
  $("policy-pill").innerHTML = p.version ? `policy <b>${esc(p.version)}</b> · ${p.routes} routes · ${p.audit ? "audit" : "enforce"}` : "policy: waiting for Envoy's log";
  $("kpi-allowed").textContent = fmt(s.rate.allowed);
  $("kpi-refused").textContent = fmt(s.rate.refused);
  $("kpi-refused-sub").textContent = `requests / s, last 5 s · ${s.totals.refused.toLocaleString()} in all`;
  $("kpi-quarantined").textContent = String(s.quarantined.length);
  $("kpi-quarantines").textContent = `identities · ${s.totals.quarantines} quarantines in all`;
  renderChart(s);
  renderFeed(s.feed);
  renderQuarantine();
  renderTops(s.top);
  renderPolicy(s);
  if (s.scene) renderScene(s.scene);
  else {
    const all = s.totals.allowed + s.totals.refused;
    $("legit-rate").textContent = all ? pct(s.totals.allowed / all) : "–";
    $("kpi-legit-card").querySelector(".kpi-label").textContent = "Allowed share";
    $("legit-sub").textContent = "of every request meshguard saw";
  }
}

function renderChart(s) {
  const { colors } = drawChart($("chart"), s.series, s.reasons, s.now, SPAN_MS);
  // Colours go through the CSSOM: the page's content security policy refuses inline style attributes.
  const items = [`<span><i data-color="${ALLOWED_COLOR}"></i>allowed</span>`]
    .concat(s.reasons.map((r) => `<span><i data-color="${colors[r.code]}"></i>${esc(r.code)} (${r.status})</span>`));
  const legend = $("legend");
  legend.innerHTML = items.join("");
  for (const i of legend.querySelectorAll("i[data-color]")) i.style.background = i.dataset.color;
  const axis = $("axis");
  if (!axis.childElementCount) axis.innerHTML = ["−3 min", "−2 min", "−1 min", "now"].map((t) => `<span>${t}</span>`).join("");
}

function renderFeed(feed) {
  const ol = $("feed");
  if (!feed.length) return;
  const key = feed.map((f) => `${f.t}${f.text}`).join("|");
  if (ol.dataset.key === key) return;
  ol.dataset.key = key;
  const tags = { anomaly: "anomaly", quarantine: "quarantine", release: "released", policy: "policy", refused_policy: "policy refused" };
  ol.innerHTML = feed.map((f) => `<li class="feed-item" data-kind="${f.kind}" data-identity="${esc(f.identity ?? "")}"><span class="when">${clock(f.t)}${f.detector ? ` · ${esc(f.detector)}` : ""}</span><span class="tag">${tags[f.kind] ?? f.kind}</span>${esc(f.text)}</li>`).join("");
}

function renderQuarantine() {
  if (!last) return;
  const now = Date.now() + clockSkew;
  const ul = $("quarantine");
  const live = last.quarantined.filter((q) => q.until_ms > now);
  if (!live.length) { ul.innerHTML = `<li class="empty">No one is quarantined.</li>`; return; }
  ul.innerHTML = live.map((q) => {
    const left = Math.max(0, (q.until_ms - now) / 1000);
    const total = Math.max(1, (q.until_ms - q.since_ms) / 1000);
    return `<li data-identity="${esc(q.identity)}"><div class="row"><span class="who">${esc(q.who)}</span><span class="left">${Math.ceil(left)} s</span></div>` +
      `<div class="why">${esc(q.detector)}${q.strikes > 1 ? ` · strike ${q.strikes}` : ""}</div><div class="track"><div data-w="${Math.min(100, (left / total) * 100).toFixed(1)}"></div></div></li>`;
  }).join("");
  for (const d of ul.querySelectorAll(".track div")) d.style.width = `${d.dataset.w}%`;
}

function bars(id, rows) {
  const ul = $(id);
  if (!rows.length) { ul.innerHTML = `<li class="none">none</li>`; return; }
  const max = rows[0].count;
  ul.innerHTML = rows.map((r) => `<li><div class="fill" data-w="${((r.count / max) * 100).toFixed(1)}"></div><span title="${esc(r.name)}">${esc(r.name)}</span><b>${r.count}</b></li>`).join("");
  for (const d of ul.querySelectorAll(".fill")) d.style.width = `${d.dataset.w}%`;
}

function renderTops(top) {
  bars("top-identities", top.identities);
  bars("top-routes", top.routes);
  bars("top-reasons", top.reasons);
}

function renderPolicy(s) {
  const p = s.policy;
  $("policy-loaded").textContent = p.loaded_at ? `version ${p.version}, loaded ${clock(p.loaded_at)}` : "";
  const key = `${p.version}|${p.route_names.join(",")}|${p.detectors.length}`;
  const box = $("policy");
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  const routes = p.route_names.length ? p.route_names.map((r) => `<li><b>${esc(r)}</b></li>`).join("") : `<li>${p.routes} routes (give the dashboard --policy to list them)</li>`;
  const detectors = p.detectors.length ? p.detectors.map((d) => `<li><b>${esc(d.name)}</b> ${esc(d.kind)}</li>`).join("") : "<li>none known</li>";
  box.innerHTML = `<div><h3>Routes</h3><ul>${routes}</ul></div><div><h3>Detectors</h3><ul>${detectors}</ul></div>`;
}

function renderScene(scene) {
  const legit = scene.legit;
  const w = legit.window;
  $("legit-rate").textContent = w.sent ? pct(w.served / w.sent) : "–";
  $("legit-sub").textContent = `${w.served.toLocaleString()} of ${w.sent.toLocaleString()} requests, last 60 s`;
  $("legit-card").hidden = false;
  $("legit").innerHTML = legit.callers.map((c) => `<tr><td>${esc(c.who)}</td><td>${c.sent}</td><td class="${c.served === c.sent ? "ok" : "bad"}">${c.sent ? pct(c.served / c.sent) : "–"}</td><td>${c.last_status || "–"}</td></tr>`).join("");
  const card = $("attacks-card");
  card.hidden = false;
  if (!attacksBuilt) {
    attacksBuilt = true;
    $("attacks").innerHTML = scene.attacks.map((a) => `<div class="attack" data-attack-card="${a.id}"><h4>${esc(a.title)}</h4><p>${esc(a.story)}</p><button data-attack="${a.id}">Launch</button><div class="result" id="result-${a.id}"></div></div>`).join("");
    for (const b of document.querySelectorAll("button[data-attack]")) b.addEventListener("click", () => launch(b));
  }
  for (const a of scene.attacks) {
    const run = scene.runs.find((r) => r.id === a.id);
    const box = $(`result-${a.id}`);
    const button = document.querySelector(`button[data-attack="${a.id}"]`);
    if (!run) continue;
    const busy = !run.done;
    button.disabled = busy;
    button.textContent = busy ? "Running…" : "Launch again";
    const pill = run.quarantined ? `<span class="pill stopped">stopped</span>` : busy ? `<span class="pill running">${esc(run.state)}</span>` : `<span class="pill missed">not stopped</span>`;
    const who = `${run.identity.kind === "client_ip" ? "address" : run.identity.kind.replace("_", " ")} ${esc(run.identity.value)}`;
    const detected = run.detected ? `detected by request ${run.detected.requests} (${(run.detected.ms / 1000).toFixed(1)} s)` : "";
    const stopped = run.quarantined ? `quarantined at request ${run.quarantined.requests}` : "";
    box.innerHTML = `${pill}${who} · ${run.sent} sent · <b>${run.reached_service}</b> reached the service` +
      (detected || stopped ? `<br>${[detected, stopped].filter(Boolean).join(" · ")}` : "");
  }
}

async function launch(button) {
  button.disabled = true;
  button.textContent = "Starting…";
  const r = await fetch(`/api/attacks/${button.dataset.attack}`, { method: "POST", headers: { "x-meshguard-dashboard": "1" } });
  if (!r.ok && r.status !== 409) button.textContent = "Failed";
}

setInterval(() => {
  renderQuarantine();
  if (lastMessage && Date.now() - lastMessage > 4000) $("live").classList.add("stale");
}, 250);
connect();
