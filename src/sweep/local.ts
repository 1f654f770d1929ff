/**
 * The local executor: a pool of N workers on this machine, each running one cell at a time
 * (in its own processes, see attempts.ts) with cores/N OpenMP threads. A cell starts as soon
 * as the cells it depends on are done; a cell whose dependency failed is not run.
 */
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import type { Plan } from './expand.js';
import { cellDir, readDone } from './cell-dir.js';
import { runCellWithRetries, type CellOutcome } from './attempts.js';
import { describeCell, type SweepUi } from './ui.js';

export interface LocalOptions {
  workers: number;
  retries: number;
  ui?: SweepUi;
  shouldStop?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** OpenMP threads per worker: the cores shared out, at least one */
export function threadsPerWorker(workers: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

export async function runLocal(out: string, plan: Plan, opts: LocalOptions): Promise<'finished' | 'stopped'> {
  const threads = threadsPerWorker(opts.workers);
  const env = { OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive' };
  const state = new Map<string, 'done' | 'failed' | 'waiting'>();
  for (const c of plan.cells) state.set(c.id, readDone(cellDir(out, c.id)) ? 'done' : 'waiting');
  const todo = plan.cells.filter((c) => state.get(c.id) === 'waiting');
  const ui = opts.ui;
  ui?.log?.(`${plan.cells.length} cells, ${plan.cells.length - todo.length} already done; running ${todo.length} on ${opts.workers} worker${opts.workers > 1 ? 's' : ''} x ${threads} thread${threads > 1 ? 's' : ''}`);
  const progress = todo.length ? ui?.progress?.(todo.length) : undefined;
  const children = new Set<ChildProcess>();
  const stop = () => opts.shouldStop?.() ?? false;
  const running = new Map<string, Promise<[string, CellOutcome]>>();
  let finished = 0;
  let failed = 0;
  let stopped = false;
  const blocked = (id: string) => plan.cells.find((c) => c.id === id)!.deps.some((d) => state.get(d.cell) === 'failed');
  const ready = (id: string) => plan.cells.find((c) => c.id === id)!.deps.every((d) => state.get(d.cell) === 'done');

  let signalled = false;
  while (true) {
    if (stop() && !signalled) {
      // attempts save their state and exit (a training cell resumes from it next time)
      stopped = signalled = true;
      for (const child of children) child.kill('SIGTERM');
    }
    for (const c of todo) {
      if (stopped || running.size >= opts.workers) break;
      if (state.get(c.id) !== 'waiting' || running.has(c.id)) continue;
      if (blocked(c.id)) {
        state.set(c.id, 'failed');
        finished++;
        ui?.log?.(`not run: ${describeCell(c)} (a cell it depends on failed)`);
        continue;
      }
      if (!ready(c.id)) continue;
      ui?.log?.(`start: ${describeCell(c)}`);
      const started = Date.now();
      const job = runCellWithRetries(cellDir(out, c.id), {
        retries: opts.retries, env, shouldStop: stop,
        onSpawn: (child) => {
          children.add(child);
          child.on('close', () => children.delete(child));
        },
        onRetry: (attempt, error) => ui?.log?.(`attempt ${attempt} of ${describeCell(c)} failed: ${error}; retrying`),
      }).then((o): [string, CellOutcome] => {
        const secs = ((Date.now() - started) / 1000).toFixed(0);
        if (o.status === 'done') ui?.log?.(`done: ${describeCell(c)} in ${secs} s`);
        if (o.status === 'failed') ui?.log?.(`FAILED: ${describeCell(c)} after ${o.attempts} attempt${o.attempts > 1 ? 's' : ''}: ${o.error}`);
        return [c.id, o];
      });
      running.set(c.id, job);
    }
    if (running.size === 0) break;
    // wake up now and then to notice a stop request
    const next = await Promise.race([...running.values(), sleep(500).then(() => null)]);
    if (!next) continue;
    const [id, outcome] = next;
    running.delete(id);
    if (outcome.status === 'stopped') {
      stopped = true;
      continue;
    }
    state.set(id, outcome.status);
    finished++;
    if (outcome.status === 'failed') failed++;
    progress?.update(finished, `${running.size} running${failed ? `, ${failed} failed` : ''}`);
  }
  progress?.stop();
  return stopped ? 'stopped' : 'finished';
}
