/** Descriptions of an architecture: one line for logs and JSON identity, the full one for inspect and errors. */
import type { ModelSpec } from './spec.js';

export function describeSpec(spec: ModelSpec): string {
  if (spec.family === 'vgg') return `VGG [${spec.cfg.join(',')}] hidden [${spec.hidden.join(',')}] ${spec.labels} classes`;
  return `${spec.name} widths [${spec.widths.join(',')}] blocks [${spec.blocks.join(',')}] ${spec.labels} classes`;
}

/** every field that shapes the network (what specEquals compares) */
export function specDetails(spec: ModelSpec): string {
  if (spec.family === 'vgg') {
    return `vgg ${spec.cfg.join(',')}; classifier ${[...spec.hidden, spec.labels].join(' -> ')} (${spec.labels} labels); input ${spec.inChannels}x${spec.imageSize}x${spec.imageSize}, kernel ${spec.kernel}`;
  }
  return `${spec.name}: stem ${spec.stem.join(',')}; widths ${spec.widths.join(',')}; blocks ${spec.blocks.join(',')}; strides ${spec.strides.join(',')}; ${spec.labels} labels; input ${spec.inChannels}x${spec.imageSize}x${spec.imageSize}`;
}
