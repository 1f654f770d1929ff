/**
 * Runs a cell until it is done or its retries are used up: each attempt is its own process
 * (`hire-snn sweep-cell DIR --attempt N`), so a crash, an out-of-memory kill or a native
 * fault costs one attempt and nothing else. Output of every attempt is appended to the
 * cell's log.txt. The local executor calls this directly; a Slurm job calls it through
 * `hire-snn sweep-cell DIR --retries K`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { cliCommand } from './entry.js';
import { CELL_FILES, clearFailed, lockHolder, markFailed, readDone } from './cell-dir.js';

/** exit codes of an attempt process besides 0 (done) and 1 (failed) */
export const EXIT_BUSY = 75;
export const EXIT_STOPPED = 130;

export type CellOutcome = { status: 'done' } | { status: 'failed'; error: string; attempts: number } | { status: 'stopped' };

export interface AttemptOptions {
  retries: number;
  /** environment of the attempt processes (OMP_NUM_THREADS, ...) */
  env?: NodeJS.ProcessEnv;
  /** told when an attempt fails and another follows */
  onRetry?: (attempt: number, error: string) => void;
  /** every attempt process, so the caller can stop them */
  onSpawn?: (child: ChildProcess) => void;
  shouldStop?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** the error line of a failed attempt: the CLI's "hire-snn: ..." line, else its last line */
function errorLine(stderr: string, code: number | null, signal: NodeJS.Signals | null): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = [...lines].reverse().find((l) => l.startsWith('hire-snn: ')) ?? lines.at(-1);
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  return line ? `${line.replace(/^hire-snn: /, '')} (${how})` : how;
}

function runAttempt(dir: string, attempt: number, opts: AttemptOptions): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const log = fs.openSync(path.join(dir, CELL_FILES.log), 'a');
  fs.writeSync(log, `=== attempt ${attempt}, ${new Date().toISOString()}\n`);
  const [cmd, ...args] = cliCommand();
  const child = spawn(cmd, [...args, 'sweep-cell', dir, '--attempt', String(attempt)], {
    stdio: ['ignore', log, 'pipe'], env: { ...process.env, ...opts.env },
  });
  opts.onSpawn?.(child);
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    fs.writeSync(log, chunk);
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      fs.closeSync(log);
      reject(err);
    });
    child.on('close', (code, signal) => {
      fs.closeSync(log);
      resolve({ code, signal, stderr: tail });
    });
  });
}

export async function runCellWithRetries(dir: string, opts: AttemptOptions): Promise<CellOutcome> {
  clearFailed(dir);
  let attempt = 1;
  let error = '';
  while (attempt <= opts.retries + 1) {
    if (readDone(dir)) return { status: 'done' };
    if (opts.shouldStop?.()) return { status: 'stopped' };
    const r = await runAttempt(dir, attempt, opts);
    if (r.code === 0 && readDone(dir)) return { status: 'done' };
    if (r.code === EXIT_STOPPED || opts.shouldStop?.()) return { status: 'stopped' };
    if (r.code === EXIT_BUSY) {
      // an earlier sweep's attempt still runs this cell: wait for it, then look again
      while (lockHolder(dir)) await sleep(1000);
      continue;
    }
    error = errorLine(r.stderr, r.code, r.signal);
    if (attempt <= opts.retries) opts.onRetry?.(attempt, error);
    attempt++;
  }
  markFailed(dir, opts.retries + 1, error);
  return { status: 'failed', error, attempts: opts.retries + 1 };
}
