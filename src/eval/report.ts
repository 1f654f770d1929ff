/** Human-readable tables of an evaluation, like the seed's prints. */
import type { EvalReport } from './run-eval.js';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')).join('\n');
}

const pct = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));

export function formatEvalReport(r: EvalReport): string {
  const out: string[] = [];
  out.push(`\n${r.dataset.name} test, n=${r.n}, T=${r.protocol.timesteps}, eps=${r.protocol.epsilon}, PGD ${r.protocol.pgdSteps} x ${r.protocol.pgdStepSize}${r.protocol.pgdRandomStart ? ' (random start)' : ''}`);
  const rows = [['setting', 'top-1 %', 'top-5 %']];
  if (r.results.clean) rows.push(['clean', pct(r.results.clean.top1), pct(r.results.clean.top5)]);
  for (const a of ['fgsm', 'pgd'] as const) {
    const res = r.results[a];
    if (!res) continue;
    if (res.whiteBox) rows.push([`${a.toUpperCase()} white-box`, pct(res.whiteBox.top1), pct(res.whiteBox.top5)]);
    if (res.blackBox) rows.push([`${a.toUpperCase()} black-box`, pct(res.blackBox.top1), pct(res.blackBox.top5)]);
  }
  out.push(table(rows));
  const settings = Object.keys(r.spikes) as (keyof EvalReport['spikes'])[];
  if (settings.length) {
    const layers = r.spikes[settings[0]]!;
    const spikeRows = [['layer', 'neurons', ...settings.map((s) => `${s} spikes/neuron`)]];
    layers.forEach((l, i) => spikeRows.push([l.name, String(l.neurons), ...settings.map((s) => r.spikes[s]![i].spikesPerNeuron.toFixed(4))]));
    out.push('\nspikes per neuron per image over all steps');
    out.push(table(spikeRows));
  }
  if (r.energy) {
    const e = r.energy;
    out.push(`\nenergy per image: ANN ${(e.annPj / 1e6).toFixed(3)} uJ, SNN ${(e.snnPj / 1e6).toFixed(3)} uJ, ANN/SNN ${e.ratio.toFixed(2)}x (MAC ${e.constants.macPj} pJ, AC ${e.constants.acPj} pJ; clean-input spikes)`);
  }
  out.push(`elapsed ${r.elapsedSeconds.toFixed(1)} s`);
  return out.join('\n');
}
