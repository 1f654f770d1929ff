/** Backend selection for tests: run a body on a given backend; skip (or, in CI, fail) without the addon. */
import { getBackend, setBackend, type Backend } from '../../src/kernels/index.js';
import { loadNativeBackend } from '../../src/kernels/native.js';

export function onBackend(backend: Backend, fn: () => void): () => void {
  return () => {
    const previous = getBackend();
    setBackend(backend);
    try {
      fn();
    } finally {
      setBackend(previous);
    }
  };
}

/** the skip reason of native-only tests, false when the addon loads; under CI=true a missing addon throws */
export function nativeSkip(): string | false {
  const { backend, reason } = loadNativeBackend();
  if (backend) return false;
  const why = `native addon not available: ${reason}`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI=true needs it`);
  return why;
}
