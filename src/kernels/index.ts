/**
 * Backend selection: native (oneDNN addon) when it is built, else portable TypeScript.
 * `HIRE_SNN_BACKEND=native|portable` forces one; forcing native without the addon is an error.
 */
import type { Backend } from './backend.js';
import { portableBackend } from './portable/index.js';
import { loadNativeBackend } from './native.js';
import { envVar } from '../env.js';

export type {
  Backend, CoreKernels, EventKernels, FusedKernels, Kernels, ConvShape, LifParams, LifGrads, LifPooledCounts, BackendInfo,
  AdamHyper, SgdHyper, Surrogate, SurrogateKind,
} from './backend.js';
export { convOutSize, checkSurrogate, KERNEL_NAMES, SURROGATE_KINDS } from './backend.js';

let current: Backend | undefined;
let notice: string | undefined;

export function backendNotice(): string | undefined {
  return notice;
}

function choose(): Backend {
  const wanted = (envVar('HIRE_SNN_BACKEND') ?? 'auto').toLowerCase();
  if (wanted === 'portable') return portableBackend;
  if (wanted !== 'native' && wanted !== 'auto') {
    throw new Error(`HIRE_SNN_BACKEND must be native, portable or auto, not "${wanted}"`);
  }
  const native = loadNativeBackend();
  if (native.backend) return native.backend;
  if (wanted === 'native') throw new Error(`HIRE_SNN_BACKEND=native but the native addon is not available: ${native.reason}`);
  notice = `hire-snn: native addon not available (${native.reason}); using the portable backend`;
  return portableBackend;
}

/** the process-wide backend, chosen once */
export function getBackend(): Backend {
  current ??= choose();
  return current;
}

/**
 * every backend that can run here (tests run the same cases on each); a forced HIRE_SNN_BACKEND
 * leaves only that one (e.g. the native tests again on a capped HIRE_SNN_ISA)
 */
export function availableBackends(): Backend[] {
  const wanted = (envVar('HIRE_SNN_BACKEND') ?? 'auto').toLowerCase();
  if (wanted === 'native' || wanted === 'portable') return [choose()];
  const list: Backend[] = [portableBackend];
  const native = loadNativeBackend();
  if (native.backend) list.unshift(native.backend);
  return list;
}

/** for tests and benchmarks: run with a given backend */
export function setBackend(b: Backend): void {
  current = b;
}
