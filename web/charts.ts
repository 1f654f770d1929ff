/**
 * The page's charts as Vega-Lite specs (the report's library and look, src/report/render-svg.ts),
 * rendered to SVG in place: class probabilities before and after the attack, energy per layer
 * clean vs attacked, and the membrane of a clicked neuron over the T steps.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { View, parse } from 'vega';
import { withConfig } from '../src/report/render-svg.js';
import type { MembraneTrace } from '../src/explore/traces.js';
import type { View as ImageResult } from './protocol.js';

const COLORS = { domain: ['clean', 'attacked'], range: ['#4c78a8', '#e45756'] };
const views = new WeakMap<HTMLElement, View>();

export async function show(el: HTMLElement, spec: TopLevelSpec): Promise<void> {
  views.get(el)?.finalize();
  el.replaceChildren();
  const view = new View(parse(compile(withConfig(spec)).spec), { renderer: 'svg', container: el, hover: true });
  views.set(el, view);
  await view.runAsync();
}

export function probabilities(classes: readonly string[], clean: ImageResult, attacked?: ImageResult): TopLevelSpec {
  const values = classes.flatMap((c, i) => [
    { class: c, setting: 'clean', p: clean.probabilities[i] },
    ...(attacked ? [{ class: c, setting: 'attacked', p: attacked.probabilities[i] }] : []),
  ]);
  return {
    width: Math.min(560, 40 * classes.length + 40), height: 160,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'class', type: 'nominal', sort: null, title: null, axis: { labelAngle: -40, labelLimit: 90 } },
      xOffset: { field: 'setting', sort: COLORS.domain },
      y: { field: 'p', type: 'quantitative', title: 'probability', scale: { domain: [0, 1] } },
      color: { field: 'setting', type: 'nominal', title: null, scale: COLORS },
      tooltip: [{ field: 'class' }, { field: 'setting' }, { field: 'p', format: '.3f' }],
    },
  };
}

export function energy(clean: ImageResult, attacked?: ImageResult): TopLevelSpec {
  const rows = (r: ImageResult, setting: string) => r.energy.ops.map((o) => ({ op: o.name, setting, nj: o.pj / 1000 }));
  const values = [...rows(clean, 'clean'), ...(attacked ? rows(attacked, 'attacked') : [])];
  const total = (r: ImageResult) => (r.energy.snnPj / 1000).toFixed(1);
  const title = `SNN energy per image: ${total(clean)} nJ clean${attacked ? `, ${total(attacked)} nJ attacked` : ''} (ANN ${(clean.energy.annPj / 1000).toFixed(1)} nJ)`;
  return {
    title: { text: title, fontSize: 12 },
    width: Math.min(560, 36 * clean.energy.ops.length + 40), height: 160,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'op', type: 'nominal', sort: null, title: null, axis: { labelAngle: -40 } },
      xOffset: { field: 'setting', sort: COLORS.domain },
      y: { field: 'nj', type: 'quantitative', title: 'nJ' },
      color: { field: 'setting', type: 'nominal', title: null, scale: COLORS },
      tooltip: [{ field: 'op' }, { field: 'setting' }, { field: 'nj', format: '.3f', title: 'nJ' }],
    },
  };
}

export function membrane(title: string, clean: MembraneTrace, attacked?: MembraneTrace): TopLevelSpec {
  const rows = (m: MembraneTrace, setting: string) => m.potential.map((v, t) => ({ step: t + 1, setting, v, spike: m.spikes[t] ? 'spike' : 'no spike' }));
  const values = [...rows(clean, 'clean'), ...(attacked ? rows(attacked, 'attacked') : [])];
  return {
    title: { text: title, fontSize: 12 },
    width: 420, height: 180,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: false },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'time step', axis: { tickMinStep: 1, format: 'd' } },
          y: { field: 'v', type: 'quantitative', title: 'membrane before reset' },
          color: { field: 'setting', type: 'nominal', title: null, scale: COLORS },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'v', type: 'quantitative' },
          color: { field: 'setting', type: 'nominal', scale: COLORS },
          shape: { field: 'spike', type: 'nominal', title: null, scale: { domain: ['spike', 'no spike'], range: ['triangle-up', 'circle'] } },
          tooltip: [{ field: 'setting' }, { field: 'step' }, { field: 'v', format: '.4f' }, { field: 'spike' }],
        },
      },
      { data: { values: [{ threshold: clean.threshold }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { y: { field: 'threshold', type: 'quantitative' } } },
    ],
  };
}
