#pragma once
// ember: the umbrella header. `#include <ember/ember.h>` gives the whole C++ API.
#include "ember/core/allocator.h"
#include "ember/core/device.h"
#include "ember/core/dtype.h"
#include "ember/core/error.h"
#include "ember/core/parallel.h"
#include "ember/core/scalar.h"
#include "ember/core/tensor.h"
#include "ember/core/tensor_options.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"
#include "ember/ops/type_promotion.h"
