// The Aegis dashboard: a page over the service's own API, signed in with an organisation's
// key. No framework, no build step, nothing loaded from elsewhere. Every element is built
// through the DOM with text nodes, so no trace text is ever read as markup.
"use strict";

const KEY = "aegis.key";
const main = document.getElementById("main");

// ---- DOM and API helpers -------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const svg = ["svg", "rect", "line", "text", "polyline", "g", "title"].includes(tag);
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

class Unauthorised extends Error {}

async function api(path, options = {}) {
  const key = sessionStorage.getItem(KEY);
  const headers = Object.assign({ Authorization: `Bearer ${key}` }, options.headers || {});
  const r = await fetch(path, Object.assign({}, options, { headers }));
  if (r.status === 401) throw new Unauthorised();
  if (!r.ok) {
    let message = `${r.status}`;
    try { const b = await r.json(); message = b.error?.message || b.message || JSON.stringify(b); } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return r.json();
}

const pct = (x) => (x === undefined || x === null || Number.isNaN(x) ? "–" : `${(x * 100).toFixed(1)} %`);
const num = (x) => (x === undefined || x === null ? "–" : Number(x).toLocaleString());
const ms = (x) => (x === undefined || x === null ? "–" : `${Number(x).toFixed(x < 10 ? 2 : 0)} ms`);
const usd = (x) => `$${Number(x || 0).toFixed(4)}`;
const when = (t) => (t ? new Date(t).toISOString().replace("T", " ").slice(0, 19) : "–");
const pill = (v) => h("span", { class: `pill ${v}` }, String(v).replace("_", " "));

function card(label, value, id) {
  return h("div", { class: "card", id }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));
}

function show(...nodes) {
  main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
}

function failed(e) {
  if (e instanceof Unauthorised) {
    sessionStorage.removeItem(KEY);
    signIn("That key was not accepted.");
    return;
  }
  show(h("h1", {}, "Something went wrong"), h("p", { class: "err" }, e.message));
}

// ---- Sign in -------------------------------------------------------------------------------

function signIn(error) {
  document.getElementById("nav").hidden = true;
  document.getElementById("signout").hidden = true;
  const input = h("input", { type: "password", id: "key", placeholder: "aegis_…", autocomplete: "off", required: true });
  const form = h("form", { class: "card signin", id: "signin" },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "With an API key of your organisation (aegis-eval keys create <org>). The key stays in this tab and is sent to this server only."),
    input,
    error ? h("p", { class: "err" }, error) : null,
    h("button", { class: "primary", type: "submit" }, "Sign in"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, input.value.trim());
    try {
      await api("/v1/review/tasks?limit=1");
      route();
    } catch (e) {
      sessionStorage.removeItem(KEY);
      signIn(e instanceof Unauthorised ? "That key was not accepted." : e.message);
    }
  });
  show(form);
  input.focus();
}

// ---- Overview ------------------------------------------------------------------------------

function verdictBars(points) {
  const W = 600, H = 160, pad = 24;
  const max = Math.max(1, ...points.map((p) => p.counts.total));
  const bw = Math.min(48, Math.max(2, (W - pad) / Math.max(points.length, 1) - 2));
  const svg = h("svg", { viewBox: `0 0 ${W} ${H + 20}`, width: "100%", role: "img", "aria-label": "Results over time by verdict" });
  points.forEach((p, i) => {
    let y = H;
    const x = pad + i * (bw + 2);
    for (const v of ["pass", "needs_review", "fail", "error"]) {
      const n = p.counts[v] || 0;
      if (!n) continue;
      const bh = (n / max) * (H - 10);
      y -= bh;
      svg.append(h("rect", { class: `bar ${v}`, x, y, width: bw, height: bh }, h("title", {}, `${p.start}: ${n} ${v}`)));
    }
  });
  svg.append(h("text", { x: 0, y: 12 }, String(max)), h("text", { x: 0, y: H }, "0"));
  if (points.length) svg.append(h("text", { x: pad, y: H + 16 }, points[0].start));
  if (points.length > 1) svg.append(h("text", { x: W - 110, y: H + 16 }, points[points.length - 1].start));
  const legend = h("div", { class: "legend" }, ["pass", "needs_review", "fail", "error"].map((v) => h("span", {}, h("i", { class: v }), v.replace("_", " "))));
  return h("div", { class: "card" }, h("h2", {}, "Results over time"), svg, legend);
}

