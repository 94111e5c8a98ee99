// ember-board's page in headless Chromium (Debian's chromium, driven by npm playwright-core):
// reads the plotted points back from the charts, moves the smoothing slider, switches runs,
// moves the image step slider, times the first paint and a refresh that adds points (then
// one that doubles the sample's stride), and saves a screenshot. Run by tests/python/test_board_page.py, which writes the log dir,
// serves it and checks the JSON this prints:
//   node page_test.mjs BASE_URL SCREENSHOT_PNG APPEND_COMMAND_JSON
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";

const require = createRequire(process.env.EMBER_BOARD_NODE_MODULES + "/");
const { chromium } = require("playwright-core");
const [base, screenshot, appendJson] = process.argv.slice(2);
const appendCommand = JSON.parse(appendJson);

// TensorBoard's debiased EMA, written again here so the page is checked against an
// independent implementation.
function ema(values, w) {
  const constant = values.every((v) => v === values[0]);
  let last = 0, n = 0;
  return values.map((v) => {
    if (constant || !Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return last / (w === 1 ? 1 : 1 - Math.pow(w, n));
  });
}

// The charts' sample, written again from Note [Strided display sample]'s statement: the
// points at multiples of a power-of-two stride B and the last point, for the smallest B
// that makes at most N points.
function expectedSample(full, maxPoints) {
  const n = full.steps.length;
  for (let b = 1; ; b *= 2) {
    const idx = [];
    for (let i = 0; i < n; i += b) idx.push(i);
    if (n && (n - 1) % b !== 0) idx.push(n - 1);
    if (maxPoints > 0 && idx.length > maxPoints) continue;
    return { stride: b, steps: idx.map((i) => full.steps[i]), values: idx.map((i) => full.values[i]) };
  }
}

function maxDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

const out = { checks: {} };
const check = (name, ok, detail) => { out.checks[name] = ok ? true : `FAILED: ${detail}`; };

const browser = await chromium.launch({
  executablePath: process.env.EMBER_CHROMIUM || "/usr/lib/chromium/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const external = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(base + "/");
  await page.waitForFunction(() => window.emberBoard && window.emberBoard.ready, null, { timeout: 120000 });
  out.firstPaintWallMs = Date.now() - t0;
  out.firstPaintMs = await page.evaluate(() => window.emberBoard.timings.firstPaint);
  out.firstFetchMs = await page.evaluate(() => window.emberBoard.timings.scalarFetch);
  out.firstRunsMs = await page.evaluate(() => window.emberBoard.timings.runs);
  out.charts = await page.evaluate(() => window.emberBoard.charts.size);
  out.runs = await page.evaluate(() => window.emberBoard.state.runs.length);

  // How much the first paint downloaded: the scalar responses' bodies.
  out.firstFetchBytes = await page.evaluate(() => performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/api/scalars_batch")).reduce((a, e) => a + e.encodedBodySize, 0));
  out.maxPoints = await page.evaluate(() => window.emberBoard.state.maxPoints);

  // Plotted points: every run's raw and smoothed series of tag t0, against the sample taken
  // here from the full-resolution API.
  const plotted = await page.evaluate(() => {
    const u = window.emberBoard.charts.get("t0");
    return { labels: u.series.map((s) => s.label), x: Array.from(u.data[0]),
             raw: Array.from(u.data[1]), smoothed: Array.from(u.data[2]) };
  });
  const fullSeries = (run, tag) => page.evaluate(async ([b, run, tag]) => {
    const r = await fetch(b + "/api/scalars?" + new URLSearchParams({ run, tag }));
    const a = new Float64Array(await r.arrayBuffer()), k = a.length / 3;
    return { steps: Array.from(a.subarray(0, k)), values: Array.from(a.subarray(2 * k)) };
  }, [base, run, tag]);
  const full = await fullSeries("r00", "t0");
  const api = expectedSample(full, out.maxPoints);
  check("series per run", plotted.labels.length === 1 + 2 * out.runs, plotted.labels.length);
  check("first run is r00", plotted.labels[2] === "r00", plotted.labels[2]);
  check("x is the sampled steps", maxDiff(plotted.x, api.steps) === 0, `${plotted.x.length} vs ${api.steps.length}`);
  check("at most maxPoints, first and last kept", plotted.x.length <= out.maxPoints && plotted.x[0] === 0 &&
        plotted.x[plotted.x.length - 1] === full.steps[full.steps.length - 1], `${plotted.x.length} ${plotted.x.at(-1)}`);
  check("raw points", maxDiff(plotted.raw, api.values) === 0, "raw differs");
  check("smoothed 0.6", maxDiff(plotted.smoothed, ema(api.values, 0.6)) < 1e-12, maxDiff(plotted.smoothed, ema(api.values, 0.6)));
  out.shownPerSeries = plotted.x.length;
  out.pointsPerChart = await page.evaluate(() => [...window.emberBoard.state.series.entries()]
    .filter(([k]) => k.endsWith("\u0000t0")).reduce((a, [, s]) => a + s.total, 0));
  // The card says it is a sample, and the downloads it links have every point.
  const note = await page.locator('.card[data-tag="t0"] .sampling').textContent();
  check("sampling note", note.startsWith(`${(out.runs * api.steps.length).toLocaleString("en")} of ` +
        `${out.pointsPerChart.toLocaleString("en")} points shown: every ${api.stride}th point`), note);
  const downloads = await page.evaluate(async () => {
    const links = [...document.querySelectorAll('.card[data-tag="t0"] a')].filter((a) => a.textContent.endsWith(" r00"));
    const get = async (kind) => (await fetch(links.find((a) => a.textContent.startsWith(kind)).href)).text();
    return { csv: (await get("CSV")).trim().split("\n"), json: JSON.parse(await get("JSON")) };
  });
  check("CSV download has every point", downloads.csv.length === 1 + full.steps.length &&
        downloads.csv.slice(1).every((line, i) => +line.split(",")[1] === full.steps[i] && +line.split(",")[2] === full.values[i]),
        downloads.csv.length);
  check("JSON download has every point", downloads.json.length === full.steps.length &&
        downloads.json.every((row, i) => row[1] === full.steps[i] && row[2] === full.values[i]), downloads.json.length);

  // The smoothing slider.
  await page.locator("#smoothing").fill("0.95");
  const smoothed = await page.evaluate(() => Array.from(window.emberBoard.charts.get("t0").data[2]));
  check("smoothed 0.95", maxDiff(smoothed, ema(api.values, 0.95)) < 1e-12, maxDiff(smoothed, ema(api.values, 0.95)));
  check("slider label", (await page.locator("#smoothing-value").textContent()) === "0.95", "label");

  // Switching runs: r00 off, then the chart's first run is r01.
  const renders = await page.evaluate(() => window.emberBoard.renders);
  await page.locator('input[data-run="r00"]').uncheck();
  await page.waitForFunction((n) => window.emberBoard.renders > n, renders);
  const labels = await page.evaluate(() => window.emberBoard.charts.get("t0").series.map((s) => s.label));
  check("run switched off", labels.length === 1 + 2 * (out.runs - 1) && labels[2] === "r01", labels.slice(0, 3).join(","));
  const r01 = await page.evaluate(() => Array.from(window.emberBoard.charts.get("t0").data[1]));
  const apiR01 = expectedSample(await fullSeries("r01", "t0"), out.maxPoints).values;
  check("r01 raw points", maxDiff(r01, apiR01) === 0, "r01 differs");
  await page.locator('input[data-run="r00"]').check();
  await page.waitForFunction((n) => window.emberBoard.renders > n + 1, renders);

  // Tag filter.
  await page.locator("#tag-filter").fill("^t[12]$");
  await page.waitForFunction((n) => window.emberBoard.renders > n + 2, renders);
  check("tag filter", (await page.evaluate(() => [...window.emberBoard.charts.keys()].join(","))) === "t1,t2", "filter");
  await page.locator("#tag-filter").fill("");
  await page.waitForFunction((n) => window.emberBoard.renders > n + 3, renders);

  // A refresh that adds 1k points to r00/t0: only the new points are fetched.
  const appendAndRefresh = async (first, n) => {
    execFileSync(appendCommand[0], [...appendCommand.slice(1, 4), String(first), String(n)]);
    // The server rereads the log directory at most every reload_interval, so a request that
    // lands right after the writer exits may not see the new file yet: wait until it does.
    await page.waitForFunction(async ([b, first]) => {
      const r = await fetch(b + "/api/scalars?run=r00&tag=t0&since=" + first);
      return (await r.arrayBuffer()).byteLength > 0;
    }, [base, first], { polling: 100 });
    return page.evaluate(async () => {
      const t = performance.now();
      const before = performance.getEntriesByType("resource").length;
      await window.emberBoard.refresh();
      const ms = performance.now() - t;
      const s = window.emberBoard.state.series.get("r00\u0000t0"), u = window.emberBoard.charts.get("t0");
      // r00's columns in the chart (x joined with the other runs' steps: null where r00 has none).
      const rows = [...u.data[0].keys()].filter((i) => u.data[1][i] !== null && u.data[1][i] !== undefined);
      return { ms, total: s.total, stride: s.stride, steps: Array.from(s.steps.subarray(0, s.n)),
               values: Array.from(s.values.subarray(0, s.n)),
               x: rows.map((i) => u.data[0][i]), raw: rows.map((i) => u.data[1][i]), smoothed: rows.map((i) => u.data[2][i]),
               bytes: performance.getEntriesByType("resource").slice(before)
                 .filter((e) => e.name.includes("/api/scalars_batch")).reduce((a, e) => a + e.encodedBodySize, 0) };
    });
  };
  // After a refresh the chart must show the sample of all the points, neither duplicating
  // nor dropping one, smoothed over it, as a fresh page would.
  const checkRefreshed = async (name, refresh, logged) => {
    const fullAfter = await fullSeries("r00", "t0");
    const expectedAfter = expectedSample(fullAfter, out.maxPoints);
    check(`${name}: points logged`, refresh.total === logged && fullAfter.steps.length === logged,
          `${refresh.total} ${fullAfter.steps.length}`);
    check(`${name}: sample`, maxDiff(refresh.steps, expectedAfter.steps) === 0 && maxDiff(refresh.values, expectedAfter.values) === 0 &&
          refresh.stride === expectedAfter.stride && refresh.steps.at(-1) === fullAfter.steps.at(-1) &&
          refresh.steps.length <= out.maxPoints,
          `${refresh.steps.length} points, stride ${refresh.stride}, last ${refresh.steps.at(-1)}, expected ${expectedAfter.steps.length}`);
    check(`${name}: chart`, maxDiff(refresh.x, expectedAfter.steps) === 0 && maxDiff(refresh.raw, expectedAfter.values) === 0 &&
          maxDiff(refresh.smoothed, ema(expectedAfter.values, 0.95)) < 1e-12, `${refresh.x.length} rows`);
    return expectedAfter;
  };
  const appendFrom = +appendCommand[4], added = +appendCommand[5];
  const refresh = await appendAndRefresh(appendFrom, added);
  out.refreshMs = refresh.ms;
  out.refreshBytes = refresh.bytes;
  const grown = await checkRefreshed("refresh added 1k points", refresh, full.steps.length + added);
  check("refresh kept the stride", grown.stride === api.stride, `${grown.stride} ${api.stride}`);
  // 5k more points: the sample would pass maxPoints, the stride doubles, and the page
  // replaces r00's sample instead of extending it.
  const reset = await appendAndRefresh(appendFrom + added, 5000);
  out.resetRefreshMs = reset.ms;
  const thinned = await checkRefreshed("refresh doubling the stride", reset, full.steps.length + added + 5000);
  check("stride doubled", thinned.stride === 2 * api.stride, `${thinned.stride} ${api.stride}`);
  // r00 at stride 32 now, the other runs at 16: the note says both, and the new totals.
  const shownNow = (out.runs - 1) * api.steps.length + thinned.steps.length;
  const noteNow = await page.locator('.card[data-tag="t0"] .sampling').textContent();
  check("sampling note after the doubling", noteNow.startsWith(`${shownNow.toLocaleString("en")} of ` +
        `${(out.pointsPerChart + added + 5000).toLocaleString("en")} points shown: every 16th or 32nd point`), noteNow);

  // Images: the step slider walks the steps.
  await page.locator('#tabs button[data-tab="images"]').click();
  await page.waitForSelector('.card[data-tag="digits"] input.step-slider');
  const card = page.locator('.card[data-tag="digits"][data-run="r00"]');
  const before = await card.locator("div").first().textContent();
  await card.locator("input.step-slider").fill("0");
  const after = await card.locator("div").first().textContent();
  const src = await card.locator("img").getAttribute("src");
  check("image slider", before.startsWith("step 2 ") && after.startsWith("step 1 ") && src.includes("index=0"),
        `${before} / ${after} / ${src}`);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
  // add_video's GIF shows in the images tab: two 8x8 videos side by side.
  const gif = await page.locator('.card[data-tag="clip"][data-run="r00"] img').evaluate(async (img) => {
    const r = await fetch(img.src);
    return { type: r.headers.get("content-type"), width: img.naturalWidth, height: img.naturalHeight };
  });
  check("video GIF", gif.type === "image/gif" && gif.width === 16 && gif.height === 8, JSON.stringify(gif));

  // Audio: a player per tag and run; the slider picks the step, the WAV loads in the player.
  await page.locator('#tabs button[data-tab="audio"]').click();
  await page.waitForSelector('.card[data-tag="tone"] audio');
  const tone = page.locator('.card[data-tag="tone"][data-run="r00"]');
  const duration = () => tone.locator("audio").evaluate((a) => new Promise((resolve) => {
    if (a.readyState >= 1) return resolve(a.duration);
    a.addEventListener("loadedmetadata", () => resolve(a.duration), { once: true });
    a.addEventListener("error", () => resolve(-1), { once: true });
  }));
  const last = await duration(), lastLabel = await tone.locator("div").first().textContent();
  await tone.locator("input.step-slider").fill("0");
  const first = await duration(), firstLabel = await tone.locator("div").first().textContent();
  check("audio players", Math.abs(last - 0.25) < 1e-3 && Math.abs(first - 0.5) < 1e-3 &&
        lastLabel.startsWith("step 2 ") && firstLabel.startsWith("step 1 "),
        `${last} ${first} / ${lastLabel} / ${firstLabel}`);

  // Back to scalars for the screenshot.
  await page.locator('#tabs button[data-tab="scalars"]').click();
  await page.waitForFunction(() => window.emberBoard.charts.size > 0);
  await page.screenshot({ path: screenshot });
  check("no external requests", external.length === 0, external.join(" "));
  check("no page errors", errors.length === 0, errors.join(" | "));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
