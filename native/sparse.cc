// Event-driven (sparse-input) convolution forward for spike inputs, its use for the
// backward-data of a sparse output gradient, and a nonzero count (grad-weight:
// sparse-conv-weights.cc).
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
#include "conv-shape.h"
#include "simd.h"
#include "transpose.h"
#include "vec.h"

namespace hsnn {

namespace {

using Shape = ConvShape;

constexpr int64_t kTile = 64;  // = addEventRows64's width
// input channels per chunk of the forward's weight layout: kChunk * kTile floats = 32 KiB
constexpr int64_t kChunk = 128;
static_assert(kChunk == 128, "the event masks keep two 64-bit words per chunk (and plane)");



/**
 * x [cIn, h, w] of one image -> its nonzeros listed per (channel chunk, pixel) (CSR: ptr has
 * chunks * h * w + 1 entries; off = the channel's row offset within its chunk's weight block,
 * val = the value); returns whether every value is 1 (spikes)
 */
bool listEvents(const float* x, const Shape& s, int32_t* ptr, int32_t* fill, int32_t* off, float* val) {
  const int64_t plane = s.h * s.w, cells = (s.cIn + kChunk - 1) / kChunk * plane;
  std::fill(ptr, ptr + cells + 1, 0);
  for (int64_t c = 0; c < s.cIn; c++) {
    const float* xc = x + c * plane;
    int32_t* pc = ptr + 1 + (c / kChunk) * plane;
    for (int64_t p = 0; p < plane; p++) pc[p] += xc[p] != 0.0f;
  }
  for (int64_t q = 0; q < cells; q++) ptr[q + 1] += ptr[q];
  std::copy(ptr, ptr + cells, fill);
  bool binary = true;
  for (int64_t c = 0; c < s.cIn; c++) {
    const float* xc = x + c * plane;
    int32_t* fc = fill + (c / kChunk) * plane;
    const int32_t rowOff = static_cast<int32_t>((c % kChunk) * kTile);
    for (int64_t p = 0; p < plane; p++) {
      if (xc[p] != 0.0f) {
        const int32_t e = fc[p]++;
        off[e] = rowOff;
        val[e] = xc[p];
        binary = binary && xc[p] == 1.0f;
      }
    }
  }
  return binary;
}

/**
 * How an image's events are held. The gather is bound by loads, and bitmasks of the active
 * channels leave only the weight rows to load (no per-event index or value): spikes (0/1) and
 * averages of 2x2 spikes (multiples of 1/4) have them; anything else is a CSR list.
 */
enum class EventForm { Spikes, Quarters, List };

// pooled spikes, per (chunk, pixel): three planes of two 64-bit channel masks
constexpr int64_t kMaskWords = 6;

/**
 * x [cIn, h, w] of one image -> per (channel chunk, pixel) two 64-bit masks of its nonzero
 * channels (masks [chunks][h * w][2]) when every nonzero is 1 (spikes); false (masks partly
 * written) otherwise. Each chunk's bits are collected planar (planar [2][h * w], contiguous
 * over pixels, so the loop over a channel's pixels vectorizes), then interleaved.
 */
HSNN_SIMD_CLONES
bool spikeMasks(const float* x, const Shape& s, uint64_t* masks, uint64_t* planar) {
  const int64_t plane = s.h * s.w, chunks = (s.cIn + kChunk - 1) / kChunk;
  for (int64_t k = 0; k < chunks; k++) {
    std::fill(planar, planar + 2 * plane, uint64_t(0));
    for (int64_t c = k * kChunk; c < std::min(s.cIn, (k + 1) * kChunk); c++) {
      const float* xc = x + c * plane;
      uint64_t* row = planar + ((c % kChunk) / 64) * plane;
      const int shift = static_cast<int>(c % 64);
      int bad = 0;
      for (int64_t p = 0; p < plane; p++) {
        const float v = xc[p];
        row[p] |= static_cast<uint64_t>(v != 0.0f) << shift;
        bad |= static_cast<int>(v != 0.0f) & static_cast<int>(v != 1.0f);
      }
      if (bad) return false;
    }
    uint64_t* mk = masks + k * plane * 2;
    for (int64_t p = 0; p < plane; p++) {
      mk[2 * p] = planar[p];
      mk[2 * p + 1] = planar[plane + p];
    }
  }
  return true;
}

/**
 * Averages of 2x2 spikes (every value a multiple of 1/4 in [0, 1]: 4v = k in 0..4) -> three
 * planes of channel masks per (chunk, pixel), masks [chunks][h * w][3][2], plane j holding bit j
 * of k, so x = (plane 0 + 2 plane 1 + 4 plane 2) / 4; false (masks partly written) otherwise.
 * Collected planar per chunk (planar [3][2][h * w]) like spikeMasks.
 */
HSNN_SIMD_CLONES
bool quarterMasks(const float* x, const Shape& s, uint64_t* masks, uint64_t* planar) {
  const int64_t plane = s.h * s.w, chunks = (s.cIn + kChunk - 1) / kChunk;
  for (int64_t k = 0; k < chunks; k++) {
    std::fill(planar, planar + kMaskWords * plane, uint64_t(0));
    for (int64_t c = k * kChunk; c < std::min(s.cIn, (k + 1) * kChunk); c++) {
      const float* xc = x + c * plane;
      const int64_t half = (c % kChunk) / 64;
      uint64_t* bit0 = planar + half * plane;
      uint64_t* bit1 = planar + (2 + half) * plane;
      uint64_t* bit2 = planar + (4 + half) * plane;
      const int shift = static_cast<int>(c % 64);
      int bad = 0;
      for (int64_t p = 0; p < plane; p++) {
        const float q = xc[p] * 4.0f;
        // clamped first (NaN -> 0) so the cast stays defined; anything not exactly 0..4 is bad
        const float clamped = std::min(q > 0.0f ? q : 0.0f, 4.0f);
        const int kq = static_cast<int>(clamped);
        bad |= static_cast<int>(static_cast<float>(kq) != q);
        const uint64_t ku = static_cast<uint64_t>(kq);
        bit0[p] |= (ku & 1) << shift;
        bit1[p] |= ((ku >> 1) & 1) << shift;
        bit2[p] |= ((ku >> 2) & 1) << shift;
      }
      if (bad) return false;
    }
    uint64_t* mk = masks + k * plane * kMaskWords;
    for (int64_t p = 0; p < plane; p++) {
      for (int64_t j = 0; j < kMaskWords; j++) mk[p * kMaskWords + j] = planar[j * plane + p];
    }
  }
  return true;
}

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

/** acc += (plane 0 + 2 plane 1 + 4 plane 2) / 4 of the rows the masks select (pooled spikes) */
inline __attribute__((always_inline)) void addQuarterRows64(float* acc, const float* rows, const uint64_t* m) {
  v16* a = reinterpret_cast<v16*>(acc);
  static_assert(kTile == 64, "addRows64 adds 64-float rows");
  v16 p0[4] = {}, p1[4] = {}, p2[4] = {};
  const float* hi = rows + 64 * kTile;
  addRows64(m[0], rows, p0);
  addRows64(m[1], hi, p0);
  addRows64(m[2], rows, p1);
  addRows64(m[3], hi, p1);
  addRows64(m[4], rows, p2);
  addRows64(m[5], hi, p2);
  for (int j = 0; j < 4; j++) a[j] += 0.25f * p0[j] + 0.5f * p1[j] + p2[j];
}

/**
 * One tap of one weight block (wtap: kChunk rows of kTile) into one image's accumulators, for
 * the image's events of chunk k in the form kForm (a template, so each form's inner loop is
 * compiled without the others' branches).
 */
template <EventForm kForm>
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
        if ((m[0] | m[1]) != 0) addMaskRows64(acc, wtap, m[0], m[1]);
      } else if (kForm == EventForm::Quarters) {
        const uint64_t* m = im.masks + (k * plane + p) * kMaskWords;
        if ((m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0) addQuarterRows64(acc, wtap, m);
      } else {
        const int32_t* pk = im.ptr + k * plane;
        if (pk[p] != pk[p + 1]) addEventRows64(acc, wtap, im.off, im.val, pk[p], pk[p + 1], im.binary);
      }
    }
  }
}

