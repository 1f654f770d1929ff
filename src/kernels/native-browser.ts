/**
 * What the browser bundle has in place of native.ts (scripts/build-web.ts swaps the module):
 * no addon, so backend selection falls to the portable backend, and nothing here imports Node.
 */
import type { NativeBackend } from './native.js';

export function loadNativeBackend(): { backend?: NativeBackend; reason?: string } {
  return { reason: 'a browser has no native addon' };
}
