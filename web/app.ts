/**
 * The explorer page: loads the served model and the image set, sends runs to the worker (so the
 * page never blocks), and draws what comes back. A link reproduces a view:
 * `?image=K&attack=none|fgsm|pgd|...&eps=E&steps=N[&seed=S]` runs on load; `?time=RUNS` times
 * an inference and a PGD step instead (scripts/time-explorer.ts). `[data-testid=status]` reads
 * `ready` once a run is drawn, or the one-line error of what failed.
 */
import { readImageSet } from '../src/explore/image-set.js';
import { EXPLORER_ATTACKS, defaultBudget, type ExplorerAttack } from '../src/explore/run.js';
import type { Dataset } from '../src/data/dataset.js';
import { drawImage, drawPerturbation, drawThumbnail } from './draw.js';
import { drawLayers, drawRaster, interestingNeuron, type LayerPick } from './layers-view.js';
import { isImageFile, imagePixels } from './files.js';
import { show, probabilities, energy, membrane } from './charts.js';
import type { AttackChoice, ExploreConfig, ImageChoice, ModelInfo, Reply, Request, RunResult } from './protocol.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  status: byId<HTMLSpanElement>('status'), progress: byId<HTMLProgressElement>('progress'), protocol: byId('protocol'),
  model: document.querySelector<HTMLElement>('[data-testid=model]')!, modelFile: byId<HTMLInputElement>('model-file'), imageFile: byId<HTMLInputElement>('image-file'),
  attack: byId<HTMLSelectElement>('attack'), eps: byId<HTMLInputElement>('eps'), epsValue: byId<HTMLOutputElement>('eps-value'),
  steps: byId<HTMLInputElement>('steps'), stepsLabel: byId('steps-label'), seed: byId<HTMLInputElement>('seed'), run: byId<HTMLButtonElement>('run'),
  thumbnails: byId('thumbnails'), result: byId('result'), layers: byId('layers'), raster: byId('raster'), rasterTitle: byId('raster-title'),
};

const worker = new Worker('worker.js', { type: 'module' });
const post = (m: Request, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

let images: Dataset | undefined;
let info: ModelInfo | undefined;
let image: ImageChoice = { kind: 'set', index: 0 };
let result: RunResult | undefined;
let selected: LayerPick = { layer: 0, neuron: 0 };
let runId = 0;
/** performance.now() when the current run was posted (for the attack's ETA) */
let runStarted = 0;
/** the link's request, run once the model is in */
let pending: 'run' | { time: number } | null = 'run';

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
  if (error || text === 'ready') ui.progress.hidden = true;
}

function className(k: number): string {
  return images?.classes[k] ?? String(k);
}

function attackChoice(): AttackChoice {
  return ui.attack.value as AttackChoice;
}

/** the steps field follows the attack: its iterations (queries for Square), none for FGSM */
function syncSteps(keep = false): void {
  const a = attackChoice();
  const budget = a === 'none' ? null : defaultBudget(a);
  ui.steps.disabled = budget === null;
  ui.stepsLabel.textContent = a === 'square' ? 'queries' : 'steps';
  if (!keep) ui.steps.value = budget === null ? '' : String(budget);
}

function showEps(): void {
  const e = Number(ui.eps.value);
  ui.epsValue.textContent = `${e.toFixed(3)} (${(e * 255).toFixed(1)}/255)`;
}

function selectThumbnail(): void {
  ui.thumbnails.querySelectorAll('canvas').forEach((c, i) => c.classList.toggle('selected', image.kind === 'set' && image.index === i));
}

/** the URL's view into the controls; a bad value is the status' error and nothing runs */
function readLink(): void {
  const q = new URLSearchParams(location.search);
  if (q.has('time')) {
    const runs = Number(q.get('time'));
    if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`time=${q.get('time')}: give the number of timed runs, e.g. time=5`);
    pending = { time: runs };
  }
  const k = q.get('image');
  if (k !== null) {
    const n = Number(k);
    if (!(Number.isInteger(n) && n >= 0 && n < (images?.count ?? 0))) throw new Error(`image=${k}: the images are 0..${(images?.count ?? 1) - 1}`);
    image = { kind: 'set', index: n };
  }
  const a = q.get('attack');
  if (a !== null) {
    if (!(a === 'none' || (EXPLORER_ATTACKS as readonly string[]).includes(a))) throw new Error(`attack=${a}: the explorer runs none, ${EXPLORER_ATTACKS.join(', ')}`);
    ui.attack.value = a;
  }
  syncSteps();
  const eps = q.get('eps');
  if (eps !== null) {
    const e = Number(eps);
    if (!(e >= 0 && e <= 1)) throw new Error(`eps=${eps}: give a number in [0, 1] (pixel space), like 0.031`);
    ui.eps.max = String(Math.max(Number(ui.eps.max), e));
    ui.eps.value = String(e);
  }
  const steps = q.get('steps');
  if (steps !== null) {
    if (!(Number.isInteger(Number(steps)) && Number(steps) >= 1)) throw new Error(`steps=${steps}: give a whole number >= 1`);
    ui.steps.value = steps;
  }
  const seed = q.get('seed');
  if (seed !== null) ui.seed.value = seed;
  showEps();
}

