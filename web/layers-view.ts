/**
 * The spiking layers of a result: a firing-rate heatmap per layer (clean | attacked), the spikes
 * of the selected layer at each time step, and clicks that pick a layer and a neuron.
 */
import { drawLayer, layerGrid, neuronAt, type LayerGrid } from './draw.js';
import type { LayerView, RunResult } from './protocol.js';

export interface LayerPick {
  layer: number;
  neuron: number;
}

function canvasFor(g: LayerGrid, values: ArrayLike<number>, offset = 0, title = ''): HTMLCanvasElement {
  const c = document.createElement('canvas');
  drawLayer(c, g, values, offset);
  if (title) c.title = title;
  return c;
}

function meanRate(l: LayerView): number {
  let s = 0;
  for (const r of l.rates) s += r;
  return s / l.neurons;
}

/** the neuron whose rate the attack changed most (the most active one without an attack) */
export function interestingNeuron(r: RunResult, layer: number): number {
  const clean = r.clean.layers[layer].rates;
  const adv = r.attacked?.layers[layer].rates;
  let best = 0;
  let score = -1;
  for (let i = 0; i < clean.length; i++) {
    const s = adv ? Math.abs(adv[i] - clean[i]) : clean[i];
    if (s > score) [best, score] = [i, s];
  }
  return best;
}

export function drawLayers(el: HTMLElement, r: RunResult, selected: number, onPick: (p: LayerPick) => void): void {
  el.replaceChildren();
  r.clean.layers.forEach((l, i) => {
    const g = layerGrid(l.shape);
    const card = document.createElement('div');
    card.className = `layer${i === selected ? ' selected' : ''}`;
    const adv = r.attacked?.layers[i];
    const h = document.createElement('h3');
    h.textContent = `${l.name} [${l.shape.join('×')}]: rate ${meanRate(l).toFixed(3)}${adv ? ` → ${meanRate(adv).toFixed(3)}` : ''}`;
    card.append(h);
    for (const v of adv ? [l, adv] : [l]) {
      const c = canvasFor(g, v.rates, 0, `${l.name}, ${v === l ? 'clean' : 'attacked'}`);
      c.addEventListener('click', (e) => {
        const n = neuronAt(c, g, e.clientX, e.clientY);
        onPick({ layer: i, neuron: n >= 0 ? n : interestingNeuron(r, i) });
      });
      card.append(c);
    }
    el.append(card);
  });
}

/** the selected layer's spikes at each step: one row of T maps per setting */
export function drawRaster(el: HTMLElement, r: RunResult, layer: number): void {
  el.replaceChildren();
  const rows: [string, LayerView][] = [['clean', r.clean.layers[layer]]];
  if (r.attacked) rows.push(['attacked', r.attacked.layers[layer]]);
  for (const [who, l] of rows) {
    const g = layerGrid(l.shape);
    const row = document.createElement('div');
    row.className = 'steps';
    const label = document.createElement('span');
    label.className = 'who';
    label.textContent = who;
    row.append(label);
    for (let t = 0; t < l.steps; t++) row.append(canvasFor(g, l.spikes, t * l.neurons, `${l.name}, ${who}, step ${t + 1}`));
    el.append(row);
  }
}
