/**
 * The kernel interface: the only layer that knows about memory layouts and threads.
 *
 * Conventions (every backend follows them, the tests check them):
 * - Tensors are plain row-major float32 buffers; images are NCHW, conv weights are
 *   [cOut, cIn, kh, kw]. Outputs are written in full (overwritten, never accumulated)
 *   unless a parameter says otherwise.
 * - Convolutions have no bias, no groups, no dilation; `pad` is symmetric zero padding.
 * - The LIF scan runs over `steps` time steps of `size` neurons each; step t of a
 *   [steps, size] buffer starts at t * size. It implements the seed's neuron exactly:
 *     V_t = leak * U_{t-1} + I_t,  z_t = V_t / threshold - 1,  s_t = (z_t > 0),
 *     U_t = V_t - threshold * s_t  (soft reset; the reset does not carry gradient through s_t),
 *   with surrogate ds/dz = gamma * max(0, 1 - |z|).
 *   When `constantCurrent` is true, the current has `size` values and is reused at
 *   every step (direct input into the first layer), and the current gradient is the
 *   sum over steps, also of `size` values.
 */

export interface ConvShape {
  /** batch (for multi-step execution: steps x batch) */
  n: number;
  cIn: number;
  h: number;
  w: number;
  cOut: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
}

/** the surrogate gradients the LIF backward knows (SURROGATE_KINDS lists them in the native order) */
export type SurrogateKind = 'pwl' | 'exp' | 'sigmoid' | 'rect' | 'ste' | 'rate';
export const SURROGATE_KINDS: readonly SurrogateKind[] = ['pwl', 'exp', 'sigmoid', 'rect', 'ste', 'rate'];

/**
 * What the backward uses for ds/dz, with z = V / threshold - 1 (the forward is unchanged):
 *   pwl      gamma * max(0, 1 - |z| / width)      (the seed's training surrogate: gamma 0.3, width 1)
 *   exp      gamma * exp(-|z| / width)
 *   sigmoid  4 gamma * sig(z / width) * (1 - sig(z / width))
 *   rect     gamma * [|z| < width]
 *   ste      gamma everywhere (straight-through)
 *   rate     no ds/dz: the backward through the time-averaged rate r = clamp(a / threshold, 0, 1),
 *            a the neuron's mean current over the steps (BPTR / RGA, Bu et al. CVPR 2023):
 *            dL/dI_t = (sum over t' of dL/ds_t') * [0 < r < 1] / (threshold * steps), without the
 *            1 / steps for a constant current; leak and threshold get 0; gamma and width unused.
 */
export interface Surrogate {
  kind: SurrogateKind;
  /** peak height of ds/dz */
  gamma: number;
  /** half-width in units of z (> 0) */
  width: number;
}

export interface LifParams {
  steps: number;
  size: number;
  leak: number;
  threshold: number;
  /** the backward's ds/dz (the seed's: { kind: 'pwl', gamma: 0.3, width: 1 }) */
  surrogate: Surrogate;
  constantCurrent: boolean;
}

export interface LifPooledCounts {
  spikes: number;
  /** nonzero pooled values */
  pooledNonzero: number;
}

export interface LifGrads {
  gradLeak: number;
  gradThreshold: number;
  /** nonzero values written to gradCurrent (the next backward picks sparse or dense from it) */
  gradCurrentNonzero: number;
}

/** one torch.optim.Adam step (PyTorch 1.13 semantics, float32 arithmetic per op) */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to the gradient (torch's weight_decay, not AdamW) */
  weightDecay: number;
  /** the step number after this update (1 for the first), for the bias corrections */
  step: number;
}

/** one torch.optim.SGD step (dampening 0) */
export interface SgdHyper {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  /** the momentum buffer is new: torch initialises it to the first update direction */
  firstStep: boolean;
}

export interface BackendInfo {
  name: 'native' | 'portable';
  threads: number;
  /** library versions and ISA the backend uses, for `hire-snn info` */
  details: Record<string, string>;
}

/**
 * The kernels every backend implements. A backend is these three groups: the core (dense math,
 * optimizer steps, the LIF scan), the event-driven variants (same results up to summation order,
 * work proportional to the nonzero values; callers pick them from the measured density) and the
 * fused variants (same results, fewer passes over memory).
 */