function breakdown(title, rows) {
  const entries = Object.entries(rows || {}).sort((a, b) => b[1].total - a[1].total);
  return h("div", { class: "card" }, h("h2", {}, title),
    h("table", {},
      h("tr", {}, h("th", {}, "name"), h("th", {}, "results"), h("th", {}, "pass rate"), h("th", {}, "fail"), h("th", {}, "review"), h("th", {}, "cost")),
      entries.map(([name, c]) => h("tr", {}, h("td", {}, name), h("td", {}, num(c.total)), h("td", {}, pct(c.pass_rate)), h("td", {}, num(c.fail)), h("td", {}, num(c.needs_review)), h("td", {}, usd(c.cost_usd))))));
}

async function overview() {
  // One answer, computed once by the server.
  const s = await api("/v1/analytics/overview");
  const o = s.overall || {};
  const decided = Object.entries(s.decided_by || {}).sort((a, b) => b[1] - a[1]);
  show(
    h("h1", {}, "Overview"),
    h("div", { class: "cards", id: "overview-cards" },
      card("results", num(o.total), "card-total"), card("pass rate", pct(o.pass_rate), "card-pass-rate"),
      card("failed", num(o.fail)), card("needs review", num(o.needs_review)), card("errors", num(o.error)),
      card("p50 latency", ms(s.latency_ms_p50)), card("p95 latency", ms(s.latency_ms_p95)), card("cost", usd(s.total_usd))),
    h("div", { class: "grid2" },
      verdictBars(s.points || []),
      h("div", { class: "card" }, h("h2", {}, "Decided by"),
        h("table", {}, decided.map(([tier, n]) => h("tr", {}, h("td", {}, tier), h("td", {}, num(n)), h("td", {}, pct(n / Math.max(o.total || 0, 1)))))),
        h("h2", {}, "Cost by tier"),
        Object.keys(s.cost_by_tier || {}).length
          ? h("table", {}, Object.entries(s.cost_by_tier).map(([t, c]) => h("tr", {}, h("td", {}, t), h("td", {}, usd(c)))))
          : h("p", { class: "muted" }, "Nothing has cost anything: no Tier-3 judge calls."))),
    h("div", { class: "grid2" },
      breakdown("By domain", s.by_domain), breakdown("By application", s.by_application)),
    h("div", { class: "grid2" },
      breakdown("By model", s.by_model),
      h("div", { class: "card" }, h("h2", {}, "Findings by validator"),
        h("table", {}, h("tr", {}, h("th", {}, "validator"), h("th", {}, "issues"), h("th", {}, "worst")),
          (s.issues || []).map((i) => h("tr", { class: "row", onclick: () => { location.hash = `#/traces?validator=${encodeURIComponent(i.validator)}`; } },
            h("td", {}, i.validator), h("td", {}, num(i.count)), h("td", {}, pill(i.worst))))))));
}

// ---- Traces --------------------------------------------------------------------------------

let knownDomains = null;

// The domains the server evaluates, fetched once per sign-in.
async function domains() {
  if (!knownDomains) knownDomains = (await api("/v1/domains")).domains.map((d) => d.name);
  return knownDomains;
}

let liveAbort = null;

function traceRow(t, fresh) {
  const r = t.result;
  const first = (r.issues || [])[0];
  return h("tr", { class: fresh ? "row fresh" : "row", "data-key": t.key, onclick: () => { location.hash = `#/trace/${encodeURIComponent(t.key)}`; } },
    h("td", {}, when(t.evaluated_at_ms)),
    h("td", {}, r.trace_id || t.key),
    h("td", {}, r.domain || "–"),
    h("td", {}, pill(r.verdict)),
    h("td", {}, r.decided_by || "–"),
    h("td", {}, first ? `${first.validator}: ${first.message}` : h("span", { class: "muted" }, "no findings")));
}

