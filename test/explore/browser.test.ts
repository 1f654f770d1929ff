/**
 * The explorer in a real headless Chromium: `hire-snn explore --model <fixture>` serves the built
 * app (dist/web/, `npm run build`), a link runs PGD-7 on test image 0 in the page's worker, and
 * the page's numbers must be the Node portable backend's for the same image and attack. Then
 * hostile and broken files: one clear message in the status each, and the page keeps working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { launchBrowser, blankReason, chromiumSkip, type OpenedPage } from '../helpers/browser.js';
import { startExplorer, evilPt, otherSizeCheckpoint, FIXTURE_MODEL, FIXTURE_ARCH, WEB_DIR, webBuilt } from './helpers.js';
import { setBackend } from '../../src/kernels/index.js';
import { portableBackend } from '../../src/kernels/portable/index.js';
import { readImageSet, imagePixels } from '../../src/explore/image-set.js';
import { loadExplorerModel } from '../../src/explore/model.js';
import { exploreImage } from '../../src/explore/run.js';

const LINK = '?image=0&attack=pgd&eps=0.031&steps=7';

function skip(): string | false {
  const noBrowser = chromiumSkip();
  if (noBrowser) return noBrowser;
  if (!webBuilt()) {
    if (process.env.CI === 'true') throw new Error(`${WEB_DIR} is not built: npm run build`);
    return `${WEB_DIR} is not built (npm run build)`;
  }
  return false;
}

/** waits until the status reads `ready` or an error, and returns it */
async function settled(p: OpenedPage, timeout = 40_000): Promise<{ text: string; error: boolean }> {
  await p.page.waitForFunction(() => {
    const s = document.querySelector('[data-testid=status]')!;
    return s.textContent === 'ready' || s.classList.contains('error');
  }, undefined, { timeout });
  return p.page.locator('[data-testid=status]').evaluate((s) => ({ text: s.textContent ?? '', error: s.classList.contains('error') }));
}

async function numbers(p: OpenedPage, id: string): Promise<number[]> {
  return JSON.parse((await p.page.locator(`[data-testid=${id}]`).textContent()) ?? 'null') as number[];
}

function assertClose(actual: number[], expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
  assert.ok(worst <= 1e-4, `${what}: the page's ${JSON.stringify(actual)} vs Node's ${JSON.stringify([...expected])} (max diff ${worst})`);
}

/** a 48x40 PNG: a gradient, so the resize has something to do */
function ownPng(): Buffer {
  const png = new PNG({ width: 48, height: 40 });
  for (let i = 0; i < 48 * 40; i++) png.data.set([(i * 7) % 256, (i * 3) % 256, 128, 255], 4 * i);
  return PNG.sync.write(png);
}

test('explorer: a PGD link in Chromium gives the Node portable numbers; bad files get one message and the page keeps working', { skip: skip(), timeout: 150_000 }, async () => {
  // what the page must show, computed here on the same backend
  setBackend(portableBackend);
  const set = readImageSet(fs.readFileSync(path.join(WEB_DIR, 'images.safetensors')));
  const loaded = loadExplorerModel(fs.readFileSync(FIXTURE_MODEL), 'weights.safetensors', set, { arch: FIXTURE_ARCH });
  const expected = exploreImage(loaded.model, loaded.timesteps, { x01: imagePixels(set, 0), label: set.labels[0], attack: 'pgd', epsilon: 0.031, steps: 7, seed: 0 });

  const server = await startExplorer(['--model', FIXTURE_MODEL, '--arch', FIXTURE_ARCH]);
  const browser = await launchBrowser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-browser-'));
  try {
    const p = await browser.open(server.url + LINK, { width: 1280, height: 1000 });
    assert.deepEqual(await settled(p), { text: 'ready', error: false });
    assertClose(await numbers(p, 'logits'), expected.clean.logits, 'clean logits');
    assertClose(await numbers(p, 'adv-logits'), expected.attacked!.logits, 'attacked logits');
    assert.equal(await p.page.locator('[data-testid=prediction]').textContent(), set.classes[expected.clean.prediction]);
    assert.equal(await p.page.locator('[data-testid=adv-prediction]').textContent(), set.classes[expected.attacked!.prediction]);
    assert.match((await p.page.locator('[data-testid=protocol]').textContent()) ?? '', /^pgd .*eps 0\.031.*steps 7.*T 8/);
    assert.ok((await p.page.locator('#layers canvas').count()) >= 2 * loaded.model.spikingLayers().length, 'a clean and an attacked heatmap per layer');
    // HIRE_SNN_EXPLORER_SCREENSHOT=docs/explorer.png refreshes the README's picture
    const png = await p.screenshot(process.env.HIRE_SNN_EXPLORER_SCREENSHOT ?? path.join(dir, 'explorer.png'));
    assert.equal(blankReason(png), undefined);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.requests.filter((u) => !u.startsWith(server.url)), [], 'the page asks nothing of other servers');

    const bad: [string, Uint8Array, RegExp][] = [
      ['corrupt.safetensors', Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 251), /^corrupt\.safetensors: /],
      ['evil.pt', evilPt(), /^evil\.pt: .*refusing to load "os\.system"/],
      ['mnist.safetensors', otherSizeCheckpoint(), /^mnist\.safetensors: the model takes 1x28x28 images, the images here are cifar10 3x32x32$/],
    ];
    for (const [name, bytes, message] of bad) {
      await p.page.locator('[data-testid=model-file]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
      const s = await settled(p);
      assert.ok(s.error, `${name}: ${s.text}`);
      assert.match(s.text, message);
      assert.doesNotMatch(s.text, /\n|\s at /, 'one line, no stack');
    }
    await p.page.locator('[data-testid=image-file]').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png') });
    assert.deepEqual(await settled(p), { text: 'broken.png: not a PNG or JPEG image this browser can decode', error: true });

    // still the fixture model: the same view again, then the user's own picture, attacked
    await p.page.locator('[data-testid=run]').click();
    assert.deepEqual(await settled(p), { text: 'ready', error: false });
    assertClose(await numbers(p, 'adv-logits'), expected.attacked!.logits, 'attacked logits after the bad files');
    await p.page.locator('[data-testid=image-file]').setInputFiles({ name: 'mine.png', mimeType: 'image/png', buffer: ownPng() });
    assert.deepEqual(await settled(p), { text: 'ready', error: false });
    assert.match((await p.page.locator('#label-line').textContent()) ?? '', /your image/);
    assert.deepEqual(p.errors, []);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
