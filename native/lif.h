// Fused LIF scan over T steps (forward and backward through time), OpenMP over neurons.
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (current, steps, size, leak, threshold, constantCurrent, spikes) -> spike count
Napi::Value LifForward(const Napi::CallbackInfo& info);
// JS: (current, gradSpikes, steps, size, leak, threshold, constantCurrent, surrogate kind, gamma,
//      surrogate width, gradCurrent)
//     -> [gradLeak, gradThreshold, nonzero gradCurrent values]
Napi::Value LifBackward(const Napi::CallbackInfo& info);

}  // namespace hsnn