HSNN_SIMD_CLONES
void tapSpikes(const ImageEvents& im, int64_t k, const float* wtap, const Shape& s, int64_t ky, int64_t kx) {
  tapEvents<EventForm::Spikes>(im, k, wtap, s, ky, kx);
}

HSNN_SIMD_CLONES
void tapQuarters(const ImageEvents& im, int64_t k, const float* wtap, const Shape& s, int64_t ky, int64_t kx) {
  tapEvents<EventForm::Quarters>(im, k, wtap, s, ky, kx);
}

HSNN_SIMD_CLONES
void tapList(const ImageEvents& im, int64_t k, const float* wtap, const Shape& s, int64_t ky, int64_t kx) {
  tapEvents<EventForm::List>(im, k, wtap, s, ky, kx);
}

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
          for (int64_t i = 0; i < count; i++) {
            const ImageEvents& im = images[i];
            if (im.form == EventForm::Spikes) tapSpikes(im, k, wtap, s, ky, kx);
            else if (im.form == EventForm::Quarters) tapQuarters(im, k, wtap, s, ky, kx);
            else tapList(im, k, wtap, s, ky, kx);
          }
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
  Shape s = readConvShape(info);
  const float* x = f32Arg(info, 0, elems(info, {s.n, s.cIn, s.h, s.w}), "x");
  const float* w = f32Arg(info, 1, elems(info, {s.cOut, s.cIn, s.kh, s.kw}), "weight");
  const size_t ySize = elems(info, {s.n, s.cOut, s.oh, s.ow});
  float* y = f32Arg(info, 3, ySize, "y");
  if (sparseConvNeeded(info, s, y, ySize, "conv2dForwardSparse")) sparseConv(x, w, y, s, false);
  return info.Env().Undefined();
}

