/** The report in a real browser: Debian's headless Chromium via scripts/check-report-browser.ts (skips without it, except under CI=true). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromiumSkip } from '../helpers/browser.js';
import { writeReport } from '../../src/report/build.js';
import { fixtureInputs } from './fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const check = (file: string, shot?: string) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/check-report-browser.ts'), file, ...(shot ? ['--screenshot', shot] : [])], { cwd: root, encoding: 'utf8', timeout: 120_000 });

test('report in headless Chromium: no console error, no request, charts drawn, not blank; a blank page fails', { skip: chromiumSkip() }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-browser-'));
  try {
    const out = path.join(dir, 'report.html');
    await writeReport(fixtureInputs(dir), out);
    const shot = path.join(dir, 'shot.png');
    const ok = check(out, shot);
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /^ok .*: 6 charts, 1 request\(s\)/);
    assert.ok(fs.statSync(shot).size > 10_000);
    const blank = path.join(dir, 'blank.html');
    fs.writeFileSync(blank, '<!doctype html><title>blank</title>');
    const bad = check(blank);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /no chart on the page/);
    assert.match(bad.stderr, /blank screenshot/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