function matchesFilters(t, params) {
  const r = t.result;
  if (params.get("domain") && r.domain !== params.get("domain")) return false;
  if (params.get("verdict") && r.verdict !== params.get("verdict")) return false;
  if (params.get("validator") && !(r.issues || []).some((i) => i.validator === params.get("validator"))) return false;
  return !params.get("q");
}

async function follow(params, tbody) {
  if (liveAbort) liveAbort.abort();
  liveAbort = new AbortController();
  const qs = new URLSearchParams();
  for (const k of ["domain", "verdict"]) if (params.get(k)) qs.set(k, params.get(k));
  try {
    const r = await fetch(`/v1/live?${qs}`, { headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY)}` }, signal: liveAbort.signal });
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const event = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
        if (!data) continue;
        let item;
        try { item = JSON.parse(data); } catch (_) { continue; }
        const t = { key: item.key, evaluated_at_ms: Date.now(), result: item.result };
        if (!matchesFilters(t, params)) continue;
        const old = tbody.querySelector(`tr[data-key="${CSS.escape(t.key)}"]`);
        if (old) old.remove();
        tbody.prepend(traceRow(t, true));
        document.getElementById("live-state").textContent = `live · last result ${when(Date.now())}`;
      }
    }
  } catch (e) {
    if (e.name !== "AbortError") document.getElementById("live-state").textContent = "live feed stopped";
  }
}

async function traces(params) {
  const field = (name, options) => {
    const sel = h("select", { id: `f-${name}`, onchange: () => apply() }, h("option", { value: "" }, `any ${name}`), options.map((o) => h("option", { value: o, selected: params.get(name) === o }, o)));
    return sel;
  };
  const q = h("input", { type: "search", id: "f-q", placeholder: "Search the text (full text)", value: params.get("q") || "" });
  q.addEventListener("keydown", (ev) => { if (ev.key === "Enter") apply(); });
  const domain = field("domain", await domains());
  const verdict = field("verdict", ["pass", "fail", "needs_review", "error"]);
  function apply() {
    const p = new URLSearchParams();
    if (domain.value) p.set("domain", domain.value);
    if (verdict.value) p.set("verdict", verdict.value);
    if (q.value.trim()) p.set("q", q.value.trim());
    if (params.get("validator")) p.set("validator", params.get("validator"));
    location.hash = `#/traces?${p}`;
  }
  const tbody = h("tbody", { id: "trace-rows" });
  const more = h("div", { class: "pager" });
  const qs = new URLSearchParams();
  for (const k of ["domain", "verdict", "validator"]) if (params.get(k)) qs.set(k, params.get(k));
  qs.set("limit", "50");
  async function load(cursor) {
    let page;
    if (params.get("q")) {
      const body = { query: params.get("q"), limit: 50 };
      if (params.get("domain")) body.domain = params.get("domain");
      page = await api("/v1/traces/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      page = { items: page.items || page.results || page };
    } else {
      const c = new URLSearchParams(qs);
      if (cursor) c.set("cursor", cursor);
      page = await api(`/v1/traces?${c}`);
    }
    for (const t of page.items) if (matchesFilters(t, new URLSearchParams(params.get("q") ? "" : params))) tbody.append(traceRow(t, false));
    more.replaceChildren(page.next_cursor ? h("button", { onclick: () => load(page.next_cursor) }, "More") : h("span", { class: "muted" }, `${tbody.children.length} shown`));
  }
  show(
    h("h1", {}, "Traces"),
    h("div", { class: "filters" }, domain, verdict, q, h("button", { onclick: apply }, "Search"),
      params.get("validator") ? h("span", {}, `validator: ${params.get("validator")} `, h("a", { href: "#/traces" }, "clear")) : null,
      h("span", { class: "muted", id: "live-state" }, "live")),
    h("table", { id: "traces" }, h("thead", {}, h("tr", {}, ["evaluated", "trace", "domain", "verdict", "decided by", "first finding"].map((c) => h("th", {}, c)))), tbody),
    more);
  await load(null);
  if (!params.get("q")) follow(params, tbody);
}

// ---- Trace detail --------------------------------------------------------------------------

function highlighted(text, byteSpans) {
  // Evidence is given in UTF-8 byte offsets; JavaScript strings count UTF-16 units.
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const at16 = (b) => dec.decode(bytes.slice(0, Math.min(b, bytes.length))).length;
  const spans = byteSpans.map((s) => ({ start: at16(s.start), end: at16(s.end), title: s.title }));
  // Non-overlapping spans in order; each becomes a <mark> titled with its finding.
  const sorted = spans.slice().sort((a, b) => a.start - b.start);
  const out = [];
  let at = 0;
  for (const s of sorted) {
    if (s.start < at || s.end > text.length) continue;
    out.push(text.slice(at, s.start));
    out.push(h("mark", { title: s.title }, text.slice(s.start, s.end)));
    at = s.end;
  }
  out.push(text.slice(at));
  return out;
}

function spansFor(result, field) {
  const spans = [];
  for (const i of result.issues || []) {
    for (const e of i.evidence || []) {
      if (e.kind === "span" && e.field === field) spans.push({ start: e.start, end: e.end, title: `${i.validator}: ${i.message}` });
    }
  }
  return spans;
}

async function detail(key) {
  const t = await api(`/v1/traces/${encodeURIComponent(key)}`);
  const r = t.result;
  const tr = t.trace || {};
  let similar = [];
  try { similar = (await api(`/v1/traces/${encodeURIComponent(key)}/similar?limit=5`)).items || []; } catch (_) { /* optional */ }
  const tierBox = (tier) => {
    const rep = (r.tiers || []).find((x) => x.tier === tier) || { status: "absent" };
    return h("div", { class: r.decided_by === tier ? "tier decided" : "tier" },
      h("div", { class: "label muted" }, tier),
      h("div", {}, rep.status, rep.verdict ? [" · ", pill(rep.verdict)] : null),
      rep.latency_ns ? h("div", { class: "muted" }, ms(rep.latency_ns / 1e6)) : null,
      (rep.modules || []).filter((m) => (m.outcome !== "not_applicable" && m.outcome !== "passed") || m.score !== undefined || (m.scores || []).length || m.call)
        .map((m) => h("div", { class: "module" },
          h("div", {}, `${m.module}: ${m.outcome}`),
          m.score !== undefined && m.score !== null ? h("div", { class: "muted" }, `score ${Number(m.score).toFixed(3)}`) : null,
          (m.scores || []).map((sc) => h("div", { class: "muted" }, `p(${sc.label}) = ${Number(sc.p).toFixed(3)}`)),
          m.weights ? h("div", { class: "muted" }, `weights ${m.weights}`) : null,
          m.call ? h("div", { class: "muted" }, `${m.call.provider} ${m.call.model} · prompt ${String(m.call.prompt_hash).slice(0, 12)}${m.call.cached ? " · cached" : ""}`) : null)));
  };
  show(
    h("p", {}, h("a", { href: "#/traces" }, "← Traces")),
    h("h1", {}, `Trace ${r.trace_id || t.key} `, pill(r.verdict)),
    h("p", { class: "muted" }, `${r.domain || "–"} · decided by ${r.decided_by || "no tier"} · ${when(t.evaluated_at_ms)} · model ${tr.model || "–"} · application ${tr.metadata?.application || "–"}`),
    h("div", { class: "tiers", id: "tiers" }, ["sanitize", "rules", "models", "judge", "human"].map(tierBox)),
    h("h2", {}, "Findings"),
    (r.issues || []).length ? r.issues.map((i) => h("div", { class: "issue" }, pill(i.severity), " ", h("b", {}, i.validator), ` (${i.tier}): ${i.message}`)) : h("p", { class: "muted" }, "No findings."),
    h("h2", {}, "Input"), h("div", { class: "text", id: "text-input" }, highlighted(tr.input || "", spansFor(r, "input"))),
    h("h2", {}, "Output"), h("div", { class: "text", id: "text-output" }, highlighted(tr.output || "", spansFor(r, "output"))),
    (tr.steps || []).length ? [h("h2", {}, "Agent steps"), tr.steps.map((s, n) => h("div", { class: "step" }, h("b", {}, `${n + 1}. ${s.kind || "step"} ${s.name || ""}`), s.arguments ? h("div", { class: "muted" }, JSON.stringify(s.arguments)) : null, s.result ? h("div", {}, typeof s.result === "string" ? s.result : JSON.stringify(s.result)) : null))] : null,
    (tr.context || []).length ? [h("h2", {}, "Retrieved context"), tr.context.map((c) => h("div", { class: "text" }, c))] : null,
    similar.length ? [h("h2", {}, "Similar traces"), h("table", {}, similar.map((s) => traceRow(s, false)))] : null,
    h("h2", {}, "Audit trail"), h("div", { id: "audit" }, h("p", { class: "muted" }, "…")),
    h("h2", {}, "Replay"),
    h("p", {}, h("button", { id: "replay", onclick: () => replay(t.key) }, "Evaluate again with today's rules and models"), " ", h("span", { class: "muted" }, "(nothing is stored)")),
    h("div", { id: "replay-result" }));
  try {
    const trail = (await api(`/v1/traces/${encodeURIComponent(key)}/audit`)).entries || [];
    document.getElementById("audit").replaceChildren(h("table", {},
      h("tr", {}, ["#", "written", "verdict", "decided by", "spec", "domain version", "models", "judges", "result sha-256"].map((c) => h("th", {}, c))),
      trail.map((e) => h("tr", {}, h("td", {}, e.seq), h("td", {}, when(e.evaluated_at_ms)), h("td", {}, pill(e.verdict)), h("td", {}, e.decided_by || "–"),
        h("td", { class: "muted" }, e.provenance ? String(e.provenance.spec_hash).slice(0, 12) : "–"),
        h("td", {}, e.provenance ? `${e.provenance.domain_version} · aegis ${e.provenance.aegis_version}` : "–"),
        h("td", { class: "muted" }, (e.models || []).map((m) => (typeof m === "string" ? m : `${m.module || m.id || ""} ${m.weights || m.version || ""}`)).join(", ") || "–"),
        h("td", { class: "muted" }, (e.judges || []).map((j) => (typeof j === "string" ? j : `${j.module || j.id || ""} ${String(j.prompt_hash || "").slice(0, 12)}`)).join(", ") || "–"),
        h("td", { class: "muted" }, String(e.result_sha256).slice(0, 16))))));
  } catch (e) {
    document.getElementById("audit").replaceChildren(h("p", { class: "err" }, e.message));
  }
}

async function replay(key) {
  const out = document.getElementById("replay-result");
  out.replaceChildren(h("p", { class: "muted" }, "Evaluating…"));
  try {
    const r = await api(`/v1/traces/${encodeURIComponent(key)}/replay`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    const c = r.changes;
    const rows = [];
    if (c.verdict) rows.push(h("tr", {}, h("td", {}, "verdict"), h("td", {}, pill(c.verdict[0])), h("td", {}, pill(c.verdict[1]))));
    if (c.decided_by) rows.push(h("tr", {}, h("td", {}, "decided by"), h("td", {}, c.decided_by[0] || "–"), h("td", {}, c.decided_by[1] || "–")));
    if (c.spec_changed) rows.push(h("tr", {}, h("td", {}, "spec"), h("td", {}, c.spec_changed[0].slice(0, 12)), h("td", {}, c.spec_changed[1].slice(0, 12))));
    out.replaceChildren(
      h("p", { id: "replay-summary" }, rows.length || c.issues_added.length || c.issues_removed.length ? "What changed:" : "Nothing changed: the same verdict, tier and findings today."),
      rows.length ? h("table", {}, h("tr", {}, h("th", {}, ""), h("th", {}, "then"), h("th", {}, "now")), rows) : null,
      c.issues_added.map((i) => h("div", { class: "issue added" }, `+ ${i}`)),
      c.issues_removed.map((i) => h("div", { class: "issue removed" }, `− ${i}`)));
  } catch (e) {
    out.replaceChildren(h("p", { class: "err" }, e.message));
  }
}

// ---- Review --------------------------------------------------------------------------------

async function review() {
  const tasks = await api("/v1/review/tasks?limit=50");
  let at = 0;
  const box = h("div", { id: "review-task" });
  const status = h("p", { class: "muted", id: "review-status" });
  const note = h("textarea", { id: "review-note", rows: 2, cols: 60, placeholder: "A note (optional; sanitised before it is stored)" });
  const severity = h("select", { id: "review-severity" }, ["low", "medium", "high", "critical"].map((s) => h("option", { value: s, selected: s === "high" }, s)));
  function render() {
    if (at >= tasks.length) {
      box.replaceChildren(h("p", {}, tasks.length ? "The queue is clear. " : "Nothing waits for review. ", h("a", { href: "#/" }, "Overview")));
      return;
    }
    const t = tasks[at];
    box.replaceChildren(
      h("div", { class: "card" },
        h("h2", {}, `${at + 1} of ${tasks.length} · ${t.trace_id || t.key} · ${t.domain} · ${t.reason}`),
        h("p", {}, "Machine verdict: ", pill(t.machine_verdict)),
        (t.issues || []).map((i) => h("div", { class: "issue" }, pill(i.severity), " ", h("b", {}, i.validator), `: ${i.message}`)),
        h("h2", {}, "Input"), h("div", { class: "text" }, t.trace?.input || ""),
        h("h2", {}, "Output"), h("div", { class: "text" }, t.trace?.output || "")));
    note.value = "";
  }
  async function label(verdict, accepted) {
    const t = tasks[at];
    if (!t) return;
    const body = { key: t.key, verdict, reviewer: "dashboard", accepted: Boolean(accepted) };
    if (verdict === "fail") body.severity = severity.value;
    if (note.value.trim()) body.notes = note.value.trim();
    try {
      await api("/v1/review/labels", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      status.textContent = `Labelled ${t.trace_id || t.key}: ${verdict}`;
      at += 1;
      render();
    } catch (e) {
      status.textContent = `Not labelled: ${e.message}`;
    }
  }
  const keys = (ev) => {
    if (!location.hash.startsWith("#/review") || ev.target === note) return;
    const k = ev.key.toLowerCase();
    if (k === "a") {
      const m = tasks[at]?.machine_verdict;
      if (m === "pass" || m === "fail") label(m, true);
      else { status.textContent = "The machine was not sure: pass (p) or fail (f)."; }
    }
    else if (k === "p") label("pass");
    else if (k === "f") label("fail");
    else if (k === "s" || k === "j") { at += 1; render(); }
    else return;
    ev.preventDefault();
  };
  document.onkeydown = keys;
  show(h("h1", {}, "Review"),
    h("p", { class: "keys" }, h("kbd", {}, "p"), " pass · ", h("kbd", {}, "f"), " fail (with the severity below) · ", h("kbd", {}, "a"), " accept the machine's verdict · ", h("kbd", {}, "s"), " skip"),
    box, h("div", { class: "filters" }, "Severity if failed:", severity), note, status);
  render();
}

// ---- RL ------------------------------------------------------------------------------------

function lineChart(values, { label, budget, bars }) {
  const W = 600, H = 160, pad = 36;
  const lo = Math.min(0, ...values, budget ?? Infinity), hi = Math.max(...values, budget ?? -Infinity, lo + 1e-9);
  const y = (v) => H - ((v - lo) / (hi - lo)) * (H - 10);
  const x = (i) => pad + (i * (W - pad - 4)) / Math.max(values.length - 1, 1);
  const svg = h("svg", { viewBox: `0 0 ${W} ${H + 18}`, width: "100%", role: "img", "aria-label": label });
  svg.append(h("text", { x: 0, y: 12 }, hi.toFixed(1)), h("text", { x: 0, y: H }, lo.toFixed(1)));
  if (bars) {
    const bw = Math.max(1, (W - pad) / Math.max(values.length, 1) - 1);
    values.forEach((v, i) => svg.append(h("rect", { class: budget !== null && budget !== undefined && v > budget ? "bar fail" : "bar", x: pad + i * (bw + 1), y: y(v), width: bw, height: Math.max(0, y(lo) - y(v)) }, h("title", {}, `episode ${i + 1}: ${v}`))));
  } else {
    svg.append(h("polyline", { points: values.map((v, i) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: "#1a5fb4", "stroke-width": 1.5 }));
  }
  if (budget !== null && budget !== undefined) {
    svg.append(h("line", { x1: pad, x2: W, y1: y(budget), y2: y(budget), stroke: "#c5221f", "stroke-dasharray": "4 3" }), h("text", { x: W - 90, y: y(budget) - 4 }, `budget ${budget}`));
  }
  svg.append(h("text", { x: pad, y: H + 14 }, "oldest"), h("text", { x: W - 40, y: H + 14 }, "newest"));
  return svg;
}

async function rl(params) {
  const list = (await api("/v1/domains")).domains.filter((d) => d.rl);
  const chosen = params.get("domain") || (list[0] && list[0].name);
  const pick = h("select", { id: "rl-domain", onchange: (ev) => { location.hash = `#/rl?domain=${encodeURIComponent(ev.target.value)}`; } },
    list.map((d) => h("option", { value: d.name, selected: d.name === chosen }, d.name)));
  if (!chosen) {
    show(h("h1", {}, "RL"), h("p", { class: "muted" }, "No domain of this server evaluates RL episodes."));
    return;
  }
  const v = await api(`/v1/analytics/rl?domain=${encodeURIComponent(chosen)}`);
  const returns = v.episodes.map((e) => e.episode_return);
  const costs = v.episodes.map((e) => e.cost);
  show(h("h1", {}, "RL episodes"), h("div", { class: "filters" }, "Domain:", pick),
    v.episodes.length === 0 ? h("p", { class: "muted" }, "No episode stored for this domain yet (aegis-eval simulate writes some).") : [
      h("div", { class: "cards", id: "rl-cards" },
        card("episodes", num(v.episodes.length), "rl-count"),
        card("IQM of returns", v.iqm === null ? "–" : v.iqm.toFixed(2), "rl-iqm"),
        card("95 % interval", v.iqm_ci ? `${v.iqm_ci[0].toFixed(1)} – ${v.iqm_ci[1].toFixed(1)}` : "–"),
        card("trend per episode", v.trend === null ? "–" : v.trend.toFixed(3)),
        card("over cost budget", v.cost_budget === null ? "no budget" : `${v.over_budget} of ${v.episodes.length}`)),
      h("div", { class: "grid2" },
        h("div", { class: "card" }, h("h2", {}, "Return per episode"), lineChart(returns, { label: "Return per episode" })),
        h("div", { class: "card" }, h("h2", {}, "Constraint cost per episode"), lineChart(costs, { label: "Cost per episode", budget: v.cost_budget, bars: true })))]);
}

// ---- Alerts --------------------------------------------------------------------------------

function condition(c) {
  if (typeof c === "string") return c.replace(/_/g, " ");
  const [kind, v] = Object.entries(c)[0];
  const secs = (s) => (s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`);
  switch (kind) {
    case "issue": return `an issue at or above ${v.at_least}`;
    case "validator": return `${v.id} finds something`;
    case "fail_rate": return `fail rate above ${(v.above * 100).toFixed(1)} % over ${secs(v.window_secs)} (at least ${v.min_results} results)`;
    case "p95_latency": return `p95 latency above ${v.above_ms} ms over ${secs(v.window_secs)}`;
    case "judge_spend_per_day": return `judge spend above $${v.above_usd} a day`;
    case "queue_age": return `a trace queued longer than ${secs(v.above_secs)}`;
    case "silent": return `no result for ${secs(v.for_secs)}`;
    default: return kind;
  }
}

async function alerts(params) {
  const [history, config] = await Promise.all([
    api(`/v1/alerts?limit=200${params.get("state") ? `&state=${params.get("state")}` : ""}`),
    api("/v1/alerts/rules"),
  ]);
  const list = history.alerts;
  const rules = Object.entries(config.rules || {}).flatMap(([domain, rs]) => rs.map((r) => ({ domain, ...r })));
  show(h("h1", {}, "Alerts"),
    h("div", { class: "filters" }, h("a", { href: "#/alerts" }, "all"), h("a", { href: "#/alerts?state=firing" }, "firing"), h("a", { href: "#/alerts?state=resolved" }, "resolved")),
    list.length ? h("table", { id: "alerts" }, h("tr", {}, ["state", "severity", "rule", "domain", "group", "matches", "fired", "resolved"].map((c) => h("th", {}, c))),
      list.map((a) => h("tr", { class: "row", onclick: () => { location.hash = `#/alert/${a.id}`; } },
        h("td", {}, pill(a.state)), h("td", {}, pill(a.severity)), h("td", {}, a.rule), h("td", {}, a.domain), h("td", {}, a.group_key),
        h("td", {}, num(a.matches)), h("td", {}, when(a.fired_at_ms)), h("td", {}, when(a.resolved_at_ms)))))
      : h("p", { class: "muted" }, "No alerts. Rules are in each domain's spec (alerts:) and in aegis.toml ([alerts])."),
    h("h2", {}, "Rules"),
    h("table", { id: "alert-rules" }, h("tr", {}, ["domain", "rule", "when", "severity", "one alert per", "resolves after", "channels"].map((c) => h("th", {}, c))),
      rules.map((r) => h("tr", {}, h("td", {}, r.domain), h("td", {}, h("b", {}, r.id), h("div", { class: "muted" }, r.description)), h("td", {}, condition(r.condition)),
        h("td", {}, pill(r.severity)), h("td", {}, r.group_by), h("td", {}, `${Math.round(r.cooldown_secs / 60)} min quiet`),
        h("td", {}, r.notify.length ? r.notify.join(", ") : (config.channels.length ? "by severity" : "none configured"))))));
}

async function alertDetail(id) {
  const d = await api(`/v1/alerts/${encodeURIComponent(id)}`);
  const a = d.alert;
  show(h("p", {}, h("a", { href: "#/alerts" }, "← Alerts")),
    h("h1", {}, `Alert #${a.id} `, pill(a.state), " ", pill(a.severity)),
    h("p", {}, a.summary),
    h("p", { class: "muted" }, `rule ${a.rule} · domain ${a.domain} · group ${a.group_key} · ${a.matches} match(es) · fired ${when(a.fired_at_ms)} · resolved ${when(a.resolved_at_ms)}`),
    h("h2", {}, "Notifications"),
    h("table", {}, h("tr", {}, ["channel", "event", "state", "attempts", "id"].map((c) => h("th", {}, c))),
      d.notifications.map((n) => h("tr", {}, h("td", {}, n.channel), h("td", {}, n.event), h("td", {}, n.state), h("td", {}, n.attempts), h("td", { class: "muted" }, n.message_id)))),
    h("h2", {}, "Attempts"),
    h("table", {}, h("tr", {}, ["when", "channel", "answer", "outcome"].map((c) => h("th", {}, c))),
      d.attempts.map((t) => h("tr", {}, h("td", {}, when(t.at_ms)), h("td", {}, d.notifications.find((n) => n.id === t.delivery_id)?.channel || ""), h("td", {}, t.status ?? "–"), h("td", {}, t.outcome)))));
}

// ---- Router --------------------------------------------------------------------------------

async function route() {
  if (!sessionStorage.getItem(KEY)) {
    signIn();
    return;
  }
  document.getElementById("nav").hidden = false;
  document.getElementById("signout").hidden = false;
  if (liveAbort && !location.hash.startsWith("#/traces")) { liveAbort.abort(); liveAbort = null; }
  if (!location.hash.startsWith("#/review")) document.onkeydown = null;
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query || "");
  for (const a of document.querySelectorAll("#nav a")) {
    const target = a.getAttribute("href").slice(1);
    a.classList.toggle("active", target === "/" ? path === "/" : path.startsWith(target));
  }
  try {
    if (path === "/" || path === "") await overview();
    else if (path === "/traces") await traces(params);
    else if (path.startsWith("/trace/")) await detail(decodeURIComponent(path.slice(7)));
    else if (path === "/review") await review();
    else if (path === "/alerts") await alerts(params);
    else if (path === "/rl") await rl(params);
    else if (path.startsWith("/alert/")) await alertDetail(path.slice(7));
    else show(h("h1", {}, "Not found"), h("a", { href: "#/" }, "Overview"));
  } catch (e) {
    failed(e);
  }
}

document.getElementById("signout").addEventListener("click", () => {
  sessionStorage.removeItem(KEY);
  knownDomains = null;
  if (liveAbort) liveAbort.abort();
  location.hash = "#/";
  signIn();
});
window.addEventListener("hashchange", route);
route();
