/** `hire-snn bench --load` on a wrong directory: one line naming it, exit 1, before any work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliProcess } from '../helpers/cli.js';

test('bench --load: a missing directory and a directory without model.safetensors each give one line', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hsnn-bench-'));
  try {
    const missing = path.join(empty, 'nope');
    for (const [dir, expected] of [[missing, 'no such directory'], [empty, 'no model.safetensors there']] as const) {
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

test('bench --json and --export are checked before any work (a directory as --json, a file as --export)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsnn-bench-'));
  try {
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, '');
    // --init of a missing file would fail later: the output paths are looked at first
    for (const [args, expected] of [
      [['--json', dir], `--json ${dir}: is a directory; give a file name`],
      [['--json', path.join(dir, 'no', 'r.json')], `--json ${path.join(dir, 'no', 'r.json')}: directory ${path.join(dir, 'no')} does not exist`],
      [['--export', file], `--export ${file} is a file, not a directory`],
    ] as const) {
      const r = runCliProcess(['bench', ...args, '--init', '/nonexistent/model.pt', '--reps', '1']);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr.trim(), `hire-snn: ${expected}`);
    }
    assert.deepEqual(fs.readdirSync(dir), ['f']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
