// Touching fresh memory page by page costs one page fault per 4 KiB; on a virtual machine a fault
// costs ~10 µs, which for a tiny network is many epochs' work. prefault() asks the kernel to back
// a whole block at once, in one call (Linux's MADV_POPULATE_WRITE; elsewhere, or where refused, a
// no-op: the pages then fault in as they are used, as they would anyway).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace mlp::fast {

inline void prefault(void* p, std::size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  constexpr std::uintptr_t page = 4096;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(page - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace mlp::fast
