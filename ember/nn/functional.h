#pragma once
// nn::functional (LibTorch's torch::nn::functional): activations, losses, dropout,
// padding, interpolation, normalisation and distances, with their options structs.
//   namespace F = ember::nn::functional;
//   auto loss = F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().label_smoothing(0.1));
#include "ember/nn/functional/activation.h"
#include "ember/nn/functional/conv.h"
#include "ember/nn/functional/linear.h"
#include "ember/nn/functional/pooling.h"
#include "ember/nn/functional/distance.h"
#include "ember/nn/functional/dropout.h"
#include "ember/nn/functional/embedding.h"
#include "ember/nn/functional/loss.h"
#include "ember/nn/functional/normalize.h"
#include "ember/nn/functional/padding.h"
#include "ember/nn/functional/upsampling.h"
#include "ember/ops/activation.h"
#include "ember/ops/pad.h"