Napi::Value Conv2dBackwardDataSparse(const Napi::CallbackInfo& info) {
  const Shape s = readConvShape(info);
  if (s.stride != 1 || s.kh != s.kw || s.pad > s.kh - 1) {
    throw Napi::RangeError::New(info.Env(), "conv2dBackwardDataSparse: needs stride 1, a square kernel and pad < kernel");
  }
  const float* dy = f32Arg(info, 0, elems(info, {s.n, s.cOut, s.oh, s.ow}), "dy");
  const float* w = f32Arg(info, 1, elems(info, {s.cOut, s.cIn, s.kh, s.kw}), "weight");
  const size_t dxSize = elems(info, {s.n, s.cIn, s.h, s.w});
  float* dx = f32Arg(info, 3, dxSize, "dx");
  // the conv dy [n, cOut, oh, ow] -> dx [n, cIn, h, w] with pad kh - 1 - pad (same stride 1)
  Shape t = s;
  t.cIn = s.cOut;
  t.cOut = s.cIn;
  t.h = s.oh;
  t.w = s.ow;
  t.pad = s.kh - 1 - s.pad;
  t.oh = s.h;
  t.ow = s.w;
  if (sparseConvNeeded(info, t, dx, dxSize, "conv2dBackwardDataSparse")) sparseConv(dy, w, dx, t, true);
  return info.Env().Undefined();
}

Napi::Value CountNonzero(const Napi::CallbackInfo& info) {
  const float* x = f32Arg(info, 0, 0, "x");
  const size_t len = info[0].As<Napi::Float32Array>().ElementLength();
  int64_t count = 0;
#pragma omp parallel for schedule(static) reduction(+ : count) if (len >= (1 << 16))
  for (size_t i = 0; i < len; i++) count += x[i] != 0.0f;
  return Napi::Number::New(info.Env(), static_cast<double>(count));
}

}  // namespace hsnn
