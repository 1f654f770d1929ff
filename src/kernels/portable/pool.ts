/** Average pooling with kernel = stride = k, no padding, floor division of h and w. */

/** returns the number of nonzero outputs */
export function avgPoolForward(
  x: Float32Array, n: number, c: number, h: number, w: number, k: number, y: Float32Array,
): number {
  const outPlane = Math.floor(h / k) * Math.floor(w / k);
  let nonzero = 0;
  for (let pl = 0; pl < n * c; pl++) nonzero += poolPlane(x, pl * h * w, h, w, k, y, pl * outPlane);
  return nonzero;
}

/** dx gets dy / k^2 in every pooled window and 0 in the rows/columns floor division drops */
export function avgPoolBackward(
  dy: Float32Array, n: number, c: number, h: number, w: number, k: number, dx: Float32Array,
): void {
  const outPlane = Math.floor(h / k) * Math.floor(w / k);
  for (let pl = 0; pl < n * c; pl++) unpoolPlane(dy, pl * outPlane, h, w, k, dx, pl * h * w);
}

/** one h x w plane of x at xp pooled into y at yp; returns the number of nonzero outputs */
function poolPlane(x: Float32Array, xp: number, h: number, w: number, k: number, y: Float32Array, yp: number): number {
  const oh = Math.floor(h / k);
  const ow = Math.floor(w / k);
  const inv = 1 / (k * k);
  let nonzero = 0;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      let sum = 0;
      let row = xp + oy * k * w + ox * k;
      for (let ky = 0; ky < k; ky++, row += w) {
        for (let kx = 0; kx < k; kx++) sum += x[row + kx];
      }
      const v = sum * inv;
      y[yp + oy * ow + ox] = v;
      if (v !== 0) nonzero++;
    }
  }
  return nonzero;
}

/** the gradient of poolPlane: dy's plane at yp spread over dx's h x w plane at xp */
function unpoolPlane(dy: Float32Array, yp: number, h: number, w: number, k: number, dx: Float32Array, xp: number): void {
  const oh = Math.floor(h / k);
  const ow = Math.floor(w / k);
  const inv = 1 / (k * k);
  for (let iy = 0; iy < h; iy++) {
    const row = xp + iy * w;
    const oy = Math.floor(iy / k);
    if (oy >= oh) {
      dx.fill(0, row, row + w);
      continue;
    }
    const dyRow = yp + oy * ow;
    for (let ox = 0; ox < ow; ox++) {
      const g = dy[dyRow + ox] * inv;
      const base = row + ox * k;
      for (let kx = 0; kx < k; kx++) dx[base + kx] = g;
    }
    dx.fill(0, row + ow * k, row + w);
  }
}