function writeLink(): void {
  const q = new URLSearchParams();
  if (image.kind === 'set') q.set('image', String(image.index));
  q.set('attack', attackChoice());
  q.set('eps', ui.eps.value);
  if (!ui.steps.disabled && ui.steps.value) q.set('steps', ui.steps.value);
  if (ui.seed.value !== '0') q.set('seed', ui.seed.value);
  history.replaceState(null, '', `?${q}`);
}

function run(): void {
  if (!info) {
    setStatus('no model: drop a .safetensors or .pt file on the page, or choose one', true);
    return;
  }
  const attack = attackChoice();
  const steps = ui.steps.disabled || ui.steps.value === '' ? undefined : Number(ui.steps.value);
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) {
    setStatus(`steps must be a whole number >= 1, got ${ui.steps.value}`, true);
    return;
  }
  writeLink();
  runId++;
  runStarted = performance.now();
  setStatus(attack === 'none' ? 'running…' : `attacking with ${attack}…`);
  ui.progress.hidden = attack === 'none';
  ui.progress.value = 0;
  const img = image.kind === 'own' ? { ...image, pixels: image.pixels.slice() } : image;
  post({ type: 'run', id: runId, image: img, attack, epsilon: Number(ui.eps.value), steps, seed: Number(ui.seed.value) || 0 });
}

function shownImage(r: RunResult): void {
  const [c, h, w] = [images!.channels, images!.height, images!.width];
  drawImage(byId('clean-image'), r.x01, c, h, w);
  const adv = byId<HTMLCanvasElement>('adv-image');
  const pert = byId<HTMLCanvasElement>('perturbation');
  drawImage(adv, r.attacked?.x01 ?? r.x01, c, h, w);
  drawPerturbation(pert, r.x01, r.attacked?.x01 ?? r.x01, Number(ui.eps.value), c, h, w);
}

function drawResult(r: RunResult): void {
  result = r;
  ui.result.hidden = false;
  shownImage(r);
  const p = (v: RunResult['clean']) => `(p ${v.probabilities[v.prediction].toFixed(2)})`;
  byId('prediction').textContent = className(r.clean.prediction);
  byId('prediction-p').textContent = p(r.clean);
  byId('adv-prediction').textContent = r.attacked ? className(r.attacked.prediction) : '—';
  byId('adv-prediction-p').textContent = r.attacked ? p(r.attacked) : '';
  byId('label-line').textContent = r.label === null ? 'your image (attacked away from its prediction)' : `label: ${className(r.label)}`;
  byId('logits').textContent = JSON.stringify(r.clean.logits);
  byId('adv-logits').textContent = r.attacked ? JSON.stringify(r.attacked.logits) : 'null';
  byId('timing').textContent = `clean forward ${r.cleanMs.toFixed(0)} ms${r.attacked ? ` · attack ${(r.attackMs / 1000).toFixed(2)} s (${r.passes} passes)` : ''} · portable backend in a worker`;
  ui.protocol.textContent = r.protocol;
  selected = { layer: Math.min(selected.layer, r.clean.layers.length - 1), neuron: 0 };
  selected.neuron = interestingNeuron(r, selected.layer);
  const charts = [show(byId('probabilities-chart'), probabilities(images!.classes, r.clean, r.attacked)), show(byId('energy-chart'), energy(r.clean, r.attacked))];
  pick(selected);
  Promise.all(charts).then(() => setStatus('ready'), (err: Error) => setStatus(`drawing the charts failed: ${err.message}`, true));
}

function pick(p: LayerPick): void {
  if (!result) return;
  selected = p;
  drawLayers(ui.layers, result, p.layer, pick);
  drawRaster(ui.raster, result, p.layer);
  ui.rasterTitle.textContent = `spikes of ${result.clean.layers[p.layer].name} at each time step`;
  post({ type: 'membrane', trace: p.layer, neuron: p.neuron });
}

/** `, 12 s, about 30 s left` from the passes so far (the clean view counts as time spent: a slight overestimate) */
function eta(passes: number, expected: number): string {
  const elapsed = (performance.now() - runStarted) / 1000;
  const left = passes > 0 ? (elapsed / passes) * Math.max(0, expected - passes) : NaN;
  return Number.isFinite(left) ? `, ${elapsed.toFixed(0)} s, about ${left.toFixed(0)} s left` : '';
}

