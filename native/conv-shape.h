// The shape arguments every conv entry point takes (JS: ..., n, cIn, h, w, cOut, kh, kw, stride, pad
// at argument 3 onwards), read and checked once for the oneDNN and the event-driven kernels.
#pragma once

#include <napi.h>

#include <cstdint>

namespace hsnn {

struct ConvShape {
  int64_t n, cIn, h, w, cOut, kh, kw, stride, pad, oh, ow;
};

/** reads info[3..11]; throws a RangeError for a bad kernel/stride or a kernel larger than the padded input */
ConvShape readConvShape(const Napi::CallbackInfo& info);

}  // namespace hsnn
