// Optimizer updates over whole parameter buffers (torch.optim semantics, float32 arithmetic).
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (param, grad, expAvg, expAvgSq, maxExpAvgSq | null, { lr, beta1, beta2, eps, weightDecay, step }),
//     every buffer exactly param's length
Napi::Value AdamStep(const Napi::CallbackInfo& info);
// JS: (param, grad, momentumBuf | null, { lr, momentum, weightDecay, nesterov, firstStep })
Napi::Value SgdStep(const Napi::CallbackInfo& info);

// JS: (x, mask, y): y[i] = x[i] * mask[i % mask.length]
Napi::Value MulRepeated(const Napi::CallbackInfo& info);

}  // namespace hsnn
