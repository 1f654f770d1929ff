/**
 * The Slurm executor: one `sbatch` job array per dependency level (a task per cell, running
 * `hire-snn sweep-cell DIR/cells/<id> --retries K`, the same entry as the local executor's
 * attempts), each level `--dependency=afterok` on the one before; then `squeue` is polled
 * until the arrays have left the queue, and the results are read from the cell directories.
 * Submitted job ids are kept in DIR/slurm/jobs.json: a sweep started again while its jobs
 * still run waits for them instead of submitting the cells twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import type { Cell, Plan } from './expand.js';
import { cellDir, cellsRoot, markFailed, readDone, readFailed } from './cell-dir.js';
import { cliCommand } from './entry.js';
import type { SweepUi } from './ui.js';
import { atomicWriteChunks } from '../io/atomic-write.js';

export interface SlurmOptions {
  /** extra sbatch options, one per #SBATCH line: --partition=short --time=2:00:00 --mem=8G */
  opts: string[];
  pollSeconds: number;
}

export class SlurmError extends Error {
  override name = 'SlurmError';
}

const OURS = ['--array', '--dependency', '--kill-on-invalid-dep', '--parsable'];

export function checkSlurmOpts(opts: string[]): void {
  for (const o of opts) {
    if (!o.startsWith('-')) throw new SlurmError(`--slurm-opts: "${o}" is not an sbatch option (write them like --partition=short --time=2:00:00)`);
    const name = o.split('=')[0];
    if (OURS.includes(name)) throw new SlurmError(`--slurm-opts: ${name} is set by the sweep itself`);
  }
}

function run(cmd: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new SlurmError(`${cmd} not found: --executor slurm needs the Slurm client commands (sbatch, squeue) on PATH`);
  }
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr ?? '').trim() || (r.error?.message ?? '') };
}

const firstLine = (s: string) => s.split('\n')[0];
const user = () => os.userInfo().username;

/** sbatch is there and the controller answers (before anything is written) */
export function checkSlurm(slurm: SlurmOptions): void {
  checkSlurmOpts(slurm.opts);
  run('sbatch', ['--version']);
  const q = run('squeue', ['--noheader', '--user', user(), '--format', '%i']);
  if (!q.ok) throw new SlurmError(`Slurm controller unreachable: squeue says "${firstLine(q.stderr)}"`);
}

