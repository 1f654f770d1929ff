/** Output paths are checked before any work, with one truthful line (read-only file systems via a real read-only mount). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkOutputDir, checkOutputFile, describeFsError } from '../../src/io/output-path.js';
import { tempDir } from './files.js';
import { tmpfsMount } from '../helpers/mounts.js';

test('files: a directory, a missing directory or a file as directory are refused; a writable place is fine', () => {
  const dir = tempDir();
  try {
    assert.throws(() => checkOutputFile(dir, '--json'), new RegExp(`^OutputPathError: --json ${dir}: is a directory; give a file name$`));
    assert.throws(() => checkOutputFile(path.join(dir, 'nope', 'x.json'), '--json'), /--json .*nope\/x\.json: directory .*nope does not exist$/);
    fs.writeFileSync(path.join(dir, 'f'), '');
    assert.throws(() => checkOutputFile(path.join(dir, 'f', 'x.json'), '--json'), /f is not a directory$/);
    checkOutputFile(path.join(dir, 'x.json'), '--json');
    assert.deepEqual(fs.readdirSync(dir), ['f'], 'the probe leaves nothing');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('run directories: an existing one, one to create (several levels), a file in the way', () => {
  const dir = tempDir();
  try {
    assert.deepEqual(checkOutputDir(dir, '--out'), { exists: true });
    assert.deepEqual(checkOutputDir(path.join(dir, 'a', 'b'), '--out'), { exists: false });
    fs.writeFileSync(path.join(dir, 'f'), '');
    assert.throws(() => checkOutputDir(path.join(dir, 'f'), '--out'), /--out .*f is a file, not a directory$/);
    assert.deepEqual(fs.readdirSync(dir), ['f']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a read-only file system is named as such', (t) => {
  assert.equal(describeFsError(Object.assign(new Error('x'), { code: 'EROFS' })), 'it is on a read-only file system');
  const ro = tmpfsMount({ ro: true });
  if (!ro) return t.skip('mounting a read-only tmpfs is not allowed here');
  try {
    assert.throws(() => checkOutputFile(path.join(ro.dir, 'x.json'), '--json'), /: cannot write in .*: it is on a read-only file system$/);
    assert.throws(() => checkOutputDir(path.join(ro.dir, 'run', 'deeper'), '--out'), /--out .*run\/deeper: cannot create it in .*: it is on a read-only file system$/);
    assert.throws(() => checkOutputDir(ro.dir, '--out'), /cannot write in it: it is on a read-only file system$/);
  } finally {
    ro.unmount();
  }
});