export interface CoreKernels {
  /** y[n, cOut, oh, ow] = conv(x[n, cIn, h, w], w) */
  conv2dForward(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void;
  /** dx[n, cIn, h, w] from dy[n, cOut, oh, ow] */
  conv2dBackwardData(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void;
  /** dw[cOut, cIn, kh, kw] from x and dy (overwritten) */
  conv2dBackwardWeights(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void;

  /**
   * Row-major GEMM: C[m, n] = alpha * op(A) op(B) + beta * C, op(A) is [m, k], op(B) is [k, n].
   * A is stored [m, k] (or [k, m] when transA), B is [k, n] (or [n, k] when transB).
   */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
  ): void;

  /**
   * average pool with kernel = stride = `k`, no padding, floor division of h and w; returns the
   * number of nonzero outputs (pooled spikes feed an event-driven kernel, which needs the density)
   */
  avgPoolForward(x: Float32Array, n: number, c: number, h: number, w: number, k: number, y: Float32Array): number;
  avgPoolBackward(dy: Float32Array, n: number, c: number, h: number, w: number, k: number, dx: Float32Array): void;

  /** y[i] = x[i] * mask[i % mask.length] (mask.length divides x.length): dropout over time steps */
  mulRepeated(x: Float32Array, mask: Float32Array, y: Float32Array): void;

  /**
   * In place over a parameter and its state (all of the parameter's length):
   *   g' = g + wd * p;  m = b1 * m + (1 - b1) * g';  v = b2 * v + (1 - b2) * g'^2;
   *   vmax = max(vmax, v) when maxExpAvgSq is given (AMSGrad);
   *   p -= lr / (1 - b1^step) * m / (sqrt(vmax or v) / sqrt(1 - b2^step) + eps)
   */
  adamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
    maxExpAvgSq: Float32Array | null, h: AdamHyper,
  ): void;
  /**
   * In place: d = g + wd * p; with momentum, buf = firstStep ? d : momentum * buf + d and
   * d = nesterov ? d + momentum * buf : buf; then p -= lr * d.
   */
  sgdStep(param: Float32Array, grad: Float32Array, momentumBuf: Float32Array | null, h: SgdHyper): void;

  /** spikes[steps, size] (0/1) from current; returns the number of spikes */
  lifForward(current: Float32Array, p: LifParams, spikes: Float32Array): number;
  /**
   * Backward of lifForward through time (recomputes the membrane from `current`).
   * gradSpikes is [steps, size]; gradCurrent is [steps, size] ([size] if constantCurrent).
   */
  lifBackward(current: Float32Array, gradSpikes: Float32Array, p: LifParams, gradCurrent: Float32Array): LifGrads;
}

/** event-driven variants of core kernels, for spike inputs and surrogate-sparse gradients */
export interface EventKernels {
  /** number of nonzero values of x (density measurement for dense/sparse dispatch) */
  countNonzero(x: Float32Array): number;
  /**
   * Same result as conv2dForward (up to float summation order), event-driven: the work is
   * proportional to the nonzero inputs, for spike inputs (0/1, or averages of spikes after
   * pooling) where most values are zero. Callers pick it from the measured density.
   */
  conv2dForwardSparse(x: Float32Array, weight: Float32Array, s: ConvShape, y: Float32Array): void;
  /**
   * Same result as conv2dBackwardWeights (up to summation order), event-driven in x: each
   * nonzero input adds v * dy over the outputs it reached. For spike inputs (see conv2dForwardSparse).
   */
  conv2dBackwardWeightsSparse(x: Float32Array, dy: Float32Array, s: ConvShape, dw: Float32Array): void;
  /**
   * Same result as conv2dBackwardData (up to summation order), event-driven in dy (the surrogate
   * zeroes the gradient of neurons far from threshold): each nonzero dy adds v * W[o, :, tap]
   * to the inputs it came from. Stride 1, square kernels, pad < kernel only.
   */
  conv2dBackwardDataSparse(dy: Float32Array, weight: Float32Array, s: ConvShape, dx: Float32Array): void;

