/** Bad `eval` inputs give one clear line and a non-zero exit before any work starts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { runCliProcess } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { twoClassModel } from './helpers.js';

const vgg5 = path.join(FIXTURES, 'vgg5-tiny-c10');
const vgg11 = path.join(FIXTURES, 'vgg11-tiny-c100');
const base = ['eval', '--model', path.join(vgg5, 'state_dict_zip.pt'), '--arch', '8,A,16,16,A', '--inputs', path.join(vgg5, 'case.safetensors')];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-eval-errors-'));
const noImages = path.join(tmp, 'no-images.safetensors');
writeSafetensorsFile(noImages, [['x01', { dtype: 'F32', shape: [0, 3, 32, 32], data: new Float32Array(0) }], ['labels', { dtype: 'I64', shape: [0], data: new BigInt64Array(0) }]]);
const emptyFile = path.join(tmp, 'empty.safetensors');
fs.writeFileSync(emptyFile, '');
const two = twoClassModel();
const withInputs = (file: string) => base.map((a, i) => (base[i - 1] === '--inputs' ? file : a));

const bad: [string, string[], RegExp][] = [
  ['eps above 1', [...base, '--eps', '0,5'], /--eps: must be in \[0,1\].*got "5"/],
  ['--json an existing directory', [...base, '--json', tmp], /--json .*: is a directory/],
  ['--save-outputs in a missing directory', [...base, '--save-outputs', '/nonexistent/dir/out.safetensors'], /--save-outputs .*directory \/nonexistent\/dir does not exist/],
  ['--inputs without images', withInputs(noImages), /--inputs .*no-images\.safetensors: holds no images/],
  ['--inputs an empty file', withInputs(emptyFile), /empty\.safetensors/],
  ['--eot on a deterministic model', [...base, '--eot', '4'], /--eot 4 averages gradients of a stochastic model.*deterministic/],
  ['--eval-samples on a deterministic model', [...base, '--eval-samples', '3'], /--eval-samples 3 .*deterministic/],
  ['negative queries', [...base, '--queries', '-5'], /--queries: must be a whole number >= 1, got "-5"/],
  ['DLR on a 2-class model', ['eval', '--model', two.model, '--inputs', two.inputs, '--attacks', 'clean,apgd-dlr'], /--attacks: attack 'apgd-dlr' needs at least 3 classes, the model has 2/],
  ['a fraction that is not one', [...base, '--eps', '8/0x'], /--eps: must be in \[0,1\]/],
  ['missing model file', ['eval', '--model', '/nonexistent/model.pt'], /--model \/nonexistent\/model\.pt: no such file/],
  ['negative epsilon', [...base, '--eps', '-0.1'], /--eps: must be in \[0,1\]/],
  ['unknown attack', [...base, '--attacks', 'clean,cw'], /--attacks: unknown "cw"/],
  ['bb-model of another architecture', [...base, '--bb-model', path.join(vgg11, 'state_dict_zip.pt')], /bb-model|does not fit|cannot/i],
  ['classes vs dataset', ['eval', '--model', path.join(vgg11, 'state_dict_zip.pt'), '--arch', '8,A,16,16,A,32,32,32,A,32,32', '--dataset', 'cifar10', '--limit', '4'], /100 classes but cifar10 test has 10/],
  ['not a checkpoint', ['eval', '--model', path.join(vgg5, 'meta.json'), '--inputs', path.join(vgg5, 'case.safetensors')], /meta\.json/],
];

for (const [what, args, message] of bad) {
  test(`eval rejects ${what} with one line`, () => {
    const r = runCliProcess(args);
    assert.notEqual(r.status, 0);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'));
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0], message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(r.stderr, /eval \d+\/\d+/, 'no work started');
  });
}

test.after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  two.cleanup();
});
