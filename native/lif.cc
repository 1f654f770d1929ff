// The neuron (see src/kernels/backend.ts), per neuron i, U_{-1} = 0:
//   V_t = leak * U_{t-1} + I_t,  z_t = V_t / threshold - 1,  s_t = (z_t > 0),
//   U_t = V_t - threshold * s_t  (s_t detached in the reset),
//   ds/dz = the surrogate's (lif-scan.h; the seed's: gamma * max(0, 1 - |z|)).
// Backward through time, with gU = dL/dU_t flowing from step t+1 (0 after the last step):
//   gz = gradSpikes_t * ds/dz(z_t)
//   gV = gz / threshold + gU                  -> gradCurrent_t (summed over t if constant)
//   gradThreshold += -gz * V_t / threshold^2 - gU * s_t
//   gradLeak      += gV * U_{t-1}
//   gU (for step t-1) = gV * leak
// The membrane state is carried in double, like the scalar formulas in JS. The rate surrogate has
// no per-step backward: see backwardRate.
#include "lif.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common.h"
#include "lif-scan.h"
#include "simd.h"

namespace hsnn {

LifArgs readLifArgs(const Napi::CallbackInfo& info, size_t i) {
  const Napi::Object p = objArg(info, i, "params");
  LifArgs a{};
  a.steps = intProp(p, "steps");
  a.size = intProp(p, "size");
  a.leak = numProp(p, "leak");
  a.threshold = numProp(p, "threshold");
  a.constantCurrent = boolProp(p, "constantCurrent");
  if (!(std::fabs(a.threshold) > 0.0) || !std::isfinite(a.threshold)) {
    throw Napi::RangeError::New(info.Env(), "lif: threshold must be finite and non-zero");
  }
  return a;
}

Surrogate readSurrogate(const Napi::CallbackInfo& info, size_t i) {
  // the kinds in SurrogateKind order (SURROGATE_KINDS in src/kernels/backend.ts)
  static const char* const kNames[] = {"pwl", "exp", "sigmoid", "rect", "ste", "rate"};
  const Napi::Value v = objArg(info, i, "params").Get("surrogate");
  if (!v.IsObject()) throw Napi::TypeError::New(info.Env(), "lif: params.surrogate must be an object");
  const Napi::Object o = v.As<Napi::Object>();
  const Napi::Value kind = o.Get("kind");
  const std::string name = kind.IsString() ? kind.As<Napi::String>().Utf8Value() : std::string();
  int k = 0;
  while (k < 6 && name != kNames[k]) k++;
  if (k == 6) throw Napi::RangeError::New(info.Env(), "lif: unknown surrogate kind \"" + name + "\"");
  const Surrogate s{static_cast<SurrogateKind>(k), numProp(o, "gamma"), numProp(o, "width")};
  if (!std::isfinite(s.gamma)) throw Napi::RangeError::New(info.Env(), "lif: surrogate gamma must be finite");
  if (!(s.width > 0.0) || !std::isfinite(s.width)) {
    throw Napi::RangeError::New(info.Env(), "lif: surrogate width must be finite and > 0");
  }
  return s;
}

Napi::Value lifGradsResult(Napi::Env env, double gradLeak, double gradThreshold, double nonzero) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("gradLeak", gradLeak);
  out.Set("gradThreshold", gradThreshold);
  out.Set("gradCurrentNonzero", nonzero);
  return out;
}

