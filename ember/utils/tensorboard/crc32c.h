#pragma once
// CRC32C (Castagnoli) and TFRecord's masked form, for the record framing of event files
// (record_writer.h; ../shared/reference/formats-rng.md 3.2).
#include <cstddef>
#include <cstdint>

namespace ember::utils::tensorboard {

// CRC32C of `size` bytes: reflected polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF.
// crc32c("123456789") == 0xE3069283.
uint32_t crc32c(const void* data, size_t size);

// TFRecord stores CRCs rotated right by 15 bits plus a constant, so that a CRC of data that
// itself holds CRCs does not degenerate.
inline uint32_t mask_crc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u; }
inline uint32_t masked_crc32c(const void* data, size_t size) { return mask_crc(crc32c(data, size)); }

}  // namespace ember::utils::tensorboard
