/** One-line description of an architecture (logs, errors, JSON identity). */
import type { ModelSpec } from './spec.js';

export function describeSpec(spec: ModelSpec): string {
  if (spec.family === 'vgg') return `VGG [${spec.cfg.join(',')}] hidden [${spec.hidden.join(',')}] ${spec.labels} classes`;
  return `${spec.name} widths [${spec.widths.join(',')}] blocks [${spec.blocks.join(',')}] ${spec.labels} classes`;
}
