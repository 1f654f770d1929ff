// The LIF scan fused with a 2x2 average pool of each step's planes (lif-pooled.cc).
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (current, params, width, pooled) -> { spikes, pooledNonzero }
Napi::Value LifForwardPooled(const Napi::CallbackInfo& info);
// JS: (current, gradPooled, params, width, gradCurrent) -> { gradLeak, gradThreshold, gradCurrentNonzero }
Napi::Value LifBackwardPooled(const Napi::CallbackInfo& info);

}  // namespace hsnn
