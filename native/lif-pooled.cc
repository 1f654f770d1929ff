// The LIF scan fused with the 2x2 average pool that follows it in the VGG and ResNet stems:
// the forward writes only the pooled spikes (a quarter of the memory traffic of writing the
// spikes and pooling them in another pass), the backward reads the pooled gradient (avg-pool
// backward: each of the four inputs gets a quarter). Same numbers as lifForward/lifBackward with
// avgPoolForward/avgPoolBackward: pooled spikes are multiples of 1/4 (exact in any order), and
// so are the quarters of the gradient.
#include "lif-pooled.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "common.h"
#include "lif-scan.h"
#include "simd.h"

namespace hsnn {

namespace {

/**
 * neurons per block for rows `width` wide: whole row pairs (a pooled row never straddles two
 * blocks), at most kBlock; throws unless the width is even, a row pair fits a block and the
 * layer is whole row pairs
 */
int64_t pairBlock(const Napi::CallbackInfo& info, int64_t width, int64_t size, const char* name) {
  const int64_t pair = 2 * width;
  if (width <= 0 || width % 2 != 0 || pair > kBlock || size % pair != 0) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + ": needs an even width of at most 64 and whole row pairs");
  }
  return pair * (kBlock / pair);
}

/**
 * one step's pooling of a block's spikes sp [len] (whole row pairs of width w) into out [len / 4]:
 * the two rows of each pair summed, then neighbouring columns (flat, so it vectorizes for any w;
 * W > 0 fixes the width at compile time, the rows being short). Returns the nonzero outputs.
 */
template <int64_t W>
inline __attribute__((always_inline)) int64_t poolStep(const float* sp, int64_t len, int64_t width, float* out) {
  const int64_t w = W > 0 ? W : width;
  float rows[kBlock / 2];
  for (int64_t r = 0; r < len / (2 * w); r++) {
    const float* top = sp + 2 * r * w;
#pragma omp simd
    for (int64_t x = 0; x < w; x++) rows[r * w + x] = top[x] + top[w + x];
  }
  int64_t active = 0;
#pragma omp simd reduction(+ : active)
  for (int64_t j = 0; j < len / 4; j++) {
    const float v = (rows[2 * j] + rows[2 * j + 1]) * 0.25f;  // (sums of 0/1: exact in any order)
    out[j] = v;
    active += v != 0.0f;
  }
  return active;
}

/** forward of `len` neurons (whole row pairs of width w) from cur; pooled receives len / 4 values per step */
template <int64_t W>
inline __attribute__((always_inline)) void forwardPooled(const float* cur, int64_t curStride, float* pooled,
                                                         int64_t pooledStride, int64_t steps, int64_t len, int64_t w,
                                                         double leak, double th, double* count, double* nonzero) {
  double u[kBlock];
  float sp[kBlock];
  for (int64_t j = 0; j < kBlock; j++) u[j] = 0.0;
  const double sign = th > 0.0 ? 1.0 : -1.0;
  double spikes = 0.0;
  int64_t active = 0;
  for (int64_t t = 0; t < steps; t++) {
    spikes += scanStep(cur + t * curStride, u, sp, len, leak, th, sign);
    active += poolStep<W>(sp, len, w, pooled + t * pooledStride);
  }
  *count += spikes;
  *nonzero += static_cast<double>(active);
}

HSNN_ISA_BODY void forwardPooledBlockBody(const float* cur, int64_t curStride, float* pooled, int64_t pooledStride,
                                         int64_t steps, int64_t len, int64_t w, double leak, double th, double* count,
                                         double* nonzero) {
  switch (w) {
    case 8: return forwardPooled<8>(cur, curStride, pooled, pooledStride, steps, len, w, leak, th, count, nonzero);
    case 16: return forwardPooled<16>(cur, curStride, pooled, pooledStride, steps, len, w, leak, th, count, nonzero);
    case 32: return forwardPooled<32>(cur, curStride, pooled, pooledStride, steps, len, w, leak, th, count, nonzero);
    default: return forwardPooled<0>(cur, curStride, pooled, pooledStride, steps, len, w, leak, th, count, nonzero);
  }
}
HSNN_MULTI_ISA(void, forwardPooledBlock,
               (const float* cur, int64_t curStride, float* pooled, int64_t pooledStride, int64_t steps, int64_t len,
                int64_t w, double leak, double th, double* count, double* nonzero),
               (cur, curStride, pooled, pooledStride, steps, len, w, leak, th, count, nonzero))

}  // namespace

