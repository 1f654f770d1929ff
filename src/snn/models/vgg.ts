/**
 * The seed's spiking VGG (vgg_spiking_nodewise.py) as a list of layers. Same function as the
 * seed's time loop, run multi-step (each layer over all T steps at once).
 *
 * Seed layout: features = [conv, ReLU, Dropout|AvgPool] per conv (so conv i is features.3i),
 * classifier = [Linear, ReLU, Dropout] per hidden layer then the output Linear.
 * Thresholds/leaks are keyed by module index: t{3i} for convs, t{len(features)+3j} for
 * hidden linears.
 */
import type { VggSpec } from '../spec.js';
import { vggFeatureSize } from '../spec.js';
import { convLif, flatten, linearLif, outputLinear, type Layer } from '../layers.js';
import type { Architecture } from '../network.js';

export function vggArchitecture(spec: VggSpec): Architecture {
  const layers: Layer[] = [];
  let cIn = spec.inChannels;
  let size = spec.imageSize;
  let convs = 0;
  spec.cfg.forEach((l, i) => {
    if (l === 'A') {
      if (i === 0 || spec.cfg[i - 1] === 'A') throw new Error(`layer list: 'A' must follow a conv width (position ${i + 1})`);
      return;
    }
    const pool = spec.cfg[i + 1] === 'A';
    layers.push(convLif({ name: `features.${3 * convs}`, index: 3 * convs, cIn, cOut: l, kernel: spec.kernel, size, pool }));
    convs++;
    cIn = l;
    if (pool) size = Math.floor(size / 2);
  });
  if (convs === 0) throw new Error('layer list has no conv layer');
  layers.push(flatten());
  let inF = cIn * vggFeatureSize(spec) ** 2;
  spec.hidden.forEach((outF, j) => {
    layers.push(linearLif({ name: `classifier.${3 * j}`, index: 3 * convs + 3 * j, inF, outF }));
    inF = outF;
  });
  layers.push(outputLinear({ name: `classifier.${3 * spec.hidden.length}`, inF, outF: spec.labels }));
  return { layers, neuronKeyOrder: 'layer' };
}
