/**
 * The report's inputs: eval result JSON files and training run folders, read and checked
 * together before anything is rendered (one dataset across all of them), and named with short
 * labels for legends (a run folder's name; an eval's model named by the run it came from when
 * the sha256 matches, else by its file).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readEvalFile, type EvalInput } from './eval-file.js';
import { readRunFolder, type RunInput } from './run-folder.js';
import { ReportInputError } from './errors.js';

const RUN_FILES = new Set(['log.jsonl', 'model.safetensors']);

export type ReportInput = (EvalInput | RunInput) & { label: string };

export interface ReportInputs {
  evals: (EvalInput & { label: string })[];
  runs: (RunInput & { label: string })[];
  dataset?: string;
}

export function readReportInputs(paths: readonly string[]): ReportInputs {
  if (!paths.length) throw new ReportInputError('no inputs: give eval JSON files (hire-snn eval --json) and/or training run folders');
  const read = paths.map((p): EvalInput | RunInput => {
    if (!fs.existsSync(p)) throw new ReportInputError(`${p}: no such file or folder`);
    if (fs.statSync(p).isDirectory()) return readRunFolder(p);
    // DIR/log.jsonl or DIR/model.safetensors stands for its run folder
    if (RUN_FILES.has(path.basename(p))) return readRunFolder(path.dirname(p));
    return readEvalFile(p);
  });
  const dataset = checkOneDataset(read);
  const labeled = assignLabels(read);
  return {
    evals: labeled.filter((i): i is EvalInput & { label: string } => i.kind === 'eval'),
    runs: labeled.filter((i): i is RunInput & { label: string } => i.kind === 'run'),
    dataset,
  };
}

function datasetOf(i: EvalInput | RunInput): string | undefined {
  return i.kind === 'eval' ? i.data.dataset.name : i.model.dataset;
}

function whereOf(i: EvalInput | RunInput): string {
  return i.kind === 'eval' ? i.file : i.dir;
}

function checkOneDataset(inputs: readonly (EvalInput | RunInput)[]): string | undefined {
  const first = inputs.find((i) => datasetOf(i) !== undefined);
  if (!first) return undefined;
  const other = inputs.find((i) => datasetOf(i) !== undefined && datasetOf(i) !== datasetOf(first));
  if (other) {
    throw new ReportInputError(`the inputs mix datasets: ${whereOf(first)} is ${datasetOf(first)} but ${whereOf(other)} is ${datasetOf(other)}; make one report per dataset`);
  }
  return datasetOf(first);
}

/** a model file's short name: its folder for DIR/model.safetensors, else its file name */
function shortName(file: string): string {
  const base = path.basename(file);
  if (base === 'model.safetensors') return path.basename(path.dirname(path.resolve(file)));
  return base;
}

function assignLabels(inputs: readonly (EvalInput | RunInput)[]): ReportInput[] {
  const runName = (r: RunInput) => path.basename(path.resolve(r.dir));
  const runBySha = new Map<string, string>();
  for (const i of inputs) if (i.kind === 'run' && i.model.sha256) runBySha.set(i.model.sha256, runName(i));
  const wanted = inputs.map((i) => (i.kind === 'run' ? runName(i) : runBySha.get(i.data.model.sha256) ?? shortName(i.data.model.path)));
  const used = new Map<string, number>();
  return inputs.map((i, k) => {
    // an eval and the run of the same model share a label; anything else that collides gets a number
    const key = `${i.kind}:${wanted[k]}`;
    const seen = used.get(key) ?? 0;
    used.set(key, seen + 1);
    return { ...i, label: seen ? `${wanted[k]} (${seen + 1})` : wanted[k] };
  });
}
