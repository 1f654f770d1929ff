/**
 * A float32 tensor with a shape and an optional gradient, plus the tape that links it to
 * the op that made it (micrograd's idea at tensor granularity: each op records a closure
 * that pushes its output gradient to its inputs).
 */
import { recycle } from './buffer.js';
import { forgetNonzero } from './nonzero.js';

export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  grad: Float32Array | null = null;
  requiresGrad: boolean;
  /** inputs of the op that produced this tensor (empty for leaves) */
  readonly parents: readonly Tensor[];
  /** pushes this.grad into the parents' grads; set by the op that made the tensor */
  backwardFn: (() => void) | null;

  constructor(data: Float32Array, shape: readonly number[], opts: { requiresGrad?: boolean; parents?: Tensor[]; backward?: () => void } = {}) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${n}`);
    this.data = data;
    this.shape = shape;
    this.parents = opts.parents ?? [];
    this.requiresGrad = opts.requiresGrad ?? false;
    this.backwardFn = opts.backward ?? null;
  }

  get size(): number {
    return this.data.length;
  }

  static zeros(shape: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, { requiresGrad });
  }

  static scalar(value: number, requiresGrad = false): Tensor {
    return new Tensor(Float32Array.of(value), [], { requiresGrad });
  }

  /** the gradient buffer, allocated (zeroed) on first use */
  gradBuffer(): Float32Array {
    this.grad ??= new Float32Array(this.data.length);
    return this.grad;
  }

  item(): number {
    if (this.data.length !== 1) throw new Error(`item() needs a single value, tensor has ${this.data.length}`);
    return this.data[0];
  }
}

let gradEnabled = true;

/** true when ops should record the tape */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** runs fn without recording the tape (inference, attacks' update steps) */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** does an op on these inputs need to record its backward? */
export function needsGrad(...inputs: Tensor[]): boolean {
  return gradEnabled && inputs.some((t) => t.requiresGrad);
}

/** makes an op output; records parents and backward only when a gradient is needed */
export function opResult(data: Float32Array, shape: readonly number[], inputs: Tensor[], backward: (out: Tensor) => void): Tensor {
  if (!needsGrad(...inputs)) return new Tensor(data, shape);
  const out: Tensor = new Tensor(data, shape, { requiresGrad: true, parents: inputs });
  out.backwardFn = () => backward(out);
  return out;
}

/** adds src into the gradient of t (allocating it) when t wants a gradient */
export function accumulateGrad(t: Tensor, src: Float32Array): void {
  if (!t.requiresGrad) return;
  if (src.length !== t.data.length) throw new Error(`gradient has ${src.length} values, tensor ${t.data.length}`);
  if (t.grad === null) {
    t.grad = src.slice();
    return;
  }
  const g = t.grad;
  for (let i = 0; i < g.length; i++) g[i] += src[i];
  forgetNonzero(g); // a count noted for the first gradient no longer holds
}

/**
 * accumulateGrad for a buffer the caller made for this purpose and will not touch again: the
 * first gradient of t takes it over instead of copying it.
 */
export function adoptGrad(t: Tensor, src: Float32Array): void {
  if (t.requiresGrad && t.grad === null && src.length === t.data.length) t.grad = src;
  else accumulateGrad(t, src);
}

export interface BackwardOptions {
  /**
   * The caller drops the graph after this backward: the buffers of its intermediate tensors
   * (everything the forward made, except `keep`, the root and data shared with leaves or
   * with tensors outside the graph) go back to the buffer pool for the next step to reuse.
   */
  releaseTape?: boolean;
  keep?: readonly Tensor[];
}

/**
 * Reverse-mode sweep from `root` (a scalar loss unless `seed` is given). Leaves that require
 * a gradient receive it in `.grad` (accumulated); intermediate gradients are released.
 */
export function backward(root: Tensor, seed?: Float32Array, opts: BackwardOptions = {}): void {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // iterative post-order DFS: models are deep enough that recursion is a needless risk
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t.parents.length) {
      top[1]++;
      const p = t.parents[i];
      if (p.requiresGrad && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  if (seed) {
    root.grad = Float32Array.from(seed);
  } else {
    if (root.size !== 1) throw new Error('backward() without a seed needs a scalar output');
    root.grad = Float32Array.of(1);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    if (t.backwardFn && t.grad) {
      t.backwardFn();
      // intermediate results: free their gradient once pushed to the inputs (unless an input
      // took the buffer over as its own gradient)
      const g = t.grad;
      t.grad = null;
      if (!t.parents.some((p) => p.grad === g)) recycle(g);
    }
  }
  if (opts.releaseTape) releaseTape(root, order, opts.keep ?? []);
}

/** recycles the data of the graph's intermediate tensors (see BackwardOptions.releaseTape) */
function releaseTape(root: Tensor, order: readonly Tensor[], keep: readonly Tensor[]): void {
  const spared = new Set<Float32Array>([root.data, ...keep.map((t) => t.data)]);
  for (const t of order) {
    // a leaf's data, and data of inputs outside the graph (a reshape shares its input's buffer)
    if (!t.backwardFn) spared.add(t.data);
    for (const p of t.parents) if (!p.requiresGrad) spared.add(p.data);
  }
  for (const t of order) {
    if (!t.backwardFn || spared.has(t.data)) continue;
    // the inputs its backward saved may be overwritten from now on
    t.backwardFn = released;
    recycle(t.data);
  }
}

function released(): never {
  throw new Error('backward through a graph whose buffers were released (backward with releaseTape)');
}
