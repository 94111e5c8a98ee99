from .module import Module
from .linear import Identity, Linear, Bilinear
from .activation import (ReLU, ReLU6, LeakyReLU, ELU, CELU, SELU, GELU, SiLU, Mish, Sigmoid, Tanh, Softplus, Softsign,
                         Hardtanh, Hardsigmoid, Hardswish, LogSigmoid, Softmax, LogSoftmax, Softmin, Threshold, PReLU,
                         Tanhshrink, Hardshrink, Softshrink, GLU)
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d,
                      AdaptiveMaxPool1d, AdaptiveMaxPool2d)
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, SyncBatchNorm
from .dropout import Dropout, AlphaDropout
from .loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss,
                   KLDivLoss)
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .sparse import Embedding
from .flatten import Flatten, Unflatten
from .distance import PairwiseDistance, CosineSimilarity
