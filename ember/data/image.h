#pragma once
// Image files <-> uint8 tensors (torchvision.io.read_image / write_png), through stb_image.
#include <cstddef>
#include <string>

#include "ember/core/tensor.h"

namespace ember::data {

// Decodes a PNG, JPEG, BMP, GIF (first frame), PGM/PPM, TGA or PSD file into a uint8 [C, H, W]
// tensor. channels: 0 keeps the file's (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA); 1, 3 or 4
// converts (3 is PIL's convert("RGB")). Errors name the file and why it failed.
Tensor read_image(const std::string& path, int channels = 0);
// The same from bytes in memory; `name` is used in error messages.
Tensor decode_image(const unsigned char* data, size_t size, int channels = 0, const std::string& name = "<memory>");
// Writes a uint8 [C, H, W] (C = 1..4) or [H, W] tensor as a PNG file.
void write_png(const std::string& path, const Tensor& image);
// The same PNG as bytes in memory (TensorBoard image summaries).
std::string encode_png(const Tensor& image);

}  // namespace ember::data
