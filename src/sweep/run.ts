/**
 * The `sweep` job: read and expand the grid (every cell's config checked before any work),
 * check the executor can run (Slurm reachable), write each cell's cell.json, run the cells
 * that are not done yet, then collect DIR/results.json, DIR/results.csv and DIR/report.html.
 * Running the same sweep again skips finished cells and retries failed ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readGrid } from './grid.js';
import { expandGrid, type Plan } from './expand.js';
import { cellDir, readDone, writeCellSpec } from './cell-dir.js';
import { runLocal, threadsPerWorker } from './local.js';
import { checkSlurm, runSlurm, slurmScripts, type SlurmOptions } from './slurm.js';
import { collectResults, writeResults, type ResultRow } from './results.js';
import { writeSweepReport } from './report.js';
import { describeCell, type SweepUi } from './ui.js';
import { atomicWriteChunks } from '../io/atomic-write.js';

export type ExecutorName = 'local' | 'slurm';
export const EXECUTORS: readonly ExecutorName[] = ['local', 'slurm'];

export interface SweepRequest {
  grid: string;
  /** default: runs/sweeps/<grid file name> */
  out?: string;
  executor: ExecutorName;
  workers: number;
  retries: number;
  dryRun: boolean;
  slurm: SlurmOptions;
}

export interface SweepEnv {
  ui?: SweepUi;
  shouldStop?: () => boolean;
  /** where --dry-run prints the plan and the job scripts */
  print?: (text: string) => void;
}

export interface SweepSummary {
  status: 'finished' | 'stopped' | 'dry-run';
  out: string;
  cells: number;
  files?: { json: string; csv: string; report?: string };
  failed: ResultRow[];
  notRun: ResultRow[];
}

export const defaultOut = (grid: string) => path.join('runs', 'sweeps', path.basename(grid).replace(/\.ya?ml$/i, ''));

function planText(out: string, plan: Plan): string {
  return plan.cells.map((c) => `level ${c.level}  ${readDone(cellDir(out, c.id)) ? 'done ' : 'to do'}  ${describeCell(c)}`).join('\n');
}

/** the report is a view of the results: when it cannot be made, the sweep says why and goes on */
async function reportOf(out: string, plan: Plan, ui: SweepUi | undefined): Promise<string | undefined> {
  try {
    return (await writeSweepReport(out, plan, plan.grid.description ?? `hire-snn sweep ${path.basename(plan.grid.file)}`))?.file;
  } catch (err) {
    ui?.log?.(`report.html not written: ${(err as Error).message}`);
    return undefined;
  }
}

export async function runSweep(req: SweepRequest, env: SweepEnv = {}): Promise<SweepSummary> {
  const plan = expandGrid(readGrid(req.grid));
  const out = path.resolve(req.out ?? defaultOut(req.grid));
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out} is a file, not a directory`);
  const empty = { out, cells: plan.cells.length, failed: [], notRun: [] };
  if (req.dryRun) {
    const text = [`${plan.cells.length} cells into ${out}:`, planText(out, plan)];
    if (req.executor === 'slurm') text.push(...slurmScripts(out, plan, req.retries, req.slurm).map((s) => `\n# sbatch --parsable${s.dependent ? ' --dependency=afterok:<job of level ' + (s.level - 1) + '> --kill-on-invalid-dep=yes' : ''} ${s.file}\n${s.text}`));
    else text.push(`local executor: ${req.workers} worker(s) x ${threadsPerWorker(req.workers)} thread(s), ${req.retries} retr${req.retries === 1 ? 'y' : 'ies'} per cell`);
    env.print?.(text.join('\n'));
    return { status: 'dry-run', ...empty };
  }
  if (req.executor === 'slurm') checkSlurm(req.slurm);

  fs.mkdirSync(out, { recursive: true });
  atomicWriteChunks(path.join(out, 'grid.yaml'), [fs.readFileSync(req.grid)]);
  for (const c of plan.cells) writeCellSpec(out, c);
  const status = req.executor === 'slurm'
    ? await runSlurm(out, plan, { retries: req.retries, slurm: req.slurm, ui: env.ui, shouldStop: env.shouldStop })
    : await runLocal(out, plan, { workers: req.workers, retries: req.retries, ui: env.ui, shouldStop: env.shouldStop });
  const results = collectResults(out, plan);
  const files = writeResults(out, results);
  const report = await reportOf(out, plan, env.ui);
  return {
    status, out, cells: plan.cells.length, files: { ...files, ...(report ? { report } : {}) },
    failed: results.rows.filter((r) => r.status === 'failed'),
    notRun: results.rows.filter((r) => r.status === 'not-run'),
  };
}
