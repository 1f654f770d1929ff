/** Loader for the native (oneDNN) backend; filled in by the native addon work. */
import type { Backend } from './backend.js';

export function loadNativeBackend(): { backend?: Backend; reason?: string } {
  return { reason: 'not built' };
}
