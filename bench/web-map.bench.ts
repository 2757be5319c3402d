/**
 * The web app's live seat map in headless Chromium: the time from navigation to a live map with
 * every seat drawn (`[data-live-status=live]`, then the next frame), for venues of 10,000 and
 * 100,000 seats, and the cost of a zoom step (a viewBox change to the next frame drawn). Peer, in
 * the same run and the same browser: a bare static page that fetches the same seat-map JSON and
 * draws one plain SVG circle per seat — no roles, names, live state or listeners — the browser's
 * own limit for that many circles. Everything runs on 127.0.0.1; the runs and every wait are bounded.
 *
 * `WEB_MAP_SEATS` (10000,100000) venue sizes, `WEB_MAP_RUNS` (3) page loads of each page and size,
 * `WEB_MAP_ZOOMS` (3) zoom sequences per load; `WEB_MAP_TRACE_DIR` writes a Chrome trace of the app's
 * first measured load at each size (open it in DevTools' Performance panel).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { buildWebApp } from '../scripts/web-app-build.js';
import { launchChromium } from '../tests/support/headless-chromium.js';
import { startTestPlatform, type TestPlatform } from '../tests/support/test-platform.js';
import { report, summarize } from './bench-report.js';

const SIZES = (process.env['WEB_MAP_SEATS'] ?? '10000,100000').split(',').map(Number);
const RUNS = Number(process.env['WEB_MAP_RUNS'] ?? 3);
const ZOOMS = Number(process.env['WEB_MAP_ZOOMS'] ?? 3);
const TRACE_DIR = process.env['WEB_MAP_TRACE_DIR'];
const LOAD_TIMEOUT_MS = 120_000;
const VIEWPORT = { width: 1280, height: 900 };

/** Blocks of up to 100 rows of 100 seats, five to a line: a venue about twice as wide as deep. */
function layoutOf(seats: number) {
  const blocks = Math.ceil(seats / 10_000);
  return {
    name: `Bench Hall ${seats}`,
    sections: Array.from({ length: blocks }, (_, b) => {
      const inBlock = Math.min(10_000, seats - b * 10_000);
      const rowCount = Math.ceil(inBlock / 100);
      return {
        id: `B${b + 1}`,
        name: `Block ${b + 1}`,
        tier: b < blocks / 2 ? 'A' : 'B',
        position: { x: (b % 5) * 1_040, y: Math.floor(b / 5) * 1_240 },
        rows: Array.from({ length: rowCount }, (_, r) => ({ label: `R${r + 1}`, seats: Math.min(100, inBlock - r * 100) })),
      };
    }),
  };
}

/**
 * Records, in the page, when the live badge (or the peer's body) says live and when the frame
 * after it has been drawn; `performance.now()` counts from the navigation's start.
 */
const WATCH_LIVE = `
  window.__mapBench = {};
  new MutationObserver((records, observer) => {
    if (!records.some((r) => r.target.getAttribute('data-live-status') === 'live')) return;
    observer.disconnect();
    window.__mapBench.live = performance.now();
    requestAnimationFrame(() => setTimeout(() => { window.__mapBench.drawn = performance.now(); }));
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-live-status'] });
`;

