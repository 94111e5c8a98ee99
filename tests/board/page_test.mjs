// ember-board's page in headless Chromium (Debian's chromium, driven by npm playwright-core):
// reads the plotted points back from the charts, moves the smoothing slider, switches runs,
// moves the image step slider, times the first paint and a refresh that adds points, and
// saves a screenshot. Run by tests/python/test_board_page.py, which writes the log dir,
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
  out.charts = await page.evaluate(() => window.emberBoard.charts.size);
  out.runs = await page.evaluate(() => window.emberBoard.state.runs.length);

  // Plotted points: every run's raw and smoothed series of tag t0.
  const plotted = await page.evaluate(() => {
    const u = window.emberBoard.charts.get("t0");
    return { labels: u.series.map((s) => s.label), x: Array.from(u.data[0]),
             raw: Array.from(u.data[1]), smoothed: Array.from(u.data[2]) };
  });
  const api = await page.evaluate(async (b) => {
    const r = await fetch(b + "/api/scalars?run=r00&tag=t0");
    const a = new Float64Array(await r.arrayBuffer()), k = a.length / 3;
    return { steps: Array.from(a.subarray(0, k)), values: Array.from(a.subarray(2 * k)) };
  }, base);
  check("series per run", plotted.labels.length === 1 + 2 * out.runs, plotted.labels.length);
  check("first run is r00", plotted.labels[2] === "r00", plotted.labels[2]);
  check("x is the steps", maxDiff(plotted.x, api.steps) === 0, "x differs");
  check("raw points", maxDiff(plotted.raw, api.values) === 0, "raw differs");
  check("smoothed 0.6", maxDiff(plotted.smoothed, ema(api.values, 0.6)) < 1e-12, maxDiff(plotted.smoothed, ema(api.values, 0.6)));
  out.pointsPerChart = plotted.x.length * out.runs;

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
  const apiR01 = await page.evaluate(async (b) => {
    const a = new Float64Array(await (await fetch(b + "/api/scalars?run=r01&tag=t0")).arrayBuffer());
    return Array.from(a.subarray(2 * a.length / 3));
  }, base);
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
  execFileSync(appendCommand[0], appendCommand.slice(1));
  // The server rereads the log directory at most every reload_interval, so a request that
  // lands right after the writer exits may not see the new file yet: wait until it does.
  await page.waitForFunction(async ([b, first]) => {
    const r = await fetch(b + "/api/scalars?run=r00&tag=t0&since=" + first);
    return (await r.arrayBuffer()).byteLength > 0;
  }, [base, appendCommand[4]], { polling: 100 });
  const refresh = await page.evaluate(async () => {
    const t = performance.now();
    await window.emberBoard.refresh();
    return { ms: performance.now() - t, n: window.emberBoard.charts.get("t0").data[0].length };
  });
  out.refreshMs = refresh.ms;
  check("refresh added 1k points", refresh.n === plotted.x.length + 1000, refresh.n);

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
