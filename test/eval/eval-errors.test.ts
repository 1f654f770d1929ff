/** Bad `eval` inputs give one clear line and a non-zero exit before any work starts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCliProcess } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';

const vgg5 = path.join(FIXTURES, 'vgg5-tiny-c10');
const vgg11 = path.join(FIXTURES, 'vgg11-tiny-c100');
const base = ['eval', '--model', path.join(vgg5, 'state_dict_zip.pt'), '--arch', '8,A,16,16,A', '--inputs', path.join(vgg5, 'case.safetensors')];

const bad: [string, string[], RegExp][] = [
  ['missing model file', ['eval', '--model', '/nonexistent/model.pt'], /--model \/nonexistent\/model\.pt: no such file/],
  ['negative epsilon', [...base, '--eps', '-0.1'], /--eps must be a number >= 0/],
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
