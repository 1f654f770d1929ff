/** Human-readable tables of an evaluation, each accuracy table under its protocol in full. */
import type { EvalResultJson, SweepEntry, Diagnostic } from './result-schema.js';
import { describeProtocol } from './protocol.js';

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')).join('\n');
}

const pct = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
const num = (v: number) => String(Number(v.toPrecision(4)));
const BOX_LABEL = { whiteBox: 'white-box', blackBox: 'black-box' } as const;

/** the accuracy rows of one (ε, T): clean, every setting in the order it ran, the worst case */
function accuracyTable(r: EvalResultJson, e: SweepEntry): string {
  const chained = r.protocol.chain;
  const rows = [['setting', 'top-1 %', 'top-5 %', ...(chained ? ['attacked', 'broken'] : [])]];
  const extra = (s: { attacked?: number; broken?: number }) => (chained ? [s.attacked === undefined ? '-' : String(s.attacked), s.broken === undefined ? '-' : String(s.broken)] : []);
  if (e.results.clean) rows.push(['clean', pct(e.results.clean.top1), pct(e.results.clean.top5), ...(chained ? [String(r.n), '-'] : [])]);
  for (const a of r.protocol.attacks) {
    const res = e.results[a];
    if (a === 'clean' || !res) continue;
    for (const box of ['whiteBox', 'blackBox'] as const) {
      const s = (res as Record<string, { top1: number; top5: number; attacked?: number; broken?: number } | undefined>)[box];
      if (s) rows.push([`${a} ${BOX_LABEL[box]}`, pct(s.top1), pct(s.top5), ...extra(s)]);
    }
  }
  const notes = degenerateNotes(r, e);
  const w = e.results.worstCase;
  if (w) rows.push(['worst case (per sample)', pct(w.top1), '-', ...(chained ? ['-', '-'] : [])]);
  const out = [table(rows)];
  if (w) {
    const parts = Object.entries(w.brokenFirstBy).map(([s, k]) => `${s.replace(/\.whiteBox$/, '').replace(/\.blackBox$/, ' (black-box)')} ${k}`);
    out.push(`broken first by (of ${r.n}): ${parts.join(', ')}`);
  }
  out.push(...notes);
  return out.join('\n');
}

/** images whose outputs were not real predictions, per setting (only when there are any) */
function degenerateNotes(r: EvalResultJson, e: SweepEntry): string[] {
  const images = (n: number) => `${n} image${n === 1 ? '' : 's'}`;
  const settings: [string, { nonFinite?: number; allEqual?: number } | undefined][] = [['clean', e.results.clean]];
  for (const a of r.protocol.attacks) {
    if (a === 'clean') continue;
    for (const box of ['whiteBox', 'blackBox'] as const) settings.push([`${a} ${BOX_LABEL[box]}`, e.results[a]?.[box]]);
  }
  const out: string[] = [];
  for (const [name, s] of settings) {
    if (s?.nonFinite) out.push(`note: ${name}: ${images(s.nonFinite)} gave non-finite outputs (scored wrong)`);
    if (s?.allEqual) out.push(`note: ${name}: ${images(s.allEqual)} gave all-equal outputs (scored as class 0, like argmax)`);
  }
  return out;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  if (!diagnostics.length) return [];
  const lines = ['gradient-masking diagnostics:'];
  for (const d of diagnostics) {
    lines.push(`  [${d.triggered ? 'FLAG' : ' ok '}] ${d.id}: ${d.evidence}`);
    if (d.triggered && d.advice) lines.push(`         ${d.advice}`);
  }
  return lines;
}

export function formatEvalReport(r: EvalResultJson): string {
  const out: string[] = [];
  const what = `${r.dataset.name} ${r.dataset.split}`;
  for (const e of r.sweep) {
    out.push('');
    out.push(...describeProtocol({ ...r.protocol, epsilon: e.epsilon, timesteps: e.timesteps, sweep: { epsilons: [e.epsilon], timesteps: [e.timesteps] } }, r.n, what));
    out.push(accuracyTable(r, e));
    out.push(...formatDiagnostics(e.diagnostics));
  }
  if (r.sweep.length > 1) out.push('', ...describeProtocol(r.protocol, r.n, what), sweepTable(r));
  const settings = Object.keys(r.spikes);
  if (settings.length) {
    const layers = r.spikes[settings[0]];
    const spikeRows = [['layer', 'neurons', ...settings.map((s) => `${s} spikes/neuron`)]];
    layers.forEach((l, i) => spikeRows.push([l.name, String(l.neurons), ...settings.map((s) => r.spikes[s][i]?.spikesPerNeuron.toFixed(4) ?? '-')]));
    out.push(`\nspikes per neuron per image over all steps (eps ${num(r.protocol.epsilon)}, T=${r.protocol.timesteps}${r.protocol.chain ? '; a chained attack: over the samples it attacked' : ''})`);
    out.push(table(spikeRows));
  }
  if (r.energy) {
    const e = r.energy;
    out.push(`\nenergy per image: ANN ${(e.annPj / 1e6).toFixed(3)} uJ, SNN ${(e.snnPj / 1e6).toFixed(3)} uJ, ANN/SNN ${(e.ratio ?? Infinity).toFixed(2)}x (MAC ${e.constants.macPj} pJ, AC ${e.constants.acPj} pJ; clean-input spikes, T=${r.protocol.timesteps})`);
  }
  out.push(`elapsed ${r.elapsedSeconds.toFixed(1)} s`);
  return out.join('\n');
}

/** top-1 % of every setting across the sweep: one row per setting, one column per (ε, T) */
function sweepTable(r: EvalResultJson): string {
  const cols = r.sweep.map((e) => `eps ${num(e.epsilon)} T=${e.timesteps}`);
  const rows = [['top-1 %', ...cols]];
  const pick = (f: (e: SweepEntry) => number | undefined) => r.sweep.map((e) => pct(f(e)));
  rows.push(['clean', ...pick((e) => e.results.clean?.top1)]);
  for (const a of r.protocol.attacks) {
    if (a === 'clean') continue;
    for (const box of ['whiteBox', 'blackBox'] as const) {
      const get = (e: SweepEntry) => (e.results[a] as Record<string, { top1: number } | undefined> | undefined)?.[box]?.top1;
      if (r.sweep.some((e) => get(e) !== undefined)) rows.push([`${a} ${BOX_LABEL[box]}`, ...pick(get)]);
    }
  }
  rows.push(['worst case', ...pick((e) => e.results.worstCase?.top1)]);
  return table(rows);
}
