/**
 * hire-snn in a browser (`hire-snn/browser`, bundled by scripts/build-web.ts into
 * dist/browser/hire-snn.js): tensors, models, attacks, the energy model, and checkpoints read
 * from bytes (our .safetensors, a seed .pt; nothing in a file is executed), on the portable
 * backend. Nothing here imports a Node module or reads `process`; files come in as bytes:
 *
 *   const bytes = new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer());
 *   const { model } = modelFromWeights({ ...readWeights(bytes), file: 'model.safetensors', sha256: '' }, { normalization: NORMALIZATION.cifar10 });
 */
import { portableBackend } from './kernels/portable/index.js';
import { setBackend } from './kernels/index.js';

// the one backend a browser has (the bundle swaps the native loader for src/kernels/native-browser.ts)
setBackend(portableBackend);

export { portableBackend };
export { getBackend, setBackend, SURROGATE_KINDS } from './kernels/index.js';
export type { Backend, ConvShape, LifParams, LifGrads, BackendInfo, Surrogate, SurrogateKind } from './kernels/index.js';
export { TRAINING_SURROGATE } from './snn/lif.js';
export { Tensor, backward, noGrad, type BackwardOptions } from './tensor/tensor.js';
export { releasingBuffers, clearBufferPool } from './tensor/buffer.js';
export { crossEntropy } from './tensor/ops/cross-entropy.js';
export { Sgd } from './tensor/optim/sgd.js';
export { Adam } from './tensor/optim/adam.js';
export * from './snn/spec.js';
export type { SpikingModel, ForwardOptions, ForwardResult, LayerScan, Normalization, SpikingLayerInfo, WeightedOp } from './snn/model.js';
export { buildModel } from './snn/build.js';
export { parseArch, specFromArch, ArchError, type ArchRequest } from './snn/arch.js';
export { resnetSpec } from './snn/resnet-presets.js';
export { describeSpec, specDetails } from './snn/describe.js';
export { readWeights, detectFormat, type Weights } from './io/weights.js';
export { modelFromWeights, resolveSpec, type LoadedModel } from './io/load-model.js';
export { loadStateDict, checkStateDict } from './io/spec-keys.js';
export { readSafetensors, encodeSafetensors } from './io/safetensors.js';
export { readTorchPt } from './io/torch-pt.js';
export { CheckpointError } from './io/errors.js';
export { NORMALIZATION, DATASET_SHAPE, type Dataset, type DatasetName } from './data/dataset.js';
export { Rng, mixSeed } from './data/rng.js';
export { Fgsm } from './attacks/fgsm.js';
export { Pgd } from './attacks/pgd.js';
export { Apgd } from './attacks/apgd.js';
export { ApgdTargeted } from './attacks/apgd-t.js';
export { Square } from './attacks/square.js';
export { SurrogateEnsemble } from './attacks/ensemble.js';
export { DEFAULT_ENSEMBLE, formatSurrogate } from './attacks/surrogates.js';
export type { Attack, AttackContext, Batch as AttackBatch } from './attacks/base.js';
export { ATTACKS, ATTACK_NAMES, attackSpec, createAttack, checkApplicable, describeAttack, type AttackName } from './attacks/registry.js';
export { AttackOptionError, type AttackOptions } from './attacks/options.js';
export { estimateEnergy, DEFAULT_ENERGY, type EnergyReport } from './eval/energy.js';
export { readImageSet, encodeImageSet, imagePixels, ImageSetError } from './explore/image-set.js';
export { loadExplorerModel, type ExplorerModel } from './explore/model.js';
export { exploreImage, viewImage, EXPLORER_ATTACKS, defaultBudget, type ExploreRequest, type ExploreResult, type ImageView } from './explore/run.js';
export { firingRates, membraneOf, type LayerTrace, type MembraneTrace } from './explore/traces.js';
export { timeExplorer, type ExplorerTiming } from './explore/timing.js';
