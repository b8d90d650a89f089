// Drives the live page of a running node in headless Chromium (playwright-core, the system's
// chromium): waits until every trainer shows its layers, reads the densities shown, waits until
// one of them changes and until the learning curve and the members table have rows, saves a
// screenshot and prints one JSON line on stdout for the Java test (LivePageBrowserTest) to check.
// Every wait polls the DOM with a deadline; nothing sleeps.
//
//   node live-page.mjs --url http://127.0.0.1:8558/ --screenshot out.png --trainers 2
//
// Exit code 0 with {"ok": true, ...}; 1 with {"ok": false, "error": ..., "step": ...}.

import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    screenshot: { type: 'string' },
    trainers: { type: 'string', default: '1' },
    'min-episodes': { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '240000' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!opts.url || !opts.screenshot) {
  console.error('usage: live-page.mjs --url URL --screenshot FILE [--trainers N] [--min-episodes N]');
  process.exit(2);
}
const trainers = Number(opts.trainers);
const minEpisodes = Number(opts['min-episodes']);
const deadline = Date.now() + Number(opts['timeout-ms']);
const left = () => Math.max(1000, deadline - Date.now());
const POLL_MS = 250;

// Chromium must not reach anything but the node: no sync, updates, QUIC or background fetches.
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

const result = { ok: false, url: opts.url, screenshot: opts.screenshot, errors: [], externalRequests: [] };
const profile = mkdtempSync(join(tmpdir(), 'jitsparse-live-chromium-'));
let context;
let step = 'launch';
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: opts.chromium,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const origin = new URL(opts.url).origin;
  page.on('pageerror', (e) => result.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') {
      result.errors.push(`console: ${m.text()}`);
    }
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) {
      result.externalRequests.push(u);
    }
  });

  step = 'open';
  await page.goto(opts.url, { waitUntil: 'load', timeout: left() });

  step = 'trainers';
  // Each trainer's card with a density cell per layer, filled from its first steps.
  await page.waitForFunction(
    (n) => {
      const cards = [...document.querySelectorAll('[data-trainer]')];
      return cards.length >= n && cards.every((c) =>
        c.querySelectorAll('td.density[data-density]').length === Number(c.dataset.layers));
    },
    trainers,
    { timeout: left(), polling: POLL_MS },
  );

  const read = () => page.evaluate(() =>
    [...document.querySelectorAll('[data-trainer]')].map((c) => ({
      id: c.dataset.trainer,
      model: c.dataset.model,
      layers: Number(c.dataset.layers),
      episode: Number(c.dataset.episode),
      step: Number(c.dataset.step),
      densities: [...c.querySelectorAll('td.density[data-density]')].map((td) => Number(td.dataset.density)),
    })));
  result.before = await read();

  step = 'density change';
  await page.waitForFunction(
    (before) => [...document.querySelectorAll('[data-trainer]')].some((c) => {
      const was = before.find((b) => b.id === c.dataset.trainer);
      const now = [...c.querySelectorAll('td.density[data-density]')].map((td) => Number(td.dataset.density));
      return was && now.some((d, i) => d !== was.densities[i]);
    }),
    result.before,
    { timeout: left(), polling: POLL_MS },
  );

  step = 'learning curve';
  await page.waitForFunction(
    (n) => Number(document.getElementById('episode-count').textContent) >= n,
    minEpisodes,
    { timeout: left(), polling: POLL_MS },
  );

  step = 'members';
  await page.waitForFunction(
    () => document.querySelectorAll('#members tbody tr[data-member]').length > 0,
    null,
    { timeout: left(), polling: POLL_MS },
  );

  step = 'read';
  result.after = await read();
  result.changed = result.after
    .filter((t) => {
      const was = result.before.find((b) => b.id === t.id);
      return was && t.densities.some((d, i) => d !== was.densities[i]);
    })
    .map((t) => t.id);
  result.episodes = Number(await page.textContent('#episode-count'));
  result.members = await page.evaluate(() =>
    [...document.querySelectorAll('#members tbody tr[data-member]')].map((r) => ({
      address: r.dataset.member,
      status: r.dataset.status,
      reachable: r.dataset.reachable === 'true',
    })));
  result.status = await page.textContent('#status');

  step = 'screenshot';
  mkdirSync(dirname(opts.screenshot), { recursive: true });
  await page.screenshot({ path: opts.screenshot, fullPage: true });
  result.ok = true;
} catch (e) {
  result.step = step;
  result.error = String(e.message ?? e).split('\n')[0];
  if (context) {
    // What the page looked like when it failed: the test prints the path.
    try {
      mkdirSync(dirname(opts.screenshot), { recursive: true });
      await context.pages()[0]?.screenshot({ path: opts.screenshot, fullPage: true });
    } catch {
      // no page to show
    }
  }
} finally {
  if (context) {
    await context.close();
  }
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
