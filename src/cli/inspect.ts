/**
 * `hire-snn inspect FILE`: what a weights file holds (torch.save zip or legacy format, or
 * safetensors): format, tensors, the inferred architecture (or why it cannot be inferred),
 * thresholds and leaks, and a training checkpoint's other fields (epoch, accuracy, optimizer
 * state, ...). Reads the file once; never executes anything from it.
 */
import type { Command } from 'commander';
import { UserError } from './run.js';
import { intList, positiveInt } from './options.js';
import { parseArch, type ArchRequest } from '../snn/arch.js';
import { specDetails } from '../snn/describe.js';
import { readWeightsFile } from '../io/load.js';
import { FORMAT_NAMES, type Weights } from '../io/weights.js';
import { CheckpointError } from '../io/errors.js';
import { inferArchFor } from '../io/arch-infer.js';
import { elementAt, formatShape, numel } from '../io/arrays.js';
import { formatNumber } from '../io/pickle-values.js';
import { sizeText } from '../io/read-budget.js';

interface InspectOptions {
  arch?: string;
  hidden?: number[];
  imageSize?: number;
}

/** `name=value` for the 0-dim tensors under a prefix, by numeric index */
function scalars(w: Weights, prefix: string): string {
  const out: [number, string][] = [];
  for (const [k, t] of w.stateDict.tensors) {
    const m = new RegExp(`^${prefix.replace('.', '\\.')}[a-z]*(\\d+)$`).exec(k);
    if (m && numel(t.shape) === 1 && t.data.length === 1) out.push([Number(m[1]), `${k.slice(prefix.length)}=${formatNumber(elementAt(t, 0))}`]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, s]) => s).join(' ');
}

/** the report's lines */
export function inspectLines(file: string, w: Weights, opts: InspectOptions = {}): string[] {
  const sd = w.stateDict;
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${k.padEnd(13)}${v}`);
  row('file', `${file} (${sizeText(w.bytes)})`);
  row('format', FORMAT_NAMES[w.format]);
  const total = [...sd.tensors.values()].reduce((a, t) => a + numel(t.shape), 0);
  const where = sd.location === '' ? 'top level' : `under "${sd.location}"`;
  row('state_dict', `${where}${sd.strippedPrefix ? `, "${sd.strippedPrefix}" prefix stripped` : ''}; ${sd.tensors.size} tensors, ${total.toLocaleString('en-US')} values`);
  let asked: ArchRequest;
  try {
    asked = parseArch(opts.arch);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  try {
    const arch = inferArchFor(sd.tensors, asked, { imageSize: opts.imageSize, hidden: opts.hidden }, 'the file');
    row('architecture', `${specDetails(arch.spec)}${arch.preset ? ` (preset ${arch.preset})` : opts.arch ? ' (from --arch)' : ''}`);
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    row('architecture', `not inferred: ${err.message}`);
  }
  const t = scalars(w, 'threshold.');
  const l = scalars(w, 'leak.');
  if (t) row('thresholds', t);
  if (l) row('leaks', l);
  lines.push('tensors');
  // a loop, not Math.max(...keys): a spread of 130k arguments overflows the stack
  let width = 0;
  for (const k of sd.tensors.keys()) width = Math.max(width, k.length);
  for (const [k, a] of sd.tensors) lines.push(`  ${k.padEnd(width)}  ${a.dtype.padEnd(4)} ${formatShape(a.shape)}`);
  if (w.metadata && Object.keys(w.metadata).length) {
    lines.push('metadata');
    for (const [k, v] of Object.entries(w.metadata)) lines.push(`  ${k}: ${v.length > 200 ? `${v.slice(0, 200)}... (${v.length} chars)` : v}`);
  }
  if (sd.extras.length) {
    lines.push('extra fields');
    let kw = 0;
    for (const e of sd.extras) kw = Math.max(kw, e.key.length);
    for (const e of sd.extras) {
      lines.push(`  ${e.key.padEnd(kw)}  ${e.summary}`);
      for (const d of e.details) lines.push(`  ${' '.repeat(kw)}    ${d}`);
    }
  }
  return lines;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show what a weights file holds (.pt in either torch.save format, or .safetensors): tensors, architecture, thresholds, training fields')
    .argument('<file>', 'checkpoint file')
    .option('--arch <arch>', 'architecture to check the file against: a VGG layer list, e.g. 24,A,48,48,A,96,A (needed when the pool positions cannot be inferred), or a preset name')
    .option('--hidden <widths>', 'classifier hidden widths to check, e.g. 4096,4096', intList('--hidden'))
    .option('--image-size <n>', 'input image side (default 32)', positiveInt('--image-size'))
    .action((file: string, opts: InspectOptions) => {
      let w: Weights;
      try {
        w = readWeightsFile(file);
      } catch (err) {
        if (err instanceof CheckpointError) throw new UserError(err.message);
        throw err;
      }
      for (const line of inspectLines(file, w, opts)) console.log(line);
    });
}