Napi::Value LifForwardPooled(const Napi::CallbackInfo& info) {
  LifArgs a = readLifArgs(info, 1);
  const int64_t steps = a.steps, size = a.size, w = intArg(info, 2, "width");
  const int64_t block = pairBlock(info, w, size, "lifForwardPooled");
  const float* cur = f32Arg(info, 0, a.constantCurrent ? elems(info, {size}) : elems(info, {steps, size}), "current");
  float* pooled = f32Arg(info, 3, elems(info, {steps, size / 4}), "pooled");
  const int64_t curStride = a.constantCurrent ? 0 : size;
  const int64_t blocks = (size + block - 1) / block;
  double count = 0.0, nonzero = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : count, nonzero) if (lifWorthThreads(steps * size))
  for (int64_t b = 0; b < blocks; b++) {
    const int64_t i0 = b * block;
    forwardPooledBlock(cur + i0, curStride, pooled + i0 / 4, size / 4, steps, std::min(block, size - i0), w, a.leak,
                       a.threshold, &count, &nonzero);
  }
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("spikes", count);
  out.Set("pooledNonzero", nonzero);
  return out;
}

Napi::Value LifBackwardPooled(const Napi::CallbackInfo& info) {
  LifArgs a = readLifArgs(info, 2);
  const Surrogate sur = readSurrogate(info, 2);
  const int64_t steps = a.steps, size = a.size, w = intArg(info, 3, "width");
  const int64_t block = pairBlock(info, w, size, "lifBackwardPooled");
  const bool cc = a.constantCurrent;
  const float* cur = f32Arg(info, 0, cc ? elems(info, {size}) : elems(info, {steps, size}), "current");
  const float* gp = f32Arg(info, 1, elems(info, {steps, size / 4}), "gradPooled");
  float* gc = f32Arg(info, 4, cc ? elems(info, {size}) : elems(info, {steps, size}), "gradCurrent");
  const int64_t curStride = cc ? 0 : size;
  const int64_t blocks = (size + block - 1) / block, half = w / 2;
  double gLeak = 0.0, gTh = 0.0, nonzero = 0.0;
#pragma omp parallel reduction(+ : gLeak, gTh, nonzero) if (lifWorthThreads(steps * size))
  {
    std::vector<double> vbuf(static_cast<size_t>(2 * std::max<int64_t>(steps, 1) * kBlock));
    std::vector<float> gs(static_cast<size_t>(std::max<int64_t>(steps, 1) * kBlock));
    double acc[3] = {0.0, 0.0, 0.0};
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; b++) {
      const int64_t i0 = b * block, len = std::min(block, size - i0);
      // the spike gradients of the block: a quarter of the pooled gradient above each neuron
      for (int64_t t = 0; t < steps; t++) {
        const float* gpt = gp + t * (size / 4) + i0 / 4;
        float* gst = gs.data() + t * kBlock;
        for (int64_t r = 0; r < len / (2 * w); r++) {
          const float* g = gpt + r * half;
          float* top = gst + 2 * r * w;
          float* bottom = top + w;
          for (int64_t x = 0; x < w; x++) top[x] = bottom[x] = g[x >> 1] * 0.25f;
        }
      }
      backwardBlock(cur + i0, curStride, gs.data(), kBlock, gc + i0, cc, size, steps, len, a.leak, a.threshold,
                    sur, vbuf.data(), acc);
    }
    gLeak += acc[0];
    gTh += acc[1];
    nonzero += acc[2];
  }
  return lifGradsResult(info.Env(), gLeak, gTh, nonzero);
}

}  // namespace hsnn
