// Line charts (uPlot): per-layer densities and loss/accuracy of a trainer, and the learning curve.

import uPlot from './vendor/uPlot.esm.js';

// Tableau 10; beyond ten layers the colours repeat dashed.
const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];

/** Colour of layer i (the densities table uses the same). */
export function layerColour(i) {
  return PALETTE[i % PALETTE.length];
}

// Episode numbers are whole: no 0.5 ticks when the curve has one or two episodes.
const WHOLE_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

const percent = (v, digits = 1) => (v == null ? '–' : `${(v * 100).toFixed(digits)}%`);
const fixed = (digits) => (u, v) => (v == null ? '–' : v.toFixed(digits));

/** Vertical lines where a new episode starts: series data are periodic per episode. */
function episodeLines(getStarts) {
  return {
    hooks: {
      drawAxes: [
        (u) => {
          const starts = getStarts();
          const { ctx, bbox } = u;
          if (starts.length > bbox.width / 12) {
            return;
          }
          ctx.save();
          ctx.strokeStyle = 'rgba(80, 90, 110, 0.25)';
          ctx.lineWidth = 1;
          ctx.setLineDash([3, 3]);
          for (const s of starts) {
            const x = Math.round(u.valToPos(s, 'x', true)) + 0.5;
            if (x >= bbox.left && x <= bbox.left + bbox.width) {
              ctx.beginPath();
              ctx.moveTo(x, bbox.top);
              ctx.lineTo(x, bbox.top + bbox.height);
              ctx.stroke();
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}

/** A chart that follows its container's width. */
function make(el, opts, data) {
  const chart = new uPlot({ ...opts, width: Math.max(200, el.clientWidth) }, data, el);
  const resize = new ResizeObserver(() => {
    const w = Math.max(200, el.clientWidth);
    if (w !== chart.width) {
      chart.setSize({ width: w, height: opts.height });
    }
  });
  resize.observe(el);
  return {
    update(d) {
      chart.setData(d);
    },
    /** The plot area in CSS pixels from the container's left, so other drawings can align. */
    plotBox() {
      const left = parseFloat(chart.over.style.left);
      const width = parseFloat(chart.over.style.width);
      return Number.isFinite(left) && width > 0 ? { left, width } : null;
    },
    destroy() {
      resize.disconnect();
      chart.destroy();
    },
  };
}

/** Per-layer density lines plus the global density (dashed), against the global step. */
export function densityChart(el, layers, getStarts) {
  const series = [{ label: 'step' }];
  layers.forEach((l, i) => {
    series.push({
      label: `L${String(i).padStart(2, '0')} ${l.kind}`,
      stroke: layerColour(i),
      width: 1.5,
      dash: i >= PALETTE.length ? [5, 3] : undefined,
      value: (u, v) => percent(v),
    });
  });
  series.push({
    label: 'global',
    stroke: '#1f2430',
    width: 2,
    dash: [6, 4],
    value: (u, v) => percent(v),
  });
  return make(
    el,
    {
      height: 210,
      scales: { x: { time: false }, y: { range: [0, 1.02] } },
      axes: [
        { label: 'global step', labelSize: 18, size: 34, incrs: WHOLE_INCRS, values: (u, vs) => vs.map(String) },
        { label: 'density', labelSize: 18, size: 48, values: (u, vs) => vs.map((v) => percent(v, 0)) },
      ],
      series,
      cursor: { drag: { x: true, y: false } },
      plugins: [episodeLines(getStarts)],
    },
    [[], ...layers.map(() => []), []],
  );
}

/** Training loss (left axis) and the batch accuracy (right axis). */
export function lossChart(el, getStarts) {
  return make(
    el,
    {
      height: 150,
      scales: { x: { time: false }, acc: { range: [0, 1] } },
      axes: [
        { size: 30, incrs: WHOLE_INCRS, values: (u, vs) => vs.map(String) },
        { label: 'loss', labelSize: 18, size: 48, stroke: '#c0392b' },
        { scale: 'acc', side: 1, label: 'accuracy', labelSize: 18, size: 48, stroke: '#2e7d32', grid: { show: false }, values: (u, vs) => vs.map((v) => percent(v, 0)) },
      ],
      series: [
        { label: 'step' },
        { label: 'loss', stroke: '#c0392b', width: 1.2, value: fixed(3) },
        { label: 'batch accuracy', scale: 'acc', stroke: '#2e7d32', width: 1.2, value: (u, v) => percent(v) },
      ],
      plugins: [episodeLines(getStarts)],
    },
    [[], [], []],
  );
}

/** Episode returns (points), their running mean, and test accuracy (right axis). */
export function curveChart(el) {
  return make(
    el,
    {
      height: 230,
      scales: { x: { time: false }, acc: { auto: true } },
      axes: [
        { label: 'finished episodes', labelSize: 18, size: 34, incrs: WHOLE_INCRS, values: (u, vs) => vs.map(String) },
        { label: 'return', labelSize: 18, size: 56, stroke: '#4e79a7' },
        { scale: 'acc', side: 1, label: 'test accuracy', labelSize: 18, size: 52, stroke: '#59a14f', grid: { show: false }, values: (u, vs) => vs.map((v) => percent(v, 1)) },
      ],
      series: [
        { label: 'episode' },
        { label: 'return', stroke: '#4e79a7', paths: () => null, points: { show: true, size: 5, fill: '#4e79a7' }, value: fixed(4) },
        { label: 'running mean (20 points)', stroke: '#1f4e79', width: 2, value: fixed(4) },
        { label: 'test accuracy', scale: 'acc', stroke: '#59a14f', width: 1.5, points: { show: true, size: 4 }, value: (u, v) => percent(v, 2) },
      ],
    },
    [[], [], [], []],
  );
}
