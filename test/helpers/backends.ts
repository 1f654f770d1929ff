/** Runs a test body with a given compute backend selected, restoring the previous one after. */
import { getBackend, setBackend, type Backend } from '../../src/kernels/index.js';

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
