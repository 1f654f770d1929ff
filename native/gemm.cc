#include "gemm.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstring>

#include "cache.h"
#include "common.h"

namespace hsnn {

using dnnl::memory;
using dt = dnnl::memory::data_type;

namespace {

struct GemmPlan {
  dnnl::matmul prim;
  memory::desc a, b, c;
};

int64_t bits(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return static_cast<int64_t>(u);
}

GemmPlan makePlan(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, float beta) {
  GemmPlan plan;
  // logical A is [m, k]; stored [m, k] (strides k, 1) or [k, m] (strides 1, m)
  plan.a = memory::desc({m, k}, dt::f32, transA ? memory::dims{1, m} : memory::dims{k, 1});
  plan.b = memory::desc({k, n}, dt::f32, transB ? memory::dims{1, k} : memory::dims{n, 1});
  plan.c = memory::desc({m, n}, dt::f32, memory::dims{n, 1});
  dnnl::primitive_attr attr;
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  if (beta != 0.0f) {
    dnnl::post_ops po;
    po.append_sum(beta);
    attr.set_post_ops(po);
  }
  dnnl::matmul::desc d(plan.a, plan.b, plan.c);
  dnnl::matmul::primitive_desc pd(d, attr, engine());
  plan.prim = dnnl::matmul(pd);
  return plan;
}

}  // namespace

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  bool transA = boolArg(info, 0);
  bool transB = boolArg(info, 1);
  int64_t m = intArg(info, 2, "m");
  int64_t n = intArg(info, 3, "n");
  int64_t k = intArg(info, 4, "k");
  float alpha = static_cast<float>(numArg(info, 5, "alpha"));
  float* a = f32Arg(info, 6, elems(info, {m, k}), "a");
  float* b = f32Arg(info, 7, elems(info, {k, n}), "b");
  float beta = static_cast<float>(numArg(info, 8, "beta"));
  float* c = f32Arg(info, 9, elems(info, {m, n}), "c");
  Napi::Env env = info.Env();
  if (m == 0 || n == 0) return env.Undefined();
  if (k == 0 || alpha == 0.0f) {
    // C = beta * C (BLAS semantics: beta == 0 overwrites, even NaN)
    size_t len = static_cast<size_t>(m * n);
    if (beta == 0.0f) {
      std::fill(c, c + len, 0.0f);
    } else if (beta != 1.0f) {
      for (size_t i = 0; i < len; i++) c[i] *= beta;
    }
    return env.Undefined();
  }
  CacheKey key = {transA, transB, m, n, k, bits(alpha), bits(beta)};
  auto plan = registeredCache<GemmPlan>().get(key, [&] { return makePlan(transA, transB, m, n, k, alpha, beta); });
  auto& eng = engine();
  memory ma(plan->a, eng, a), mb(plan->b, eng, b), mc(plan->c, eng, c);
  auto& strm = stream();
  plan->prim.execute(strm, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}});
  strm.wait();
  return env.Undefined();
}

}  // namespace hsnn
