/** CRC-32 (zip's, polynomial 0xEDB88320), portable: slice-by-8 tables, 8 bytes per step. */

const TABLE = new Uint32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c >>> 0;
}
for (let s = 1; s < 8; s++) {
  for (let n = 0; n < 256; n++) {
    const prev = TABLE[(s - 1) * 256 + n];
    TABLE[s * 256 + n] = (prev >>> 8) ^ TABLE[prev & 0xff];
  }
}

/** the CRC of `b`, continuing from `prev` (the CRC of the bytes before it) */
export function crc32(b: Uint8Array, prev = 0): number {
  const T = TABLE;
  const n = b.length;
  let c = ~prev;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) ^ c;
    c = T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)]
      ^ T[768 + b[i + 4]] ^ T[512 + b[i + 5]] ^ T[256 + b[i + 6]] ^ T[b[i + 7]];
  }
  for (; i < n; i++) c = T[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
