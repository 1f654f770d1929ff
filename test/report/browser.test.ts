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
const check = (files: string[], shot: string) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/check-report-browser.ts'), ...files, '--screenshot', shot], { cwd: root, encoding: 'utf8', timeout: 120_000 });

test('report in headless Chromium: no console error, no request, charts drawn, not blank; a blank page fails', { skip: chromiumSkip() }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-browser-'));
  try {
    const report = path.join(dir, 'report.html');
    await writeReport(fixtureInputs(dir), report);
    const blank = path.join(dir, 'blank.html');
    fs.writeFileSync(blank, '<!doctype html><title>blank</title>');
    const shot = path.join(dir, 'shot.png');
    // one browser for both pages: the report passes, the blank page fails the run
    const r = check([report, blank], shot);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^ok .*report\.html: 6 charts, 1 request\(s\), screenshot -> .*shot\.png$/m);
    assert.match(r.stdout, /^FAIL .*blank\.html: 0 charts/m);
    assert.doesNotMatch(r.stderr, /report\.html:/);
    assert.match(r.stderr, /blank\.html: no chart on the page/);
    assert.match(r.stderr, /blank\.html: blank screenshot/);
    assert.ok(fs.statSync(shot).size > 10_000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
