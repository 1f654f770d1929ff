/** What eval says about how a checkpoint was trained: recorded HIRE options, older checkpoints, the T warning. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointMeta } from '../../src/io/checkpoint-meta.js';
import { describeTraining, hireRecordIn, timestepWarning } from '../../src/train/trained-as.js';

const meta = (method: CheckpointMeta['method'], training?: Record<string, unknown>): CheckpointMeta => ({
  format: 'hire-snn-checkpoint', version: 1, packageVersion: '0', createdAt: '', timesteps: 8, method, normalization: { mean: [0], std: [1] },
  spec: {} as CheckpointMeta['spec'], ...(training ? { training } : {}),
});

test('a checkpoint from before the HIRE options were recorded: its config, missing options the first reconstruction', () => {
  const h = hireRecordIn(meta('hire', { config: { periods: 4, noiseMode: 'from-clean', carryMembrane: false } }))!;
  assert.equal(h.periods, 4);
  assert.equal(h.stepsPerPeriod, 2);
  assert.equal(h.noiseMode, 'from-clean');
  assert.equal(h.hireLoss, 'period');
  assert.equal(h.hireUpdate, 'per-period');
  assert.equal(h.noiseTiming, 'before-update');
  assert.match(describeTraining(meta('hire', { config: {} }))!, /^hire, T=8 = 2 periods of 4 steps, each period from rest, period loss/);
});

test('the T warning: another T, or HIRE periods from rest; none for a traditional SNN at its T, an ANN, or a .pt', () => {
  assert.equal(timestepWarning(meta('snn'), 8), undefined);
  assert.match(timestepWarning(meta('snn'), 16)!, /trained at T=8; evaluating at T=16/);
  assert.match(timestepWarning(meta('hire', { config: {} }), 8)!, /2 runs of 4 steps each from rest/);
  assert.match(timestepWarning(meta('hire', { config: {} }), 4)!, /trained at T=8 \(as 2 runs of 4 steps from rest\); evaluating at T=4/);
  assert.equal(timestepWarning(meta('hire', { config: { carryMembrane: true } }), 8), undefined);
  assert.equal(timestepWarning(meta('ann'), 4), undefined);
  assert.equal(timestepWarning(undefined, 4), undefined);
  assert.equal(describeTraining(meta('snn')), 'snn, T=8');
});

test('an unreadable HIRE record (a hand-edited or foreign file) is reported, not trusted', () => {
  const bad = meta('hire', { hire: { periods: '2; rm -rf /', carryMembrane: 'yes' } });
  assert.equal(hireRecordIn(bad), null);
  assert.match(describeTraining(bad)!, /the recorded HIRE options are not readable/);
  assert.equal(timestepWarning(bad, 8), undefined);
  assert.match(timestepWarning(bad, 4)!, /trained at T=8; evaluating at T=4/);
});