/** The peer: plain circles from the same JSON, with the app's viewBox arithmetic and radius. */
const PEER_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>peer</title>
<style>body{margin:0;font:14px sans-serif} svg{width:900px;height:auto;max-height:75vh;display:block}</style></head>
<body><svg id="map" xmlns="http://www.w3.org/2000/svg"></svg><script>
fetch('/map.json').then((r) => r.json()).then((map) => {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.getElementById('map');
  const fill = { A: '#2a9d8f', B: '#e9c46a' };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const layer = document.createElementNS(NS, 'g');
  for (const s of map.seats) {
    const c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', s.x); c.setAttribute('cy', s.y); c.setAttribute('r', 4.2);
    c.setAttribute('fill', fill[s.tier] || '#888');
    layer.appendChild(c);
    minX = Math.min(minX, s.x); minY = Math.min(minY, s.y); maxX = Math.max(maxX, s.x); maxY = Math.max(maxY, s.y);
  }
  const whole = { x: minX - 22.6, y: minY - 22.6, width: maxX - minX + 45.2, height: maxY - minY + 45.2 };
  let view = whole;
  const show = (v) => { view = v; svg.setAttribute('viewBox', [v.x, v.y, v.width, v.height].join(' ')); };
  show(whole);
  svg.appendChild(layer);
  window.zoomBy = (f) => {
    const w = Math.max(whole.width / 64, Math.min(whole.width, view.width / f)), h = w * whole.height / whole.width;
    show({ x: view.x + (view.width - w) / 2, y: view.y + (view.height - h) / 2, width: w, height: h });
  };
  window.fitWhole = () => show(whole);
  document.body.setAttribute('data-live-status', 'live');
});
</script></body></html>`;

function servePeer(mapJson: Buffer): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.url === '/map.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': mapJson.length });
      response.end(mapJson);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(PEER_PAGE);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

interface Load {
  liveMs: number;
  drawnMs: number;
  /** Main-thread time by kind over the load, from CDP's Performance domain. */
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
  taskMs: number;
  zoomInWholeMs: number[];
  zoomInDeepMs: number[];
  fitWholeMs: number[];
}

const metric = async (cdp: CDPSession, name: string) =>
  ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? 0) * 1_000;

/** One zoom step: what `step` does in the page, timed to the next frame drawn. */
function timedStep(page: Page, step: string): Promise<number> {
  return page.evaluate(`(async () => {
    const start = performance.now();
    ${step};
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    return performance.now() - start;
  })()`) as Promise<number>;
}

async function loadOnce(browser: Browser, url: string, kind: 'app' | 'peer', traceTo?: string): Promise<Load> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.setDefaultTimeout(LOAD_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.addInitScript(WATCH_LIVE);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    if (traceTo) await browser.startTracing(page, { path: traceTo });
    await page.goto(url);
    // A function, not a string: the app's CSP forbids eval, which a string predicate needs.
    const drawnYet = () => (globalThis as { __mapBench?: { drawn?: number } }).__mapBench?.drawn !== undefined;
    await page.waitForFunction(drawnYet, undefined, { timeout: LOAD_TIMEOUT_MS, polling: 100 });
    const [scriptMs, styleMs, layoutMs, taskMs] = [
      await metric(cdp, 'ScriptDuration'),
      await metric(cdp, 'RecalcStyleDuration'),
      await metric(cdp, 'LayoutDuration'),
      await metric(cdp, 'TaskDuration'),
    ];
    if (traceTo) await browser.stopTracing();
    const { live, drawn } = (await page.evaluate('window.__mapBench')) as { live: number; drawn: number };
    const button = (label: string) => `document.querySelector('.map-zoom button[aria-label="${label}"]').click()`;
    const steps = kind === 'app'
      ? { zoomIn: button('Zoom in'), fit: button('Fit whole venue') }
      : { zoomIn: 'window.zoomBy(2)', fit: 'window.fitWhole()' };
    const zoomInWholeMs: number[] = [];
    const zoomInDeepMs: number[] = [];
    const fitWholeMs: number[] = [];
    for (let i = 0; i < ZOOMS; i++) {
      zoomInWholeMs.push(await timedStep(page, steps.zoomIn));
      await timedStep(page, steps.zoomIn);
      zoomInDeepMs.push(await timedStep(page, steps.zoomIn));
      fitWholeMs.push(await timedStep(page, steps.fit));
    }
    if (errors.length > 0) throw new Error(`${kind}: ${errors.join('; ')}`);
    return { liveMs: live, drawnMs: drawn, scriptMs, styleMs, layoutMs, taskMs, zoomInWholeMs, zoomInDeepMs, fitWholeMs };
  } finally {
    await page.close();
  }
}

async function createEvent(test: TestPlatform, seats: number): Promise<string> {
  const organizer = await test.tokenFor('bench-organizer', 'organizer');
  const layout = layoutOf(seats);
  const prices = Object.fromEntries(layout.sections.map((s) => [s.tier, s.tier === 'A' ? 5000 : 3000]));
  return (await test.putOnSale(organizer, layout, { name: `Bench Night ${seats}`, prices })).eventId;
}

const p50 = (values: number[]) => summarize(values).p50;

async function main(): Promise<void> {
  const webRoot = mkdtempSync(join(tmpdir(), 'stream-seat-web-map-bench-'));
  let test: TestPlatform | undefined;
  let browser: Browser | undefined;
  const peers: Server[] = [];
  try {
    await buildWebApp(webRoot);
    test = await startTestPlatform({ name: 'web-map-bench', serviceEnv: { gateway: { WEB_ROOT: webRoot } } });
    browser = await launchChromium();
    if (TRACE_DIR) mkdirSync(TRACE_DIR, { recursive: true });
    const rows: Array<Record<string, string | number>> = [];
    for (const seats of SIZES) {
      const eventId = await createEvent(test, seats);
      const mapJson = Buffer.from(await (await fetch(`${test.gateway}/api/events/${eventId}/seatmap`)).arrayBuffer());
      const peer = await servePeer(mapJson);
      peers.push(peer.server);
      const loads: Record<'app' | 'peer', Load[]> = { app: [], peer: [] };
      // Warm-up, not measured: the browser's caches and the services' first fetch of the event.
      await loadOnce(browser, `${test.gateway}/#/events/${eventId}`, 'app');
      for (let run = 0; run < RUNS; run++) {
        const traceTo = TRACE_DIR && run === 0 ? join(TRACE_DIR, `web-map-${seats}.trace.json`) : undefined;
        loads.app.push(await loadOnce(browser, `${test.gateway}/#/events/${eventId}`, 'app', traceTo));
        loads.peer.push(await loadOnce(browser, peer.url, 'peer'));
        process.stderr.write(`${seats} seats, run ${run + 1}: app ${loads.app.at(-1)?.drawnMs.toFixed(0)} ms, peer ${loads.peer.at(-1)?.drawnMs.toFixed(0)} ms\n`);
      }
      const peerDrawn = p50(loads.peer.map((l) => l.drawnMs));
      const peerZoom = p50(loads.peer.flatMap((l) => l.zoomInWholeMs));
      for (const kind of ['app', 'peer'] as const) {
        const of = (pick: (l: Load) => number) => p50(loads[kind].map(pick));
        const drawn = of((l) => l.drawnMs);
        const zoomWhole = p50(loads[kind].flatMap((l) => l.zoomInWholeMs));
        rows.push({
          seats,
          page: kind === 'app' ? 'web app' : 'peer: plain SVG circles',
          'JSON MB': Number((mapJson.length / 1e6).toFixed(1)),
          'to live ms': Math.round(of((l) => l.liveMs)),
          'to drawn ms (p50)': Math.round(drawn),
          'script ms': Math.round(of((l) => l.scriptMs)),
          'style ms': Math.round(of((l) => l.styleMs)),
          'layout ms': Math.round(of((l) => l.layoutMs)),
          'main thread ms': Math.round(of((l) => l.taskMs)),
          'zoom in from whole ms': Math.round(zoomWhole),
          'zoom in, deep ms': Math.round(p50(loads[kind].flatMap((l) => l.zoomInDeepMs))),
          'fit whole ms': Math.round(p50(loads[kind].flatMap((l) => l.fitWholeMs))),
          'drawn vs peer': Number((drawn / peerDrawn).toFixed(2)),
          'zoom vs peer': Number((zoomWhole / peerZoom).toFixed(2)),
        });
      }
    }
    report('web-map', rows, { runs: RUNS, zoomSequences: ZOOMS, viewport: VIEWPORT });
  } finally {
    await browser?.close();
    for (const server of peers) server.close();
    await test?.stop();
    rmSync(webRoot, { recursive: true, force: true });
  }
}

await main();
