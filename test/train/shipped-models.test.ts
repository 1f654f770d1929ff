/** The models shipped in models/ (models/README.md): small, loadable, and saying how they were trained. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpoint } from '../../src/io/checkpoint.js';
import { describeTraining, timestepWarning } from '../../src/train/trained-as.js';

const models = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');

test('the shipped traditional and HIRE models: at most 5 MB, the same architecture and T, their methods and HIRE options recorded', () => {
  const read = (name: string) => {
    const file = path.join(models, name);
    assert.ok(fs.statSync(file).size <= 5 * 1024 * 1024, `${name} is over 5 MB`);
    return readCheckpoint(file).meta;
  };
  const traditional = read('cifar10-vgg-small-traditional.safetensors');
  const hire = read('cifar10-vgg-small-hire.safetensors');
  assert.equal(traditional.method, 'snn');
  assert.equal(hire.method, 'hire');
  assert.deepEqual(hire.spec, traditional.spec);
  assert.equal(hire.timesteps, 8);
  assert.equal(traditional.timesteps, 8);
  assert.equal(describeTraining(traditional), 'snn, T=8');
  assert.match(describeTraining(hire)!, /^hire, T=8 = 2 periods of 4 steps, each period from rest, period loss, noise 0\.0314 cumulative before-update, an optimizer step per period$/);
  assert.equal(timestepWarning(traditional, 8), undefined);
  assert.match(timestepWarning(hire, 8)!, /2 runs of 4 steps each from rest/);
});
