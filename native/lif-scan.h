// The LIF scan's shared pieces (lif.cc: the plain op; lif-pooled.cc: fused with a 2x2 average pool).
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>

namespace hsnn {

struct LifArgs {
  int64_t steps, size;
  double leak, threshold;
  bool constantCurrent;
};

// the backward's ds/dz, in the order of SURROGATE_KINDS (src/kernels/backend.ts, which defines them)
enum class SurrogateKind : int { Pwl = 0, Exp = 1, Sigmoid = 2, Rect = 3, Ste = 4, Rate = 5 };

struct Surrogate {
  SurrogateKind kind;
  double gamma, width;
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

/**
 * exp(x) for x <= 0 to ~1e-14 relative, in arithmetic the vectorizer takes (std::exp is a scalar
 * call: 10x slower LIF backward): x = k ln2 + r, |r| <= ln2 / 2, exp(r) by its Taylor series
 * (the first omitted term is below 1e-14), 2^k built from its exponent bits. k is read from the
 * low bits of x log2(e) + 1.5 * 2^52 (rounding to an integer without a conversion instruction).
 */
inline __attribute__((always_inline)) double expNonPositive(double x) {
  x = x < -700.0 ? -700.0 : x;  // exp(-700) ~ 1e-304 is still normal
  const double magic = 0x1.8p52;
  const double shifted = x * 1.4426950408889634 + magic;
  int64_t kbits;
  __builtin_memcpy(&kbits, &shifted, sizeof kbits);
  const double kd = shifted - magic;
  const double r = (x - kd * 0x1.62e42fefa39efp-1) - kd * 0x1.abc9e3b39803fp-56;
  double q = 1.0 / 39916800.0;
  q = q * r + 1.0 / 3628800.0;
  q = q * r + 1.0 / 362880.0;
  q = q * r + 1.0 / 40320.0;
  q = q * r + 1.0 / 5040.0;
  q = q * r + 1.0 / 720.0;
  q = q * r + 1.0 / 120.0;
  q = q * r + 1.0 / 24.0;
  q = q * r + 1.0 / 6.0;
  q = q * r + 0.5;
  q = q * r + 1.0;
  q = q * r + 1.0;
  const int64_t k = kbits - 0x4338000000000000LL;  // the integer in the mantissa's low bits
  const int64_t scaleBits = (k + 1023) << 52;
  double scale;
  __builtin_memcpy(&scale, &scaleBits, sizeof scale);
  return q * scale;
}

/** ds/dz / gamma at z for kind K (every kind but Rate, which has no ds/dz); invW = 1 / width */
template <SurrogateKind K>
inline __attribute__((always_inline)) double surrogateShape(double z, double invW, double width) {
  if constexpr (K == SurrogateKind::Pwl) {
    const double w = 1.0 - std::fabs(z) * invW;  // width 1: exactly the seed's 1 - |z|
    return w > 0.0 ? w : 0.0;
  } else if constexpr (K == SurrogateKind::Exp) {
    return expNonPositive(-std::fabs(z) * invW);
  } else if constexpr (K == SurrogateKind::Sigmoid) {
    // 4 sg(x) (1 - sg(x)) = 4 e / (1 + e)^2 with e = exp(-|x|) (even in x, no overflow)
    const double e = expNonPositive(-std::fabs(z) * invW);
    return 4.0 * e / ((1.0 + e) * (1.0 + e));
  } else if constexpr (K == SurrogateKind::Rect) {
    return std::fabs(z) < width ? 1.0 : 0.0;
  } else {
    return 1.0;
  }
}

/** one neuron-step of the backward: returns gV, adds the step's threshold-gradient term to accTh */
template <SurrogateKind K>
inline __attribute__((always_inline)) double stepBack(double v, float gradSpike, double th, double sign, double invTh,
                                                      double invTh2, const Surrogate& s, double invW, double gu,
                                                      double& accTh) {
  const double z = v * invTh - 1.0;
  const double gz = static_cast<double>(gradSpike) * s.gamma * surrogateShape<K>(z, invW, s.width);
  accTh += -gz * v * invTh2 - gu * fires(v, th, sign);
  return gz * invTh + gu;
}

/** reads the LifParams object at info[i] (steps, size, leak, threshold, constantCurrent); checks the threshold */
LifArgs readLifArgs(const Napi::CallbackInfo& info, size_t i);
/** reads and checks the surrogate { kind, gamma, width } of the LifParams at info[i] */
Surrogate readSurrogate(const Napi::CallbackInfo& info, size_t i);

/** the backward's JS result: a LifGrads { gradLeak, gradThreshold, gradCurrentNonzero } */
Napi::Value lifGradsResult(Napi::Env env, double gradLeak, double gradThreshold, double nonzero);

/**
 * backward through time of `len` <= kBlock neurons; vb is 2 * steps * kBlock scratch (V_t, U_t).
 * gs holds step t's spike gradients at gs + t * gsStride, gc step t's current gradient at
 * gc + t * size (or the sum over steps at gc when constant).
 * Adds to acc[0] (leak), acc[1] (threshold), acc[2] (nonzero values written to gc).
 */
void backwardBlock(const float* cur, int64_t curStride, const float* gs, int64_t gsStride, float* gc, bool constant,
                   int64_t size, int64_t steps, int64_t len, double leak, double th, const Surrogate& s, double* vb,
                   double* acc);

}  // namespace hsnn
