// Fused LIF scan over T steps (forward and backward through time), OpenMP over neurons.
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (current, params, spikes) -> spike count; params a LifParams (src/kernels/backend.ts)
Napi::Value LifForward(const Napi::CallbackInfo& info);
// JS: (current, gradSpikes, params, gradCurrent) -> { gradLeak, gradThreshold, gradCurrentNonzero }
Napi::Value LifBackward(const Napi::CallbackInfo& info);

}  // namespace hsnn
