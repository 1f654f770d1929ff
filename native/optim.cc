// Optimizer updates, one pass over a parameter and its state, as torch.optim.Adam / SGD
// (PyTorch 1.13 single-tensor code) with torch's float32 arithmetic per op:
//   Adam: g += wd * p;  m = m * b1 + (1 - b1) * g;  v = v * b2 + (1 - b2) * g * g;
//         vmax = max(vmax, v) (amsgrad);  denom = sqrt(v or vmax) / sqrt(1 - b2^t) + eps;
//         p += -(lr / (1 - b1^t)) * m / denom
//   SGD:  d = g + wd * p;  buf = first ? d : momentum * buf + d;  d = nesterov ? d + momentum * buf : buf;
//         p += -lr * d
// Also the elementwise multiply by a mask repeated over the time steps (dropout).
// Memory-bound: threads split the buffer, SIMD across elements.
#include "optim.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "common.h"
#include "simd.h"

namespace hsnn {

namespace {

struct AdamArgs {
  float b1, omb1, b2, omb2, eps, wd, bc2Sqrt, negStep;
};

HSNN_ISA_BODY void adamRangeBody(float* p, const float* g, float* m, float* v, float* vmax, int64_t len,
                                 const AdamArgs& a) {
  const float b1 = a.b1, omb1 = a.omb1, b2 = a.b2, omb2 = a.omb2, eps = a.eps, wd = a.wd, bc2 = a.bc2Sqrt, ns = a.negStep;
  if (vmax) {
#pragma omp simd
    for (int64_t i = 0; i < len; i++) {
      const float gi = wd != 0.0f ? g[i] + wd * p[i] : g[i];
      const float mi = m[i] * b1 + omb1 * gi;
      const float vi = v[i] * b2 + omb2 * gi * gi;
      const float mx = vmax[i] > vi ? vmax[i] : vi;
      m[i] = mi;
      v[i] = vi;
      vmax[i] = mx;
      p[i] = p[i] + ns * mi / (std::sqrt(mx) / bc2 + eps);
    }
  } else {
#pragma omp simd
    for (int64_t i = 0; i < len; i++) {
      const float gi = wd != 0.0f ? g[i] + wd * p[i] : g[i];
      const float mi = m[i] * b1 + omb1 * gi;
      const float vi = v[i] * b2 + omb2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] + ns * mi / (std::sqrt(vi) / bc2 + eps);
    }
  }
}
HSNN_MULTI_ISA(void, adamRange,
               (float* p, const float* g, float* m, float* v, float* vmax, int64_t len, const AdamArgs& a),
               (p, g, m, v, vmax, len, a))

HSNN_ISA_BODY void sgdRangeBody(float* p, const float* g, float* buf, int64_t len, float lr, float mom, float wd,
                                bool nesterov, bool first) {
  if (!buf) {
#pragma omp simd
    for (int64_t i = 0; i < len; i++) p[i] = p[i] - lr * (g[i] + wd * p[i]);
    return;
  }
#pragma omp simd
  for (int64_t i = 0; i < len; i++) {
    const float d = g[i] + wd * p[i];
    const float b = first ? d : mom * buf[i] + d;
    buf[i] = b;
    p[i] = p[i] - lr * (nesterov ? d + mom * b : b);
  }
}
HSNN_MULTI_ISA(void, sgdRange,
               (float* p, const float* g, float* buf, int64_t len, float lr, float mom, float wd, bool nesterov,
                bool first),
               (p, g, buf, len, lr, mom, wd, nesterov, first))

/** splits [0, len) into cache-friendly chunks over the OpenMP threads */
template <typename F>
void chunked(int64_t len, F&& f) {
  constexpr int64_t kChunk = 1 << 14;
  const int64_t chunks = (len + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (chunks > 4)
  for (int64_t c = 0; c < chunks; c++) {
    const int64_t lo = c * kChunk;
    f(lo, (len - lo) < kChunk ? (len - lo) : kChunk);
  }
}

/** info[i] as a Float32Array of exactly `len` values (optimizer state matches its parameter) */
float* exactF32(const Napi::CallbackInfo& info, size_t i, size_t len, const char* what) {
  float* p = f32Arg(info, i, len, what);
  const size_t got = info[i].As<Napi::Float32Array>().ElementLength();
  if (got != len) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + ": buffer of " + std::to_string(got) +
                                                " values for a parameter of " + std::to_string(len));
  }
  return p;
}

