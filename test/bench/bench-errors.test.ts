/** `hire-snn bench --load` on a wrong directory: one line naming it, exit 1, before any work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliProcess } from '../helpers/cli.js';

test('bench --load: a missing directory and a directory without model.json each give one line', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hsnn-bench-'));
  try {
    const missing = path.join(empty, 'nope');
    for (const [dir, expected] of [[missing, 'no such directory'], [empty, 'no model.json there']] as const) {
      const r = runCliProcess(['bench', '--load', dir, '--reps', '1']);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], new RegExp(`^hire-snn: --load ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${expected}`));
      assert.equal(r.stdout, '');
    }
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('bench --init: a missing file gives one line', () => {
  const r = runCliProcess(['bench', '--init', '/nonexistent/model.pt', '--reps', '1']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trim(), 'hire-snn: --init /nonexistent/model.pt: no such file');
});
