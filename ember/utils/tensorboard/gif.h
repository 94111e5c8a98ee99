#pragma once
// An animated-GIF encoder for add_video (Note [GIF encoding] in gif.cpp). PyTorch hands the
// frames to moviepy, which ember does not have; the format is small enough to write here.
#include <cstdint>
#include <string>
#include <vector>

namespace ember::utils::tensorboard {

// frames: `count` RGB frames of height x width, 3 bytes a pixel, row-major, back to back.
// delay_cs: the display time of each frame in hundredths of a second. Loops forever.
// Throws ValueError when a side is 0 or above 65535 (GIF stores sides in 16 bits).
std::string encode_gif(const uint8_t* rgb, int64_t count, int64_t height, int64_t width, int delay_cs);

}  // namespace ember::utils::tensorboard
