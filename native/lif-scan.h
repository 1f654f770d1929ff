// The LIF scan's shared pieces (lif.cc: the plain op; lif-pooled.cc: fused with a 2x2 average pool).
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>

namespace hsnn {

struct LifArgs {
  int64_t steps, size;
  double leak, threshold, gamma;
  bool constantCurrent;
};

// neurons per block: the scan runs over steps for a contiguous block (SIMD across neurons)
constexpr int64_t kBlock = 128;

inline bool lifWorthThreads(int64_t work) { return work >= (1 << 14); }

/**
 * s = (V / threshold - 1 > 0) as 0/1, without the division: for doubles V / th rounds above 1
 * exactly when V is beyond th (V > th for th > 0, V < th for th < 0), and the sign of V - th
 * survives rounding, so this is the same decision.
 */
inline double fires(double v, double th, double sign) { return static_cast<double>((v - th) * sign > 0.0); }

/**
 * one step of the forward scan over len neurons: u (the membrane after reset) carries over,
 * st receives the spikes (0/1); returns the step's spike count. Inlined into each SIMD clone.
 */
inline __attribute__((always_inline)) double scanStep(const float* ct, double* u, float* st, int64_t len, double leak,
                                                      double th, double sign) {
  double count = 0.0;
#pragma omp simd reduction(+ : count)
  for (int64_t j = 0; j < len; j++) {
    double v = leak * u[j] + static_cast<double>(ct[j]);
    double s = fires(v, th, sign);
    st[j] = static_cast<float>(s);
    u[j] = v - th * s;
    count += s;
  }
  return count;
}

/** one neuron-step of the backward: returns gV, adds the step's threshold-gradient term to accTh */
inline double stepBack(double v, float gradSpike, double th, double sign, double invTh, double invTh2, double gamma,
                       double gu, double& accTh) {
  const double z = v * invTh - 1.0;
  const double w = 1.0 - std::fabs(z);
  const double gz = static_cast<double>(gradSpike) * gamma * (w > 0.0 ? w : 0.0);
  accTh += -gz * v * invTh2 - gu * fires(v, th, sign);
  return gz * invTh + gu;
}

/** reads (steps, size, leak, threshold, gamma, constantCurrent) from info[first..]; checks the threshold */
LifArgs readLifArgs(const Napi::CallbackInfo& info, size_t first);

/** the backward's JS result: [gradLeak, gradThreshold, nonzero gradCurrent values] */
Napi::Value lifGradsResult(Napi::Env env, double gradLeak, double gradThreshold, double nonzero);

/**
 * backward through time of `len` <= kBlock neurons; vb is 2 * steps * kBlock scratch (V_t, U_t).
 * gs holds step t's spike gradients at gs + t * gsStride, gc step t's current gradient at
 * gc + t * size (or the sum over steps at gc when constant).
 * Adds to acc[0] (leak), acc[1] (threshold), acc[2] (nonzero values written to gc).
 */
void backwardBlock(const float* cur, int64_t curStride, const float* gs, int64_t gsStride, float* gc, bool constant,
                   int64_t size, int64_t steps, int64_t len, double leak, double th, double gamma, double* vb, double* acc);

}  // namespace hsnn
