/**
 * How long the explorer's work takes: one inference and one PGD step (forward + backward to the
 * input) on one image, in headless Chromium (the page's worker, portable TypeScript kernels) and
 * in Node (native oneDNN addon, and the same portable kernels), timed by the same code
 * (src/explore/timing.ts, median of --runs after a warm-up). Models: the quickstart's (given by
 * --quickstart) and a CIFAR-10 VGG11 (random weights, thresholds from the seed's percentile search
 * on 16 test images, so it fires like a converted model). Writes a markdown table.
 *
 *   npm run build && node --import tsx scripts/time-explorer.ts --quickstart runs/quickstart/hire/model.safetensors --out docs/explorer-timing.md
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../test/helpers/browser.js';
import { startExploreServer } from '../src/explore/server.js';
import { readImageSet, imagePixels } from '../src/explore/image-set.js';
import { loadExplorerModel } from '../src/explore/model.js';
import { timeExplorer, type ExplorerTiming } from '../src/explore/timing.js';
import { getBackend, setBackend } from '../src/kernels/index.js';
import { portableBackend } from '../src/kernels/portable/index.js';
import { specFromArch } from '../src/snn/arch.js';
import { buildModel } from '../src/snn/build.js';
import { findThresholds } from '../src/snn/thresholds.js';
import { saveCheckpoint } from '../src/io/checkpoint.js';
import { Tensor } from '../src/tensor/tensor.js';
import { NORMALIZATION, type Dataset } from '../src/data/dataset.js';
import { Rng } from '../src/data/rng.js';
import { describeSpec } from '../src/snn/describe.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'dist', 'web');
const { values: args } = parseArgs({
  options: { quickstart: { type: 'string' }, runs: { type: 'string', default: '5' }, out: { type: 'string' } },
});
const runs = Number(args.runs);
const set = readImageSet(fs.readFileSync(path.join(webDir, 'images.safetensors')));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'time-explorer-'));

function vgg11(set: Dataset): string {
  const spec = specFromArch('vgg11', { labels: 10, inChannels: 3, imageSize: 32 });
  const model = buildModel(spec, NORMALIZATION.cifar10, new Rng(0));
  const calib = new Float32Array(16 * 3 * 32 * 32);
  for (let k = 0; k < 16; k++) calib.set(imagePixels(set, k), k * 3 * 32 * 32);
  findThresholds(model, new Tensor(calib, [16, 3, 32, 32]), { timesteps: 8, scaling: 0.7 });
  const file = path.join(tmp, 'vgg11-random-calibrated.safetensors');
  saveCheckpoint(file, model, { spec, timesteps: 8, normalization: NORMALIZATION.cifar10, dataset: 'cifar10', method: 'converted' });
  return file;
}

async function inBrowser(file: string): Promise<ExplorerTiming> {
  const server = await startExploreServer({ webDir, model: { name: path.basename(file), bytes: fs.readFileSync(file) }, host: '127.0.0.1', port: 0 });
  const browser = await launchBrowser();
  try {
    const p = await browser.open(`${server.url}?time=${runs}`);
    await p.page.waitForFunction(() => {
      const s = document.querySelector('[data-testid=status]')!;
      return s.textContent === 'ready' || s.classList.contains('error');
    }, undefined, { timeout: 1_800_000, polling: 1000 });
    const status = await p.page.locator('[data-testid=status]').textContent();
    if (status !== 'ready') throw new Error(`${file} in the browser: ${status}`);
    return JSON.parse((await p.page.locator('[data-testid=timing]').textContent())!) as ExplorerTiming;
  } finally {
    await browser.close();
    await server.close();
  }
}

function inNode(file: string): { native: ExplorerTiming; portable: ExplorerTiming; nativeName: string } {
  const m = loadExplorerModel(fs.readFileSync(file), file, set);
  const x01 = imagePixels(set, 0);
  const previous = getBackend();
  const nativeName = previous.info().name;
  const native = timeExplorer(m.model, m.timesteps, x01, set.labels[0], runs);
  setBackend(portableBackend);
  try {
    return { native, portable: timeExplorer(m.model, m.timesteps, x01, set.labels[0], runs), nativeName };
  } finally {
    setBackend(previous);
  }
}

const models: [string, string][] = [];
if (args.quickstart) models.push(['quickstart', args.quickstart]);
models.push(['VGG11', vgg11(set)]);
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const lines = [
  `| model | T | Node ${getBackend().info().name}: inference / PGD step (ms) | Node portable | Chromium worker, portable | Chromium / Node native |`,
  '| --- | --- | --- | --- | --- | --- |',
];
try {
  for (const [label, file] of models) {
    const m = loadExplorerModel(fs.readFileSync(file), file, set);
    const node = inNode(file);
    const web = await inBrowser(file);
    const ratio = `${(web.inferenceMs / node.native.inferenceMs).toFixed(1)}x / ${(web.pgdStepMs / node.native.pgdStepMs).toFixed(1)}x`;
    lines.push(`| ${label}: ${describeSpec(m.spec)} | ${m.timesteps} | ${ms(node.native.inferenceMs)} / ${ms(node.native.pgdStepMs)} | ${ms(node.portable.inferenceMs)} / ${ms(node.portable.pgdStepMs)} | ${ms(web.inferenceMs)} / ${ms(web.pgdStepMs)} | ${ratio} |`);
    console.error(lines.at(-1));
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
const text = [
  `One image (CIFAR-10 test image 0), median of ${runs} runs after a warm-up, ${os.cpus().length} cores shared with other work (compare within a row).`,
  '',
  ...lines,
  '',
].join('\n');
if (args.out) fs.writeFileSync(args.out, text);
console.log(text);
