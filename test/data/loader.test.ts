/** Seeded PRNG, augmentation invariants and deterministic batching, on small in-memory datasets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augment01, cropFlipInto, drawCropFlip, type CropFlip } from '../../src/data/augment.js';
import type { Dataset } from '../../src/data/dataset.js';
import { BatchLoader, type LoadedBatch as Batch } from '../../src/data/loader.js';
import { mixSeed, Rng } from '../../src/data/rng.js';

const G = { channels: 3, height: 8, width: 8 };
const PX = 3 * 8 * 8;

/** n images whose pixels are all distinct within an image and nonzero (so crops are identifiable) */
function dataset(n: number): Dataset {
  const images = new Uint8Array(n * PX);
  const rng = new Rng(99);
  for (let i = 0; i < n; i++) {
    const perm = rng.permutation(255);
    for (let j = 0; j < PX; j++) images[i * PX + j] = perm[j] + 1;
  }
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return { name: 'cifar10', split: 'train', images, labels, count: n, ...G, classes: [...'abcdefghij'], numClasses: 10 };
}

/** the reference: zero-pad by `pad`, crop at (pad+dy, pad+dx), then mirror */
function reference(img: Float32Array, p: CropFlip, pad = 4): Float32Array {
  const { channels: C, height: H, width: W } = G;
  const P = W + 2 * pad;
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) {
    const padded = new Float32Array((H + 2 * pad) * P);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) padded[(y + pad) * P + x + pad] = img[(c * H + y) * W + x];
    for (let y = 0; y < H; y++) {
      const cropped = Array.from({ length: W }, (_, x) => padded[(y + pad + p.dy) * P + x + pad + p.dx]);
      if (p.flip) cropped.reverse();
      out.set(cropped, (c * H + y) * W);
    }
  }
  return out;
}

const sorted = (a: ArrayLike<number>): number[] => Array.from(a).sort((x, y) => x - y);

test('Rng: reproducible, in range, unbiased enough, state round-trip', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.uniform());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.uniform()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => new Rng(43).uniform()));
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70000; i++) counts[a.int(7)]++;
  assert.ok(counts.every((c) => c > 9500 && c < 10500), String(counts));
  const p = a.permutation(100);
  assert.deepEqual(sorted(p), Array.from({ length: 100 }, (_, i) => i));
  const s = a.getState();
  const next = [a.nextUint32(), a.nextUint32()];
  const restored = new Rng().setState(s);
  assert.deepEqual([restored.nextUint32(), restored.nextUint32()], next);
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < 20000; i++) {
    const z = a.normal();
    sum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / 20000) < 0.03 && Math.abs(sq / 20000 - 1) < 0.05);
  assert.notEqual(mixSeed(1, 2), mixSeed(2, 1));
  assert.equal(mixSeed(1, 2), mixSeed(1, 2));
});

test('crop + flip equals the pad-crop-mirror reference for every offset', () => {
  const img = Float32Array.from(dataset(1).images, (v) => v / 255);
  for (let dy = -4; dy <= 4; dy++) {
    for (let dx = -4; dx <= 4; dx++) {
      for (const flip of [false, true]) {
        const out = new Float32Array(PX);
        cropFlipInto(img, 0, G, { dy, dx, flip }, out, 0, 1);
        assert.deepEqual(out, reference(img, { dy, dx, flip }));
        // the pixel multiset is kept, except pixels pushed out, which become zeros
        const kept = (8 - Math.abs(dy)) * (8 - Math.abs(dx)) * 3;
        assert.equal(out.filter((v) => v === 0).length, PX - kept);
        const window: number[] = [];
        for (let c = 0; c < 3; c++) {
          for (let y = Math.max(0, dy); y < Math.min(8, 8 + dy); y++) {
            for (let x = Math.max(0, dx); x < Math.min(8, 8 + dx); x++) window.push(img[(c * 8 + y) * 8 + x]);
          }
        }
        assert.deepEqual(sorted(out.filter((v) => v !== 0)), sorted(window));
      }
    }
  }
});

