/**
 * `hire-snn explore`: the web app (dist/web/, built by `npm run build`) on a local server, with
 * one model and the first test images of its dataset. The model is read and checked here first
 * (the same reader and errors as the page), so a bad file is one line and no server.
 */
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './run.js';
import { intList, nonNegativeInt, oneOf } from './options.js';
import { packageRoot } from '../package.js';
import { loadDataset } from '../data/load.js';
import { DATASET_NAMES, type DatasetName } from '../data/dataset.js';
import { readWholeFile } from '../io/read-file.js';
import { datasetFor } from '../eval/run-eval.js';
import { describeSpec } from '../snn/describe.js';
import { concatChunks } from '../io/atomic-write.js';
import { encodeImageSet, readImageSet, IMAGE_SET_SIZE } from '../explore/image-set.js';
import { loadExplorerModel, peekSpec } from '../explore/model.js';
import { startExploreServer, isLoopback, type ServedModel } from '../explore/server.js';
import { WEB_FILES } from '../explore/web-files.js';

interface ExploreOptions {
  model?: string;
  arch?: string;
  hidden?: number[];
  dataset?: DatasetName;
  data?: string;
  port: number;
  host: string;
}

function webDir(): string {
  const dir = path.join(packageRoot() ?? '.', 'dist', 'web');
  const missing = Object.keys(WEB_FILES).filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length) throw new UserError(`the web app is not built (${dir} lacks ${missing.join(', ')}): run npm run build`);
  return dir;
}

/** the images to show: the app's CIFAR-10 ones, unless the model or the options ask for another dataset */
async function imagesFor(opts: ExploreOptions, dataset: DatasetName): Promise<{ bytes?: Uint8Array; line: string }> {
  if (dataset === 'cifar10' && !opts.data) return { line: `the first ${IMAGE_SET_SIZE} CIFAR-10 test images (shipped with the app)` };
  const d = await loadDataset(dataset, 'test', { data: opts.data, limit: IMAGE_SET_SIZE });
  return { bytes: concatChunks(encodeImageSet(d)), line: `the first ${d.count} ${dataset} test images` };
}

async function explore(opts: ExploreOptions): Promise<void> {
  const dir = webDir();
  let model: ServedModel | undefined;
  let dataset = opts.dataset ?? 'cifar10';
  let bytes: Uint8Array | undefined;
  if (opts.model) {
    bytes = readWholeFile(opts.model);
    const peek = peekSpec(bytes, opts.model, opts);
    dataset = datasetFor(peek.spec, peek.checkpoint, opts.dataset);
  }
  const images = await imagesFor(opts, dataset);
  let modelLine = 'no model (drop a .safetensors or .pt file on the page)';
  if (opts.model && bytes) {
    const set = readImageSet(images.bytes ?? fs.readFileSync(path.join(dir, 'images.safetensors')));
    const loaded = loadExplorerModel(bytes, opts.model, set, opts);
    model = { name: path.basename(opts.model), bytes };
    modelLine = `${opts.model}: ${describeSpec(loaded.spec)}, T ${loaded.timesteps}`;
  }
  let server;
  try {
    server = await startExploreServer({ webDir: dir, images: images.bytes, model, arch: opts.arch, hidden: opts.hidden, host: opts.host, port: opts.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UserError(`--port ${opts.port} is in use on ${opts.host}: give another (--port 0 takes any free one)`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`--host ${opts.host}: not an address of this machine`);
    throw err;
  }
  console.log(`explorer at ${server.url} (Ctrl-C stops it)`);
  console.log(`  model: ${modelLine}`);
  console.log(`  images: ${images.line}`);
  if (!isLoopback(opts.host)) console.log(`  note: --host ${opts.host} lets other machines open it (the server has no authentication)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('the web explorer on a local server: a model\'s spikes, firing rates and membranes on test images, clean and attacked, computed in the browser')
    .option('--model <file>', 'the model to serve: our .safetensors or a seed .pt (else drop one on the page)')
    .option('--arch <arch>', 'auto | vgg5 | vgg11 | resnet20 | ... | a layer list like 64,A,128,A (for a .pt whose architecture is not inferred)', 'auto')
    .option('--hidden <widths>', 'classifier hidden widths of a VGG .pt (checked against the file)', intList('--hidden'))
    .option('--dataset <name>', `${DATASET_NAMES.join(' | ')} whose first test images are shown (default: the model's, else cifar10)`, oneOf('--dataset', DATASET_NAMES))
    .option('--data <path>', 'dataset directory or archive (default: the app\'s CIFAR-10 images, else $HIRE_SNN_DATA, ./data, known locations)')
    .option('--port <n>', 'port to listen on (0: any free one)', nonNegativeInt('--port'), 8080)
    .option('--host <address>', 'address to listen on (only this machine by default)', '127.0.0.1')
    .action(async (opts: ExploreOptions) => {
      if (opts.port > 65535) throw new UserError(`--port must be at most 65535, got ${opts.port}`);
      await explore(opts);
    });
}
