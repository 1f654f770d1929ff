// Shared helpers: the process-wide oneDNN engine/stream, argument checks, scratch arena.
#pragma once

#include <napi.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace hsnn {

/** the CPU engine (created on first use) */
dnnl::engine& engine();
/** the in-order CPU stream primitives run on (one per calling thread) */
dnnl::stream& stream();

/** info[i] as a Float32Array, with at least `need` elements (throws a TypeError/RangeError) */
float* f32Arg(const Napi::CallbackInfo& info, size_t i, size_t need, const char* what);
/** a Float32Array argument of any length */
struct F32Buffer {
  float* data;
  int64_t len;
};
/** info[i] as a Float32Array of any length (throws a TypeError) */
F32Buffer f32Buffer(const Napi::CallbackInfo& info, size_t i, const char* what);
/** info[i] as a non-negative integer (throws) */
int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* what);
/** product of element counts; throws a RangeError when it would exceed 2^48 (no overflow) */
size_t elems(const Napi::CallbackInfo& info, std::initializer_list<int64_t> dims);
/** info[i] as a number */
double numArg(const Napi::CallbackInfo& info, size_t i, const char* what);
/** info[i] as a boolean (truthy) */
bool boolArg(const Napi::CallbackInfo& info, size_t i);
/** info[i] as an object, e.g. a ConvShape or LifParams (throws a TypeError) */
Napi::Object objArg(const Napi::CallbackInfo& info, size_t i, const char* what);
/** o[key] as a number (throws a TypeError naming the key) */
double numProp(const Napi::Object& o, const char* key);
/** o[key] as a non-negative integer (throws) */
int64_t intProp(const Napi::Object& o, const char* key);
/** o[key] as a boolean (truthy) */
bool boolProp(const Napi::Object& o, const char* key);

/**
 * Reusable 64-byte aligned buffers for layout conversions (reordered copies of
 * conv operands). Slot i is grown as needed and kept; one set per calling thread.
 */
void* scratch(int slot, size_t bytes);
/** frees the calling thread's scratch slots (they are re-grown on demand) */
void releaseScratch();
/** bytes currently held by the calling thread's scratch slots */
size_t scratchBytes();

}  // namespace hsnn
