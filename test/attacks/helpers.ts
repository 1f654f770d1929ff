/** The tiny VGG fixture as an attack target: model, its batch, and the context to attack it in. */
import type { SpikingModel } from '../../src/snn/model.js';
import { predict, type AttackContext, type Batch } from '../../src/attacks/base.js';
import { loadFixture, vggSpecOf, type Fixture } from '../helpers/fixtures.js';
import { fixtureModel } from '../helpers/check-model.js';

export interface FixtureTarget {
  fixture: Fixture;
  model: SpikingModel;
  batch: Batch;
  ctx: AttackContext;
}

export function fixtureTarget(name = 'vgg5-tiny-c10'): FixtureTarget {
  const fixture = loadFixture(name);
  const model = fixtureModel(fixture, vggSpecOf);
  const x = fixture.case.get('x01')!;
  const batch = { x01: Float32Array.from(x.data), shape: x.shape, labels: Array.from(fixture.case.get('labels')!.data) };
  return { fixture, model, batch, ctx: { model, timesteps: fixture.meta.timesteps } };
}

/** the fixture's 16 calibration images, labelled with the model's own predictions (all clean-correct) */
export function calibrationBatch(t: FixtureTarget): Batch {
  const x = t.fixture.case.get('calib01')!;
  const x01 = Float32Array.from(x.data);
  const logits = predict(t.ctx, x01, x.shape);
  const labels = Array.from({ length: x.shape[0] }, (_, b) => {
    const row = Array.from(logits.subarray(b * 10, (b + 1) * 10));
    return row.indexOf(Math.max(...row));
  });
  return { x01, shape: x.shape, labels };
}
