/**
 * The sweep's results, collected from the cell directories the same way whichever executor
 * ran them: DIR/results.json (one row per cell: stage, coordinates, full config, metrics,
 * the eval protocol, status) and DIR/results.csv (coordinates and metrics as columns). Both
 * are written atomically, so a reader never sees half a file.
 */
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { atomicWriteChunks } from '../io/atomic-write.js';
import type { Plan } from './expand.js';
import { cellDir, readDone, readFailed } from './cell-dir.js';

export interface ResultRow {
  cell: string;
  stage: string;
  kind: 'train' | 'eval';
  /** done; failed (retries used up); not-run (a dependency failed, or the sweep was stopped) */
  status: 'done' | 'failed' | 'not-run';
  coords: Record<string, unknown>;
  config: Record<string, unknown>;
  deps: { option: string; cell: string }[];
  metrics: Record<string, number>;
  /** eval cells: the attack protocol the numbers were measured with */
  protocol?: Record<string, unknown>;
  error?: string;
  /** what differs between two runs of the same cell: wall-clock time, which attempt succeeded */
  timing?: { seconds: number; attempt: number; finishedAt: string };
}

export interface SweepResults {
  format: 'hire-snn-sweep-results/1';
  grid: string;
  description?: string;
  rows: ResultRow[];
}

export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';

export function collectResults(out: string, plan: Plan): SweepResults {
  const rows = plan.cells.map((c): ResultRow => {
    const dir = cellDir(out, c.id);
    const base = { cell: c.id, stage: c.stage, kind: c.kind, coords: c.coords, config: c.config as unknown as Record<string, unknown>, deps: c.deps };
    const done = readDone(dir);
    if (done) {
      return {
        ...base, status: 'done', metrics: done.metrics, ...(done.protocol ? { protocol: done.protocol } : {}),
        timing: { seconds: done.seconds, attempt: done.attempt, finishedAt: done.finishedAt },
      };
    }
    const failed = readFailed(dir);
    if (failed) return { ...base, status: 'failed', metrics: {}, error: failed.error };
    return { ...base, status: 'not-run', metrics: {} };
  });
  return { format: 'hire-snn-sweep-results/1', grid: path.resolve(plan.grid.file), ...(plan.grid.description ? { description: plan.grid.description } : {}), rows };
}

const cellText = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** one line per cell: cell, stage, status, every coordinate, every metric, seconds, error */
export function resultsCsv(results: SweepResults): string {
  const union = (pick: (r: ResultRow) => Record<string, unknown>) => [...new Set(results.rows.flatMap((r) => Object.keys(pick(r))))];
  const coords = union((r) => r.coords);
  const metrics = union((r) => r.metrics);
  const header = ['cell', 'stage', 'kind', 'status', ...coords, ...metrics, 'seconds', 'error'];
  const lines = results.rows.map((r) => [
    r.cell, r.stage, r.kind, r.status, ...coords.map((k) => cellText(r.coords[k])), ...metrics.map((k) => cellText(r.metrics[k])),
    cellText(r.timing?.seconds), r.error ?? '',
  ]);
  return stringify([header, ...lines]);
}

export function writeResults(out: string, results: SweepResults): { json: string; csv: string } {
  const json = path.join(out, RESULTS_JSON);
  const csv = path.join(out, RESULTS_CSV);
  atomicWriteChunks(json, [Buffer.from(JSON.stringify(results, null, 2) + '\n')]);
  atomicWriteChunks(csv, [Buffer.from(resultsCsv(results))]);
  return { json, csv };
}
