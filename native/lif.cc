// The neuron (see src/kernels/backend.ts), per neuron i, U_{-1} = 0:
//   V_t = leak * U_{t-1} + I_t,  z_t = V_t / threshold - 1,  s_t = (z_t > 0),
//   U_t = V_t - threshold * s_t  (s_t detached in the reset),
//   ds/dz = gamma * max(0, 1 - |z|).
// Backward through time, with gU = dL/dU_t flowing from step t+1 (0 after the last step):
//   gz = gradSpikes_t * gamma * max(0, 1 - |z_t|)
//   gV = gz / threshold + gU                  -> gradCurrent_t (summed over t if constant)
//   gradThreshold += -gz * V_t / threshold^2 - gU * s_t
//   gradLeak      += gV * U_{t-1}
//   gU (for step t-1) = gV * leak
// The membrane state is carried in double, like the scalar formulas in JS.
#include "lif.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "common.h"

namespace hsnn {

namespace {

struct LifArgs {
  int64_t steps, size;
  double leak, threshold, gamma;
  bool constantCurrent;
};

// neurons per block: the scan runs over steps for a contiguous block (SIMD across neurons)
constexpr int64_t kBlock = 64;

bool worthThreads(int64_t work) { return work >= (1 << 14); }

LifArgs readArgs(const Napi::CallbackInfo& info, size_t first) {
  LifArgs a{};
  a.steps = intArg(info, first, "steps");
  a.size = intArg(info, first + 1, "size");
  a.leak = numArg(info, first + 2, "leak");
  a.threshold = numArg(info, first + 3, "threshold");
  a.gamma = numArg(info, first + 4, "gamma");
  a.constantCurrent = boolArg(info, first + 5);
  return a;
}

}  // namespace

Napi::Value LifForward(const Napi::CallbackInfo& info) {
  LifArgs a = readArgs(info, 1);
  const int64_t steps = a.steps, size = a.size;
  const float* cur = f32Arg(info, 0, a.constantCurrent ? size : steps * size, "current");
  float* spikes = f32Arg(info, 7, steps * size, "spikes");
  const double leak = a.leak, th = a.threshold;
  const int64_t curStride = a.constantCurrent ? 0 : size;
  const int64_t blocks = (size + kBlock - 1) / kBlock;
  int64_t count = 0;
#pragma omp parallel for schedule(static) reduction(+ : count) if (worthThreads(steps * size))
  for (int64_t b = 0; b < blocks; b++) {
    const int64_t i0 = b * kBlock;
    const int64_t len = std::min(kBlock, size - i0);
    double u[kBlock] = {0};
    int64_t local = 0;
    for (int64_t t = 0; t < steps; t++) {
      const float* ct = cur + t * curStride + i0;
      float* st = spikes + t * size + i0;
#pragma omp simd reduction(+ : local)
      for (int64_t j = 0; j < len; j++) {
        double v = leak * u[j] + static_cast<double>(ct[j]);
        double z = v / th - 1.0;
        double s = z > 0.0 ? 1.0 : 0.0;
        st[j] = static_cast<float>(s);
        u[j] = v - th * s;
        local += z > 0.0 ? 1 : 0;
      }
    }
    count += local;
  }
  return Napi::Number::New(info.Env(), static_cast<double>(count));
}

Napi::Value LifBackward(const Napi::CallbackInfo& info) {
  LifArgs a = readArgs(info, 2);
  const int64_t steps = a.steps, size = a.size;
  const float* cur = f32Arg(info, 0, a.constantCurrent ? size : steps * size, "current");
  const float* gs = f32Arg(info, 1, steps * size, "gradSpikes");
  float* gc = f32Arg(info, 8, a.constantCurrent ? size : steps * size, "gradCurrent");
  const double leak = a.leak, th = a.threshold, gamma = a.gamma;
  const double th2 = th * th;
  const bool cc = a.constantCurrent;
  const int64_t curStride = cc ? 0 : size;
  const int64_t blocks = (size + kBlock - 1) / kBlock;
  double gLeak = 0.0, gTh = 0.0;
#pragma omp parallel reduction(+ : gLeak, gTh) if (worthThreads(steps * size))
  {
    std::vector<double> vbuf(static_cast<size_t>(std::max<int64_t>(steps, 1) * kBlock));
#pragma omp for schedule(static)
    for (int64_t b = 0; b < blocks; b++) {
      const int64_t i0 = b * kBlock;
      const int64_t len = std::min(kBlock, size - i0);
      double* vb = vbuf.data();
      // recompute the membrane V_t for this block
      double u[kBlock] = {0};
      for (int64_t t = 0; t < steps; t++) {
        const float* ct = cur + t * curStride + i0;
        double* vt = vb + t * kBlock;
#pragma omp simd
        for (int64_t j = 0; j < len; j++) {
          double v = leak * u[j] + static_cast<double>(ct[j]);
          vt[j] = v;
          u[j] = v / th - 1.0 > 0.0 ? v - th : v;
        }
      }
      // backward through time
      double gu[kBlock] = {0};
      double gsum[kBlock] = {0};
      double accLeak = 0.0, accTh = 0.0;
      for (int64_t t = steps - 1; t >= 0; t--) {
        const double* vt = vb + t * kBlock;
        const double* vp = t > 0 ? vb + (t - 1) * kBlock : nullptr;
        const float* gst = gs + t * size + i0;
        float* gct = cc ? nullptr : gc + t * size + i0;
#pragma omp simd reduction(+ : accLeak, accTh)
        for (int64_t j = 0; j < len; j++) {
          double v = vt[j];
          double z = v / th - 1.0;
          double s = z > 0.0 ? 1.0 : 0.0;
          double sg = gamma * std::max(0.0, 1.0 - std::fabs(z));
          double gz = static_cast<double>(gst[j]) * sg;
          double gv = gz / th + gu[j];
          accTh += -gz * v / th2 - gu[j] * s;
          double uPrev = 0.0;
          if (vp) {
            double vprev = vp[j];
            uPrev = vprev / th - 1.0 > 0.0 ? vprev - th : vprev;
          }
          accLeak += gv * uPrev;
          gu[j] = gv * leak;
          if (cc) {
            gsum[j] += gv;
          } else {
            gct[j] = static_cast<float>(gv);
          }
        }
      }
      if (cc) {
        for (int64_t j = 0; j < len; j++) gc[i0 + j] = static_cast<float>(gsum[j]);
      }
      gLeak += accLeak;
      gTh += accTh;
    }
  }
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t(0), Napi::Number::New(env, gLeak));
  out.Set(uint32_t(1), Napi::Number::New(env, gTh));
  return out;
}

}  // namespace hsnn
