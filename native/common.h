// Shared helpers: the process-wide oneDNN engine/stream, argument checks, scratch arena.
#pragma once

#include <napi.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace hsnn {

/** the CPU engine (created on first use) */
dnnl::engine& engine();
/** the in-order CPU stream every primitive runs on */
dnnl::stream& stream();

/** info[i] as a Float32Array, with at least `need` elements (throws a TypeError/RangeError) */
float* f32Arg(const Napi::CallbackInfo& info, size_t i, size_t need, const char* what);
/** info[i] as a non-negative integer (throws) */
int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* what);
/** info[i] as a number */
double numArg(const Napi::CallbackInfo& info, size_t i, const char* what);
/** info[i] as a boolean (truthy) */
bool boolArg(const Napi::CallbackInfo& info, size_t i);

/**
 * Reusable 64-byte aligned buffers for layout conversions (reordered copies of
 * conv operands). Slot i is grown as needed and kept; calls are sequential.
 */
void* scratch(int slot, size_t bytes);
/** frees the scratch slots (they are re-grown on demand) */
void releaseScratch();
/** total bytes currently held by the scratch slots */
size_t scratchBytes();

}  // namespace hsnn
