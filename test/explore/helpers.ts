/** The explorer's tests: `hire-snn explore` as a child process, the fixture model it serves, hostile files for the page. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from '../helpers/fixtures.js';
import { encodeZip } from '../../src/io/zip-write.js';
import { concatChunks } from '../../src/io/atomic-write.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { checkpointMetadata, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointMeta } from '../../src/io/checkpoint-meta.js';
import type { NamedArray } from '../../src/io/arrays.js';
import { buildModel } from '../../src/snn/build.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { Rng } from '../../src/data/rng.js';
import type { ModelSpec } from '../../src/snn/spec.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(ROOT, 'dist', 'web');

/** the trained fixture VGG (bare weights: its layer list is given, as a user of a .pt would) */
export const FIXTURE_MODEL = path.join(FIXTURES, 'vgg5-tiny-c10', 'weights.safetensors');
export const FIXTURE_ARCH = '8,A,16,16,A';

export interface RunningExplorer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** starts the CLI from source on a free port and waits for the URL it prints */
export function startExplorer(args: string[]): Promise<RunningExplorer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'explore', '--port', '0', ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HIRE_SNN_BACKEND: 'portable' },
  });
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`hire-snn explore printed no URL in 60 s: ${out}${err}`));
    }, 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /explorer at (http:\/\/\S+) /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, stop });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hire-snn explore exited with ${code}: ${err.trim()}`));
    });
  });
}

/** a zip-format .pt whose pickle calls os.system (the reader must refuse it by name, never run it) */
export function evilPt(): Uint8Array {
  const text = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const pickle = Uint8Array.from([0x80, 2, ...text('cos\nsystem\n'), ...text('X'), 6, 0, 0, 0, ...text('echo 1'), 0x85, ...text('R.')]);
  const version = new TextEncoder().encode('3\n');
  return concatChunks(encodeZip([{ name: 'archive/data.pkl', chunks: [pickle] }, { name: 'archive/version', chunks: [version] }]));
}

/** our checkpoint of a model for 1x28x28 images (MNIST-like), as bytes */
export function otherSizeCheckpoint(): Uint8Array {
  const spec: ModelSpec = { family: 'vgg', cfg: [4, 'A'], hidden: [8], labels: 10, inChannels: 1, imageSize: 28, kernel: 3, dropout: 0 };
  const model = buildModel(spec, NORMALIZATION.mnist, new Rng(1));
  const tensors = [...model.params].map(([k, p]): [string, NamedArray] => [k, { dtype: 'F32', shape: [...p.shape], data: p.data }]);
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, packageVersion: '0.0.0', createdAt: new Date(0).toISOString(),
    spec, timesteps: 2, normalization: NORMALIZATION.mnist, dataset: 'mnist', method: 'snn',
  };
  return concatChunks(encodeSafetensors(tensors, checkpointMetadata(meta)));
}

export function webBuilt(): boolean {
  return fs.existsSync(path.join(WEB_DIR, 'index.html'));
}