test('flip is a mirror, twice is the identity; bytes and floats agree', () => {
  const d = dataset(1);
  const img = Float32Array.from(d.images, (v) => v / 255);
  const once = new Float32Array(PX);
  cropFlipInto(img, 0, G, { dy: 0, dx: 0, flip: true }, once, 0, 1);
  for (let c = 0; c < 3; c++) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) assert.equal(once[(c * 8 + y) * 8 + x], img[(c * 8 + y) * 8 + 7 - x]);
  const twice = new Float32Array(PX);
  cropFlipInto(once, 0, G, { dy: 0, dx: 0, flip: true }, twice, 0, 1);
  assert.deepEqual(twice, img);
  const fromBytes = new Float32Array(PX);
  cropFlipInto(d.images, 0, G, { dy: 2, dx: -3, flip: true }, fromBytes, 0, 1 / 255);
  assert.deepEqual(fromBytes, reference(img, { dy: 2, dx: -3, flip: true }));
  assert.deepEqual(augment01(img, G, new Rng(5)), augment01(img, G, new Rng(5)));
});

test('drawCropFlip covers offsets -4..4 uniformly and flips half the time', () => {
  const rng = new Rng(7);
  const dy = new Array(9).fill(0);
  let flips = 0;
  for (let i = 0; i < 9000; i++) {
    const p = drawCropFlip(rng);
    dy[p.dy + 4]++;
    if (p.flip) flips++;
    assert.ok(p.dx >= -4 && p.dx <= 4);
  }
  assert.ok(dy.every((c) => c > 850 && c < 1150), String(dy));
  assert.ok(flips > 4300 && flips < 4700, String(flips));
  assert.equal(drawCropFlip(new Rng(1), { flip: false, pad: 0 }).dy, 0);
});

const collect = (l: BatchLoader, epoch: number): Batch[] => [...l.epoch(epoch)];

test('BatchLoader: same seed, same batches; epochs differ; every image once per epoch', () => {
  const d = dataset(23);
  const opts = { batchSize: 5, shuffle: true, seed: 3, augment: true };
  const a = collect(new BatchLoader(d, opts), 0);
  assert.deepEqual(a, collect(new BatchLoader(d, opts), 0));
  assert.deepEqual(a[2], new BatchLoader(d, opts).batch(0, 2), 'a batch can be rebuilt on its own');
  assert.deepEqual(a.map((b) => b.size), [5, 5, 5, 5, 3]);
  const e1 = collect(new BatchLoader(d, opts), 1);
  assert.notDeepEqual(a.map((b) => [...b.indices]), e1.map((b) => [...b.indices]));
  assert.notDeepEqual(a[0].indices, collect(new BatchLoader(d, { ...opts, seed: 4 }), 0)[0].indices);
  for (const epoch of [a, e1]) assert.deepEqual(sorted(epoch.flatMap((b) => [...b.indices])), Array.from({ length: 23 }, (_, i) => i));
  for (const b of a) b.indices.forEach((i, k) => assert.equal(b.labels[k], d.labels[i]));
  // iterating the loader runs epochs 0, 1, ...
  const l = new BatchLoader(d, opts);
  assert.deepEqual([...l], a);
  assert.deepEqual([...l], e1);
  const dropped = new BatchLoader(d, { ...opts, dropLast: true });
  assert.equal(dropped.length, 4);
  assert.deepEqual(collect(dropped, 0).map((b) => b.size), [5, 5, 5, 5]);
});

test('BatchLoader: no shuffle, no augment gives the images in order, scaled to [0,1]', () => {
  const d = dataset(7);
  const batches = collect(new BatchLoader(d, { batchSize: 4 }), 5);
  assert.deepEqual([...batches[0].indices, ...batches[1].indices], [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(batches[1].x01, Float32Array.from(d.images.subarray(4 * PX), (v) => v / 255));
  assert.deepEqual(batches[0].labels, Int32Array.from(d.labels.subarray(0, 4)));
});

test('BatchLoader: each augmented image is a crop+flip of its source image', () => {
  const d = dataset(12);
  const params: CropFlip[] = [];
  for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) for (const flip of [false, true]) params.push({ dy, dx, flip });
  const seen = new Set<string>();
  for (const b of collect(new BatchLoader(d, { batchSize: 6, shuffle: true, seed: 11, augment: true }), 2)) {
    for (let k = 0; k < b.size; k++) {
      const img = Float32Array.from(d.images.subarray(b.indices[k] * PX, (b.indices[k] + 1) * PX), (v) => v / 255);
      const got = b.x01.subarray(k * PX, (k + 1) * PX);
      const match = params.find((p) => reference(img, p).every((v, j) => v === got[j]));
      assert.ok(match, `batch ${b.index} image ${k} is no crop+flip of image ${b.indices[k]}`);
      seen.add(JSON.stringify(match));
    }
  }
  assert.ok(seen.size > 6, 'the augmentation varies between images');
});
