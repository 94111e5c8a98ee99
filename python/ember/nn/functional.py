"""ember.nn.functional (torch.nn.functional): each function is one call into ember's C++
(ember._C._nn and the tensor ops), with torch's signatures."""
from .. import _C

_nn = _C._nn

linear = _nn.linear
bilinear = _nn.bilinear
conv1d = _nn.conv1d
conv2d = _nn.conv2d
conv_transpose1d = _nn.conv_transpose1d
conv_transpose2d = _nn.conv_transpose2d
avg_pool1d = _nn.avg_pool1d
avg_pool2d = _nn.avg_pool2d
adaptive_avg_pool1d = _nn.adaptive_avg_pool1d
adaptive_avg_pool2d = _nn.adaptive_avg_pool2d
batch_norm_ = _nn.batch_norm
layer_norm = _nn.layer_norm
group_norm = _nn.group_norm
mse_loss = _nn.mse_loss
l1_loss = _nn.l1_loss
smooth_l1_loss = _nn.smooth_l1_loss
huber_loss = _nn.huber_loss
binary_cross_entropy = _nn.binary_cross_entropy
binary_cross_entropy_with_logits = _nn.binary_cross_entropy_with_logits
nll_loss = _nn.nll_loss
cross_entropy = _nn.cross_entropy
kl_div = _nn.kl_div
margin_ranking_loss = _nn.margin_ranking_loss
cosine_embedding_loss = _nn.cosine_embedding_loss
gelu = _nn.gelu
prelu = _nn.prelu
glu = _nn.glu
softsign = _nn.softsign
tanhshrink = _nn.tanhshrink
hardshrink = _nn.hardshrink
softshrink = _nn.softshrink
one_hot = _nn.one_hot
normalize = _nn.normalize
cosine_similarity = _nn.cosine_similarity
pairwise_distance = _nn.pairwise_distance
pad = _nn.pad
logsigmoid = _nn.log_sigmoid
softplus = _nn.softplus
silu_ = _nn.silu


def _inplace(fn_inplace, fn, input, inplace, *args):
    return fn_inplace(input, *args) if inplace else fn(input, *args)


def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _inplace(_nn.leaky_relu_, _nn.leaky_relu, input, inplace, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    return _inplace(_nn.elu_, _nn.elu, input, inplace, alpha)


def selu(input, inplace=False):
    return _inplace(_nn.selu_, _nn.selu, input, inplace)


def celu(input, alpha=1.0, inplace=False):
    return _inplace(_nn.celu_, _nn.celu, input, inplace, alpha)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return _inplace(_nn.hardtanh_, _nn.hardtanh, input, inplace, min_val, max_val)


def hardsigmoid(input, inplace=False):
    return _inplace(_nn.hardsigmoid_, _nn.hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    return _inplace(_nn.hardswish_, _nn.hardswish, input, inplace)


def silu(input, inplace=False):
    return _inplace(_nn.silu_, _nn.silu, input, inplace)


def mish(input, inplace=False):
    return _inplace(_nn.mish_, _nn.mish, input, inplace)


def threshold(input, threshold, value, inplace=False):
    return _inplace(_nn.threshold_, _nn.threshold, input, inplace, threshold, value)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def _softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim(input.dim())
    return _C.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim(input.dim())
    return _C.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim(input.dim())
    return _C.softmax(-input, dim, dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    return _nn.dropout(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _nn.alpha_dropout(input, p, training, inplace)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _nn.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _nn.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _nn.adaptive_max_pool1d(input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _nn.adaptive_max_pool2d(input, output_size, return_indices)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    return _nn.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    if padding_idx is not None and padding_idx < 0:
        padding_idx = weight.size(0) + padding_idx
    return _nn.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    # torch's Python argument handling, then ember's C++ kernel (modes nearest and bilinear).
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(input.shape[2:])} and output size of {size}. Please provide input tensor "
                    "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            size = [int(s) for s in size]
        else:
            size = [int(size)] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scale_factor}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                    "(s1, s2, ...,sK) format.")
            scale_factor = [float(s) for s in scale_factor]
        else:
            scale_factor = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError("Anti-alias option is only supported for bilinear and bicubic modes")
    if antialias:
        raise NotImplementedError("interpolate(): antialias=True is not supported by ember")
    needs = {"bilinear": 4, "linear": 3, "trilinear": 5}
    if mode in needs and input.dim() in (3, 4, 5) and input.dim() != needs[mode]:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {needs[mode]}D input")
    if input.dim() not in (3, 4, 5) or mode not in ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area",
                                                     "nearest-exact"):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the modes: nearest | "
            f"linear | bilinear | bicubic | trilinear | area | nearest-exact (got {mode})")
    if mode == "nearest" and input.dim() == 5:
        raise NotImplementedError("interpolate(): 5-D input (nearest, 3 spatial dimensions) is not supported by ember")
    return _nn.interpolate(input, size, scale_factor, mode, align_corners if mode != "nearest" else None,
                           recompute_scale_factor)
