// The LIF scan fused with a 2x2 average pool of each step's planes (lif-pooled.cc).
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (current, steps, size, leak, threshold, constantCurrent, pooled, width)
//     -> [spike count, nonzero pooled values]
Napi::Value LifForwardPooled(const Napi::CallbackInfo& info);
// JS: (current, gradPooled, steps, size, leak, threshold, constantCurrent, surrogate kind, gamma,
//      surrogate width, gradCurrent, width)
//     -> [gradLeak, gradThreshold, nonzero gradCurrent values]
Napi::Value LifBackwardPooled(const Napi::CallbackInfo& info);

}  // namespace hsnn
