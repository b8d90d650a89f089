// The live page: polls GET api/live?since=CURSOR (docs/metrics.md, "Live page") and redraws.
//
// The server keeps bounded, downsampled series and stamps every kept point with a sequence
// number; the page keeps a copy, asks only for what is newer than its cursor, and replaces a
// series whole when the server says `reset` (it was halved, or the page is new to it).

import { drawHeatmap, GRADIENT } from './heatmap.js';
import { curveChart, densityChart, layerColour, lossChart } from './charts.js';

// Used until the server's first answer tells its poll interval.
const DEFAULT_POLL_MILLIS = 1000;
// Retries back off up to this after failed polls (a stopped or restarting node).
const MAX_RETRY_MILLIS = 10000;
// Points the running mean of the learning curve spans: episodes while the curve is not downsampled
// (the learner's return_mean uses 20 episodes too).
const MEAN_WINDOW = 20;

const state = {
  boardId: null,
  cursor: 0,
  pollMillis: DEFAULT_POLL_MILLIS,
  failures: 0,
  trainers: new Map(), // id -> {info, points, latest, updatedAt, view}
  curve: [],
  curveChart: null,
  window: 0, // episodes shown; 0 = the whole history
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') {
      e.className = v;
    } else if (k.startsWith('data-') || k === 'title') {
      e.setAttribute(k, v);
    } else {
      e[k] = v;
    }
  }
  for (const c of children) {
    e.append(c);
  }
  return e;
}

const pct = (d, digits = 1) => (Number.isFinite(d) ? `${(d * 100).toFixed(digits)}%` : '–');
const layerName = (i) => `L${String(i).padStart(2, '0')}`;

