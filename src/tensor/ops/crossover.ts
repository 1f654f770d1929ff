/**
 * Dense or event-driven: the density (of the input; for backward-data, of the output gradient)
 * up to which each op runs its event-driven kernel. The crossovers depend on the ISA the kernels
 * run (the event loops are load-bound, so 256-bit registers halve their speed while oneDNN's
 * dense kernels lose less), so there is one table per kernel ISA, each measured with
 * bench/sparse.ts on the VGG11 layer shapes at T*B = 256 (bench/README.md has the numbers).
 */
import { getBackend, type Backend } from '../../kernels/index.js';
import { envVar } from '../../env.js';

export type SparseKernel = 'forward' | 'weights' | 'data' | 'linear' | 'linearForward' | 'linearData';
type Crossovers = Readonly<Record<SparseKernel, number>>;

/**
 * The lowest crossover over the layers of each kernel (so no layer is slower than dense):
 * avx512: conv forward and grad-weight cross over near 0.5 (the smallest layer) to above 0.6,
 * the linear forward near 0.4 and grad-weight 0.35, backward-data near 0.65 (linear) and
 * 0.15-0.2 (conv, against oneDNN's Winograd).
 * avx2 (AVX2 path forced on the AVX-512 machine, HIRE_SNN_ISA=avx2): conv forward above 0.6 on
 * every layer, grad-weight 0.20 (conv3) to 0.58 (conv18), backward-data 0.34 to above 0.6, the
 * linear forward and backward-data above 0.6, its grad-weight 0.39-0.41. (Before the AVX2 event
 * loops kept their rows in registers: forward 0.09, grad-weight and backward-data 0.03.)
 * baseline (no AVX2): dense only. The portable backend keeps the avx512 table.
 */
const CROSSOVERS: Record<'avx512' | 'avx2' | 'baseline', Crossovers> = {
  avx512: { forward: 0.5, weights: 0.5, data: 0.15, linear: 0.35, linearForward: 0.4, linearData: 0.6 },
  avx2: { forward: 0.6, weights: 0.2, data: 0.3, linear: 0.35, linearForward: 0.6, linearData: 0.6 },
  baseline: { forward: -1, weights: -1, data: -1, linear: -1, linearForward: -1, linearData: -1 },
};

const byBackend = new WeakMap<Backend, Crossovers>();

/** the table of a backend: by the ISA its kernels run (info().details.isa) */
function crossovers(be: Backend): Crossovers {
  let table = byBackend.get(be);
  if (!table) {
    const isa = be.name === 'native' ? be.info().details.isa : 'avx512';
    table = CROSSOVERS[isa as keyof typeof CROSSOVERS] ?? CROSSOVERS.avx512;
    byBackend.set(be, table);
  }
  return table;
}

/** HIRE_SNN_SPARSE_MAX_DENSITY overrides every kernel's (-1: dense kernels only, 1: event-driven wherever possible) */
export function sparseMaxDensity(kernel: SparseKernel = 'forward'): number {
  const env = envVar('HIRE_SNN_SPARSE_MAX_DENSITY');
  const v = env === undefined || env === '' ? NaN : Number(env);
  return Number.isFinite(v) ? v : crossovers(getBackend())[kernel];
}
