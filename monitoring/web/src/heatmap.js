// The density heatmap: one row per layer, time (the trainer's global step) left to right, colour
// the layer's density. Drawn on a canvas by hand: a charting library would draw thousands of
// rectangles where one ImageData per redraw is enough.

// Viridis at 11 stops: perceptually even and readable for colour-blind viewers.
const VIRIDIS = [
  [68, 1, 84], [72, 36, 117], [65, 68, 135], [53, 95, 141], [42, 120, 142], [33, 145, 140],
  [34, 168, 132], [68, 191, 112], [122, 209, 81], [189, 223, 38], [253, 231, 37],
];

/** CSS gradient of the colour scale, for the legend. */
export const GRADIENT = `linear-gradient(to right, ${VIRIDIS.map((c) => `rgb(${c})`).join(', ')})`;

/** [r, g, b] of density d in [0, 1]. */
export function colour(d) {
  const x = Math.min(1, Math.max(0, Number.isFinite(d) ? d : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return VIRIDIS[i].map((a, k) => Math.round(a + (VIRIDIS[i + 1][k] - a) * f));
}

const LEFT = 40;
const RIGHT = 6;
const TOP = 2;
const AXIS = 18;
const FONT = '11px system-ui, sans-serif';

/** Row height in CSS pixels: small models get tall rows, resnet18's 21 layers stay compact. */
function rowHeight(layers) {
  return layers <= 6 ? 22 : layers <= 12 ? 14 : 9;
}

/** About five round tick values between lo and hi. */
export function ticks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) {
    return [lo];
  }
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
    out.push(v);
  }
  return out;
}

/**
 * Draws points ({globalStep, episode, densities}) of a model with `layers` layers into canvas,
 * in the horizontal band `box` ({left, width} in CSS pixels: the line chart's plot area below, so
 * that the same step sits at the same x) or a default margin when it is null.
 * Returns a function from a mouse x/y (CSS pixels) to {point, layer} or null, for tooltips.
 */
export function drawHeatmap(canvas, points, layers, box) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(LEFT + RIGHT + 10, canvas.clientWidth);
  const left = box && box.left + box.width <= width ? box.left : LEFT;
  const plotW = box && box.left + box.width <= width ? box.width : width - LEFT - RIGHT;
  const rowH = rowHeight(layers);
  const plotH = rowH * layers;
  const height = TOP + plotH + AXIS;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  ctx.fillStyle = '#5b6270';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  const labelEvery = Math.ceil(11 / rowH);
  for (let l = 0; l < layers; l += labelEvery) {
    ctx.fillText(`L${String(l).padStart(2, '0')}`, left - 5, TOP + (l + 0.5) * rowH);
  }
  if (points.length === 0) {
    ctx.fillStyle = '#eef0f4';
    ctx.fillRect(left, TOP, plotW, plotH);
    ctx.fillStyle = '#5b6270';
    ctx.textAlign = 'center';
    ctx.fillText('waiting for the first steps…', left + plotW / 2, TOP + plotH / 2);
    return () => null;
  }
  const x0 = points[0].globalStep;
  const x1 = Math.max(x0 + 1, points[points.length - 1].globalStep);
  const toStep = (px) => x0 + (px / plotW) * (x1 - x0);

  // One device pixel column at a time: the newest point at or before that column's step.
  const devW = Math.max(1, Math.round(plotW * dpr));
  const devH = Math.max(1, Math.round(plotH * dpr));
  const img = ctx.createImageData(devW, devH);
  let p = 0;
  for (let col = 0; col < devW; col++) {
    const step = toStep((col + 0.5) / dpr);
    while (p + 1 < points.length && points[p + 1].globalStep <= step) {
      p++;
    }
    const dens = points[p].densities;
    for (let row = 0; row < devH; row++) {
      const layer = Math.min(layers - 1, Math.floor((row / devH) * layers));
      const [r, g, b] = colour(dens[layer]);
      const o = (row * devW + col) * 4;
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, Math.round(left * dpr), Math.round(TOP * dpr));

  // Episode boundaries, unless there are so many that they would hide the colours.
  const starts = [];
  for (let i = 1; i < points.length; i++) {
    if (points[i].episode !== points[i - 1].episode) {
      starts.push(points[i].globalStep);
    }
  }
  if (starts.length < plotW / 6) {
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.lineWidth = 1;
    for (const s of starts) {
      const x = Math.round(left + ((s - x0) / (x1 - x0)) * plotW) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, TOP);
      ctx.lineTo(x, TOP + plotH);
      ctx.stroke();
    }
  }

  ctx.fillStyle = '#5b6270';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of ticks(x0, x1)) {
    const x = left + ((t - x0) / (x1 - x0)) * plotW;
    ctx.fillRect(Math.round(x), TOP + plotH, 1, 3);
    ctx.fillText(String(t), Math.min(width - 20, Math.max(left + 10, x)), TOP + plotH + 4);
  }

  return (mx, my) => {
    if (mx < left || mx > left + plotW || my < TOP || my > TOP + plotH) {
      return null;
    }
    const step = toStep(mx - left);
    let i = 0;
    while (i + 1 < points.length && points[i + 1].globalStep <= step) {
      i++;
    }
    return { point: points[i], layer: Math.min(layers - 1, Math.floor((my - TOP) / rowH)) };
  };
}
