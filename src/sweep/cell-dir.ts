/**
 * A cell's directory, DIR/cells/<id>/: cell.json (what to run, written by the planner),
 * run/ (the training run) or eval.json, log.txt (every attempt's output), running.json (held
 * while an attempt runs), failed.json (retries used up) and done.json — written last and
 * atomically, so a cell with done.json is finished and anything else is run again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { atomicWriteChunks } from '../io/atomic-write.js';
import { processAlive } from '../train/run-lock.js';
import type { Cell } from './expand.js';

export const CELL_FILES = { spec: 'cell.json', done: 'done.json', failed: 'failed.json', lock: 'running.json', log: 'log.txt', run: 'run', eval: 'eval.json' } as const;

export const cellsRoot = (out: string) => path.join(out, 'cells');
export const cellDir = (out: string, id: string) => path.join(cellsRoot(out), id);

const specSchema = z.object({
  format: z.literal('hire-snn-sweep-cell/1'),
  id: z.string().regex(/^[0-9a-f]{16}$/),
  stage: z.string(),
  kind: z.enum(['train', 'eval']),
  coords: z.record(z.unknown()),
  config: z.record(z.unknown()),
  deps: z.array(z.object({ option: z.string(), cell: z.string().regex(/^[0-9a-f]{16}$/) })),
  level: z.number().int().min(0),
});
export type CellSpec = z.infer<typeof specSchema>;

const doneSchema = z.object({
  id: z.string(),
  metrics: z.record(z.number()),
  protocol: z.record(z.unknown()).optional(),
  seconds: z.number(),
  attempt: z.number().int().min(1),
  finishedAt: z.string(),
});
export type DoneRecord = z.infer<typeof doneSchema>;

const failedSchema = z.object({ id: z.string(), attempts: z.number().int(), error: z.string(), failedAt: z.string() });
export type FailedRecord = z.infer<typeof failedSchema>;

const lockSchema = z.object({ pid: z.number().int(), host: z.string(), startedAt: z.string() });

const writeJson = (file: string, value: unknown) => atomicWriteChunks(file, [Buffer.from(JSON.stringify(value, null, 2) + '\n')]);

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** writes cell.json (once: the same id always means the same content) */
export function writeCellSpec(out: string, cell: Cell): void {
  const dir = cellDir(out, cell.id);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, CELL_FILES.spec);
  if (fs.existsSync(file)) return;
  const spec: CellSpec = { format: 'hire-snn-sweep-cell/1', id: cell.id, stage: cell.stage, kind: cell.kind, coords: cell.coords, config: cell.config as unknown as Record<string, unknown>, deps: cell.deps, level: cell.level };
  writeJson(file, spec);
}

export function readCellSpec(dir: string): CellSpec {
  const spec = readJson(path.join(dir, CELL_FILES.spec), specSchema);
  if (!spec || spec.id !== path.basename(dir)) throw new Error(`${dir}: not a sweep cell (no valid ${CELL_FILES.spec})`);
  return spec;
}

export function readDone(dir: string): DoneRecord | undefined {
  const done = readJson(path.join(dir, CELL_FILES.done), doneSchema);
  return done && done.id === path.basename(dir) ? done : undefined;
}

export const readFailed = (dir: string) => readJson(path.join(dir, CELL_FILES.failed), failedSchema);

export function markDone(dir: string, record: Omit<DoneRecord, 'id' | 'finishedAt'>): void {
  fs.rmSync(path.join(dir, CELL_FILES.failed), { force: true });
  writeJson(path.join(dir, CELL_FILES.done), { id: path.basename(dir), ...record, finishedAt: new Date().toISOString() });
}

export function markFailed(dir: string, attempts: number, error: string): void {
  writeJson(path.join(dir, CELL_FILES.failed), { id: path.basename(dir), attempts, error, failedAt: new Date().toISOString() });
}

export const clearFailed = (dir: string) => fs.rmSync(path.join(dir, CELL_FILES.failed), { force: true });

/** the process running this cell now, if it is alive on this machine */
export function lockHolder(dir: string): { pid: number; host: string } | undefined {
  const lock = readJson(path.join(dir, CELL_FILES.lock), lockSchema);
  if (!lock || lock.host !== os.hostname() || !processAlive(lock.pid)) return undefined;
  return lock;
}

/**
 * Takes the cell for this process: false when a live process on this machine holds it. A
 * lock left by a dead process (or another machine's: the Slurm executor runs one job per
 * cell) is taken over.
 */
export function acquireLock(dir: string): boolean {
  const file = path.join(dir, CELL_FILES.lock);
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() });
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockHolder(dir)) return false;
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

export function releaseLock(dir: string): void {
  const lock = readJson(path.join(dir, CELL_FILES.lock), lockSchema);
  if (lock?.pid === process.pid && lock.host === os.hostname()) fs.rmSync(path.join(dir, CELL_FILES.lock), { force: true });
}
