/**
 * hire-snn as a library: the same layers the CLI uses (see DESIGN.md).
 * kernels -> tensor/autograd -> snn models -> io -> data -> attacks -> train -> eval -> report.
 */
export { getBackend, setBackend, availableBackends, backendNotice } from './kernels/index.js';
export type { Backend, ConvShape, LifParams, LifGrads, LifPooledCounts, BackendInfo, Surrogate, SurrogateKind } from './kernels/index.js';
export { SURROGATE_KINDS } from './kernels/index.js';
export { TRAINING_SURROGATE } from './snn/lif.js';
export { Tensor, backward, noGrad, type BackwardOptions } from './tensor/tensor.js';
export { releasingBuffers, clearBufferPool } from './tensor/buffer.js';
export { crossEntropy } from './tensor/ops/cross-entropy.js';
export { Sgd } from './tensor/optim/sgd.js';
export { Adam } from './tensor/optim/adam.js';
export * from './snn/spec.js';
export type { SpikingModel, ForwardOptions, ForwardResult, Normalization, SpikingLayerInfo, WeightedOp } from './snn/model.js';
export { buildModel } from './snn/build.js';
export { parseArch, specFromArch, ArchError, type ArchRequest } from './snn/arch.js';
export { resnetSpec } from './snn/resnet-presets.js';
export { findThresholds } from './snn/thresholds.js';
export { describeSpec, specDetails } from './snn/describe.js';
export { readWeights, type Weights } from './io/weights.js';
export { modelFromWeights, resolveSpec, type LoadedModel } from './io/load-model.js';
export { loadStateDict, checkStateDict } from './io/spec-keys.js';
export { readWeightsFile, loadModelFile } from './io/load.js';
export { saveCheckpoint, readCheckpoint } from './io/checkpoint.js';
export { exportTorch, stateDictOf } from './io/export.js';
export { readTorchPtFile } from './io/torch-pt.js';
export { readSafetensorsFile, writeSafetensorsFile } from './io/safetensors.js';
export * from './data/index.js';
export { Fgsm } from './attacks/fgsm.js';
export { Pgd } from './attacks/pgd.js';
export { Apgd } from './attacks/apgd.js';
export { ApgdTargeted } from './attacks/apgd-t.js';
export { Square } from './attacks/square.js';
export type { Attack, AttackContext, Batch as AttackBatch } from './attacks/base.js';
export { ATTACKS, ATTACK_NAMES, attackSpec, createAttack, checkApplicable, describeAttack, type AttackName, type AttackTarget } from './attacks/registry.js';
export { AttackOptionError, type AttackOptions } from './attacks/options.js';
export type { AttackSpec, AttackNeeds } from './attacks/spec.js';
export { evaluate } from './eval/evaluate.js';
export { runEvaluation, type EvalReport } from './eval/run-eval.js';
export { formatEvalReport } from './eval/report.js';
export { EvalOptionsSchema, parseEvalOptions, type EvalOptions, type EvalOptionsInput } from './eval/options.js';
export { EvalResultSchema, parseEvalResult, EVAL_FORMAT, type EvalResultJson } from './eval/result-schema.js';
export { estimateEnergy, DEFAULT_ENERGY } from './eval/energy.js';
export { runTraining } from './train/run.js';
export { readLog } from './train/log.js';
export { readReportInputs } from './report/inputs.js';
export { buildReport, writeReport } from './report/build.js';
