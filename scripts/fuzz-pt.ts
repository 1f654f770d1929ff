/**
 * The long checkpoint fuzz run (build first: `npm run build`):
 *   nice -n 10 node --import tsx scripts/fuzz-pt.ts [--cases 100000] [--seed 1] [--children 300]
 *        [--bomb-scale 10000000] [--jobs 4] [--out docs/fuzz-results.md]
 * Two parts, reported separately:
 *  1. bulk, in-process: `--cases` seeded mutations (test/io/fuzz-lib.ts) loaded as inspect and eval
 *     do, in a worker thread with a V8 heap limit, watched for hangs (a case over HANG_MS) and
 *     restarted after a crash; --jobs workers take equal ranges of the cases;
 *  2. child processes: every resource bomb (test/io/fuzz-bombs.ts, at --bomb-scale opcodes and a
 *     1 GiB deflated pickle) and --children of the mutation cases, each run as the real CLI
 *     (`hire-snn inspect`, bombs also `hire-snn export`) under a timeout and an address-space
 *     limit, with exit code, signal, stderr and peak RSS (GNU time) checked; --jobs at a time.
 * Exits non-zero on any crash, hang, stack trace, multi-line error or peak RSS over the bound
 * max(300 MB, 4 x the file's tensor bytes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { allBombs, PICKLE_BOMBS, zipPt } from '../test/io/fuzz-bombs.js';
import { loadSeeds, makeCase, type Summary } from '../test/io/fuzz-lib.js';
import { readWeights } from '../src/io/weights.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/src/cli/main.js');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const CASES = Number(arg('cases', '100000'));
const SEED = Number(arg('seed', '1'));
const CHILDREN = Number(arg('children', '300'));
const BOMB_SCALE = Number(arg('bomb-scale', '10000000'));
/** worker threads for the bulk, child processes at a time */
const JOBS = Math.max(1, Number(arg('jobs', '4')));
const OUT = arg('out', '');
/** one in-process case longer than this is a hang */
const HANG_MS = 30_000;
/** a child process running longer than this is a hang */
const CHILD_TIMEOUT_MS = 180_000;
/** address space a child may map (V8 reserves ~1.2 GB of it at start) */
const CHILD_AS_BYTES = 3 * 2 ** 30;
const MB = 1e6;

interface BulkResult {
  summary: Summary;
  crashes: string[];
  hangs: string[];
  restarts: number;
  maxRssMb: number;
}

/** runs cases [from, to) in a worker; resolves with its summary, or what stopped it */
function bulkWorker(from: number, to: number, onBeat: (i: number) => void): Promise<{ summary?: Summary; crashes: string[]; stoppedAt?: number; why?: string }> {
  const heartbeat = new SharedArrayBuffer(4);
  const beat = new Int32Array(heartbeat);
  Atomics.store(beat, 0, from);
  const entry = new URL('../test/io/fuzz-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { seed: SEED, from, cases: to, heartbeat, collect: true }, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
  return new Promise((resolve) => {
    let last = -1;
    let since = Date.now();
    const done = (r: { summary?: Summary; crashes: string[]; stoppedAt?: number; why?: string }) => {
      clearInterval(watch);
      void worker.terminate();
      resolve(r);
    };
    const watch = setInterval(() => {
      const now = Atomics.load(beat, 0);
      onBeat(now);
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since > HANG_MS) done({ crashes: [], stoppedAt: now, why: `hang: case #${now} ran over ${HANG_MS} ms` });
    }, 500);
    worker.once('message', (m: { ok: boolean; summary?: Summary; crashes?: string[]; message?: string }) => done({ summary: m.summary, crashes: m.crashes ?? [], ...(m.ok ? {} : { why: m.message }) }));
    worker.once('error', (err) => done({ crashes: [], stoppedAt: Atomics.load(beat, 0), why: `worker died at case #${Atomics.load(beat, 0)}: ${err.message}` }));
  });
}

