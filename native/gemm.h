// Row-major SGEMM on dnnl::matmul (transposes expressed as strides).
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (transA, transB, m, n, k, alpha, a, b, beta, c)
Napi::Value Gemm(const Napi::CallbackInfo& info);

}  // namespace hsnn