namespace {

/** forward scan of `len` <= kBlock neurons starting at cur/spikes; returns the spike count */
HSNN_ISA_BODY double forwardBlockBody(const float* cur, int64_t curStride, float* spikes, int64_t size, int64_t steps,
                                      int64_t len, double leak, double th) {
  double u[kBlock];
  for (int64_t j = 0; j < kBlock; j++) u[j] = 0.0;
  double count = 0.0;
  const double sign = th > 0.0 ? 1.0 : -1.0;
  for (int64_t t = 0; t < steps; t++) count += scanStep(cur + t * curStride, u, spikes + t * size, len, leak, th, sign);
  return count;
}
HSNN_MULTI_ISA(double, forwardBlock,
               (const float* cur, int64_t curStride, float* spikes, int64_t size, int64_t steps, int64_t len,
                double leak, double th),
               (cur, curStride, spikes, size, steps, len, leak, th))

/** backwardBlock through time with surrogate kind K (inlined into each SIMD clone) */
template <SurrogateKind K>
inline __attribute__((always_inline)) void backwardScan(const float* cur, int64_t curStride, const float* gs,
                                                        int64_t gsStride, float* gc, bool constant, int64_t size,
                                                        int64_t steps, int64_t len, double leak, double th,
                                                        const Surrogate& s, double* vb, double* acc) {
  double u[kBlock], gu[kBlock], gsum[kBlock], gvt[kBlock];
  for (int64_t j = 0; j < kBlock; j++) u[j] = gu[j] = gsum[j] = 0.0;
  const double sign = th > 0.0 ? 1.0 : -1.0, invTh = 1.0 / th, invTh2 = invTh * invTh, invW = 1.0 / s.width;
  const Surrogate sur = s;  // a local copy: loop-invariant for the vectorizer
  double* ub = vb + steps * kBlock;
  // recompute the membrane: V_t (before the reset) and U_t (after)
  for (int64_t t = 0; t < steps; t++) {
    const float* ct = cur + t * curStride;
    double* vt = vb + t * kBlock;
    double* ut = ub + t * kBlock;
#pragma omp simd
    for (int64_t j = 0; j < len; j++) {
      double v = leak * u[j] + static_cast<double>(ct[j]);
      vt[j] = v;
      u[j] = v - th * fires(v, th, sign);
      ut[j] = u[j];
    }
  }
  double accLeak = 0.0, accTh = 0.0;
  int64_t nonzero = 0;
  for (int64_t t = steps - 1; t >= 0; t--) {
    const double* vt = vb + t * kBlock;
    const double* up = ub + (t - 1) * kBlock;  // U_{t-1}, read only for t > 0
    const float* gst = gs + t * gsStride;
    if (t > 0) {
#pragma omp simd reduction(+ : accLeak, accTh)
      for (int64_t j = 0; j < len; j++) {
        const double gv = stepBack<K>(vt[j], gst[j], th, sign, invTh, invTh2, sur, invW, gu[j], accTh);
        accLeak += gv * up[j];
        gu[j] = gv * leak;
        gvt[j] = gv;
      }
    } else {
#pragma omp simd reduction(+ : accTh)
      for (int64_t j = 0; j < len; j++) {
        const double gv = stepBack<K>(vt[j], gst[j], th, sign, invTh, invTh2, sur, invW, gu[j], accTh);
        gu[j] = gv * leak;
        gvt[j] = gv;
      }
    }
    if (constant) {
#pragma omp simd
      for (int64_t j = 0; j < len; j++) gsum[j] += gvt[j];
    } else {
      float* gct = gc + t * size;
#pragma omp simd reduction(+ : nonzero)
      for (int64_t j = 0; j < len; j++) {
        gct[j] = static_cast<float>(gvt[j]);
        nonzero += gct[j] != 0.0f;
      }
    }
  }
  if (constant) {
    for (int64_t j = 0; j < len; j++) {
      gc[j] = static_cast<float>(gsum[j]);
      nonzero += gc[j] != 0.0f;
    }
  }
  acc[0] += accLeak;
  acc[1] += accTh;
  acc[2] += static_cast<double>(nonzero);
}

/**
 * the rate surrogate's backward of a block: per neuron, the gradient of its mean spike rate
 * clamp(a / th, 0, 1) (a its mean current) times the sum of its spike gradients, spread evenly
 * over the steps' currents (or given to the one constant current); leak and threshold get 0
 */
inline __attribute__((always_inline)) void backwardRate(const float* cur, int64_t curStride, const float* gs,
                                                        int64_t gsStride, float* gc, bool constant, int64_t size,
                                                        int64_t steps, int64_t len, double th, double* acc) {
  double a[kBlock], g[kBlock];
  for (int64_t j = 0; j < kBlock; j++) a[j] = g[j] = 0.0;
  for (int64_t t = 0; t < steps; t++) {
    const float* ct = cur + t * curStride;
    const float* gst = gs + t * gsStride;
#pragma omp simd
    for (int64_t j = 0; j < len; j++) {
      if (!constant) a[j] += static_cast<double>(ct[j]);
      g[j] += static_cast<double>(gst[j]);
    }
  }
  const double scale = 1.0 / (th * static_cast<double>(constant ? 1 : steps));
  int64_t nonzero = 0;
#pragma omp simd
  for (int64_t j = 0; j < len; j++) {
    const double r = (constant ? static_cast<double>(cur[j]) : a[j] / static_cast<double>(steps)) / th;
    g[j] = r > 0.0 && r < 1.0 ? g[j] * scale : 0.0;
  }
  for (int64_t t = 0; t < (constant ? 1 : steps); t++) {
    float* gct = gc + t * size;
#pragma omp simd reduction(+ : nonzero)
    for (int64_t j = 0; j < len; j++) {
      gct[j] = static_cast<float>(g[j]);
      nonzero += gct[j] != 0.0f;
    }
  }
  acc[2] += static_cast<double>(nonzero);
}

}  // namespace

