/**
 * `hire-snn report`: eval results and training runs -> one self-contained HTML file. All inputs
 * are read and checked before anything is rendered, and the page is written atomically, so a bad
 * input leaves no file (and an older report stays as it was).
 */
import { atomicWriteChunks } from '../io/atomic-write.js';
import { packageVersion } from '../package.js';
import { readReportInputs, type ReportInputs } from './inputs.js';
import { buildSections } from './sections.js';
import { renderPage } from './html.js';

export interface ReportOptions {
  title?: string;
  /** the time stamped in the header (default: now) */
  generatedAt?: Date;
}

export async function buildReport(inputs: ReportInputs, opts: ReportOptions = {}): Promise<{ html: string; charts: number }> {
  const sections = await buildSections(inputs);
  const what = [
    inputs.evals.length ? `${inputs.evals.length} eval result${inputs.evals.length > 1 ? 's' : ''}` : '',
    inputs.runs.length ? `${inputs.runs.length} training run${inputs.runs.length > 1 ? 's' : ''}` : '',
  ].filter(Boolean).join(' and ');
  const lines = [
    `${what}${inputs.dataset ? `, ${inputs.dataset}` : ''}; hire-snn ${packageVersion()}, ${(opts.generatedAt ?? new Date()).toISOString()}`,
    `inputs: ${[...inputs.evals.map((e) => e.file), ...inputs.runs.map((r) => r.dir)].join(', ')}`,
  ];
  const html = renderPage({ title: opts.title ?? 'hire-snn report', lines }, sections);
  return { html, charts: sections.filter((s) => s.chart).length };
}

export async function writeReport(paths: readonly string[], out: string, opts: ReportOptions = {}): Promise<{ bytes: number; charts: number; inputs: ReportInputs }> {
  const inputs = readReportInputs(paths);
  const { html, charts } = await buildReport(inputs, opts);
  const bytes = Buffer.from(html, 'utf8');
  atomicWriteChunks(out, [bytes]);
  return { bytes: bytes.byteLength, charts, inputs };
}
