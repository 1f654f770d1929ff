/**
 * One attempt at one cell, in this process: the same library calls as `hire-snn train` and
 * `hire-snn eval` (runTraining / runEvaluation) with the cell's config, its model options
 * pointed at the cells they name. A training cell resumes its own saved state, so an attempt
 * after a kill continues where the last save left off. done.json is the last thing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runTraining } from '../train/run.js';
import { hasState } from '../train/state.js';
import type { TrainConfig } from '../train/config.js';
import type { TrainUi } from '../train/loop.js';
import { runEvaluation, type EvalReport } from '../eval/run-eval.js';
import type { EvalOptionsInput } from '../eval/options.js';
import { CELL_REF } from './expand.js';
import { CELL_FILES, acquireLock, markDone, readCellSpec, readDone, releaseLock, type CellSpec } from './cell-dir.js';

export type CellUi = TrainUi;

export type AttemptOutcome = 'done' | 'already-done' | 'busy' | 'stopped';

/** the model file a finished training cell leaves */
export const modelFileOf = (cellPath: string) => path.join(cellPath, CELL_FILES.run, 'model.safetensors');

/** the cell's config with `@cell:<id>` model options pointing at the files those cells wrote */
function resolveRefs(dir: string, spec: CellSpec): Record<string, unknown> {
  const config = { ...spec.config };
  const cells = path.dirname(dir);
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'string' || !value.startsWith(CELL_REF)) continue;
    const dep = path.join(cells, value.slice(CELL_REF.length));
    if (!readDone(dep)) throw new Error(`${dir}: cell ${path.basename(dep)} (its ${key}) has not finished`);
    config[key] = modelFileOf(dep);
  }
  return config;
}

/** numbers worth a column: the accuracy of every setting, n, energy and the clean firing rate */
export function evalMetrics(report: EvalReport): Record<string, number> {
  const m: Record<string, number> = { n: report.n };
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'number') m[prefix] = v;
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
  };
  walk('', report.results);
  if (report.energy) Object.assign(m, { 'energy.snnPj': report.energy.snnPj, 'energy.annPj': report.energy.annPj, 'energy.ratio': report.energy.ratio });
  const clean = report.spikes.clean;
  if (clean?.length) {
    const neurons = clean.reduce((a, l) => a + l.neurons, 0);
    m['clean.firingRate'] = clean.reduce((a, l) => a + l.firingRate * l.neurons, 0) / neurons;
  }
  return m;
}

export async function runCellAttempt(dir: string, opts: { ui?: CellUi; shouldStop?: () => boolean; attempt?: number } = {}): Promise<AttemptOutcome> {
  const spec = readCellSpec(dir);
  if (readDone(dir)) return 'already-done';
  if (!acquireLock(dir)) return 'busy';
  const started = performance.now();
  try {
    const config = resolveRefs(dir, spec);
    const attempt = opts.attempt ?? 1;
    if (spec.kind === 'train') {
      const out = path.join(dir, CELL_FILES.run);
      const outcome = await runTraining(
        { config: config as unknown as TrainConfig, out, resume: hasState(out), data: config.data as string | undefined },
        { ui: opts.ui, shouldStop: opts.shouldStop },
      );
      if (outcome.status === 'stopped') return 'stopped';
      const { trainSeconds, ...metrics } = outcome.metrics;
      markDone(dir, { metrics, seconds: trainSeconds ?? (performance.now() - started) / 1000, attempt });
    } else {
      const json = path.join(dir, CELL_FILES.eval);
      fs.rmSync(json, { force: true });
      const report = await runEvaluation({ ...(config as unknown as EvalOptionsInput), json }, { progress: opts.ui?.progress && ((label, total) => opts.ui!.progress!(`eval ${label}`, total)), log: opts.ui?.log });
      markDone(dir, { metrics: evalMetrics(report), protocol: report.protocol as unknown as Record<string, unknown>, seconds: report.elapsedSeconds, attempt });
    }
    return 'done';
  } finally {
    releaseLock(dir);
  }
}