  /**
   * Linear forward y[n, outF] = x[n, inF] W[outF, inF]^T (overwritten), event-driven in x: same
   * result as gemm(false, true, n, outF, inF, 1, x, w, 0, y) up to summation order, for spike
   * inputs to fully connected layers.
   */
  linearForwardSparse(x: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, y: Float32Array): void;

  /**
   * Linear grad-weight dw[outF, inF] = dy[n, outF]^T x[n, inF] (overwritten), event-driven in x:
   * same result as gemm(true, false, outF, inF, n, 1, dy, x, 0, dw) up to summation order,
   * for spike inputs to fully connected layers.
   */
  linearBackwardWeightsSparse(x: Float32Array, dy: Float32Array, n: number, inF: number, outF: number, dw: Float32Array): void;

  /**
   * Linear backward-data dx[n, inF] = dy[n, outF] W[outF, inF] (overwritten), event-driven in dy:
   * same result as gemm(false, false, n, inF, outF, 1, dy, w, 0, dx) up to summation order, for
   * gradients the surrogate has zeroed for most neurons.
   */
  linearBackwardDataSparse(dy: Float32Array, weight: Float32Array, n: number, inF: number, outF: number, dx: Float32Array): void;
}

/** fused variants: the LIF scan with the 2x2 average pool that follows it in VGG and ResNet */
export interface FusedKernels {
  /**
   * lifForward followed by a 2x2 average pool (stride 2) of every step's planes, whose rows are
   * `width` wide (even, at most 64; p.size a multiple of 2 * width): pooled is [steps, size / 4].
   * Only the pooled spikes are written.
   */
  lifForwardPooled(current: Float32Array, p: LifParams, width: number, pooled: Float32Array): LifPooledCounts;
  /** backward of lifForwardPooled from the gradient of the pooled spikes [steps, size / 4] */
  lifBackwardPooled(current: Float32Array, gradPooled: Float32Array, p: LifParams, width: number, gradCurrent: Float32Array): LifGrads;
}

export interface Kernels extends CoreKernels, EventKernels, FusedKernels {}

export interface Backend extends Kernels {
  readonly name: 'native' | 'portable';
  info(): BackendInfo;
}

/**
 * Every kernel's name: the one table the native addon is checked against when it loads (the
 * compiler checks it lists Kernels exactly).
 */
export const KERNEL_NAMES = [
  'conv2dForward', 'conv2dBackwardData', 'conv2dBackwardWeights', 'gemm', 'avgPoolForward', 'avgPoolBackward',
  'mulRepeated', 'adamStep', 'sgdStep', 'lifForward', 'lifBackward',
  'countNonzero', 'conv2dForwardSparse', 'conv2dBackwardWeightsSparse', 'conv2dBackwardDataSparse',
  'linearForwardSparse', 'linearBackwardWeightsSparse', 'linearBackwardDataSparse',
  'lifForwardPooled', 'lifBackwardPooled',
] as const satisfies readonly (keyof Kernels)[];
const everyKernelNamed: Exclude<keyof Kernels, (typeof KERNEL_NAMES)[number]> extends never ? true : never = true;
void everyKernelNamed;

/** throws a RangeError unless s is a surrogate the backends know with finite gamma and width > 0 */
export function checkSurrogate(s: Surrogate): void {
  if (!SURROGATE_KINDS.includes(s.kind)) throw new RangeError(`lif: unknown surrogate kind "${String(s.kind)}" (${SURROGATE_KINDS.join(', ')})`);
  if (!Number.isFinite(s.gamma)) throw new RangeError(`lif: surrogate gamma must be finite, got ${s.gamma}`);
  if (!(Number.isFinite(s.width) && s.width > 0)) throw new RangeError(`lif: surrogate width must be finite and > 0, got ${s.width}`);
}

export function convOutSize(s: ConvShape): { oh: number; ow: number } {
  return {
    oh: Math.floor((s.h + 2 * s.pad - s.kh) / s.stride) + 1,
    ow: Math.floor((s.w + 2 * s.pad - s.kw) / s.stride) + 1,
  };
}