export interface JobScript {
  level: number;
  /** submitted with --dependency=afterok on the previous level's array */
  dependent: boolean;
  file: string;
  text: string;
  cells: string[];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** levels among the cells still to run: 0 when every dependency is done */
function pendingLevels(out: string, plan: Plan): Map<number, Cell[]> {
  const level = new Map<string, number>();
  const byLevel = new Map<number, Cell[]>();
  for (const c of plan.cells) {
    if (readDone(cellDir(out, c.id))) continue;
    const l = Math.max(-1, ...c.deps.map((d) => level.get(d.cell) ?? -1)) + 1;
    level.set(c.id, l);
    byLevel.set(l, [...(byLevel.get(l) ?? []), c]);
  }
  return byLevel;
}

export function slurmScripts(out: string, plan: Plan, retries: number, slurm: SlurmOptions): JobScript[] {
  checkSlurmOpts(slurm.opts);
  const dir = path.join(out, 'slurm');
  const entry = cliCommand().map(quote).join(' ');
  return [...pendingLevels(out, plan)].map(([level, cells]) => {
    const text = [
      '#!/bin/bash',
      `# hire-snn sweep ${out}: dependency level ${level}, ${cells.length} cell${cells.length > 1 ? 's' : ''} (one array task each)`,
      `#SBATCH --job-name=hire-snn-sweep-${level}`,
      `#SBATCH --array=0-${cells.length - 1}`,
      `#SBATCH --output=${path.join(dir, `level-${level}-%A_%a.out`)}`,
      '#SBATCH --cpus-per-task=1',
      ...slurm.opts.map((o) => `#SBATCH ${o}`),
      'set -euo pipefail',
      `cells=(${cells.map((c) => c.id).join(' ')})`,
      'export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}" OMP_WAIT_POLICY=passive',
      `exec ${entry} sweep-cell ${quote(cellsRoot(out) + '/')}"\${cells[$SLURM_ARRAY_TASK_ID]}" --retries ${retries}`,
      '',
    ].join('\n');
    return { level, file: path.join(dir, `level-${level}.sh`), text, cells: cells.map((c) => c.id), dependent: level > 0 };
  });
}

const jobsSchema = z.object({ jobs: z.array(z.object({ level: z.number(), jobId: z.string(), cells: z.array(z.string()) })) });
type Jobs = z.infer<typeof jobsSchema>['jobs'];
const jobsFile = (out: string) => path.join(out, 'slurm', 'jobs.json');

function readJobs(out: string): Jobs {
  try {
    return jobsSchema.parse(JSON.parse(fs.readFileSync(jobsFile(out), 'utf8'))).jobs;
  } catch {
    return [];
  }
}

/** our array jobs still in the queue (pending or running) */
function activeJobs(jobs: Jobs): Set<string> {
  if (jobs.length === 0) return new Set();
  const q = run('squeue', ['--noheader', '--user', user(), '--format', '%F']);
  if (!q.ok) throw new SlurmError(`Slurm controller unreachable: squeue says "${firstLine(q.stderr)}"`);
  const queued = new Set(q.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
  return new Set(jobs.map((j) => j.jobId).filter((id) => queued.has(id)));
}

/** with accounting, how the tasks of cells that left no record ended (TIMEOUT, OUT_OF_MEMORY, ...) */
function recordLostTasks(out: string, jobs: Jobs): void {
  for (const job of jobs) {
    const lost = job.cells.map((id, i) => [id, i] as const).filter(([id]) => !readDone(cellDir(out, id)) && !readFailed(cellDir(out, id)));
    if (lost.length === 0) continue;
    const r = run('sacct', ['--noheader', '--parsable2', '--jobs', job.jobId, '--format', 'JobID,State']);
    if (!r.ok) continue;
    const states = new Map(r.stdout.split('\n').map((l) => l.split('|')).filter((p) => p.length === 2).map(([id, st]) => [id, st.split(' ')[0]]));
    for (const [id, i] of lost) {
      const state = states.get(`${job.jobId}_${i}`);
      if (state && !['COMPLETED', 'CANCELLED', 'PENDING', 'RUNNING'].includes(state)) markFailed(cellDir(out, id), 0, `Slurm job ${job.jobId}_${i} ended ${state}`);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(jobs: Jobs, opts: { pollSeconds: number; ui?: SweepUi; shouldStop?: () => boolean; onPoll?: () => void }): Promise<boolean> {
  let last = '';
  while (true) {
    const active = activeJobs(jobs);
    opts.onPoll?.();
    if (active.size === 0) return true;
    const line = `waiting for Slurm job${active.size > 1 ? 's' : ''} ${[...active].join(', ')}`;
    if (line !== last) opts.ui?.log?.(line);
    last = line;
    for (let t = 0; t < opts.pollSeconds * 10; t++) {
      if (opts.shouldStop?.()) return false;
      await sleep(100);
    }
  }
}

export async function runSlurm(out: string, plan: Plan, opts: { retries: number; slurm: SlurmOptions; ui?: SweepUi; shouldStop?: () => boolean }): Promise<'finished' | 'stopped'> {
  const ui = opts.ui;
  const wait = { pollSeconds: opts.slurm.pollSeconds, ui, shouldStop: opts.shouldStop };
  const earlier = readJobs(out);
  if (activeJobs(earlier).size > 0) {
    ui?.log?.('an earlier run of this sweep still has jobs in Slurm: waiting for them first');
    if (!(await waitFor(earlier, wait))) return 'stopped';
  }
  const scripts = slurmScripts(out, plan, opts.retries, opts.slurm);
  const done = plan.cells.length - scripts.reduce((n, s) => n + s.cells.length, 0);
  ui?.log?.(`${plan.cells.length} cells, ${done} already done; submitting ${scripts.length} job array${scripts.length === 1 ? '' : 's'}`);
  if (scripts.length === 0) return 'finished';
  fs.mkdirSync(path.join(out, 'slurm'), { recursive: true });
  const jobs: Jobs = [];
  let previous: string | undefined;
  for (const s of scripts) {
    atomicWriteChunks(s.file, [Buffer.from(s.text)]);
    const args = ['--parsable', ...(previous ? [`--dependency=afterok:${previous}`, '--kill-on-invalid-dep=yes'] : []), s.file];
    const r = run('sbatch', args);
    const jobId = r.stdout.trim().split(';')[0];
    if (!r.ok || !/^\d+$/.test(jobId)) throw new SlurmError(`sbatch ${s.file} failed: ${firstLine(r.stderr) || r.stdout.trim()}`);
    jobs.push({ level: s.level, jobId, cells: s.cells });
    atomicWriteChunks(jobsFile(out), [Buffer.from(JSON.stringify({ jobs }, null, 2) + '\n')]);
    ui?.log?.(`submitted level ${s.level}: job array ${jobId} (${s.cells.length} cell${s.cells.length > 1 ? 's' : ''})${previous ? `, after ${previous}` : ''}`);
    previous = jobId;
  }
  const cells = jobs.flatMap((j) => j.cells);
  const progress = ui?.progress?.(cells.length);
  const count = () => cells.filter((id) => readDone(cellDir(out, id)) || readFailed(cellDir(out, id))).length;
  const finished = await waitFor(jobs, { ...wait, onPoll: () => progress?.update(count()) });
  progress?.stop();
  if (!finished) {
    ui?.log?.(`the jobs keep running in Slurm (scancel ${jobs.map((j) => j.jobId).join(' ')} stops them); run the same sweep again to collect them`);
    return 'stopped';
  }
  recordLostTasks(out, jobs);
  return 'finished';
}
