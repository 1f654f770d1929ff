/**
 * Checkpoint fuzzing shared by test/io/fuzz.test.ts (bounded, in CI) and scripts/fuzz-pt.ts
 * (long run): seeded mutations of real files (truncation, flipped bytes, huge declared sizes,
 * nesting through every container opcode, object / memo / DUP runs, unknown globals, splices),
 * applied to the raw file and, for zip archives, to an entry inside a re-packed archive, stored
 * or deflated (so mutations get past the CRC checks), and to our checkpoint's JSON metadata.
 * Each case is loaded as inspect and eval do; it must load or throw a CheckpointError of one
 * line; anything else is a crash.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWeights } from '../../src/io/weights.js';
import { inferArch } from '../../src/io/arch-infer.js';
import { modelFromWeights } from '../../src/io/load-model.js';
import { encodeSafetensors, readSafetensors } from '../../src/io/safetensors.js';
import { CHECKPOINT_META_KEY, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointMetadata } from '../../src/io/checkpoint-meta.js';
import { specFromArch } from '../../src/snn/arch.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { NEST_UNITS, zipOf } from './fuzz-bombs.js';
import { inspectLines } from '../../src/cli/inspect.js';
import { CheckpointError } from '../../src/io/errors.js';
import { ZipReader } from '../../src/io/zip-read.js';
import { readBudget } from '../../src/io/read-budget.js';
import { encodeZip } from '../../src/io/zip-write.js';
import { encodeTorchLegacy, encodeTorchZip } from '../../src/io/torch-pt-write.js';
import { readTorchPt } from '../../src/io/torch-pt.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import type { NamedArray } from '../../src/io/arrays.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '../../../shared/fixtures');

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** for zip seeds: the entries, to re-pack with a mutated data.pkl */
  entries?: { name: string; data: Uint8Array }[];
  /** zip seeds whose entries are deflated (re-packed deflated too) */
  deflate?: boolean;
  /** our checkpoints: the safetensors tensors and metadata, to re-encode with mutated metadata */
  checkpoint?: { tensors: [string, NamedArray][]; meta: Record<string, unknown> };
}

export type Rng = () => number;

/** mulberry32 */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, n: number) => Math.floor(rng() * n);

/** our checkpoint of the vgg5 fixture's weights (as `train` writes one) */
function ourCheckpoint(weights: Uint8Array): Seed {
  const { tensors } = readSafetensors(weights);
  const spec = specFromArch('8,A,16,16,A', { labels: 10, inChannels: 3, imageSize: 32, hidden: [64, 64] });
  const meta = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, packageVersion: '0.1.0', spec, timesteps: 8, normalization: NORMALIZATION.cifar10,
    dataset: 'cifar10', method: 'hire', metrics: { testTop1: 50 }, training: { seed: 0, config: { lr: 1e-4 } }, createdAt: '2024-01-01T00:00:00Z',
  };
  const list = [...tensors];
  return { name: 'written/our_checkpoint.safetensors', bytes: concatChunks(encodeSafetensors(list, checkpointMetadata(meta as never))), checkpoint: { tensors: list, meta } };
}

/** the fixtures' weight files plus a few written by our writers (zip64, legacy trainer-style, deflated zips, our checkpoint) */
export function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const add = (name: string, bytes: Uint8Array) => {
    const seed: Seed = { name, bytes };
    if (bytes[0] === 0x50) {
      const zip = new ZipReader(bytes);
      seed.entries = [...zip.entries.keys()].map((n) => ({ name: n, data: zip.read(n, readBudget(bytes.byteLength).data) }));
      seeds.push({ name: `${name}#deflated`, bytes: zipOf(seed.entries.map((e) => ({ ...e, deflate: true }))), entries: seed.entries, deflate: true });
    }
    seeds.push(seed);
  };
  for (const dir of ['vgg5-tiny-c10', 'resnet20-tiny-c10', 'vgg11-tiny-c100']) {
    for (const f of fs.readdirSync(path.join(FIXTURES, dir))) {
      if (f.endsWith('.pt') || f === 'weights.safetensors') add(`${dir}/${f}`, new Uint8Array(fs.readFileSync(path.join(FIXTURES, dir, f))));
    }
  }
  for (const f of ['strided_zip.pt', 'strided_legacy.pt']) add(f, new Uint8Array(fs.readFileSync(path.join(here, 'data', f))));
  const small = readTorchPt(seeds.find((s) => s.name === 'vgg5-tiny-c10/trainer_checkpoint_legacy.pt')!.bytes).value;
  add('written/trainer_legacy.pt', concatChunks(encodeTorchLegacy(small)));
  add('written/trainer_zip64.pt', concatChunks(encodeTorchZip(small, { forceZip64: true })));
  seeds.push(ourCheckpoint(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'vgg5-tiny-c10', 'weights.safetensors')))));
  return seeds;
}