function age(ms) {
  if (!(ms >= 0)) {
    return '';
  }
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago` : `${(s / 3600).toFixed(1)} h ago`;
}

/** Weighted by layer size: what the trainer's global density is. */
function globalDensity(info, densities) {
  let kept = 0;
  let total = 0;
  info.layers.forEach((l, i) => {
    kept += densities[i] * l.parameters;
    total += l.parameters;
  });
  return total > 0 ? kept / total : NaN;
}

// ---------------------------------------------------------------------------------------------
// Polling

async function poll() {
  let delay = state.pollMillis;
  try {
    const r = await fetch(`api/live?since=${state.cursor}`, { cache: 'no-store' });
    if (!r.ok) {
      throw new Error(`HTTP ${r.status}`);
    }
    const view = await r.json();
    if (state.boardId !== null && view.boardId !== state.boardId) {
      // The node restarted: its cursor means nothing to us; start over at once.
      clearAll();
      delay = 0;
    } else {
      state.boardId = view.boardId;
      apply(view);
      state.cursor = view.cursor;
      state.pollMillis = view.pollMillis || DEFAULT_POLL_MILLIS;
      delay = state.pollMillis;
      state.failures = 0;
      setStatus('live', `live · ${new Date(view.now).toLocaleTimeString()}`);
    }
  } catch (e) {
    state.failures += 1;
    delay = Math.min(MAX_RETRY_MILLIS, state.pollMillis * 2 ** state.failures);
    setStatus('offline', `node not answering (${e.message}); retrying`);
  }
  // Re-armed after each answer, so slow answers never pile up.
  setTimeout(poll, delay);
}

function setStatus(kind, text) {
  const s = $('status');
  s.dataset.state = kind;
  s.textContent = text;
}

function clearAll() {
  for (const t of state.trainers.values()) {
    t.view.destroy();
  }
  state.trainers.clear();
  state.curve = [];
  state.boardId = null;
  state.cursor = 0;
}

function apply(view) {
  $('run-id').textContent = view.runId || '–';
  $('node-name').textContent = view.node || '–';
  const seen = new Set();
  for (const t of view.trainers) {
    seen.add(t.id);
    let mine = state.trainers.get(t.id);
    if (mine && mine.info.layers.length !== t.layers.length) {
      mine.view.destroy();
      state.trainers.delete(t.id);
      mine = undefined;
    }
    if (!mine) {
      mine = { info: t, points: [], latest: null, updatedAt: 0, view: null };
      mine.view = trainerView(mine);
      state.trainers.set(t.id, mine);
    }
    const grew = t.reset || t.points.length > 0;
    mine.info = t;
    mine.points = t.reset ? t.points : mine.points.concat(t.points);
    // Never more than the server keeps, whatever happens to the cursor.
    if (mine.points.length > 2 * view.historyPoints) {
      mine.points = mine.points.slice(-view.historyPoints);
    }
    mine.latest = t.latest;
    mine.updatedAt = t.updatedAt;
    mine.view.render(view.now, grew);
  }
  for (const [id, t] of state.trainers) {
    if (!seen.has(id)) {
      t.view.destroy();
      state.trainers.delete(id);
    }
  }
  $('trainer-count').textContent = String(state.trainers.size);
  $('no-trainers').hidden = state.trainers.size > 0;

  const c = view.curve;
  const curveGrew = c.reset || c.points.length > 0;
  state.curve = c.reset ? c.points : state.curve.concat(c.points);
  if (state.curve.length > 2 * view.curvePoints) {
    state.curve = state.curve.slice(-view.curvePoints);
  }
  $('episode-count').textContent = String(c.episodes);
  if (curveGrew || c.latest) {
    renderCurve(c, curveGrew);
  }
  renderMembers(view.members);
}

// ---------------------------------------------------------------------------------------------
// One trainer

/** The points inside the chosen window of episodes. */
function windowed(t) {
  if (state.window <= 0 || t.points.length === 0) {
    return t.points;
  }
  const newest = t.points[t.points.length - 1].episode;
  return t.points.filter((p) => p.episode > newest - state.window);
}

function episodeStarts(points) {
  const starts = [];
  for (let i = 1; i < points.length; i++) {
    if (points[i].episode !== points[i - 1].episode) {
      starts.push(points[i].globalStep);
    }
  }
  return starts;
}

function trainerView(t) {
  const info = t.info;
  const title = el('h2', {}, info.id);
  const sub = el('p', { class: 'sub' });
  const progress = el('p', { class: 'progress' });
  const rows = info.layers.map((l, i) => {
    const bar = el('span', { class: 'fill' });
    const value = el('span', { class: 'value' }, '–');
    const cell = el('td', { class: 'density', 'data-layer': String(i) }, el('span', { class: 'bar' }, bar), value);
    const row = el(
      'tr',
      { 'data-layer': String(i) },
      el('td', {}, el('span', { class: 'swatch' }), layerName(i)),
      el('td', {}, l.kind),
      el('td', { class: 'num' }, l.parameters.toLocaleString('en')),
      cell,
    );
    row.querySelector('.swatch').style.background = layerColour(i);
    return { row, bar, value, cell };
  });
  const globalValue = el('td', { class: 'density global' });
  const table = el(
    'table',
    { class: 'densities' },
    el('thead', {}, el('tr', {}, el('th', {}, 'layer'), el('th', {}, 'kind'), el('th', { class: 'num' }, 'weights'), el('th', {}, 'density now'))),
    el('tbody', {}, ...rows.map((r) => r.row)),
    el('tfoot', {}, el('tr', {}, el('td', { colSpan: 3 }, 'global (weighted by weights)'), globalValue)),
  );
  const stats = el('dl', { class: 'stats' });
  const canvas = el('canvas', { class: 'heatmap' });
  const tip = el('div', { class: 'tip', hidden: true });
  const heatWrap = el('div', { class: 'heatwrap' }, canvas, tip);
  const legend = el('span', { class: 'legend' }, '0%', el('span', { class: 'ramp' }), '100%');
  legend.querySelector('.ramp').style.background = GRADIENT;
  const linesEl = el('div', { class: 'chart' });
  const lossEl = el('div', { class: 'chart' });
  const card = el(
    'article',
    { class: 'card trainer', 'data-trainer': info.id, 'data-model': info.model, 'data-layers': String(info.layers.length) },
    el('header', {}, title, sub, progress),
    el('div', { class: 'now' }, table, stats),
    el('h3', {}, 'Density per layer over time', legend),
    heatWrap,
    el('h3', {}, 'Density per layer'),
    linesEl,
    el('h3', {}, 'Training loss and batch accuracy'),
    lossEl,
  );
  $('trainers').append(card);

  let shown = [];
  const lines = densityChart(linesEl, info.layers, () => episodeStarts(shown));
  const loss = lossChart(lossEl, () => episodeStarts(shown));
  let pick = () => null;

  canvas.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const hit = pick(e.clientX - r.left, e.clientY - r.top);
    if (!hit) {
      tip.hidden = true;
      return;
    }
    tip.hidden = false;
    tip.textContent = `${layerName(hit.layer)} ${info.layers[hit.layer].kind}: ${pct(hit.point.densities[hit.layer])} · episode ${hit.point.episode}, step ${hit.point.step}`;
    tip.style.left = `${Math.min(e.clientX - r.left + 12, r.width - 260)}px`;
    tip.style.top = `${e.clientY - r.top + 12}px`;
  });
  canvas.addEventListener('mouseleave', () => {
    tip.hidden = true;
  });

  function drawSeries() {
    shown = windowed(t);
    const xs = shown.map((p) => p.globalStep);
    lines.update([
      xs,
      ...info.layers.map((_, i) => shown.map((p) => p.densities[i])),
      shown.map((p) => globalDensity(info, p.densities)),
    ]);
    loss.update([xs, shown.map((p) => p.loss), shown.map((p) => p.accuracy)]);
    pick = drawHeatmap(canvas, shown, info.layers.length, lines.plotBox());
  }

  let lastWidth = 0;
  const resize = new ResizeObserver(() => {
    if (canvas.clientWidth !== lastWidth) {
      lastWidth = canvas.clientWidth;
      pick = drawHeatmap(canvas, shown, info.layers.length, lines.plotBox());
    }
  });
  resize.observe(heatWrap);

  return {
    render(now, grew) {
      const i = t.info;
      sub.textContent = `${i.model} · ${i.layers.length} layers · node ${i.node} · target ${pct(i.targetDensity)} · ${i.episodeSteps} steps per episode`;
      const p = t.latest;
      if (p) {
        progress.textContent = `episode ${p.episode} · step ${p.step}/${i.episodeSteps} · last step ${age(now - t.updatedAt)}`;
        card.dataset.episode = String(p.episode);
        card.dataset.step = String(p.step);
        rows.forEach((r, l) => {
          const d = p.densities[l];
          r.cell.dataset.density = String(d);
          r.bar.style.width = pct(Math.min(1, Math.max(0, d)), 2);
          r.bar.style.background = layerColour(l);
          r.value.textContent = pct(d);
        });
        globalValue.textContent = pct(globalDensity(i, p.densities));
        stats.replaceChildren(
          el('div', {}, el('dt', {}, 'loss'), el('dd', {}, Number.isFinite(p.loss) ? p.loss.toFixed(4) : '–')),
          el('div', {}, el('dt', {}, 'batch accuracy'), el('dd', {}, pct(p.accuracy))),
          el('div', {}, el('dt', {}, 'global step'), el('dd', {}, String(p.globalStep))),
          el('div', {}, el('dt', {}, 'history'), el('dd', {}, `${t.points.length} points${i.stride > 1 ? `, every ${i.stride} steps` : ''}`)),
        );
      } else {
        progress.textContent = 'registered; waiting for its first steps';
      }
      if (grew) {
        drawSeries();
      }
    },
    redraw: drawSeries,
    destroy() {
      resize.disconnect();
      lines.destroy();
      loss.destroy();
      card.remove();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Learning curve and members

function renderCurve(c, grew) {
  const pts = state.curve;
  $('curve-empty').hidden = pts.length > 0;
  if (!state.curveChart) {
    state.curveChart = curveChart($('curve'));
  }
  const last = c.latest;
  $('curve-sub').textContent = last
    ? `${c.episodes} finished episode${c.episodes === 1 ? '' : 's'}${c.stride > 1 ? ` (every ${c.stride}th drawn)` : ''} · newest: ${last.trainer} episode ${last.episode}, return ${last.return?.toFixed(4)}, test accuracy ${pct(last.testAccuracy, 2)}, policy v${last.policyVersion}`
    : 'every finished episode of this node\'s trainers, in the order they ended';
  if (!grew) {
    return;
  }
  const mean = [];
  let sum = 0;
  pts.forEach((p, i) => {
    sum += p.return ?? 0;
    if (i >= MEAN_WINDOW) {
      sum -= pts[i - MEAN_WINDOW].return ?? 0;
    }
    mean.push(sum / Math.min(i + 1, MEAN_WINDOW));
  });
  state.curveChart.update([pts.map((p) => p.n), pts.map((p) => p.return), mean, pts.map((p) => p.testAccuracy)]);
}

function renderMembers(members) {
  const rows = members.map((m) =>
    el(
      'tr',
      { 'data-member': m.address, 'data-status': m.status, 'data-reachable': String(m.reachable), class: m.self ? 'self' : '' },
      el('td', {}, m.address, m.self ? el('span', { class: 'tag' }, 'this node') : ''),
      el('td', {}, m.roles.join(', ')),
      el('td', {}, el('span', { class: `pill status-${m.status.toLowerCase()}` }, m.status)),
      el('td', {}, el('span', { class: m.reachable ? 'ok' : 'bad' }, m.reachable ? 'yes' : 'no')),
    ),
  );
  $('members').tBodies[0].replaceChildren(...rows);
  const up = members.filter((m) => m.status === 'Up').length;
  const unreachable = members.filter((m) => !m.reachable).length;
  $('members-sub').textContent = `${members.length} member${members.length === 1 ? '' : 's'} · ${up} up · ${unreachable} unreachable`;
}

// ---------------------------------------------------------------------------------------------

$('window').addEventListener('change', (e) => {
  state.window = Number(e.target.value);
  for (const t of state.trainers.values()) {
    t.view.redraw();
  }
});

poll();
