/** The headless-Chromium helper itself: it must see console errors and blank pages, or page checks built on it cannot fail. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser, blankReason, chromiumSkip } from './browser.js';

test('browser helper: console errors, page errors, requests and blank screenshots are reported', { skip: chromiumSkip() }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-helper-'));
  const blank = path.join(dir, 'blank.html');
  const busy = path.join(dir, 'busy.html');
  fs.writeFileSync(blank, '<!doctype html><title>b</title><body style="background:#fff"></body>');
  fs.writeFileSync(busy, '<!doctype html><title>x</title><body><h1 style="font-size:60px">Hello</h1>' +
    '<div style="width:400px;height:300px;background:#36c"></div><script>console.error("boom"); null.x;</script></body>');
  const browser = await launchBrowser();
  try {
    const a = await browser.open(pathToFileURL(blank).href, { width: 800, height: 600 });
    assert.deepEqual(a.errors, []);
    assert.match(blankReason(await a.screenshot()) ?? '', /differ from the background/);
    const b = await browser.open(pathToFileURL(busy).href, { width: 800, height: 600 });
    const png = await b.screenshot(path.join(dir, 'busy.png'));
    assert.equal(blankReason(png), undefined);
    assert.ok(fs.statSync(path.join(dir, 'busy.png')).size > 0);
    assert.equal(b.errors.length, 2, b.errors.join('; '));
    assert.match(b.errors[0], /console\.error: boom/);
    assert.match(b.errors[1], /page error: .*null/);
    assert.deepEqual(b.requests, [pathToFileURL(busy).href]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
