// ember-board's page. Plain JavaScript over uPlot (inlined by bundle.py). State lives in
// `state`; every tab renders from the API (python/ember/board/server.py), and a timer
// refreshes runs and appends the points logged since the last fetch.
// window.emberBoard exposes the charts and timings to the browser test (tests/board).
(function () {
  "use strict";
  const COLORS = ["#e65100", "#1565c0", "#2e7d32", "#6a1b9a", "#c62828", "#00838f", "#9e9d24", "#4e342e",
                  "#ad1457", "#283593", "#558b2f", "#ef6c00", "#00695c", "#5d4037", "#37474f", "#d84315",
                  "#0277bd", "#7b1fa2", "#f9a825", "#1b5e20"];
  const state = {
    tab: "scalars", runs: [], selected: new Set(), known: new Set(), filter: "",
    smoothing: 0.6, xaxis: "step", logy: false,
    maxPoints: 0,  // points per series the charts show (the server's --samples_per_plugin scalars=N; 0: all)
    // "run\u0000tag" -> the shown sample: {steps, walls, values: Float64Array, n: points shown,
    // total: points logged, stride} (Note [Strided display sample], python/ember/board/sampling.py)
    series: new Map(),
    charts: new Map(),  // tag -> uPlot
  };
  const board = window.emberBoard = { charts: state.charts, state, timings: {}, renders: 0, ready: false };
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };
  const q = (params) => new URLSearchParams(params).toString();
  const color = (run) => COLORS[state.runs.findIndex((r) => r.name === run) % COLORS.length];

  async function getJSON(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.json();
  }

  // ---- smoothing: TensorBoard's debiased exponential moving average ----------------------
  function smooth(values, weight) {
    const out = new Float64Array(values.length);
    let last = 0, numAccum = 0;
    const constant = values.every((v) => v === values[0]);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (constant || !Number.isFinite(v)) { out[i] = v; continue; }
      last = last * weight + (1 - weight) * v;
      numAccum++;
      const debias = weight === 1 ? 1 : 1 - Math.pow(weight, numAccum);
      out[i] = last / debias;
    }
    return out;
  }
  board.smooth = smooth;

  // ---- data -----------------------------------------------------------------------------
  function grow(a, n) {
    if (a.length >= n) return a;
    const b = new Float64Array(Math.max(n, a.length * 2, 256));
    b.set(a);
    return b;
  }

  function seriesOf(run, tag) {
    const key = run + "\u0000" + tag;
    let s = state.series.get(key);
    if (!s) { s = { steps: new Float64Array(0), walls: new Float64Array(0), values: new Float64Array(0), n: 0,
                    total: 0, stride: 0 };
              state.series.set(key, s); }
    return s;
  }

  // Fetches the sample of one tag's points logged since the last fetch (all of them the first
  // time) for several runs in one request (/api/scalars_batch); true when a chart changed.
  // The server answers per run [count, start, total, stride]: start 0 replaces the sample
  // (first fetch, or the stride doubled), otherwise the points extend it and the old last
  // point goes unless it is on the stride (Note [Strided display sample]).
  async function fetchScalars(tag, runs) {
    if (!runs.length) return false;
    const series = runs.map((run) => seriesOf(run, tag));
    const r = await fetch("/api/scalars_batch?" + q({ tag, runs: JSON.stringify(runs), max_points: state.maxPoints,
                                                      since: JSON.stringify(series.map((s) => s.total)),
                                                      strides: JSON.stringify(series.map((s) => s.stride)) }));
    if (!r.ok) return false;
    const all = new Float64Array(await r.arrayBuffer());
    let at = 4 * runs.length, got = false;
    series.forEach((s, i) => {
      const [k, start, total, stride] = all.subarray(4 * i, 4 * i + 4);
      if (start === 0) { got = got || s.n > 0; s.n = 0; }
      else if (k > 0 && (s.total - 1) % s.stride !== 0) s.n--;
      if (k > 0) {
        s.steps = grow(s.steps, s.n + k); s.walls = grow(s.walls, s.n + k); s.values = grow(s.values, s.n + k);
        s.steps.set(all.subarray(at, at + k), s.n);
        s.walls.set(all.subarray(at + k, at + 2 * k), s.n);
        s.values.set(all.subarray(at + 2 * k, at + 3 * k), s.n);
        s.n += k;
        got = true;
      }
      s.total = total; s.stride = stride;
      at += 3 * k;
    });
    return got;
  }

  function runsWithScalar(tag) {
    return selectedRuns().filter((r) => (r.tags.scalars || []).includes(tag)).map((r) => r.name);
  }

  function xValues(s) {
    const n = s.n;
    if (state.xaxis === "step") return s.steps.subarray(0, n);
    if (state.xaxis === "wall") return s.walls.subarray(0, n);
    const out = new Float64Array(n), t0 = s.walls[0];
    for (let i = 0; i < n; i++) out[i] = (s.walls[i] - t0) / 3600;
    return out;
  }

  function selectedRuns() { return state.runs.filter((r) => state.selected.has(r.name)); }

  function tagMatches(tag) {
    if (!state.filter) return true;
    try { return new RegExp(state.filter, "i").test(tag); } catch (e) { return tag.includes(state.filter); }
  }

  function unionTags(kind) {
    const tags = new Set();
    for (const r of selectedRuns()) for (const t of r.tags[kind] || []) if (tagMatches(t)) tags.add(t);
    return [...tags].sort();
  }

  // ---- runs -----------------------------------------------------------------------------
  async function loadRuns() {
    const info = await getJSON("/api/runs");
    $("logdir").textContent = info.logdir;
    state.runs = info.runs;
    state.maxPoints = (info.samples_per_plugin || {}).scalars || 0;
    for (const r of info.runs) if (!state.known.has(r.name)) { state.known.add(r.name); state.selected.add(r.name); }
    const box = $("runs");
    box.replaceChildren();
    for (const r of info.runs) {
      const cb = el("input", { type: "checkbox", "data-run": r.name });
      cb.checked = state.selected.has(r.name);
      cb.addEventListener("change", () => {
        if (cb.checked) state.selected.add(r.name); else state.selected.delete(r.name);
        render();
      });
      const sw = el("span", { class: "swatch" });
      sw.style.background = color(r.name);
      box.append(el("label", { class: "run" }, cb, sw, el("span", { text: r.name })));
    }
    const w = $("warnings");
    w.replaceChildren(...info.warnings.slice(-10).map((m) => el("div", { text: m })));
  }

  // ---- scalars --------------------------------------------------------------------------
  function chartData(tag) {
    const runs = selectedRuns().filter((r) => (r.tags.scalars || []).includes(tag));
    const tables = [], series = [{ label: state.xaxis === "step" ? "step" : state.xaxis === "wall" ? "wall time" : "hours" }];
    for (const r of runs) {
      const s = state.series.get(r.name + "\u0000" + tag);
      if (!s || !s.n) continue;
      const x = xValues(s), y = s.values.subarray(0, s.n);
      tables.push([x, Array.from(y), Array.from(smooth(y, state.smoothing))]);
      const c = color(r.name);
      series.push({ label: r.name + " (raw)", stroke: c + "40", width: 1, spanGaps: true });
      series.push({ label: r.name, stroke: c, width: 1.5, spanGaps: true });
    }
    if (!tables.length) return null;
    // uPlot wants one x array. Runs logged at the same steps (the usual case) share it;
    // otherwise the tables are joined on the sorted union of their x values.
    const sameX = tables.every((t) => t[0].length === tables[0][0].length && t[0].every((v, i) => v === tables[0][0][i]));
    let data = sameX ? [Array.from(tables[0][0]), ...tables.flatMap((t) => [t[1], t[2]])]
      : uPlot.join(tables.map((t) => [Array.from(t[0]), t[1], t[2]]));
    if (state.logy) data = data.map((col, i) => i === 0 ? col : col.map((v) => (v > 0 ? v : null)));
    return { data, series };
  }

  function makeChart(tag, card) {
    const cd = chartData(tag);
    if (!cd) return null;
    const opts = {
      width: 460, height: 260, series: cd.series,
      scales: { x: { time: state.xaxis === "wall" }, y: { distr: state.logy ? 3 : 1 } },
      axes: [{}, { size: 60 }],
      legend: { live: true },
      cursor: { drag: { x: true, y: true } },
    };
    const u = new uPlot(opts, cd.data, card);
    // The legend lists the smoothed lines only (the faded raw ones share their colour).
    u.root.querySelectorAll(".u-legend .u-series").forEach((row, i) => {
      if (i > 0 && u.series[i].label.endsWith(" (raw)")) row.style.display = "none";
    });
    return u;
  }

  // Says how much of the series the chart shows, so nobody reads a sample as every point.
  function samplingText(tag) {
    let shown = 0, total = 0;
    const strides = new Set();
    for (const run of runsWithScalar(tag)) {
      const s = state.series.get(run + "\u0000" + tag);
      if (s && s.n) { shown += s.n; total += s.total; strides.add(s.stride); }
    }
    const num = (x) => x.toLocaleString("en");
    if (shown === total) return `all ${num(total)} points shown`;
    const ordinal = (b) => b + ((b % 100 >= 11 && b % 100 <= 13) ? "th" : ["th", "st", "nd", "rd"][b % 10] || "th");
    const every = [...strides].sort((a, b) => a - b).map(ordinal).join(" or ");
    return `${num(shown)} of ${num(total)} points shown: every ${every} point of a run and its last ` +
           "(each a logged point; the downloads have all)";
  }

  function updateSamplingText(tag) {
    const note = document.querySelector(`.card[data-tag="${CSS.escape(tag)}"] .sampling`);
    if (note) note.textContent = samplingText(tag);
  }

  function scalarCard(tag) {
    const card = el("div", { class: "card", "data-tag": tag });
    card.append(el("h3", { text: tag }));
    const chartBox = el("div");
    card.append(chartBox);
    card.append(el("div", { class: "sampling" }));
    const links = el("details", { class: "links" }, el("summary", { text: "download CSV / JSON" }));
    for (const r of selectedRuns()) {
      if (!(r.tags.scalars || []).includes(tag)) continue;
      links.append(el("a", { href: "/api/scalars.csv?" + q({ run: r.name, tag }), download: "", text: `CSV ${r.name}` }));
      links.append(el("a", { href: "/api/scalars.json?" + q({ run: r.name, tag }), download: "", text: `JSON ${r.name}` }));
    }
    card.append(links);
    return { card, chartBox };
  }

  async function renderScalars(main) {
    const t0 = performance.now();
    const tags = unionTags("scalars");
    await Promise.all(tags.map((tag) =>
      fetchScalars(tag, runsWithScalar(tag).filter((run) => !state.series.has(run + "\u0000" + tag)))));
    board.timings.scalarFetch = performance.now() - t0;
    for (const u of state.charts.values()) u.destroy();
    state.charts.clear();
    if (!tags.length) main.append(el("div", { class: "empty", text: "No scalar data for the selected runs and tags." }));
    for (const tag of tags) {
      const { card, chartBox } = scalarCard(tag);
      main.append(card);
      const u = makeChart(tag, chartBox);
      if (u) state.charts.set(tag, u);
      updateSamplingText(tag);
    }
    board.timings.scalars = performance.now() - t0;
  }

  // New points only: fetch since the last count, then hand each chart its new data.
  async function refreshScalars() {
    const t0 = performance.now();
    const updates = [...state.charts.keys()].map((tag) => fetchScalars(tag, runsWithScalar(tag)).then((got) => got && tag));
    const changed = new Set((await Promise.all(updates)).filter(Boolean));
    for (const tag of changed) {
      const u = state.charts.get(tag), cd = chartData(tag);
      if (u && cd && cd.series.length === u.series.length) u.setData(cd.data);
      updateSamplingText(tag);
    }
    board.timings.refresh = performance.now() - t0;
    board.timings.refreshChanged = changed.size;
    return changed.size;
  }

  // Smoothing / log y / x axis: the data is cached, only the charts are redrawn.
  function redrawScalarCharts() {
    if (state.tab !== "scalars") return;
    for (const [tag, u] of state.charts) {
      const cd = chartData(tag);
      if (cd) u.setData(cd.data);
    }
  }

  // ---- images ---------------------------------------------------------------------------
  async function renderImages(main) {
    for (const tag of unionTags("images")) for (const r of selectedRuns()) {
      if (!(r.tags.images || []).includes(tag)) continue;
      const items = await getJSON("/api/images?" + q({ run: r.name, tag }));
      if (!items.length) continue;
      const card = el("div", { class: "card", "data-tag": tag, "data-run": r.name });
      const label = el("div");
      const img = el("img", { alt: tag });
      img.style.imageRendering = "pixelated";
      img.style.maxWidth = "480px";
      const slider = el("input", { type: "range", min: 0, max: items.length - 1, step: 1, value: items.length - 1, class: "step-slider" });
      const show = () => {
        const i = +slider.value;
        img.src = "/api/image?" + q({ run: r.name, tag, index: i, sample: 0 });
        label.textContent = `step ${items[i].step} (${i + 1} of ${items.length}), ${items[i].width}x${items[i].height}`;
        img.width = Math.max(items[i].width * 2, 64);
      };
      slider.addEventListener("input", show);
      show();
      card.append(el("h3", { text: `${tag} — ${r.name}` }), label, slider, el("div", {}, img));
      main.append(card);
    }
    if (!main.children.length) main.append(el("div", { class: "empty", text: "No images." }));
  }

  // ---- audio: a player per record, the step slider picks the record ------------------------
  async function renderAudio(main) {
    for (const tag of unionTags("audio")) for (const r of selectedRuns()) {
      if (!(r.tags.audio || []).includes(tag)) continue;
      const items = await getJSON("/api/audio?" + q({ run: r.name, tag }));
      if (!items.length) continue;
      const card = el("div", { class: "card", "data-tag": tag, "data-run": r.name });
      const label = el("div");
      const player = el("audio", { controls: "" });
      player.preload = "metadata";
      const slider = el("input", { type: "range", min: 0, max: items.length - 1, step: 1, value: items.length - 1, class: "step-slider" });
      const show = () => {
        const i = +slider.value, a = items[i];
        player.src = "/api/audio_clip?" + q({ run: r.name, tag, index: i });
        label.textContent = `step ${a.step} (${i + 1} of ${items.length}), ${(a.length_frames / a.sample_rate).toFixed(2)} s at ${a.sample_rate} Hz`;
      };
      slider.addEventListener("input", show);
      show();
      card.append(el("h3", { text: `${tag} — ${r.name}` }), label, slider, el("div", {}, player));
      main.append(card);
    }
    if (!main.children.length) main.append(el("div", { class: "empty", text: "No audio." }));
  }

  // ---- histograms: one line per step, later steps in front and darker --------------------
  async function renderHistograms(main) {
    for (const tag of unionTags("histograms")) for (const r of selectedRuns()) {
      if (!(r.tags.histograms || []).includes(tag)) continue;
      const items = await getJSON("/api/histograms?" + q({ run: r.name, tag }));
      const card = el("div", { class: "card", "data-tag": tag, "data-run": r.name });
      const canvas = el("canvas", { width: 460, height: 240 });
      card.append(el("h3", { text: `${tag} — ${r.name}` }), canvas);
      main.append(card);
      drawHistograms(canvas, items, color(r.name));
    }
    if (!main.children.length) main.append(el("div", { class: "empty", text: "No histograms." }));
  }

  function drawHistograms(canvas, items, stroke) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, pad = 30;
    let lo = Infinity, hi = -Infinity, top = 0;
    const shapes = items.map((h) => {
      // Bucket i covers (limits[i-1], limits[i]]; draw counts per unit width at bucket centres.
      const pts = [];
      for (let i = 1; i < h.limits.length; i++) {
        const a = h.limits[i - 1], b = h.limits[i];
        if (a === null || b === null || !(b > a)) continue;
        const x = (a + b) / 2, y = h.counts[i] / (b - a);
        pts.push([x, y]); lo = Math.min(lo, a); hi = Math.max(hi, b); top = Math.max(top, y);
      }
      return pts;
    });
    ctx.clearRect(0, 0, W, H);
    if (!(hi > lo) || !(top > 0)) return;
    const n = shapes.length, offset = n > 1 ? (H - 2 * pad) * 0.5 / (n - 1) : 0;
    const sx = (x) => pad + (x - lo) / (hi - lo) * (W - 2 * pad);
    shapes.forEach((pts, k) => {
      const base = H - pad - (n - 1 - k) * offset, scale = (H - 2 * pad) * 0.5 / top;
      ctx.beginPath();
      pts.forEach(([x, y], i) => { const X = sx(x), Y = base - y * scale; if (i) ctx.lineTo(X, Y); else ctx.moveTo(X, Y); });
      ctx.globalAlpha = 0.3 + 0.7 * (k + 1) / n;
      ctx.strokeStyle = stroke;
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
    ctx.fillStyle = "#424242";
    ctx.fillText(lo.toPrecision(3), pad, H - 8);
    ctx.fillText(hi.toPrecision(3), W - pad - 40, H - 8);
    ctx.fillText(`steps ${items[0].step}..${items[items.length - 1].step}`, pad, 12);
  }

  // ---- text -----------------------------------------------------------------------------
  async function renderText(main) {
    for (const tag of unionTags("text")) for (const r of selectedRuns()) {
      if (!(r.tags.text || []).includes(tag)) continue;
      const items = await getJSON("/api/text?" + q({ run: r.name, tag }));
      const table = el("table");
      table.append(el("tr", {}, el("th", { text: "step" }), el("th", { text: "text" })));
      for (const t of items) table.append(el("tr", {}, el("td", { text: String(t.step) }), el("td", {}, el("pre", { class: "text", text: t.text }))));
      main.append(el("div", { class: "card", "data-tag": tag }, el("h3", { text: `${tag} — ${r.name}` }), table));
    }
    if (!main.children.length) main.append(el("div", { class: "empty", text: "No text." }));
  }

  // ---- PR curves ------------------------------------------------------------------------
  async function renderPrCurves(main) {
    for (const tag of unionTags("pr_curves")) for (const r of selectedRuns()) {
      if (!(r.tags.pr_curves || []).includes(tag)) continue;
      const items = await getJSON("/api/pr_curves?" + q({ run: r.name, tag }));
      if (!items.length) continue;
      const card = el("div", { class: "card", "data-tag": tag });
      const label = el("div"), box = el("div");
      const slider = el("input", { type: "range", min: 0, max: items.length - 1, step: 1, value: items.length - 1 });
      let u = null;
      const show = () => {
        const it = items[+slider.value];
        // recall falls as the threshold rises: plot against increasing recall.
        const pts = it.recall.map((x, i) => [x, it.precision[i]]).sort((a, b) => a[0] - b[0]);
        const data = [pts.map((p) => p[0]), pts.map((p) => p[1])];
        label.textContent = `step ${it.step}`;
        if (u) u.setData(data);
        else u = new uPlot({ width: 420, height: 260, scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
                             series: [{ label: "recall" }, { label: "precision", stroke: color(r.name) }] }, data, box);
      };
      slider.addEventListener("input", show);
      card.append(el("h3", { text: `${tag} — ${r.name}` }), label, slider, box);
      main.append(card);
      show();
    }
    if (!main.children.length) main.append(el("div", { class: "empty", text: "No PR curves." }));
  }

  // ---- hparams --------------------------------------------------------------------------
  async function renderHparams(main) {
    const rows = await getJSON("/api/hparams");
    if (!rows.length) { main.append(el("div", { class: "empty", text: "No hparams." })); return; }
    const hp = [...new Set(rows.flatMap((r) => Object.keys(r.hparams)))];
    const mt = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
    const table = el("table", { id: "hparams-table" });
    table.append(el("tr", {}, el("th", { text: "run" }), ...hp.map((h) => el("th", { text: h })), ...mt.map((m) => el("th", { text: m }))));
    for (const r of rows)
      table.append(el("tr", {}, el("td", { text: r.run }), ...hp.map((h) => el("td", { text: String(r.hparams[h] ?? "") })),
                      ...mt.map((m) => el("td", { text: r.metrics[m] == null ? "" : Number(r.metrics[m]).toPrecision(4) }))));
    main.append(el("div", { class: "card" }, table));
  }

  // ---- graph: a layered drawing, nodes by depth from the inputs --------------------------
  async function renderGraph(main) {
    for (const r of selectedRuns()) {
      if (!r.tags.graph) continue;
      const g = await getJSON("/api/graph?" + q({ run: r.name }));
      const byName = new Map(g.nodes.map((n) => [n.name, n]));
      const depth = new Map();
      const d = (name, seen = new Set()) => {
        if (depth.has(name)) return depth.get(name);
        if (seen.has(name)) return 0;
        seen.add(name);
        const n = byName.get(name);
        const v = n && n.inputs.length ? 1 + Math.max(...n.inputs.map((i) => d(i.replace(/^\^/, "").replace(/:\d+$/, ""), seen))) : 0;
        depth.set(name, v);
        return v;
      };
      g.nodes.forEach((n) => d(n.name));
      const cols = new Map();
      for (const n of g.nodes) { const k = depth.get(n.name); if (!cols.has(k)) cols.set(k, []); cols.get(k).push(n); }
      const BW = 170, BH = 34, GX = 40, GY = 12, pos = new Map();
      let maxRows = 0;
      for (const [k, list] of cols) { list.forEach((n, i) => pos.set(n.name, [k * (BW + GX) + 10, i * (BH + GY) + 10])); maxRows = Math.max(maxRows, list.length); }
      const W = (Math.max(...cols.keys()) + 1) * (BW + GX) + 20, H = maxRows * (BH + GY) + 20;
      const NS = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(NS, "svg");
      svg.setAttribute("width", W); svg.setAttribute("height", H);
      const mk = (tag, attrs, text) => { const e = document.createElementNS(NS, tag); for (const [a, v] of Object.entries(attrs)) e.setAttribute(a, v); if (text) e.textContent = text; return e; };
      for (const n of g.nodes) for (const i of n.inputs) {
        const src = pos.get(i.replace(/^\^/, "").replace(/:\d+$/, "")), dst = pos.get(n.name);
        if (src && dst) svg.append(mk("line", { x1: src[0] + BW, y1: src[1] + BH / 2, x2: dst[0], y2: dst[1] + BH / 2, stroke: "#9e9e9e" }));
      }
      for (const n of g.nodes) {
        const [x, y] = pos.get(n.name);
        const fill = n.op === "IO Node" ? "#ffe0b2" : n.op === "Parameter" ? "#e3f2fd" : "#f1f8e9";
        const grp = mk("g", { "data-node": n.name });
        grp.append(mk("rect", { x, y, width: BW, height: BH, rx: 4, fill, stroke: "#757575" }));
        grp.append(mk("text", { x: x + 4, y: y + 13 }, n.name.length > 28 ? "…" + n.name.slice(-27) : n.name));
        grp.append(mk("text", { x: x + 4, y: y + 27, fill: "#616161" }, n.op + (n.shape ? " [" + n.shape + "]" : "")));
        grp.append(mk("title", {}, `${n.name}\n${n.op}\ninputs: ${n.inputs.join(", ")}`));
        svg.append(grp);
      }
      const card = el("div", { class: "card graph", "data-run": r.name }, el("h3", { text: `graph — ${r.name} (${g.nodes.length} nodes)` }));
      const scroll = el("div"); scroll.style.overflow = "auto"; scroll.style.maxWidth = "100%";
      scroll.append(svg); card.append(scroll); main.append(card);
    }
    if (!main.children.length) main.append(el("div", { class: "empty", text: "No graph." }));
  }

  // ---- rendering and refresh ------------------------------------------------------------
  const RENDER = { scalars: renderScalars, images: renderImages, audio: renderAudio, histograms: renderHistograms, text: renderText,
                   pr_curves: renderPrCurves, hparams: renderHparams, graph: renderGraph };
  let rendering = Promise.resolve();

  function render() {
    rendering = rendering.then(async () => {
      const main = $("content");
      for (const u of state.charts.values()) u.destroy();
      state.charts.clear();
      main.replaceChildren();
      $("scalar-options").style.display = state.tab === "scalars" ? "" : "none";
      try { await RENDER[state.tab](main); } catch (e) { main.append(el("div", { class: "empty", text: String(e) })); }
      board.renders++;
    });
    return rendering;
  }
  board.render = render;

  // Refreshes run one after another: two overlapping ones would both fetch a series "since"
  // the same count and append its new points twice.
  let refreshing = Promise.resolve();
  function refresh() {
    const next = refreshing.then(refreshOnce, refreshOnce);
    refreshing = next.catch(() => {});
    return next;
  }

  async function refreshOnce() {
    const before = JSON.stringify(state.runs.map((r) => [r.name, r.tags]));
    await loadRuns();
    const after = JSON.stringify(state.runs.map((r) => [r.name, r.tags]));
    if (before !== after) return render();
    if (state.tab === "scalars") { await rendering; return refreshScalars(); }
  }
  board.refresh = refresh;

  document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll("#tabs button").forEach((x) => x.classList.toggle("active", x === b));
    state.tab = b.dataset.tab;
    render();
  }));
  $("tag-filter").addEventListener("input", (e) => { state.filter = e.target.value; render(); });
  $("smoothing").addEventListener("input", (e) => {
    state.smoothing = +e.target.value;
    $("smoothing-value").textContent = state.smoothing.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
    redrawScalarCharts();
  });
  $("xaxis").addEventListener("change", (e) => { state.xaxis = e.target.value; render(); });
  $("logy").addEventListener("change", (e) => { state.logy = e.target.checked; render(); });

  (async function start() {
    const t0 = performance.now();
    await loadRuns();
    board.timings.runs = performance.now() - t0;
    await render();
    board.timings.firstPaint = performance.now() - t0;
    board.ready = true;
    setInterval(() => { refresh().catch(() => {}); }, 5000);
  })();
})();
