#include "cache.h"

namespace hsnn {

CacheStats& cacheStats() {
  static CacheStats stats;
  return stats;
}

namespace {
std::vector<std::function<void()>>& clearers() {
  static std::vector<std::function<void()>> list;
  return list;
}
}  // namespace

void registerCacheClearer(std::function<void()> fn) { clearers().push_back(std::move(fn)); }

void clearAllCaches() {
  for (auto& fn : clearers()) fn();
}

}  // namespace hsnn
