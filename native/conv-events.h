// The events of a conv input image for the event-driven forward (sparse.cc): its nonzeros as
// bitmasks of the active channels per (channel chunk, pixel) when it is spikes or averages of
// 2x2 spikes, else as a CSR list.
#pragma once

#include <cstdint>

#include "conv-shape.h"

namespace hsnn {

constexpr int64_t kTile = 64;  // output channels per accumulator row (= addEventRows64's width)
// input channels per chunk of the forward's weight layout: kChunk * kTile floats = 32 KiB
constexpr int64_t kChunk = 128;
static_assert(kChunk == 128, "the event masks keep two 64-bit words per chunk (and plane)");

/**
 * How an image's events are held. The gather is bound by loads, and bitmasks of the active
 * channels leave only the weight rows to load (no per-event index or value): spikes (0/1) and
 * averages of 2x2 spikes (multiples of 1/4) have them; anything else is a CSR list.
 */
enum class EventForm { Spikes, Quarters, List };

// pooled spikes, per (chunk, pixel): three planes of two 64-bit channel masks
constexpr int64_t kMaskWords = 6;

/**
 * x [cIn, h, w] of one image -> its nonzeros listed per (channel chunk, pixel) (CSR: ptr has
 * chunks * h * w + 1 entries; off = the channel's row offset within its chunk's weight block,
 * val = the value); returns whether every value is 1 (spikes)
 */
bool listEvents(const float* x, const ConvShape& s, int32_t* ptr, int32_t* fill, int32_t* off, float* val);

/**
 * x [cIn, h, w] of one image -> per (channel chunk, pixel) two 64-bit masks of its nonzero
 * channels (masks [chunks][h * w][2]) when every nonzero is 1 (spikes); false (masks partly
 * written) otherwise. planar: 2 * h * w words of scratch.
 */
bool spikeMasks(const float* x, const ConvShape& s, uint64_t* masks, uint64_t* planar);

/**
 * Averages of 2x2 spikes (every value k/4, k in 0..4) -> three mask planes per (chunk, pixel)
 * (masks [chunks][h * w][kMaskWords]) with x = (plane 0 + 2 plane 1 + 4 plane 2) / 4; false
 * (masks partly written) otherwise. planar: kMaskWords * h * w words of scratch.
 */
bool quarterMasks(const float* x, const ConvShape& s, uint64_t* masks, uint64_t* planar);

}  // namespace hsnn
