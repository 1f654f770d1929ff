/**
 * Infers a ModelSpec from a state_dict's keys and shapes.
 *
 * VGG (seed layout): conv widths, input channels, kernel, classifier widths and labels are in
 * the shapes; the pool positions are not, so the named presets whose conv widths equal the
 * file's and whose pool count fits the first classifier layer's input are matched. When no
 * preset or several distinct ones fit, the caller must name the layout (--arch CFG).
 * ResNet (DIET-SNN layout): stem widths, stage widths, blocks per stage and strides (from
 * where the 1x1 identity shortcuts appear) and labels.
 * Either way the result is then checked key by key against the file (checkStateDict).
 */
import { type ModelSpec, type ResNetSpec, type VggLayer, type VggSpec, VGG_PRESETS, vggFlatFeatures } from '../snn/spec.js';
import { CheckpointError } from './errors.js';
import { checkStateDict } from './spec-keys.js';
import { resnetFeatureSize } from '../snn/models/resnet.js';
import { RESNET_BLOCKS } from '../snn/resnet-presets.js';
import type { ArchRequest } from '../snn/arch.js';

type Shapes = ReadonlyMap<string, { shape: readonly number[] }>;

export interface InferOptions {
  /** an explicit VGG layer list (--arch); checked against the tensors */
  cfg?: VggLayer[];
  /** explicit classifier hidden widths; checked against the tensors */
  hidden?: number[];
  /** input image side (default 32) */
  imageSize?: number;
  /** dropout rate to put in the spec (not recorded in checkpoints; default 0.2 as in the seed) */
  dropout?: number;
}

export interface InferredArch {
  spec: ModelSpec;
  /** preset name(s) that matched, e.g. "vgg11" or "vgg5/vgg6"; undefined for an explicit or custom layout */
  preset?: string;
}

function fail(msg: string): never {
  throw new CheckpointError(msg);
}

function shapeOf(t: Shapes, key: string, dims: number): number[] {
  const s = t.get(key)?.shape;
  if (!s) fail(`missing ${key}`);
  if (s.length !== dims) fail(`${key} has shape [${s.join(',')}], expected ${dims} dimensions`);
  return [...s];
}

/** indices N of keys `${prefix}N${suffix}`, sorted */
function indices(t: Shapes, prefix: string, suffix: string): number[] {
  const out: number[] = [];
  for (const k of t.keys()) {
    if (!k.startsWith(prefix) || !k.endsWith(suffix)) continue;
    const mid = k.slice(prefix.length, k.length - suffix.length);
    if (/^(0|[1-9][0-9]{0,5})$/.test(mid)) out.push(Number(mid));
  }
  return out.sort((a, b) => a - b);
}

