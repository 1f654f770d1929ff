#include "pool.h"

#include <cstdint>

#include "common.h"
#include "simd.h"

namespace hsnn {

namespace {

struct PoolShape {
  int64_t planes, h, w, k, oh, ow;
};

PoolShape readShape(const Napi::CallbackInfo& info) {
  int64_t n = intArg(info, 1, "n");
  int64_t c = intArg(info, 2, "c");
  PoolShape s{};
  s.planes = static_cast<int64_t>(elems(info, {n, c}));
  s.h = intArg(info, 3, "h");
  s.w = intArg(info, 4, "w");
  s.k = intArg(info, 5, "k");
  if (s.k < 1) throw Napi::RangeError::New(info.Env(), "avgPool: k must be >= 1");
  s.oh = s.h / s.k;
  s.ow = s.w / s.k;
  return s;
}

// parallelise only when there is enough work to pay for waking the team
bool worthThreads(int64_t elements) { return elements >= (1 << 15); }

}  // namespace

namespace {

// returns the plane's nonzero outputs (the next layer's event-driven kernels need the count)
HSNN_ISA_BODY int64_t forwardPlaneBody(const float* xp, float* yp, int64_t h, int64_t w, int64_t k, int64_t oh,
                                       int64_t ow) {
  (void)h;
  int64_t nonzero = 0;
  const float area = static_cast<float>(k * k);
  for (int64_t i = 0; i < oh; i++) {
    float* yr = yp + i * ow;
    if (k == 2) {
      const float* x0 = xp + (2 * i) * w;
      const float* x1 = x0 + w;
#pragma omp simd
      for (int64_t j = 0; j < ow; j++) yr[j] = (x0[2 * j] + x0[2 * j + 1] + x1[2 * j] + x1[2 * j + 1]) / area;
#pragma omp simd reduction(+ : nonzero)
      for (int64_t j = 0; j < ow; j++) nonzero += yr[j] != 0.0f;
      continue;
    }
    for (int64_t j = 0; j < ow; j++) yr[j] = 0.0f;
    for (int64_t di = 0; di < k; di++) {
      const float* xr = xp + (i * k + di) * w;
      for (int64_t j = 0; j < ow; j++) {
        float acc = 0.0f;
        for (int64_t dj = 0; dj < k; dj++) acc += xr[j * k + dj];
        yr[j] += acc;
      }
    }
    for (int64_t j = 0; j < ow; j++) {
      yr[j] /= area;
      nonzero += yr[j] != 0.0f;
    }
  }
  return nonzero;
}
HSNN_MULTI_ISA(int64_t, forwardPlane,
               (const float* xp, float* yp, int64_t h, int64_t w, int64_t k, int64_t oh, int64_t ow),
               (xp, yp, h, w, k, oh, ow))

HSNN_ISA_BODY void backwardPlaneBody(const float* dyp, float* dxp, int64_t h, int64_t w, int64_t k, int64_t oh,
                                     int64_t ow) {
  const float area = static_cast<float>(k * k);
  for (int64_t r = 0; r < h; r++) {
    float* dxr = dxp + r * w;
    int64_t i = r / k;
    if (i >= oh) {
      for (int64_t col = 0; col < w; col++) dxr[col] = 0.0f;
      continue;
    }
    const float* dyr = dyp + i * ow;
    if (k == 2) {
#pragma omp simd
      for (int64_t j = 0; j < ow; j++) {
        float g = dyr[j] / area;
        dxr[2 * j] = g;
        dxr[2 * j + 1] = g;
      }
    } else {
      for (int64_t j = 0; j < ow; j++) {
        float g = dyr[j] / area;
        for (int64_t dj = 0; dj < k; dj++) dxr[j * k + dj] = g;
      }
    }
    for (int64_t col = ow * k; col < w; col++) dxr[col] = 0.0f;
  }
}
HSNN_MULTI_ISA(void, backwardPlane,
               (const float* dyp, float* dxp, int64_t h, int64_t w, int64_t k, int64_t oh, int64_t ow),
               (dyp, dxp, h, w, k, oh, ow))

}  // namespace

Napi::Value AvgPoolForward(const Napi::CallbackInfo& info) {
  PoolShape s = readShape(info);
  const float* x = f32Arg(info, 0, elems(info, {s.planes, s.h, s.w}), "x");
  float* y = f32Arg(info, 6, elems(info, {s.planes, s.oh, s.ow}), "y");
  int64_t nonzero = 0;
#pragma omp parallel for schedule(static) reduction(+ : nonzero) if (worthThreads(s.planes * s.h * s.w))
  for (int64_t p = 0; p < s.planes; p++) {
    nonzero += forwardPlane(x + p * s.h * s.w, y + p * s.oh * s.ow, s.h, s.w, s.k, s.oh, s.ow);
  }
  return Napi::Number::New(info.Env(), static_cast<double>(nonzero));
}

Napi::Value AvgPoolBackward(const Napi::CallbackInfo& info) {
  PoolShape s = readShape(info);
  const float* dy = f32Arg(info, 0, elems(info, {s.planes, s.oh, s.ow}), "dy");
  float* dx = f32Arg(info, 6, elems(info, {s.planes, s.h, s.w}), "dx");
#pragma omp parallel for schedule(static) if (worthThreads(s.planes * s.h * s.w))
  for (int64_t p = 0; p < s.planes; p++) {
    backwardPlane(dy + p * s.oh * s.ow, dx + p * s.h * s.w, s.h, s.w, s.k, s.oh, s.ow);
  }
  return info.Env().Undefined();
}

}  // namespace hsnn
