/** Architecture inference from state_dict keys and shapes, and the strict key/shape check. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inferArch } from '../../src/io/arch-infer.js';
import { checkStateDict, expectedKeys, StateDictMismatch } from '../../src/io/spec-keys.js';
import { readWeightsFile } from '../../src/io/load.js';
import { VGG_PRESETS, parseVggCfg, type ResNetSpec, type VggSpec } from '../../src/snn/spec.js';
import { fixture } from './files.js';

type Shapes = Map<string, { shape: number[] }>;

/** shapes only: inference never looks at the data, so large presets cost nothing */
function shapesOf(spec: VggSpec | ResNetSpec): Shapes {
  return new Map(expectedKeys(spec).map((e) => [e.key, { shape: e.shape }]));
}

function vgg(cfg: VggSpec['cfg'], over: Partial<VggSpec> = {}): VggSpec {
  return { family: 'vgg', cfg, hidden: [4096, 4096], labels: 10, inChannels: 3, imageSize: 32, kernel: 3, dropout: 0.2, ...over };
}

const tensorsOf = (name: string, file = 'state_dict_zip.pt') => readWeightsFile(fixture(name, file)).stateDict.tensors;

describe('fixtures', () => {
  test('vgg5-tiny (8,A,16,16,A) is no named preset: the error asks for --arch', () => {
    for (const file of ['state_dict_zip.pt', 'state_dict_legacy.pt', 'trainer_checkpoint_legacy.pt', 'weights.safetensors']) {
      assert.throws(
        () => inferArch(tensorsOf('vgg5-tiny-c10', file)),
        /cannot tell where the pools go.*conv widths 8,16,16.*1024 inputs = 16 x 8 x 8, i\.e\. 2 pools.*--arch CFG, e\.g\. --arch 8,A,16,16,A/,
      );
    }
  });

  test('vgg5-tiny passes with its explicit cfg (and hidden), fails with a wrong one', () => {
    const t = tensorsOf('vgg5-tiny-c10');
    const { spec } = inferArch(t, { cfg: parseVggCfg('8,A,16,16,A'), hidden: [64, 64] });
    assert.deepEqual(spec, { family: 'vgg', cfg: [8, 'A', 16, 16, 'A'], hidden: [64, 64], labels: 10, inChannels: 3, imageSize: 32, kernel: 3, dropout: 0.2 });
    assert.throws(() => inferArch(t, { cfg: parseVggCfg('8,A,16,A,16,A') }), /classifier would take 256 inputs, but the file's takes 1024/);
    assert.throws(() => inferArch(t, { cfg: parseVggCfg('8,A,32,16,A') }), /conv widths 8,32,16 but the file has 8,16,16/);
    assert.throws(() => inferArch(t, { cfg: parseVggCfg('8,A,16,16,A'), hidden: [64] }), /hidden widths in the file are 64,64, not 64/);
  });

  test('vgg11-tiny-c100 with its cfg', () => {
    const { spec } = inferArch(tensorsOf('vgg11-tiny-c100', 'state_dict_legacy.pt'), { cfg: parseVggCfg('8,A,16,16,A,32,32,32,A,32,32') });
    assert.equal(spec.family, 'vgg');
    assert.equal((spec as VggSpec).labels, 100);
  });

  test('resnet20-tiny: widths, blocks, strides, stem, labels as in meta.json', () => {
    const r = inferArch(tensorsOf('resnet20-tiny-c10'));
    assert.equal(r.preset, 'resnet20');
    assert.deepEqual(r.spec, { family: 'resnet', name: 'resnet20', widths: [8, 16, 32, 64], blocks: [2, 2, 2, 2], strides: [1, 2, 2, 2], stem: [8, 8, 8], labels: 10, inChannels: 3, imageSize: 32, dropout: 0.2 });
    assert.throws(() => inferArch(tensorsOf('resnet20-tiny-c10'), { cfg: [8] }), /VGG layer list, but the file holds a ResNet/);
  });
});

describe('presets (shapes only)', () => {
  test('a state_dict with VGG11 preset widths is recognised as vgg11', () => {
    const r = inferArch(shapesOf(vgg(VGG_PRESETS.vgg11, { labels: 100 })));
    assert.equal(r.preset, 'vgg11');
    assert.deepEqual((r.spec as VggSpec).cfg, VGG_PRESETS.vgg11);
    assert.deepEqual((r.spec as VggSpec).hidden, [4096, 4096]);
    assert.equal((r.spec as VggSpec).labels, 100);
  });

  test('every preset at 32x32 and 64x64 (identical vgg5/vgg6 layouts count as one)', () => {
    for (const [name, cfg] of Object.entries(VGG_PRESETS)) {
      for (const imageSize of [32, 64]) {
        const r = inferArch(shapesOf(vgg(cfg, { imageSize, hidden: [512] })), { imageSize });
        assert.ok(r.preset!.split('/').includes(name), `${name}: ${r.preset}`);
        assert.deepEqual((r.spec as VggSpec).cfg, cfg);
      }
    }
  });

  test('preset widths with another pool count: asks for --arch', () => {
    const cfg = [64, 'A', 128, 256, 'A', 512, 512, 512, 'A', 512, 'A', 512] as VggSpec['cfg'];
    assert.throws(() => inferArch(shapesOf(vgg(cfg))), /different pool count; pass the layer list with --arch CFG/);
    assert.equal(inferArch(shapesOf(vgg(cfg)), { cfg }).preset, undefined);
  });

  test('ResNet strides come from the shortcuts; resnet34 blocks are named', () => {
    const spec: ResNetSpec = { family: 'resnet', name: 'resnet34', widths: [64, 128, 256, 512], blocks: [3, 4, 6, 3], strides: [1, 2, 2, 2], stem: [64, 64, 64], labels: 10, inChannels: 3, imageSize: 32, dropout: 0.2 };
    assert.deepEqual(inferArch(shapesOf(spec)).spec, spec);
    const flat: ResNetSpec = { ...spec, name: 'resnet12', blocks: [1, 1, 1, 1], widths: [64, 64, 128, 128], strides: [1, 2, 1, 2] };
    assert.deepEqual(inferArch(shapesOf(flat)).spec, flat);
    // without the classifier's size to tell, both stride choices of a widening stage would fit
    const twoWays: ResNetSpec = { ...spec, name: 'resnet12', blocks: [1, 1, 1, 1], widths: [64, 128, 256, 256], strides: [1, 2, 1, 1] };
    assert.throws(() => inferArch(shapesOf(twoWays)), /strides 1,2,1,1 or 1,1,2,1 all fit the classifier's 16384 inputs/);
  });
});

describe('strict check', () => {
  test('missing, unexpected and mismatched keys are all listed', () => {
    const spec = vgg([8, 'A', 16, 16, 'A'], { hidden: [64, 64] });
    const t = shapesOf(spec);
    t.delete('threshold.t3');
    t.set('features.0.bias', { shape: [8] });
    t.set('classifier.3.weight', { shape: [64, 32] });
    assert.throws(
      () => checkStateDict(t, spec, 'x.pt'),
      (e: unknown) =>
        e instanceof StateDictMismatch &&
        e.missing.join() === 'threshold.t3' &&
        e.unexpected.join() === 'features.0.bias' &&
        e.mismatched[0].key === 'classifier.3.weight' &&
        /^x\.pt does not fit the model: missing keys: threshold\.t3; unexpected keys: features\.0\.bias; shape mismatches: classifier\.3\.weight \[64,32\] in the file vs \[64,64\] in the model$/.test(e.message),
    );
    // inference runs the same check
    t.set('classifier.3.weight', { shape: [64, 64] });
    assert.throws(() => inferArch(t, { cfg: spec.cfg }), /missing keys: threshold\.t3; unexpected keys: features\.0\.bias$/);
    // a key with a newline (found by the fuzzer) stays on one line, quoted
    t.delete('features.0.bias');
    t.set('layer3cbuiltins\neval\n)R', { shape: [1] });
    assert.throws(() => checkStateDict(t, spec, 'x.pt'), (e: Error) => !e.message.includes('\n') && e.message.endsWith('unexpected keys: "layer3cbuiltins\\neval\\n)R"'));
  });

  test('a [1] threshold counts as 0-dim; other layouts are named as unrecognised', () => {
    const spec = vgg([8, 'A'], { hidden: [] });
    const t = shapesOf(spec);
    t.set('threshold.t0', { shape: [1] });
    checkStateDict(t, spec);
    assert.throws(() => inferArch(new Map([['conv1.weight', { shape: [8, 3, 3, 3] }]])), /unrecognized layout/);
    assert.throws(() => inferArch(new Map([['features.1.weight', { shape: [8, 3, 3, 3] }], ['classifier.0.weight', { shape: [10, 8] }]])), /one every 3/);
  });
});