const HOSTILE = ['cos\nsystem\n', 'cposix\nsystem\n', 'cbuiltins\neval\n', 'c__builtin__\nexec\n', 'ctorch\nload\n', 'csubprocess\nPopen\n', 'ctorch._utils\n_rebuild_device_tensor_from_numpy\n'];
const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0x40000000, 0x10000000];

/** opcodes that each make a value or a reference */
const RUNS = [']', '}', ')', '2', 'N', '\x94', 'h\x00', ']2a', '}NNs', 'N\x85', 'K\x01q\x05', '\x8c\x01a', 'C\x01a', 'G\x3f\xf0\x00\x00\x00\x00\x00\x00', '\x8a\x08abcdefgh'];

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function mutate(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; how: string } {
  const n = bytes.byteLength;
  // most interesting structure (pickles, headers, zip directory) sits near the ends
  const pos = () => (rng() < 0.5 ? int(rng, Math.min(n, 8192)) : rng() < 0.5 ? Math.max(0, n - 1 - int(rng, Math.min(n, 2048))) : int(rng, n));
  const out = () => bytes.slice();
  switch (int(rng, 10)) {
    case 0: {
      const at = int(rng, n);
      return { bytes: bytes.slice(0, at), how: `truncate@${at}` };
    }
    case 1: {
      const b = out();
      const k = 1 + int(rng, 8);
      for (let i = 0; i < k; i++) b[pos()] ^= 1 << int(rng, 8);
      return { bytes: b, how: `flip${k}` };
    }
    case 2: {
      const b = out();
      const at = pos();
      const v = HUGE[int(rng, HUGE.length)];
      const dv = new DataView(b.buffer);
      if (at + 8 <= n && rng() < 0.3) dv.setBigUint64(at, BigInt(v) << BigInt(int(rng, 24)), true);
      else if (at + 4 <= n) dv.setUint32(at, v, true);
      return { bytes: b, how: `huge@${at}` };
    }
    case 3: {
      const at = pos();
      const depth = 1 + int(rng, 20000);
      const unit = ['(', ']', '(]', '}', ')', '\x85'][int(rng, 6)];
      const ins = new TextEncoder().encode(unit.repeat(depth));
      return { bytes: concatChunks([bytes.subarray(0, at), ins, bytes.subarray(at)]), how: `nest${depth}@${at}` };
    }
    case 8: {
      // nesting through one container opcode, the stack left as it was (memo 0: the value, memo 1: OrderedDict)
      const at = pos();
      const [op, unit] = Object.entries(NEST_UNITS)[int(rng, Object.keys(NEST_UNITS).length)];
      const depth = 1 + int(rng, 3000);
      const ins = latin1(`ccollections\nOrderedDict\nq\x010N${`q\x000${unit}`.repeat(depth)}0`);
      return { bytes: concatChunks([bytes.subarray(0, at), ins, bytes.subarray(at)]), how: `nest-${op}${depth}@${at}` };
    }
    case 9: {
      // a run of one value-making opcode: objects, references, memo entries
      const at = pos();
      const unit = RUNS[int(rng, RUNS.length)];
      const k = 1 + int(rng, 200_000);
      return { bytes: concatChunks([bytes.subarray(0, at), latin1(unit.repeat(k)), bytes.subarray(at)]), how: `run${k}x${JSON.stringify(unit)}@${at}` };
    }
    case 4: {
      const at = pos();
      const g = new TextEncoder().encode(`${HOSTILE[int(rng, HOSTILE.length)]})R`);
      const b = out();
      b.set(g.subarray(0, Math.max(0, n - at)), at);
      return { bytes: b, how: `global@${at}` };
    }
    case 5: {
      const from = int(rng, n);
      const len = int(rng, Math.min(512, n - from) + 1);
      const to = pos();
      return { bytes: concatChunks([bytes.subarray(0, to), bytes.subarray(from, from + len), bytes.subarray(to)]), how: `splice${len}@${to}` };
    }
    case 6: {
      const b = out();
      const at = pos();
      const k = 1 + int(rng, 64);
      for (let i = 0; i < k && at + i < n; i++) b[at + i] = int(rng, 256);
      return { bytes: b, how: `random${k}@${at}` };
    }
    default: {
      const at = pos();
      const len = int(rng, Math.min(256, n - at) + 1);
      return { bytes: concatChunks([bytes.subarray(0, at), bytes.subarray(at + len)]), how: `cut${len}@${at}` };
    }
  }
}