function expectEvery3(found: number[], what: string): void {
  found.forEach((n, i) => {
    if (n !== 3 * i) fail(`${what} layers sit at indices ${found.join(', ')}; the seed layout has one every 3 (0, 3, 6, ...)`);
  });
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function formatCfg(cfg: readonly VggLayer[]): string {
  return cfg.join(',');
}

/** a syntax example with the right widths and pool count (pools before each widening, then at the end) */
function exampleCfg(widths: number[], pools: number): string {
  const cfg: VggLayer[] = [];
  let left = Math.max(0, pools);
  widths.forEach((w, i) => {
    cfg.push(w);
    const next = widths[i + 1];
    if (left > 1 && next !== undefined && next > w) {
      cfg.push('A');
      left--;
    }
  });
  while (left-- > 0) cfg.push('A');
  return formatCfg(cfg);
}

function poolsFor(imageSize: number, side: number): number | null {
  let s = imageSize;
  for (let p = 0; p <= 16; p++) {
    if (s === side) return p;
    s = Math.floor(s / 2);
  }
  return null;
}

function inferVgg(t: Shapes, opts: InferOptions): InferredArch {
  const imageSize = opts.imageSize ?? 32;
  const convIdx = indices(t, 'features.', '.weight');
  const linIdx = indices(t, 'classifier.', '.weight');
  if (convIdx.length === 0) fail('no features.N.weight conv layers');
  if (linIdx.length === 0) fail('no classifier.N.weight linear layers');
  expectEvery3(convIdx, 'features conv');
  expectEvery3(linIdx, 'classifier linear');
  const convs = convIdx.map((n) => shapeOf(t, `features.${n}.weight`, 4));
  const [, inChannels, kernel] = convs[0];
  convs.forEach((s, i) => {
    if (s[2] !== kernel || s[3] !== kernel) fail(`features.${3 * i}.weight has a ${s[2]}x${s[3]} kernel, the first conv ${kernel}x${kernel}`);
    if (i > 0 && s[1] !== convs[i - 1][0]) fail(`features.${3 * i}.weight takes ${s[1]} channels but the previous conv gives ${convs[i - 1][0]}`);
  });
  const widths = convs.map((s) => s[0]);
  const lins = linIdx.map((n) => shapeOf(t, `classifier.${n}.weight`, 2));
  lins.forEach((s, j) => {
    if (j > 0 && s[1] !== lins[j - 1][0]) fail(`classifier.${3 * j}.weight takes ${s[1]} inputs but the previous layer gives ${lins[j - 1][0]}`);
  });
  const flat = lins[0][1];
  const hidden = lins.slice(0, -1).map((s) => s[0]);
  const labels = lins[lins.length - 1][0];
  const make = (cfg: VggLayer[]): VggSpec => ({ family: 'vgg', cfg, hidden, labels, inChannels, imageSize, kernel, dropout: opts.dropout ?? 0.2 });
  if (opts.hidden && !sameList(opts.hidden, hidden)) fail(`classifier hidden widths in the file are ${hidden.join(',') || '(none)'}, not ${opts.hidden.join(',')}`);

  if (opts.cfg) {
    const cfgWidths = opts.cfg.filter((l): l is number => l !== 'A');
    if (!sameList(cfgWidths, widths)) fail(`--arch ${formatCfg(opts.cfg)} has conv widths ${cfgWidths.join(',')} but the file has ${widths.join(',')}`);
    const spec = make(opts.cfg);
    const want = vggFlatFeatures(spec);
    if (want !== flat) fail(`with --arch ${formatCfg(opts.cfg)} at image size ${imageSize} the classifier would take ${want} inputs, but the file's takes ${flat} (wrong pool count or image size?)`);
    return { spec };
  }

  const byCfg = new Map<string, { cfg: VggLayer[]; names: string[] }>();
  let sameWidths = 0;
  for (const [name, cfg] of Object.entries(VGG_PRESETS)) {
    if (!sameList(cfg.filter((l) => l !== 'A'), widths)) continue;
    sameWidths++;
    if (vggFlatFeatures({ cfg, imageSize }) !== flat) continue;
    const key = formatCfg(cfg);
    const hit = byCfg.get(key);
    if (hit) hit.names.push(name);
    else byCfg.set(key, { cfg, names: [name] });
  }
  if (byCfg.size === 1) {
    const [only] = byCfg.values();
    return { spec: make([...only.cfg]), preset: only.names.join('/') };
  }
  const last = widths[widths.length - 1];
  const side = Math.sqrt(flat / last);
  const pools = Number.isInteger(side) ? poolsFor(imageSize, side) : null;
  const what =
    pools === null
      ? `its first classifier layer takes ${flat} inputs, which is not ${last} x s x s for any pool count at image size ${imageSize}`
      : `its first classifier layer takes ${flat} inputs = ${last} x ${side} x ${side}, i.e. ${pools} pools at image size ${imageSize}`;
  const why =
    byCfg.size > 1
      ? `presets ${[...byCfg.values()].map((c) => `${c.names.join('/')} (${formatCfg(c.cfg)})`).join(' and ')} all fit`
      : sameWidths > 0
        ? 'the named presets with these conv widths have a different pool count'
        : 'no named preset has these conv widths';
  const example = pools === null ? exampleCfg(widths, 2) : exampleCfg(widths, pools);
  fail(`cannot tell where the pools go in this VGG (conv widths ${widths.join(',')}; ${what}): ${why}; pass the layer list with --arch CFG, e.g. --arch ${example} (conv widths in order, A where an average pool follows)`);
}

/**
 * A 1x1 shortcut that also changes width may or may not downsample; DIET-SNN's stages after
 * the first do (stride 2, the default). If the classifier's input size says otherwise, the one
 * stride assignment of those stages that fits it is taken.
 */
function resolveStrides(strides: number[], ambiguous: number[], flatFor: (strides: number[]) => number, flat: number): void {
  if (flatFor(strides) === flat || ambiguous.length === 0 || ambiguous.length > 12) return;
  const fits: number[][] = [];
  for (let mask = 0; mask < 1 << ambiguous.length; mask++) {
    const st = [...strides];
    ambiguous.forEach((s, i) => (st[s] = mask & (1 << i) ? 2 : 1));
    if (flatFor(st) === flat) fits.push(st);
  }
  if (fits.length === 1) strides.splice(0, strides.length, ...fits[0]);
  else if (fits.length > 1) fail(`cannot tell which ResNet stages downsample: strides ${fits.map((f) => f.join(',')).join(' or ')} all fit the classifier's ${flat} inputs`);
}

function inferResNet(t: Shapes, opts: InferOptions): InferredArch {
  if (opts.cfg) fail('--arch takes a VGG layer list, but the file holds a ResNet');
  const stemIdx = indices(t, 'pre_process.', '.weight');
  if (stemIdx.length === 0) fail('no pre_process.N.weight stem convs');
  expectEvery3(stemIdx, 'pre_process conv');
  const stemShapes = stemIdx.map((n) => shapeOf(t, `pre_process.${n}.weight`, 4));
  const stem = stemShapes.map((s) => s[0]);
  const inChannels = stemShapes[0][1];
  const widths: number[] = [];
  const blocks: number[] = [];
  const strides: number[] = [];
  /** stages whose shortcut could be for the width change alone (stride 1) or also downsample (stride 2) */
  const ambiguous: number[] = [];
  let cIn = stem[stem.length - 1];
  for (let k = 1; ; k++) {
    const bIdx = indices(t, `layer${k}.`, '.residual.0.weight');
    if (bIdx.length === 0) break;
    bIdx.forEach((j, i) => {
      if (j !== i) fail(`layer${k} has blocks ${bIdx.join(', ')}; expected 0, 1, 2, ...`);
    });
    const w = shapeOf(t, `layer${k}.0.residual.0.weight`, 4)[0];
    const shortcut = t.has(`layer${k}.0.identity.0.weight`);
    // DIET-SNN: a 1x1 shortcut exists exactly when stride != 1 or the width changes; stages after the first downsample
    const stride = shortcut && (k > 1 || w === cIn) ? 2 : 1;
    if (shortcut && w !== cIn) ambiguous.push(k - 1);
    if (!shortcut && w !== cIn) fail(`layer${k}.0 changes width ${cIn} -> ${w} without an identity.0 shortcut conv`);
    widths.push(w);
    blocks.push(bIdx.length);
    strides.push(stride);
    cIn = w;
  }
  if (widths.length === 0) fail('no layerK.J.residual.0.weight blocks');
  for (const k of t.keys()) {
    const m = /^layer(\d+)\./.exec(k);
    if (m && Number(m[1]) > widths.length) fail(`found ${k} but no layer${widths.length + 1} blocks before it`);
  }
  const [labels, flat] = shapeOf(t, 'classifier.0.weight', 2);
  resolveStrides(strides, ambiguous, (st) => cIn * resnetFeatureSize({ imageSize: opts.imageSize ?? 32, strides: st }) ** 2, flat);
  const name = Object.entries(RESNET_BLOCKS).find(([, b]) => sameList(b, blocks))?.[0] ?? `resnet${3 + 2 * blocks.reduce((a, b) => a + b, 0) + 1}`;
  const spec: ResNetSpec = { family: 'resnet', name, widths, blocks, strides, stem, labels, inChannels, imageSize: opts.imageSize ?? 32, dropout: opts.dropout ?? 0.2 };
  return { spec, preset: RESNET_BLOCKS[name] ? name : undefined };
}

/** infers the architecture and checks every key and shape of the file against it */
export function inferArch(tensors: Shapes, opts: InferOptions = {}, source = 'state_dict'): InferredArch {
  const keys = [...tensors.keys()];
  let result: InferredArch;
  if (keys.some((k) => k.startsWith('features.'))) result = inferVgg(tensors, opts);
  else if (keys.some((k) => k.startsWith('pre_process.') || /^layer\d+\./.test(k))) result = inferResNet(tensors, opts);
  else fail(`unrecognized layout: expected seed VGG keys (features.N.weight, classifier.N.weight) or DIET-SNN ResNet keys (pre_process.N.weight, layerK.J.residual.N.weight); found ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}`);
  checkStateDict(tensors, result.spec, source);
  return result;
}

/** inferArch under what --arch asked for: a VGG layer list fixes the pools, a ResNet name must match the blocks */
export function inferArchFor(tensors: Shapes, arch: ArchRequest, opts: Omit<InferOptions, 'cfg'> = {}, source = 'state_dict'): InferredArch {
  const inferred = inferArch(tensors, { ...opts, cfg: arch.kind === 'vgg' ? arch.cfg : undefined }, source);
  const { spec } = inferred;
  if (arch.kind === 'resnet') {
    if (spec.family !== 'resnet') fail(`--arch ${arch.name} but the file holds a ${spec.family.toUpperCase()}`);
    const blocks = RESNET_BLOCKS[arch.name];
    if (!sameList(spec.blocks, blocks)) fail(`--arch ${arch.name} has blocks [${blocks.join(',')}] but the file has [${spec.blocks.join(',')}]`);
  }
  if (arch.kind === 'vgg' && spec.family !== 'vgg') fail('--arch is a VGG layout but the file holds a ResNet');
  return inferred;
}
