/**
 * Pixels on canvases: images, the amplified perturbation, and a spiking layer's neurons laid out
 * as a grid (one tile per channel of a conv layer, one square for a linear layer) coloured by a
 * value in [0, 1] — firing rates for the heatmaps, 0/1 spikes for the raster of each time step.
 */

/** viridis at 0, 0.25, 0.5, 0.75, 1 (linear in between) */
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function viridis(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, v)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

function put(canvas: HTMLCanvasElement, width: number, height: number, fill: (px: Uint8ClampedArray) => void): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  fill(img.data);
  ctx.putImageData(img, 0, 0);
}

/** [C, H, W] values in [0,1] (C = 1: grey, C = 3: RGB) */
export function drawImage(canvas: HTMLCanvasElement, x01: ArrayLike<number>, channels: number, height: number, width: number): void {
  const plane = height * width;
  put(canvas, width, height, (px) => {
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) px[4 * i + c] = 255 * x01[(channels === 1 ? 0 : c) * plane + i];
      px[4 * i + 3] = 255;
    }
  });
}

/** adv - clean, scaled so that +-eps spans the whole range around mid-grey */
export function drawPerturbation(canvas: HTMLCanvasElement, clean: Float32Array, adv: Float32Array, eps: number, c: number, h: number, w: number): void {
  const scale = eps > 0 ? 1 / (2 * eps) : 0;
  drawImage(canvas, Float32Array.from(adv, (v, i) => Math.min(1, Math.max(0, 0.5 + (v - clean[i]) * scale))), c, h, w);
}

/** where each neuron of a layer sits on its canvas */
export interface LayerGrid {
  tiles: number;
  cols: number;
  tileW: number;
  tileH: number;
  width: number;
  height: number;
  neurons: number;
}

const GAP = 1;

export function layerGrid(shape: readonly number[]): LayerGrid {
  const neurons = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 3) {
    const [c, h, w] = shape;
    const cols = Math.ceil(Math.sqrt(c));
    const rows = Math.ceil(c / cols);
    return { tiles: c, cols, tileW: w, tileH: h, width: cols * (w + GAP) - GAP, height: rows * (h + GAP) - GAP, neurons };
  }
  const side = Math.ceil(Math.sqrt(neurons));
  const rows = Math.ceil(neurons / side);
  return { tiles: 1, cols: 1, tileW: side, tileH: rows, width: side, height: rows, neurons };
}

function pixelOf(g: LayerGrid, neuron: number): number {
  const plane = g.tileW * g.tileH;
  const tile = Math.floor(neuron / plane);
  const r = neuron % plane;
  const x = (tile % g.cols) * (g.tileW + GAP) + (r % g.tileW);
  const y = Math.floor(tile / g.cols) * (g.tileH + GAP) + Math.floor(r / g.tileW);
  return y * g.width + x;
}

/** values[neuron] in [0,1] (from `offset`), viridis; the gaps between tiles stay light grey */
export function drawLayer(canvas: HTMLCanvasElement, g: LayerGrid, values: ArrayLike<number>, offset = 0): void {
  put(canvas, g.width, g.height, (px) => {
    px.fill(230);
    for (let n = 0; n < g.neurons; n++) {
      const p = 4 * pixelOf(g, n);
      const [r, gr, b] = viridis(values[offset + n]);
      px[p] = r;
      px[p + 1] = gr;
      px[p + 2] = b;
      px[p + 3] = 255;
    }
  });
}

/** the neuron under a click at canvas-CSS coordinates (x, y), or -1 between tiles */
export function neuronAt(canvas: HTMLCanvasElement, g: LayerGrid, clientX: number, clientY: number): number {
  const rect = canvas.getBoundingClientRect();
  const x = Math.floor(((clientX - rect.left) / rect.width) * g.width);
  const y = Math.floor(((clientY - rect.top) / rect.height) * g.height);
  const tx = Math.floor(x / (g.tileW + GAP));
  const ty = Math.floor(y / (g.tileH + GAP));
  const ix = x - tx * (g.tileW + GAP);
  const iy = y - ty * (g.tileH + GAP);
  if (ix >= g.tileW || iy >= g.tileH || tx >= g.cols) return -1;
  const n = (ty * g.cols + tx) * g.tileW * g.tileH + iy * g.tileW + ix;
  return n < g.neurons ? n : -1;
}

/** the CIFAR-style class strip: every image of the set as one small canvas tile */
export function drawThumbnail(canvas: HTMLCanvasElement, bytes: Uint8Array, offset: number, channels: number, height: number, width: number): void {
  const plane = height * width;
  put(canvas, width, height, (px) => {
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) px[4 * i + c] = bytes[offset + (channels === 1 ? 0 : c) * plane + i];
      px[4 * i + 3] = 255;
    }
  });
}