export interface Case {
  seed: string;
  how: string;
  bytes: Uint8Array;
}

/** case number `i` of a run seeded with `seed` (reproducible on its own) */
export function makeCase(seeds: Seed[], seed: number, i: number): Case {
  const rng = makeRng((seed * 0x9e3779b1 + i) >>> 0);
  const s = seeds[int(rng, seeds.length)];
  if (s.entries && rng() < 0.5) {
    // mutate data.pkl (or another entry) inside a valid archive so the CRC does not stop it
    const idx = rng() < 0.8 ? s.entries.findIndex((e) => e.name.endsWith('data.pkl')) : int(rng, s.entries.length);
    const m = mutate(s.entries[idx].data, rng);
    const entries = s.entries.map((e, j) => ({ name: e.name, data: j === idx ? m.bytes : e.data, deflate: s.deflate }));
    if (rng() < 0.1) entries.splice(int(rng, entries.length), 1);
    const bytes = s.deflate ? zipOf(entries) : concatChunks(encodeZip(entries.map((e) => ({ name: e.name, chunks: [e.data] }))));
    return { seed: s.name, how: `repack:${s.entries[idx].name}:${m.how}`, bytes };
  }
  if (s.checkpoint && rng() < 0.6) return mutateMetadata(s, rng);
  const m = mutate(s.bytes, rng);
  const rounds = rng() < 0.2 ? 2 : 1;
  let bytes = m.bytes;
  let how = m.how;
  for (let r = 1; r < rounds && bytes.byteLength > 0; r++) {
    const m2 = mutate(bytes, rng);
    bytes = m2.bytes;
    how += `+${m2.how}`;
  }
  return { seed: s.name, how, bytes };
}

/** stands for k nested arrays, spliced into the JSON text (JSON.stringify itself would recurse that deep) */
const DEEP = '\u0000deep';

/** hostile values for our checkpoint's metadata fields */
function hostileValue(rng: Rng): unknown {
  const k = 1 + int(rng, 100_000);
  const pick: (() => unknown)[] = [
    () => -5, () => 0, () => 1e9, () => 2 ** 53, () => -1e308, () => 0.5, () => null, () => 'x', () => true, () => [], () => ({}),
    () => Array.from({ length: k }, () => 0), () => 'y'.repeat(k), () => DEEP,
    () => Array.from({ length: 1 + int(rng, 8) }, () => int(rng, 1 << 20)), () => ({ family: 'vgg', cfg: [1e6, 'A'] }),
  ];
  return pick[int(rng, pick.length)]();
}

/** our checkpoint with its metadata JSON changed: a field (top level or in spec) replaced or removed, or the text itself mutated */
function mutateMetadata(s: Seed, rng: Rng): Case {
  const meta = structuredClone(s.checkpoint!.meta) as Record<string, unknown>;
  const spec = meta.spec as Record<string, unknown>;
  const target = rng() < 0.5 ? spec : meta;
  const keys = Object.keys(target);
  const key = rng() < 0.9 ? keys[int(rng, keys.length)] : `extra${int(rng, 10)}`;
  let text: string;
  let how: string;
  if (rng() < 0.2) {
    const m = mutate(new TextEncoder().encode(JSON.stringify(meta)), rng);
    text = new TextDecoder().decode(m.bytes);
    how = `meta-text:${m.how}`;
  } else {
    if (rng() < 0.15) delete target[key];
    else target[key] = hostileValue(rng);
    const k = 1 + int(rng, 100_000);
    text = JSON.stringify(meta).replace(JSON.stringify(DEEP), `${'['.repeat(k)}${']'.repeat(k)}`);
    how = `meta:${target === spec ? 'spec.' : ''}${key}`;
  }
  const bytes = concatChunks(encodeSafetensors(s.checkpoint!.tensors, { [CHECKPOINT_META_KEY]: text }));
  return { seed: s.name, how, bytes };
}

export type Outcome = 'loaded' | 'rejected';

