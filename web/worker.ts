/**
 * The explorer's compute, off the page's thread: reads the model (the CLI's safe reader), runs an
 * image through it and attacks it (src/explore/run.ts on the portable backend), posts progress
 * as the attack's forward passes go by, and answers membrane requests from the last result.
 */
import '../src/browser.js';
import { loadExplorerModel, type ExplorerModel } from '../src/explore/model.js';
import { readImageSet, imagePixels } from '../src/explore/image-set.js';
import { exploreImage, type ExploreResult, type ImageView } from '../src/explore/run.js';
import { firingRates, membraneOf } from '../src/explore/traces.js';
import { timeExplorer } from '../src/explore/timing.js';
import { bytesTo01 } from '../src/data/augment.js';
import { describeSpec } from '../src/snn/describe.js';
import type { Dataset } from '../src/data/dataset.js';
import type { LayerView, Reply, Request, View } from './protocol.js';

interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<Request>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let images: Promise<Dataset> | undefined;
let current: ExplorerModel | undefined;
let last: ExploreResult | undefined;

function imageSet(): Promise<Dataset> {
  images ??= fetch('images.safetensors')
    .then((r) => {
      if (!r.ok) throw new Error(`images.safetensors: HTTP ${r.status}`);
      return r.arrayBuffer();
    })
    .then((b) => readImageSet(new Uint8Array(b)));
  return images;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  // crypto.subtle exists on localhost and https only; the hash is informative
  if (!globalThis.crypto?.subtle) return '';
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function loadModel(msg: Extract<Request, { type: 'model' }>): Promise<void> {
  let buffer = msg.bytes;
  if (!buffer) {
    const r = await fetch(msg.url!);
    if (!r.ok) throw new Error(`${msg.name}: HTTP ${r.status}`);
    buffer = await r.arrayBuffer();
  }
  const bytes = new Uint8Array(buffer);
  const set = await imageSet();
  // a bad file leaves the previous model (and its last result) in place
  const model = loadExplorerModel(bytes, msg.name, set, { arch: msg.arch, hidden: msg.hidden, sha256: await sha256(bytes) });
  current = model;
  last = undefined;
  const info = {
    name: msg.name, description: describeSpec(model.spec), format: model.format, timesteps: model.timesteps,
    layers: model.model.spikingLayers().map((l) => ({ name: l.name, neurons: l.neurons })),
  };
  scope.postMessage({ type: 'model', info });
}

function view(v: ImageView): View {
  const layers: LayerView[] = v.traces.map((t) => ({ name: t.name, shape: t.shape, neurons: t.neurons, steps: t.steps, rates: firingRates(t), spikes: t.spikes }));
  return {
    logits: [...v.logits], probabilities: [...v.probabilities], prediction: v.prediction, layers,
    energy: { snnPj: v.energy.snnPj, annPj: v.energy.annPj, ops: v.energy.ops.map((o) => ({ name: o.name, pj: o.pj })) },
  };
}

function requireModel(): ExplorerModel {
  if (!current) throw new Error('no model loaded: drop a .safetensors or .pt file on the page, or choose one');
  return current;
}

async function run(msg: Extract<Request, { type: 'run' }>): Promise<void> {
  const m = requireModel();
  const set = await imageSet();
  let x01: Float32Array;
  let label: number | undefined;
  if (msg.image.kind === 'set') {
    x01 = imagePixels(set, msg.image.index);
    label = set.labels[msg.image.index];
  } else {
    x01 = new Float32Array(msg.image.pixels.length);
    bytesTo01(msg.image.pixels, 0, x01.length, x01, 0);
  }
  const result = exploreImage(m.model, m.timesteps, { x01, label, attack: msg.attack, epsilon: msg.epsilon, steps: msg.steps, seed: msg.seed }, (p) => {
    scope.postMessage({ type: 'progress', id: msg.id, ...p });
  });
  last = result;
  const clean = view(result.clean);
  const attacked = result.attacked ? { ...view(result.attacked), x01: result.attacked.x01 } : undefined;
  scope.postMessage({
    type: 'result',
    result: {
      id: msg.id, label: label ?? null, protocol: result.protocol, passes: result.passes,
      cleanMs: result.ms.clean, attackMs: result.ms.attack, x01, clean, ...(attacked ? { attacked } : {}),
    },
  });
}

function membrane(msg: Extract<Request, { type: 'membrane' }>): void {
  if (!last) return;
  const trace = last.clean.traces[msg.trace];
  if (!trace) return;
  const adv = last.attacked?.traces[msg.trace];
  scope.postMessage({
    type: 'membrane', trace: msg.trace, neuron: msg.neuron, name: trace.name,
    clean: membraneOf(trace, msg.neuron), ...(adv ? { attacked: membraneOf(adv, msg.neuron) } : {}),
  });
}

async function time(msg: Extract<Request, { type: 'time' }>): Promise<void> {
  const m = requireModel();
  const set = await imageSet();
  const timing = timeExplorer(m.model, m.timesteps, imagePixels(set, msg.image), set.labels[msg.image], msg.runs);
  scope.postMessage({ type: 'timing', timing: { ...timing, model: describeSpec(m.spec), timesteps: m.timesteps } });
}

const handlers: { [K in Request['type']]: (msg: Extract<Request, { type: K }>) => void | Promise<void> } = {
  model: loadModel, run, membrane, time,
};

// one request at a time, in order (a run waits for the model load before it)
let queue: Promise<void> = imageSet().then(
  () => undefined,
  (err: Error) => scope.postMessage({ type: 'error', during: 'images', message: err.message }),
);

scope.onmessage = (e) => {
  const msg = e.data;
  queue = queue.then(async () => {
    try {
      await (handlers[msg.type] as (m: Request) => void | Promise<void>)(msg);
    } catch (err) {
      scope.postMessage({ type: 'error', during: msg.type, message: err instanceof Error ? err.message : String(err) });
    }
  });
};