function onReply(m: Reply): void {
  switch (m.type) {
    case 'model':
      info = m.info;
      ui.model.textContent = `${m.info.name}: ${m.info.description}, T ${m.info.timesteps} (${m.info.format})`;
      if (pending === 'run') run();
      else if (pending !== null) {
        setStatus(`timing ${pending.time} runs…`);
        post({ type: 'time', image: image.kind === 'set' ? image.index : 0, runs: pending.time });
      }
      // models loaded later (a file of the user's) run the current view at once
      pending = 'run';
      return;
    case 'progress':
      if (m.id !== runId) return;
      ui.progress.value = Math.min(0.99, m.passes / m.expected);
      setStatus(`attacking: forward pass ${m.passes} of ~${m.expected}${eta(m.passes, m.expected)}`);
      return;
    case 'result':
      if (m.result.id === runId) drawResult(m.result);
      return;
    case 'membrane': {
      const n = m.neuron;
      void show(byId('membrane-chart'), membrane(`${m.name}, neuron ${n}`, m.clean, m.attacked));
      return;
    }
    case 'timing':
      byId('timing').textContent = JSON.stringify(m.timing);
      ui.result.hidden = false;
      setStatus('ready');
      return;
    case 'error':
      setStatus(m.message, true);
  }
}

async function loadModelFile(f: File): Promise<void> {
  setStatus(`reading ${f.name}…`);
  const bytes = await f.arrayBuffer();
  post({ type: 'model', name: f.name, bytes }, [bytes]);
}

async function useOwnImage(f: File): Promise<void> {
  if (!images) return;
  setStatus(`reading ${f.name}…`);
  try {
    image = { kind: 'own', name: f.name, pixels: await imagePixels(f, images.channels, images.height, images.width) };
  } catch (err) {
    setStatus((err as Error).message, true);
    return;
  }
  selectThumbnail();
  run();
}

function handleFile(f: File | undefined): void {
  if (!f) return;
  if (isImageFile(f)) void useOwnImage(f);
  else void loadModelFile(f);
}

function drawThumbnails(d: Dataset): void {
  const size = d.channels * d.height * d.width;
  for (let k = 0; k < d.count; k++) {
    const c = document.createElement('canvas');
    drawThumbnail(c, d.images, k * size, d.channels, d.height, d.width);
    c.title = `${k}: ${d.classes[d.labels[k]]}`;
    c.dataset.testid = `image-${k}`;
    c.addEventListener('click', () => {
      image = { kind: 'set', index: k };
      selectThumbnail();
      run();
    });
    ui.thumbnails.append(c);
  }
  selectThumbnail();
}

function wire(): void {
  for (const a of ['none', ...EXPLORER_ATTACKS] as (AttackChoice | ExplorerAttack)[]) ui.attack.add(new Option(a, a));
  ui.attack.addEventListener('change', () => syncSteps());
  ui.eps.addEventListener('input', showEps);
  ui.run.addEventListener('click', run);
  ui.modelFile.addEventListener('change', () => handleFile(ui.modelFile.files?.[0]));
  ui.imageFile.addEventListener('change', () => handleFile(ui.imageFile.files?.[0]));
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    handleFile(e.dataTransfer?.files[0]);
  });
  worker.addEventListener('message', (e: MessageEvent<Reply>) => onReply(e.data));
  worker.addEventListener('error', (e) => setStatus(`the worker failed: ${e.message}`, true));
}

async function start(): Promise<void> {
  wire();
  const [config, set] = await Promise.all([
    // explore.json comes from `hire-snn explore`; served otherwise, the page starts with no model
    fetch('explore.json').then((r) => (r.ok ? (r.json() as Promise<ExploreConfig>) : { model: null })),
    fetch('images.safetensors').then((r) => {
      if (!r.ok) throw new Error(`images.safetensors: HTTP ${r.status}`);
      return r.arrayBuffer();
    }),
  ]);
  images = readImageSet(new Uint8Array(set));
  drawThumbnails(images);
  ui.attack.value = 'none';
  syncSteps();
  showEps();
  try {
    readLink();
  } catch (err) {
    // a bad link runs nothing; its error stays in the status until the user runs something
    pending = null;
    setStatus((err as Error).message, true);
  }
  selectThumbnail();
  if (config.model) {
    if (pending !== null) setStatus(`loading ${config.model.name}…`);
    post({ type: 'model', ...config.model });
  } else {
    setStatus('no model: drop a .safetensors or .pt file on the page, or choose one');
  }
}

start().catch((err: Error) => setStatus(err.message, true));