/** an internal error that wrapErrors turned into a CheckpointError: a bug, not a refusal */
const WRAPPED_BUG = /corrupt or unsupported file \((TypeError|RangeError|ReferenceError|SyntaxError|Error):/;

/**
 * Loads a case the way `inspect` does, then builds the model as `eval` / `export` / `train --init`
 * do (one path: readWeights, resolveSpec, modelFromWeights). Returns the error class for
 * rejections; throws on anything but a one-line CheckpointError (or one that wraps an internal error).
 */
export function runCase(c: Case): { outcome: Outcome; kind: string } {
  try {
    const w = readWeights(c.bytes);
    try {
      inferArch(w.stateDict.tensors);
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
    }
    inspectLines('fuzz', w);
    modelFromWeights({ ...w, file: 'fuzz', sha256: '' }, { normalization: NORMALIZATION.cifar10 });
    return { outcome: 'loaded', kind: 'loaded' };
  } catch (err) {
    if (err instanceof CheckpointError && err.message.length > 0 && !err.message.includes('\n') && !WRAPPED_BUG.test(err.message)) {
      return { outcome: 'rejected', kind: classify(err.message) };
    }
    const e = err as Error;
    throw new Error(`case ${c.seed} ${c.how}: ${e?.name ?? typeof err} escaped: ${e?.message ?? String(err)}`, { cause: err });
  }
}

/** a coarse error class for the summary */
export function classify(msg: string): string {
  if (/refusing/.test(msg)) return 'refused global/call';
  if (/CRC/.test(msg)) return 'zip CRC mismatch';
  if (/^zip:/.test(msg)) return 'zip structure';
  if (/truncated|runs past|too short|outside|exceeds/.test(msg)) return 'truncated / out of bounds';
  if (/nesting deeper|nests \d+ levels|after nesting it|into itself/.test(msg)) return 'nesting limit / cycle';
  if (/checkpoint can need; refusing/.test(msg)) return 'read budget spent';
  if (/hire-snn metadata|checkpoint format|checkpoint version/.test(msg)) return 'bad checkpoint metadata';
  if (/inflate/.test(msg)) return 'bad deflate data';
  if (/unsupported pickle|stack underflow|no MARK|memo key|SETITEM|APPEND|cannot call|call arguments|GLOBAL|BINSTRING|LONG4|BUILD/.test(msg)) return 'malformed pickle';
  if (/not a checkpoint|not a torch\.save|magic/.test(msg)) return 'not a checkpoint';
  if (/state_dict|non-tensor|both present/.test(msg)) return 'no usable state_dict';
  if (/header|data_offsets|__metadata__|tensors cover|starts at data byte|unsupported dtype|bad shape/.test(msg)) return 'bad safetensors header';
  if (/storage|tensor|size|stride|persistent id/.test(msg)) return 'bad tensor/storage';
  return 'other';
}

export interface Summary {
  cases: number;
  seconds: number;
  outcomes: Record<string, number>;
  maxCaseMs: number;
  slowest: string;
  maxArrayBuffersMb: number;
}

/** runs cases [from, ...) until case `cases` or `seconds` is reached */
export function runFuzz(opts: { seed: number; from?: number; cases?: number; seconds?: number; onCase?: (i: number) => void; onCrash?: (message: string) => void }): Summary {
  const seeds = loadSeeds();
  const t0 = performance.now();
  const outcomes: Record<string, number> = {};
  let maxCaseMs = 0;
  let slowest = '';
  let maxAb = 0;
  const from = opts.from ?? 0;
  let i = from;
  for (; ; i++) {
    if (opts.cases !== undefined && i >= opts.cases) break;
    if (opts.seconds !== undefined && performance.now() - t0 > opts.seconds * 1000) break;
    opts.onCase?.(i);
    const c = makeCase(seeds, opts.seed, i);
    const s = performance.now();
    let r: { kind: string };
    try {
      r = runCase(c);
    } catch (err) {
      if (!opts.onCrash) throw err;
      opts.onCrash(`#${i}: ${(err as Error).message}`);
      r = { kind: 'CRASH' };
    }
    const ms = performance.now() - s;
    if (process.env.HIRE_SNN_FUZZ_SLOW && ms > Number(process.env.HIRE_SNN_FUZZ_SLOW)) console.error(`slow #${i} ${ms.toFixed(0)} ms ${c.seed} ${c.how}`);
    if (ms > maxCaseMs) {
      maxCaseMs = ms;
      slowest = `#${i} ${c.seed} ${c.how}`;
    }
    outcomes[r.kind] = (outcomes[r.kind] ?? 0) + 1;
    if (i % 256 === 0) maxAb = Math.max(maxAb, process.memoryUsage().arrayBuffers);
  }
  return { cases: i - from, seconds: (performance.now() - t0) / 1000, outcomes, maxCaseMs, slowest, maxArrayBuffersMb: maxAb / 2 ** 20 };
}
