#pragma once
// ember::nn: modules, containers, initialisers (`#include <ember/nn/nn.h>`, or the umbrella
// ember/ember.h).
#include "ember/nn/enum.h"
#include "ember/nn/expanding_array.h"
#include "ember/nn/holder.h"
#include "ember/nn/init.h"
#include "ember/nn/module.h"
#include "ember/nn/modules/container/any.h"
#include "ember/nn/modules/container/functional.h"
#include "ember/nn/modules/container/module_list.h"
#include "ember/nn/modules/container/sequential.h"
#include "ember/nn/functional.h"
#include "ember/nn/modules/conv.h"
#include "ember/nn/modules/linear.h"
#include "ember/nn/modules/normalization.h"
#include "ember/nn/modules/pooling.h"
#include "ember/ops/linear.h"
