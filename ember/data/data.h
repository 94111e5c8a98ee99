#pragma once
// ember::data: datasets, samplers, transforms and the DataLoader (torch.utils.data,
// torchvision.transforms / datasets; LibTorch's torch::data names).
#include "ember/data/collate.h"
#include "ember/data/dataloader.h"
#include "ember/data/dataset.h"
#include "ember/data/datasets/subset.h"
#include "ember/data/datasets/tensor_dataset.h"
#include "ember/data/example.h"
#include "ember/data/idx.h"
#include "ember/data/samplers/distributed.h"
#include "ember/data/samplers/sampler.h"
#include "ember/data/transforms/transforms.h"
#include "ember/data/datasets/cifar.h"
#include "ember/data/datasets/image_folder.h"
#include "ember/data/datasets/mnist.h"
#include "ember/data/image.h"
