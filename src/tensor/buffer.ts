/**
 * Buffers for kernel outputs that the kernel overwrites completely. Allocated without the
 * zero-fill (a 33 MiB `new Float32Array` spends about 1.5 ms clearing memory, and a VGG11 step
 * allocates dozens of them). Outside Node (browsers) this is a plain, zeroed Float32Array.
 * HIRE_SNN_POISON_BUFFERS=1 (set by the test suite) fills them with NaN instead, so a kernel that
 * leaves any element unwritten shows up as NaN in the fixture comparisons.
 */
const poison = typeof process !== 'undefined' && process.env?.HIRE_SNN_POISON_BUFFERS === '1';
const unsafe = typeof Buffer !== 'undefined' && typeof Buffer.allocUnsafeSlow === 'function';

export function outputBuffer(length: number): Float32Array {
  if (poison) return new Float32Array(length).fill(NaN);
  // allocUnsafeSlow: never a slice of Node's shared pool, so the view owns its ArrayBuffer
  if (unsafe && length > 0) return new Float32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length);
  return new Float32Array(length);
}
