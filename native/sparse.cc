// Event-driven (sparse-input) convolution forward for spike inputs, its use for the
// backward-data of a sparse output gradient, and a nonzero count (grad-weight:
// sparse-conv-weights.cc; the events of an input image: conv-events.cc).
//
// After the first layer a conv's input is spikes (0/1) or averages of spikes (0, .25, ...),
// and only a small fraction is nonzero. Per image, the nonzero inputs are listed per pixel
// (CSR: pixel -> (channel, value)); each output pixel then gathers, over its kh*kw taps, the
// weight rows of the active input channels: y[n, :, oh, ow] = sum v * Wt[tap, c, :], with
// Wt = weights transposed to [kh*kw, cIn, cOut] so a row is contiguous over output channels
// and accumulated in registers, 64 output channels at a time. Work is proportional to the
// number of nonzero inputs; results equal the dense conv up to float summation order.
#include "sparse.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <omp.h>

#include "aligned.h"
#include "common.h"
#include "conv-events.h"
#include "conv-shape.h"
#include "simd.h"
#include "transpose.h"
#include "vec.h"

namespace hsnn {

namespace {

using Shape = ConvShape;

/** per image of a block: its events (eventMasks, or listEvents) and its accumulators */
struct ImageEvents {
  const uint64_t* masks;  // Spikes: [chunks][plane][2]; Quarters: [chunks][plane][kMaskWords]
  const int32_t* ptr;     // List: CSR per (chunk, pixel)
  const int32_t* off;
  const float* val;
  bool binary;
  EventForm form;
  float* acc;  // [oplane][kTile]
};

/** sum[0..K) += the first K * N floats of the 64-float rows (from base) whose bits are set */
template <int N, int K>
inline __attribute__((always_inline)) void addSlices(uint64_t bits, const float* base, vf<N>* sum) {
  for (; bits; bits &= bits - 1) {
    const float* r = base + __builtin_ctzll(bits) * 64;
#pragma GCC unroll 16
    for (int j = 0; j < K; j++) sum[j] += *reinterpret_cast<const vf<N>*>(r + j * N);
  }
}

/**
 * acc += (plane 0 + 2 plane 1 + 4 plane 2) / 4 of the rows the masks select (pooled spikes). The
 * three partial sums of a 64-float row take 12 registers of 16 floats; narrower registers do the
 * row in slices of 64 / P floats (P passes over the masks), so the sums stay in registers.
 */
template <int N>
inline __attribute__((always_inline)) void addQuarterRows64(float* acc, const float* rows, const uint64_t* m) {
  static_assert(kTile == 64, "addQuarterRows64 adds 64-float rows");
  constexpr int P = 16 / N, W = 64 / P, K = W / N;  // passes, floats and registers per pass
  const float* hi = rows + 64 * kTile;
  for (int pass = 0; pass < P; pass++) {
    vf<N> p0[K] = {}, p1[K] = {}, p2[K] = {};
    const float *lo = rows + pass * W, *up = hi + pass * W;
    addSlices<N, K>(m[0], lo, p0);
    addSlices<N, K>(m[1], up, p0);
    addSlices<N, K>(m[2], lo, p1);
    addSlices<N, K>(m[3], up, p1);
    addSlices<N, K>(m[4], lo, p2);
    addSlices<N, K>(m[5], up, p2);
    float* a = acc + pass * W;
#pragma GCC unroll 16
    for (int j = 0; j < K; j++) {
      vfu<N>* dst = reinterpret_cast<vfu<N>*>(a + j * N);
      *dst += 0.25f * p0[j] + 0.5f * p1[j] + p2[j];
    }
  }
}

/**
 * One tap of one weight block (wtap: kChunk rows of kTile) into one image's accumulators, for
 * the image's events of chunk k in the form kForm (a template, so each form's inner loop is
 * compiled without the others' branches).
 */
template <int N, EventForm kForm>
inline __attribute__((always_inline)) void tapEvents(const ImageEvents& im, int64_t k, const float* wtap, const Shape& s,
                                                     int64_t ky, int64_t kx) {
  const int64_t plane = s.h * s.w;
  for (int64_t oy = 0; oy < s.oh; oy++) {
    const int64_t iy = oy * s.stride - s.pad + ky;
    if (iy < 0 || iy >= s.h) continue;
    for (int64_t ox = 0; ox < s.ow; ox++) {
      const int64_t ix = ox * s.stride - s.pad + kx;
      if (ix < 0 || ix >= s.w) continue;
      const int64_t p = iy * s.w + ix;
      float* acc = im.acc + (oy * s.ow + ox) * kTile;
      if (kForm == EventForm::Spikes) {
        const uint64_t* m = im.masks + (k * plane + p) * 2;
        if ((m[0] | m[1]) != 0) addMaskRows64<N>(acc, wtap, m[0], m[1]);
      } else if (kForm == EventForm::Quarters) {
        const uint64_t* m = im.masks + (k * plane + p) * kMaskWords;
        if ((m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0) addQuarterRows64<N>(acc, wtap, m);
      } else {
        const int32_t* pk = im.ptr + k * plane;
        if (pk[p] != pk[p + 1]) addEventRows64<N>(acc, wtap, im.off, im.val, pk[p], pk[p + 1], im.binary);
      }
    }
  }
}

/** one tap for one image, in its event form (the form's loop inlined; the branch is per call) */
template <int N>
HSNN_ISA_BODY void tapBody(const ImageEvents& im, int64_t k, const float* wtap, const Shape& s, int64_t ky, int64_t kx) {
  switch (im.form) {
    case EventForm::Spikes: return tapEvents<N, EventForm::Spikes>(im, k, wtap, s, ky, kx);
    case EventForm::Quarters: return tapEvents<N, EventForm::Quarters>(im, k, wtap, s, ky, kx);
    default: return tapEvents<N, EventForm::List>(im, k, wtap, s, ky, kx);
  }
}
HSNN_MULTI_ISA_LANES(void, tap,
                     (const ImageEvents& im, int64_t k, const float* wtap, const Shape& s, int64_t ky, int64_t kx),
                     (im, k, wtap, s, ky, kx))

/**
 * A block of images: y [count][cOut, oh, ow]. wt is [group][chunk][tap][kChunk][kTile]: per
 * group of 64 output channels, chunk of 128 input channels and tap, the weights in use are
 * 32 KiB (L1-resident; one tap's rows for all 512 channels, 128 KiB, came from L2 at half the
 * speed), and every image of the block uses them before the next block of weights is loaded
 * (per image, the whole Wt would stream from L3 once per image). Outputs accumulate per image
 * in acc [oplane][64]. Spike inputs (all values 1) add weight rows instead of multiplying them.
 */
void blockForward(const ImageEvents* images, int64_t count, const float* wt, float* y, const Shape& s) {
  const int64_t oplane = s.oh * s.ow, taps = s.kh * s.kw;
  const int64_t chunks = (s.cIn + kChunk - 1) / kChunk;
  for (int64_t t0 = 0; t0 < s.cOut; t0 += kTile) {
    const int64_t width = std::min(kTile, s.cOut - t0);
    for (int64_t i = 0; i < count; i++) std::memset(images[i].acc, 0, static_cast<size_t>(oplane * kTile) * sizeof(float));
    for (int64_t k = 0; k < chunks; k++) {
      for (int64_t ky = 0; ky < s.kh; ky++) {
        for (int64_t kx = 0; kx < s.kw; kx++) {
          const float* wtap = wt + (((t0 / kTile) * chunks + k) * taps + ky * s.kw + kx) * kChunk * kTile;
          for (int64_t i = 0; i < count; i++) tap(images[i], k, wtap, s, ky, kx);
        }
      }
    }
    // acc [oplane][kTile] -> y [width][oplane] (a partial last group computes zero-weight lanes
    // past width; they are not stored)
    for (int64_t i = 0; i < count; i++) transpose(images[i].acc, oplane, width, kTile, 1, y + (i * s.cOut + t0) * oplane, oplane);
  }
}

/**
 * The event-driven conv of x [n, cIn, h, w] into y [n, cOut, oh, ow]. With `flipped`, w is the
 * weight of the conv whose backward-data this is, [cIn][cOut][taps] (cIn here = that conv's
 * output channels), used rotated by 180 degrees: the input gradient of a stride-1 conv is the
 * conv of the output gradient with the transposed, flipped kernel.
 */
void sparseConv(const float* x, const float* w, float* y, const Shape& s, bool flipped) {
  const int64_t taps = s.kh * s.kw;
  // Wt[group][chunk][tap][c in chunk][o in group] = w[o][c][tap] (zero rows past cIn)
  const int64_t groups = (s.cOut + kTile - 1) / kTile, chunks = (s.cIn + kChunk - 1) / kChunk;
  const int64_t wtSize = groups * chunks * taps * kChunk * kTile;
  AlignedBuffer<float> wt(static_cast<size_t>(wtSize));
  if (flipped) {
#pragma omp parallel for schedule(static) if (wtSize >= (1 << 16))
    for (int64_t gkt = 0; gkt < groups * chunks * taps; gkt++) {
      const int64_t g = gkt / (chunks * taps), k = gkt / taps % chunks, t = gkt % taps;
      const int64_t c0 = k * kChunk, rows = std::min(kTile, s.cOut - g * kTile), cols = std::min(kChunk, s.cIn - c0);
      float* dst = wt.data() + gkt * kChunk * kTile;
      // rows past cIn and lanes past cOut are read (and must add nothing)
      if (rows < kTile || cols < kChunk) std::fill(dst, dst + kChunk * kTile, 0.0f);
      transpose(w + (c0 * s.cOut + g * kTile) * taps + (taps - 1 - t), rows, cols, taps, s.cOut * taps, dst, kTile);
    }
  } else {
    // per (group, chunk): the group's rows of w hold the chunk's (c, tap) pairs contiguously, so
    // one contiguous transpose gives [c * taps + tap][o], then each (c, tap) row moves into place
#pragma omp parallel if (wtSize >= (1 << 16))
    {
      AlignedBuffer<float> pairs(static_cast<size_t>(kChunk * taps * kTile));
#pragma omp for schedule(static)
      for (int64_t gk = 0; gk < groups * chunks; gk++) {
        const int64_t g = gk / chunks, k = gk % chunks;
        const int64_t c0 = k * kChunk, rows = std::min(kTile, s.cOut - g * kTile), cols = std::min(kChunk, s.cIn - c0);
        float* block = wt.data() + gk * taps * kChunk * kTile;
        if (rows < kTile || cols < kChunk) std::fill(block, block + taps * kChunk * kTile, 0.0f);
        transpose(w + (g * kTile * s.cIn + c0) * taps, rows, cols * taps, s.cIn * taps, 1, pairs.data(), kTile);
        for (int64_t c = 0; c < cols; c++) {
          for (int64_t t = 0; t < taps; t++) {
            std::copy_n(pairs.data() + (c * taps + t) * kTile, rows, block + (t * kChunk + c) * kTile);
          }
        }
      }
    }
  }
  const int64_t plane = s.h * s.w, oplane = s.oh * s.ow, cells = chunks * plane;
  // images per block: their accumulators together about 128 KiB (L2)
  const int64_t nb = std::max<int64_t>(1, std::min<int64_t>(s.n, (int64_t(1) << 15) / std::max<int64_t>(oplane * kTile, 1)));
  const int64_t blocks = (s.n + nb - 1) / nb;
#pragma omp parallel
  {
    // the event lists are only for inputs that are neither spikes nor pooled spikes: sized on first use
    std::vector<int32_t> ptr, fill, off;
    std::vector<float> val;
    AlignedBuffer<float> acc(static_cast<size_t>(nb * oplane * kTile));
    std::vector<ImageEvents> images(static_cast<size_t>(nb));
    std::vector<uint64_t> masks(static_cast<size_t>(nb * cells * kMaskWords)), planar(static_cast<size_t>(plane * kMaskWords));
#pragma omp for schedule(dynamic, 1)
    for (int64_t b = 0; b < blocks; b++) {
      const int64_t n0 = b * nb, count = std::min(nb, s.n - n0);
      for (int64_t i = 0; i < count; i++) {
        const float* xi = x + (n0 + i) * s.cIn * plane;
        uint64_t* m = masks.data() + i * cells * kMaskWords;
        const EventForm form = spikeMasks(xi, s, m, planar.data())     ? EventForm::Spikes
                               : quarterMasks(xi, s, m, planar.data()) ? EventForm::Quarters
                                                                       : EventForm::List;
        ImageEvents& im = images[static_cast<size_t>(i)];
        im = ImageEvents{m, nullptr, nullptr, nullptr, false, form, acc.data() + i * oplane * kTile};
        if (form == EventForm::List) {
          if (off.empty()) {
            ptr.resize(static_cast<size_t>(nb * (cells + 1)));
            fill.resize(static_cast<size_t>(cells));
            off.resize(static_cast<size_t>(nb * s.cIn * plane));
            val.resize(static_cast<size_t>(nb * s.cIn * plane));
          }
          int32_t* p = ptr.data() + i * (cells + 1);
          int32_t* o = off.data() + i * s.cIn * plane;
          float* v = val.data() + i * s.cIn * plane;
          im.binary = listEvents(xi, s, p, fill.data(), o, v);
          im.ptr = p;
          im.off = o;
          im.val = v;
        }
      }
      blockForward(images.data(), count, wt.data(), y + n0 * s.cOut * oplane, s);
    }
  }
}

/** false (and y zeroed) when there is nothing to compute; throws when the events overflow int32 */
bool sparseConvNeeded(const Napi::CallbackInfo& info, const Shape& s, float* y, size_t ySize, const char* name) {
  if (s.n == 0 || s.cOut == 0) return false;
  if (s.cIn == 0) {
    std::fill(y, y + ySize, 0.0f);
    return false;
  }
  if (s.h * s.w >= (int64_t(1) << 31) / s.cIn) throw Napi::RangeError::New(info.Env(), std::string(name) + ": image too large");
  return true;
}

}  // namespace

Napi::Value Conv2dForwardSparse(const Napi::CallbackInfo& info) {
  const Shape s = readConvShape(info);
  const LayerOperands op = convOperands(info, s, LayerOp::Forward);
  if (sparseConvNeeded(info, s, op.out, op.outSize, "conv2dForwardSparse")) sparseConv(op.a, op.b, op.out, s, false);
  return info.Env().Undefined();
}

Napi::Value Conv2dBackwardDataSparse(const Napi::CallbackInfo& info) {
  const Shape s = readConvShape(info);
  if (s.stride != 1 || s.kh != s.kw || s.pad > s.kh - 1) {
    throw Napi::RangeError::New(info.Env(), "conv2dBackwardDataSparse: needs stride 1, a square kernel and pad < kernel");
  }
  const LayerOperands op = convOperands(info, s, LayerOp::BackwardData);
  // the conv dy [n, cOut, oh, ow] -> dx [n, cIn, h, w] with pad kh - 1 - pad (same stride 1)
  Shape t = s;
  t.cIn = s.cOut;
  t.cOut = s.cIn;
  t.h = s.oh;
  t.w = s.ow;
  t.pad = s.kh - 1 - s.pad;
  t.oh = s.h;
  t.ow = s.w;
  if (sparseConvNeeded(info, t, op.out, op.outSize, "conv2dBackwardDataSparse")) sparseConv(op.a, op.b, op.out, t, true);
  return info.Env().Undefined();
}

Napi::Value CountNonzero(const Napi::CallbackInfo& info) {
  const F32Buffer x = f32Buffer(info, 0, "x");
  int64_t count = 0;
#pragma omp parallel for schedule(static) reduction(+ : count) if (x.len >= (1 << 16))
  for (int64_t i = 0; i < x.len; i++) count += x.data[i] != 0.0f;
  return Napi::Number::New(info.Env(), static_cast<double>(count));
}

}  // namespace hsnn