HSNN_ISA_BODY void backwardBlockBody(const float* cur, int64_t curStride, const float* gs, int64_t gsStride, float* gc,
                                    bool constant, int64_t size, int64_t steps, int64_t len, double leak, double th,
                                    const Surrogate& s, double* vb, double* acc) {
  using K = SurrogateKind;
  switch (s.kind) {
    case K::Pwl:
      return backwardScan<K::Pwl>(cur, curStride, gs, gsStride, gc, constant, size, steps, len, leak, th, s, vb, acc);
    case K::Exp:
      return backwardScan<K::Exp>(cur, curStride, gs, gsStride, gc, constant, size, steps, len, leak, th, s, vb, acc);
    case K::Sigmoid:
      return backwardScan<K::Sigmoid>(cur, curStride, gs, gsStride, gc, constant, size, steps, len, leak, th, s, vb, acc);
    case K::Rect:
      return backwardScan<K::Rect>(cur, curStride, gs, gsStride, gc, constant, size, steps, len, leak, th, s, vb, acc);
    case K::Ste:
      return backwardScan<K::Ste>(cur, curStride, gs, gsStride, gc, constant, size, steps, len, leak, th, s, vb, acc);
    case K::Rate:
      return backwardRate(cur, curStride, gs, gsStride, gc, constant, size, steps, len, th, acc);
  }
}
HSNN_MULTI_ISA(void, backwardBlock,
               (const float* cur, int64_t curStride, const float* gs, int64_t gsStride, float* gc, bool constant,
                int64_t size, int64_t steps, int64_t len, double leak, double th, const Surrogate& s, double* vb,
                double* acc),
               (cur, curStride, gs, gsStride, gc, constant, size, steps, len, leak, th, s, vb, acc))

Napi::Value LifForward(const Napi::CallbackInfo& info) {
  LifArgs a = readLifArgs(info, 1);
  const int64_t steps = a.steps, size = a.size;
  const float* cur = f32Arg(info, 0, a.constantCurrent ? elems(info, {size}) : elems(info, {steps, size}), "current");
  float* spikes = f32Arg(info, 2, elems(info, {steps, size}), "spikes");
  const int64_t curStride = a.constantCurrent ? 0 : size;
  const int64_t blocks = (size + kBlock - 1) / kBlock;
  double count = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : count) if (lifWorthThreads(steps * size))
  for (int64_t b = 0; b < blocks; b++) {
    const int64_t i0 = b * kBlock;
    count += forwardBlock(cur + i0, curStride, spikes + i0, size, steps, std::min(kBlock, size - i0), a.leak,
                          a.threshold);
  }
  return Napi::Number::New(info.Env(), count);
}

Napi::Value LifBackward(const Napi::CallbackInfo& info) {
  LifArgs a = readLifArgs(info, 2);
  const Surrogate sur = readSurrogate(info, 2);
  const int64_t steps = a.steps, size = a.size;
  const bool cc = a.constantCurrent;
  const float* cur = f32Arg(info, 0, cc ? elems(info, {size}) : elems(info, {steps, size}), "current");
  const float* gs = f32Arg(info, 1, elems(info, {steps, size}), "gradSpikes");
  float* gc = f32Arg(info, 3, cc ? elems(info, {size}) : elems(info, {steps, size}), "gradCurrent");
  const int64_t curStride = cc ? 0 : size;
  const int64_t blocks = (size + kBlock - 1) / kBlock;
  double gLeak = 0.0, gTh = 0.0, nonzero = 0.0;
#pragma omp parallel reduction(+ : gLeak, gTh, nonzero) if (lifWorthThreads(steps * size))
  {
    std::vector<double> vbuf(static_cast<size_t>(2 * std::max<int64_t>(steps, 1) * kBlock));
    double acc[3] = {0.0, 0.0, 0.0};
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; b++) {
      const int64_t i0 = b * kBlock;
      backwardBlock(cur + i0, curStride, gs + i0, size, gc + i0, cc, size, steps, std::min(kBlock, size - i0), a.leak,
                    a.threshold, sur, vbuf.data(), acc);
    }
    gLeak += acc[0];
    gTh += acc[1];
    nonzero += acc[2];
  }
  return lifGradsResult(info.Env(), gLeak, gTh, nonzero);
}

}  // namespace hsnn
