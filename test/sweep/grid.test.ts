/**
 * Grid files -> cells: expansion (joins on shared coordinates, own axes, `where`), stable
 * hashing, dependency order and levels, and one clear line for every kind of bad grid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGridText } from '../../src/sweep/grid.js';
import { expandGrid, type Cell } from '../../src/sweep/expand.js';
import { canonicalJson, cellId } from '../../src/sweep/hash.js';
import type { TrainConfig } from '../../src/train/config.js';

const expand = (text: string) => expandGrid(parseGridText(text, '/g/grid.yaml'));

const LATENCY = `
stages:
  ann:
    train: { method: ann, arch: "4,A,8,A", hidden: [16], epochs: 1 }
    axes: { seed: [0, 1] }
  snn:
    train: { init: { stage: ann }, epochs: 1, noise-eps: 0.02 }
    axes: { method: [snn, hire], timesteps: [4, 8] }
  white:
    eval: { model: { stage: snn }, attacks: [clean, pgd] }
  black:
    eval: { model: { stage: snn, seed: 0 }, bb-model: { stage: snn, seed: 1 }, attacks: "clean,fgsm" }
`;

test('stages expand to the product of their axes joined with the cells they name', () => {
  const { cells } = expand(LATENCY);
  const of = (stage: string) => cells.filter((c) => c.stage === stage);
  assert.deepEqual(of('ann').map((c) => c.coords), [{ seed: 0 }, { seed: 1 }]);
  assert.equal(of('snn').length, 8);
  assert.deepEqual(of('snn')[0].coords, { seed: 0, method: 'snn', timesteps: 4 });
  const snn = of('snn')[5];
  assert.deepEqual(snn.coords, { seed: 1, method: 'snn', timesteps: 8 });
  const cfg = snn.config as TrainConfig;
  assert.equal(cfg.init, `@cell:${of('ann')[1].id}`, 'init names the ANN of the same seed');
  // defaults of `hire-snn train` filled in; the method's own defaults (snn: adam, lr 1e-4)
  assert.equal(cfg.optimizer, 'adam');
  assert.equal(cfg.lr, 1e-4);
  assert.equal(cfg.noiseEps, 0.02);
  assert.equal(cfg.batch, 64);
  assert.equal((of('ann')[0].config as TrainConfig).optimizer, 'sgd');
  // one white-box eval per SNN, inheriting its coordinates
  assert.deepEqual(of('white').map((c) => c.coords), of('snn').map((c) => c.coords));
  // black-box: model seed 0, source seed 1, matched on method and timesteps
  const black = of('black');
  assert.equal(black.length, 4);
  for (const b of black) {
    const [model, source] = b.deps.map((d) => cells.find((c) => c.id === d.cell)!);
    assert.deepEqual(b.coords, { method: model.coords.method, timesteps: model.coords.timesteps });
    assert.equal(model.coords.seed, 0);
    assert.equal(source.coords.seed, 1);
    assert.equal(source.coords.method, model.coords.method);
    assert.equal(source.coords.timesteps, model.coords.timesteps);
    assert.deepEqual((b.config as { attacks: string[] }).attacks, ['clean', 'fgsm']);
  }
});

test('cells come in dependency order with levels one above their deepest dependency', () => {
  const { cells } = expand(LATENCY);
  const index = new Map(cells.map((c, i) => [c.id, i]));
  const byId = new Map(cells.map((c) => [c.id, c]));
  for (const c of cells) {
    for (const d of c.deps) assert.ok(index.get(d.cell)! < index.get(c.id)!, `${c.stage} after its dependency`);
    const want = c.deps.length ? 1 + Math.max(...c.deps.map((d) => byId.get(d.cell)!.level)) : 0;
    assert.equal(c.level, want);
  }
  assert.deepEqual([...new Set(cells.map((c) => `${c.stage}:${c.level}`))], ['ann:0', 'snn:1', 'white:2', 'black:2']);
});

test('a cell id is the hash of its canonical config: stable, order-free, blind to locations', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
  assert.equal(cellId('train', { a: 1, b: 2 }), cellId('train', { b: 2, a: 1 }));
  assert.notEqual(cellId('train', { a: 1 }), cellId('eval', { a: 1 }));
  assert.match(cellId('train', {}), /^[0-9a-f]{16}$/);
  const ids = (text: string) => expand(text).cells.map((c) => c.id);
  const base = ids(LATENCY);
  assert.deepEqual(ids(LATENCY), base, 'the same grid gives the same ids');
  // key order, and where the data lives, do not change a cell
  assert.deepEqual(ids(LATENCY.replace('{ method: ann, arch: "4,A,8,A", hidden: [16], epochs: 1 }', '{ epochs: 1, hidden: [16], data: /elsewhere, arch: "4,A,8,A", method: ann }')), base);
  // a changed ANN changes every cell downstream of it, and only those
  const changed = ids(LATENCY.replace('epochs: 1 }\n    axes: { seed', 'epochs: 2 }\n    axes: { seed'));
  assert.equal(changed.filter((id, i) => id !== base[i]).length, base.length);
  const evalOnly = ids(LATENCY.replace('attacks: [clean, pgd]', 'attacks: [clean, fgsm, pgd]'));
  assert.deepEqual(evalOnly.filter((id, i) => id !== base[i]).length, 8);
  // the hash of a full config: an explicit default is the same cell as an omitted one
  assert.deepEqual(ids(LATENCY.replace('noise-eps: 0.02', 'noise-eps: 0.02, batch: 64')), base);
});

test('relative paths are relative to the grid file', () => {
  const { cells } = expand('stages:\n  e:\n    eval: { model: ../models/m.safetensors, data: data }\n    axes: { inputs: [a.safetensors] }\n');
  const cfg = cells[0].config as { model: string; data: string; inputs: string };
  assert.deepEqual([cfg.model, cfg.data, cfg.inputs], ['/models/m.safetensors', '/g/data', '/g/a.safetensors']);
});

function rejects(text: string, message: RegExp): void {
  assert.throws(() => expand(text), (err: Error) => {
    assert.match(err.message, message);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    assert.match(err.message, /^\/g\/grid\.yaml: /, 'names the file');
    return true;
  });
}

test('bad grids are one line naming the file and the problem', () => {
  const t = (extra: string) => `stages:\n  a:\n    train: { method: snn, arch: "4,A" }\n${extra}`;
  rejects('stages: [\n', /not valid YAML/);
  rejects('stage: {}\n', /unknown key "stage"/);
  rejects('stages: {}\n', /no stages/);
  rejects(t('    axes: { leakk: [1, 2] }\n'), /stages\.a\.axes: unknown axis "leakk"/);
  rejects(t('    axes: { seed: [] }\n'), /an axis needs at least one value/);
  rejects(t('    axes: { seed: [1, 1] }\n'), /axes\.seed: 1 is listed twice/);
  rejects(t('    axes: { arch: ["8,A"] }\n'), /"arch" is both an option of the base config and an axis/);
  rejects('stages:\n  a:\n    train: { method: snn, arch: "4,A", noise-epss: 1 }\n', /stages\.a\.train: unknown option "noise-epss"/);
  rejects('stages:\n  a:\n    train: { method: snn }\n    eval: { model: x }\n', /exactly one of "train" or "eval"/);
  rejects(t('    axes: { timesteps: [3] }\n').replace('snn', 'hire'), /stages\.a \(timesteps=3\): --timesteps 3 is not divisible by --periods 2/);
  rejects(t('    axes: { timesteps: [0] }\n'), /timesteps: Number must be greater than or equal to 1/);
  rejects(t('  b:\n    eval: { model: { stage: c } }\n'), /stages\.b\.eval\.model: no stage "c"/);
  rejects(t('  b:\n    eval: { model: { stage: a }, bb-model: { stage: b } }\n'), /cyclic dependency: b -> b/);
  rejects(t('  b:\n    eval: { model: { stage: a, seed: 1 } }\n'), /stage "a" has no axis "seed"/);
  rejects(t('    axes: { seed: [0] }\n  b:\n    eval: { model: { stage: a, seed: 1 } }\n'), /matches no cell of stage "a"/);
  rejects(t('  b:\n    eval: { model: { stage: a }, seed: { stage: a } }\n'), /only model, bb-model can name a stage/);
  rejects(t('  b:\n    eval: { model: x }\n  c:\n    eval: { model: { stage: b } }\n'), /stage "b" is an eval stage/);
  rejects(t('    axes: { seed: [0, 1] }\n  b:\n    eval: { model: { stage: a } }\n    axes: { seed: [2] }\n'), /"seed" is already a coordinate/);
  rejects('stages:\n  a:\n    train: { method: snn, arch: "4,A", init: { stage: b } }\n  b:\n    train: { method: snn, init: { stage: c } }\n  c:\n    train: { method: ann, init: { stage: a } }\n', /cyclic dependency: a -> b -> c -> a/);
  rejects('stages:\n  a:\n    train: { method: snn, arch: "4,A" }\n  b:\n    train: { method: snn, arch: "4,A" }\n', /stages\.b: the same config as stages\.a/);
});

test('a cell of one stage keeps its coordinates in the order inherited first, then its own', () => {
  const { cells } = expand(LATENCY);
  const white: Cell = cells.find((c) => c.stage === 'white')!;
  assert.deepEqual(Object.keys(white.coords), ['seed', 'method', 'timesteps']);
});