/** info[0] a parameter (any length) and info[1] its gradient (the same length) */
struct ParamGrad {
  float* p;
  const float* g;
  int64_t len;
};
ParamGrad paramAndGrad(const Napi::CallbackInfo& info) {
  const F32Buffer p = f32Buffer(info, 0, "param");
  return {p.data, exactF32(info, 1, static_cast<size_t>(p.len), "grad"), p.len};
}

float* optionalF32(const Napi::CallbackInfo& info, size_t i, size_t len, const char* what) {
  if (i < info.Length() && (info[i].IsNull() || info[i].IsUndefined())) return nullptr;
  return exactF32(info, i, len, what);
}

}  // namespace

HSNN_ISA_BODY void mulRangeBody(const float* x, const float* m, float* y, int64_t len) {
#pragma omp simd
  for (int64_t i = 0; i < len; i++) y[i] = x[i] * m[i];
}
HSNN_MULTI_ISA(void, mulRange, (const float* x, const float* m, float* y, int64_t len), (x, m, y, len))

Napi::Value MulRepeated(const Napi::CallbackInfo& info) {
  const F32Buffer xb = f32Buffer(info, 0, "x"), mb = f32Buffer(info, 1, "mask");
  const float* x = xb.data;
  const float* m = mb.data;
  const int64_t len = xb.len, per = mb.len;
  float* y = f32Arg(info, 2, len, "y");
  if (len == 0) return info.Env().Undefined();
  if (per == 0 || len % per != 0) throw Napi::RangeError::New(info.Env(), "mulRepeated: the mask length must divide x's");
  const int64_t reps = len / per;
  // chunks of the mask period, so each piece lines up with the mask
  constexpr int64_t kChunk = 1 << 14;
  const int64_t pieces = (per + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) collapse(2) if (len >= (1 << 16))
  for (int64_t r = 0; r < reps; r++) {
    for (int64_t c = 0; c < pieces; c++) {
      const int64_t lo = c * kChunk, n = std::min(kChunk, per - lo);
      mulRange(x + r * per + lo, m + lo, y + r * per + lo, n);
    }
  }
  return info.Env().Undefined();
}

Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  const ParamGrad pg = paramAndGrad(info);
  float* m = exactF32(info, 2, pg.len, "expAvg");
  float* v = exactF32(info, 3, pg.len, "expAvgSq");
  float* vmax = optionalF32(info, 4, pg.len, "maxExpAvgSq");
  const Napi::Object h = objArg(info, 5, "hyper");
  const double lr = numProp(h, "lr"), beta1 = numProp(h, "beta1"), beta2 = numProp(h, "beta2");
  const double eps = numProp(h, "eps"), wd = numProp(h, "weightDecay"), step = numProp(h, "step");
  if (!(step >= 1)) throw Napi::RangeError::New(info.Env(), "adamStep: step must be >= 1");
  AdamArgs a{};
  a.b1 = static_cast<float>(beta1);
  a.omb1 = static_cast<float>(1.0 - beta1);
  a.b2 = static_cast<float>(beta2);
  a.omb2 = static_cast<float>(1.0 - beta2);
  a.eps = static_cast<float>(eps);
  a.wd = static_cast<float>(wd);
  a.bc2Sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(beta2, step)));
  a.negStep = static_cast<float>(-(lr / (1.0 - std::pow(beta1, step))));
  chunked(pg.len, [&](int64_t lo, int64_t n) { adamRange(pg.p + lo, pg.g + lo, m + lo, v + lo, vmax ? vmax + lo : nullptr, n, a); });
  return info.Env().Undefined();
}

Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  const ParamGrad pg = paramAndGrad(info);
  float* buf = optionalF32(info, 2, pg.len, "momentumBuf");
  const Napi::Object h = objArg(info, 3, "hyper");
  const float lr = static_cast<float>(numProp(h, "lr")), mom = static_cast<float>(numProp(h, "momentum"));
  const float wd = static_cast<float>(numProp(h, "weightDecay"));
  const bool nesterov = boolProp(h, "nesterov"), first = boolProp(h, "firstStep");
  chunked(pg.len, [&](int64_t lo, int64_t n) { sgdRange(pg.p + lo, pg.g + lo, buf ? buf + lo : nullptr, n, lr, mom, wd, nesterov, first); });
  return info.Env().Undefined();
}

}  // namespace hsnn