function merge(into: Summary | undefined, s: Summary): Summary {
  if (!into) return s;
  const outcomes = { ...into.outcomes };
  for (const [k, v] of Object.entries(s.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const slow = s.maxCaseMs > into.maxCaseMs;
  return {
    cases: into.cases + s.cases, seconds: into.seconds + s.seconds, outcomes,
    maxCaseMs: slow ? s.maxCaseMs : into.maxCaseMs, slowest: slow ? s.slowest : into.slowest,
    maxArrayBuffersMb: Math.max(into.maxArrayBuffersMb, s.maxArrayBuffersMb),
  };
}

/** cases [from, to) in one worker after another: a crash or hang restarts the worker after that case */
async function bulkRange(from: number, to: number, r: BulkResult, onBeat: (done: number) => void): Promise<void> {
  const start = from;
  while (from < to) {
    const w = await bulkWorker(from, to, (i) => onBeat(i - start));
    r.crashes.push(...w.crashes);
    if (w.summary) r.summary = merge(r.summary, w.summary);
    if (w.why === undefined) break;
    (w.why.startsWith('hang') ? r.hangs : r.crashes).push(w.why);
    console.error(`bulk: ${w.why}; restarting after it`);
    r.restarts++;
    from = (w.stoppedAt ?? from) + 1;
  }
}

async function bulk(): Promise<BulkResult> {
  const r: BulkResult = { summary: undefined as unknown as Summary, crashes: [], hangs: [], restarts: 0, maxRssMb: 0 };
  const done = new Array<number>(JOBS).fill(0);
  let next = 10_000;
  const t0 = performance.now();
  const per = Math.ceil(CASES / JOBS);
  await Promise.all(done.map((_, j) => bulkRange(j * per, Math.min(CASES, (j + 1) * per), r, (n) => {
    done[j] = n;
    r.maxRssMb = Math.max(r.maxRssMb, process.memoryUsage().rss / MB);
    const total = done.reduce((a, b) => a + b, 0);
    if (total >= next) {
      console.error(`bulk: ${total} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      next += 10_000;
    }
  })));
  return r;
}

interface ChildResult {
  name: string;
  command: string;
  status: number | null;
  signal: string | null;
  seconds: number;
  peakRssMb: number;
  boundMb: number;
  verdict: 'rejected' | 'loaded' | 'crash' | 'hang' | 'stack trace' | 'not one line' | 'over memory';
  line: string;
}

/** runs the CLI on one file under the limits and judges what it did */
async function runChild(name: string, file: string, command: 'inspect' | 'export', tensorBytes: number): Promise<ChildResult> {
  const timeFile = `${file}.${command}.time`;
  const args = command === 'inspect' ? [cli, 'inspect', file] : [cli, 'export', '--model', file, '--out', `${file}.out.pt`];
  const t0 = performance.now();
  // its own process group, so a hang is ended whole (time and the node under it)
  const child = spawn('prlimit', [`--as=${CHILD_AS_BYTES}`, '/usr/bin/time', '-f', '%M', '-o', timeFile, process.execPath, ...args], {
    detached: true, env: { ...process.env, HIRE_SNN_PROGRESS: 'never' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, CHILD_TIMEOUT_MS);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 2 ** 20) stderr += d.toString();
  });
  const r = await new Promise<{ status: number | null; signal: string | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal })));
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = fs.existsSync(timeFile) ? (Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) * 1024) / MB : NaN;
  // GNU time reports a signal in its own output and exits 128+n: read the real status from it
  const timeText = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
  const killedBy = /Command terminated by signal (\d+)/.exec(timeText)?.[1];
  const exited = /Command exited with non-zero status (\d+)/.exec(timeText)?.[1];
  const status = killedBy ? null : exited ? Number(exited) : r.status;
  const signal = r.signal ?? (killedBy ? `signal ${killedBy}` : null);
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const boundMb = Math.max(300, (4 * tensorBytes) / MB);
  let verdict: ChildResult['verdict'];
  if (timedOut) verdict = 'hang';
  else if (signal !== null || (status !== 0 && status !== 1)) verdict = 'crash';
  else if (lines.some((l) => /^\s+at /.test(l))) verdict = 'stack trace';
  else if (status === 1 && (lines.length !== 1 || !lines[0].startsWith('hire-snn: '))) verdict = 'not one line';
  else if (peakRssMb > boundMb) verdict = 'over memory';
  else verdict = status === 0 ? 'loaded' : 'rejected';
  fs.rmSync(timeFile, { force: true });
  if (command === 'export') fs.rmSync(`${file}.out.pt`, { force: true });
  return { name, command, status, signal, seconds, peakRssMb, boundMb, verdict, line: (lines[0] ?? '').slice(0, 160) };
}

function tensorBytesOf(bytes: Uint8Array): number {
  try {
    let n = 0;
    for (const t of readWeights(bytes).stateDict.tensors.values()) n += t.data.byteLength;
    return n;
  } catch {
    return 0;
  }
}

/** the bombs, then --children of the bulk cases, each through the CLI; --jobs at a time, listed in this order */
async function children(): Promise<ChildResult[]> {
  if (!fs.existsSync(cli)) throw new Error(`${cli} not found: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-snn-fuzz-'));
  const jobs: { name: string; bytes: () => Uint8Array; commands: ('inspect' | 'export')[] }[] = [];
  // the issue's 48 KB file: 25 M EMPTY_LIST + 25 M - 1 APPEND, deflated
  jobs.push({ name: 'issue/nested-lists-25M', bytes: () => zipPt(PICKLE_BOMBS['nested-lists'](25_000_000), true), commands: ['inspect', 'export'] });
  for (const b of allBombs(BOMB_SCALE, 2 ** 30)) jobs.push({ name: `bomb/${b.name}`, bytes: () => b.bytes, commands: ['inspect', 'export'] });
  const seeds = loadSeeds();
  const step = Math.max(1, Math.floor(CASES / Math.max(1, CHILDREN)));
  for (let k = 0; k < CHILDREN; k++) {
    const c = makeCase(seeds, SEED, k * step);
    jobs.push({ name: `case/#${k * step} ${c.seed} ${c.how}`.slice(0, 120), bytes: () => c.bytes, commands: ['inspect'] });
  }
  const results: ChildResult[][] = [];
  let next = 0;
  let finished = 0;
  const worker = async () => {
    for (let j = next++; j < jobs.length; j = next++) {
      const { name, bytes, commands } = jobs[j];
      const file = path.join(dir, `${j}-${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
      const b = bytes();
      fs.writeFileSync(file, b);
      const tb = tensorBytesOf(b);
      results[j] = [];
      for (const command of commands) {
        const r = await runChild(name, file, command, tb);
        results[j].push(r);
        console.error(`child ${++finished}: ${command} ${name}: ${r.verdict}, ${r.peakRssMb.toFixed(0)} MB, ${r.seconds.toFixed(1)} s`);
      }
      fs.rmSync(file, { force: true });
    }
  };
  try {
    await Promise.all(Array.from({ length: JOBS }, worker));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results.flat();
}

function table(rows: string[][]): string[] {
  return [`| ${rows[0].join(' | ')} |`, `| ${rows[0].map(() => '---').join(' | ')} |`, ...rows.slice(1).map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`)];
}

async function main(): Promise<void> {
  const t0 = performance.now();
  // both at once: worker threads for the bulk, child processes for the CLI runs
  const [b, kids] = await Promise.all([bulk(), CHILDREN >= 0 ? children() : Promise.resolve([])]);
  const bad = kids.filter((k) => !['rejected', 'loaded'].includes(k.verdict));
  const byVerdict: Record<string, number> = {};
  for (const k of kids) byVerdict[k.verdict] = (byVerdict[k.verdict] ?? 0) + 1;
  const s = b.summary;
  const peak = kids.reduce((m, k) => (k.peakRssMb > m.peakRssMb ? k : m), kids[0]);
  const slowestChild = kids.reduce((m, k) => (k.seconds > m.seconds ? k : m), kids[0]);
  const md = [
    '# Checkpoint reader fuzz results',
    '',
    `Made by \`nice -n 10 node --import tsx scripts/fuzz-pt.ts --cases ${CASES} --seed ${SEED} --children ${CHILDREN} --bomb-scale ${BOMB_SCALE} --jobs ${JOBS}${OUT ? ` --out ${OUT}` : ''}\``,
    `on ${os.cpus().length} shared cores (${new Date().toISOString().slice(0, 10)}), ${((performance.now() - t0) / 60000).toFixed(0)} minutes in all.`,
    '',
    '## 1. Bulk: in-process mutation cases',
    '',
    'Seeded mutations (test/io/fuzz-lib.ts) of every fixture `.pt` and `weights.safetensors`, files from our writers',
    '(zip64, legacy), deflated re-zips of every zip seed and our own checkpoint: truncation, flipped bytes, huge',
    'declared sizes, nesting through every container opcode, runs of value-making opcodes (objects, DUP, memo),',
    'hostile GLOBALs, splices and cuts, applied to the raw file, to an entry re-packed stored or deflated (past the',
    'CRC check), and to our checkpoint\'s JSON metadata. Each case is loaded as `inspect` does and then built as',
    '`eval`, `export` and `train --init` do (readWeights, modelFromWeights).',
    `Run in ${JOBS} worker threads, each on an equal range of the cases (V8 heap limit 1 GiB each); a case over`,
    `${HANG_MS / 1000} s counts as a hang; a worker is restarted after a crash or hang, after that case. The CLI runs of`,
    'part 2 ran at the same time.',
    '',
    ...table([
      ['measure', 'value'],
      ['cases', String(s.cases)],
      ['seconds', s.seconds.toFixed(0)],
      ['slowest case', `${s.maxCaseMs.toFixed(0)} ms (${s.slowest})`],
      ['peak RSS of the fuzzing process', `${b.maxRssMb.toFixed(0)} MB`],
      ['crashes (anything but a one-line CheckpointError)', String(b.crashes.length)],
      ['hangs', String(b.hangs.length)],
      ['worker restarts', String(b.restarts)],
    ]),
    '',
    ...table([['outcome', 'cases', 'share'], ...Object.entries(s.outcomes).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, String(v), `${((100 * v) / s.cases).toFixed(1)}%`])]),
    '',
    '## 2. Child processes: bombs and sampled cases through the real CLI',
    '',
    `Every bomb of test/io/fuzz-bombs.ts at ${BOMB_SCALE.toLocaleString('en-US')} opcodes (pickles stored, deflated and legacy; a 1 GiB`,
    'deflated data.pkl; a 1 GiB deflated storage; safetensors header bombs), the issue\'s 48 KB file, each through',
    `\`hire-snn inspect\` and \`hire-snn export\`, plus ${CHILDREN} bulk cases through \`inspect\`: \`node dist/src/cli/main.js\``,
    `under \`prlimit --as=${CHILD_AS_BYTES / 2 ** 30}G\`, a ${CHILD_TIMEOUT_MS / 1000} s timeout, peak RSS by GNU time, ${JOBS} at a time. A run must exit 0, or 1 with one`,
    '`hire-snn: ...` line; no signal, no stack trace; peak RSS at most max(300 MB, 4 x the file\'s tensor bytes).',
    '',
    ...table([
      ['measure', 'value'],
      ['runs', String(kids.length)],
      ...Object.entries(byVerdict).map(([k, v]) => [k, String(v)]),
      ['highest peak RSS', kids.length ? `${peak.peakRssMb.toFixed(0)} MB (${peak.command} ${peak.name})` : '-'],
      ['slowest run', kids.length ? `${slowestChild.seconds.toFixed(1)} s (${slowestChild.command} ${slowestChild.name})` : '-'],
    ]),
    '',
    ...table([['file', 'command', 'exit', 'peak RSS', 'seconds', 'verdict', 'stderr'],
      ...kids.filter((k) => !k.name.startsWith('case/')).map((k) => [k.name, k.command, k.signal ?? String(k.status), `${k.peakRssMb.toFixed(0)} MB`, k.seconds.toFixed(1), k.verdict, k.line])]),
    '',
  ];
  if (b.crashes.length || b.hangs.length || bad.length) {
    md.push('## Failures', '', ...[...b.crashes, ...b.hangs].slice(0, 50).map((c) => `- ${c}`), ...bad.map((k) => `- child ${k.command} ${k.name}: ${k.verdict} (${k.signal ?? k.status}, ${k.peakRssMb.toFixed(0)} MB): ${k.line}`), '');
  }
  const text = md.join('\n');
  if (OUT) fs.writeFileSync(OUT, text);
  console.log(text);
  process.exitCode = b.crashes.length || b.hangs.length || bad.length ? 1 : 0;
}

await main();
