"""Every op under torch and ember on the same data (helpers.check_op): values, dtypes,
shapes, grad_fn names and gradients; first input contiguous, transposed and broadcast."""
import pytest

from helpers import check_op

S = (3, 4)

UNARY = ["exp", "expm1", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "erf", "abs", "neg", "sign",
         "floor", "ceil", "round", "trunc", "relu", "square"]
POSITIVE = ["log", "log2", "log10", "sqrt", "rsqrt", "reciprocal"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_function_and_method(name):
    check_op(lambda m, x: getattr(m, name)(x), [S])
    check_op(lambda m, x: getattr(x, name)(), [S])


@pytest.mark.parametrize("name", POSITIVE)
def test_unary_positive_domain(name):
    check_op(lambda m, x: getattr(m, name)(x), [S], low=0.5, high=3.0)


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "logical_not"])
def test_predicates(name):
    check_op(lambda m, x: getattr(m, name)(x / (x - x.round())), [S], grad=False)


@pytest.mark.parametrize("shapes", [[S, S], [S, (4,)], [(3, 1), (1, 4)], [(), S], [(0, 4), (4,)]])
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_arithmetic_operators_broadcast(op, shapes):
    check_op(lambda m, a, b: eval("a " + op + " b"), shapes, low=0.5)


@pytest.mark.parametrize("expr", ["x + 2", "2 + x", "x - 2", "2 - x", "x * 3", "3 * x", "x / 4", "1 / x",
                                  "x ** 2", "2 ** x", "x ** 0.5", "-x", "abs(x)", "x % 0.7",
                                  "x @ x.t()", "x.t() @ x"])
def test_operator_expressions(expr):
    check_op(lambda m, x: eval(expr), [S], low=0.5, high=2.0)


def test_floor_divide_forward():
    # torch has no derivative for floor division (its grad_fn is NotImplemented); forward only.
    check_op(lambda m, x: x // 0.7, [S], grad=False)
    check_op(lambda m, x: 3 // x, [S], low=0.5, grad=False)


@pytest.mark.parametrize("expr", ["x == 1", "x != 1", "x < 0", "x <= 0", "x > 0", "x >= 0", "x == x"])
def test_comparisons(expr):
    check_op(lambda m, x: eval(expr), [S], grad=False)


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_integer_and_bool_operators(dtype):
    check_op(lambda m, x: x + x, [S], dtype=dtype, low=-5, high=5)
    check_op(lambda m, x: x * 2, [S], dtype=dtype, low=-5, high=5)
    check_op(lambda m, x: x / 2, [S], dtype=dtype, low=-5, high=5)
    if dtype != "bool":
        check_op(lambda m, x: x + 1.5, [S], dtype=dtype, low=-5, high=5)
        check_op(lambda m, x: x // 2, [S], dtype=dtype, low=-5, high=5)


@pytest.mark.parametrize("call", [
    "m.add(x, y, alpha=2)", "m.sub(x, y, alpha=0.5)", "m.mul(x, y)", "m.div(x, y)",
    "m.div(x, y, rounding_mode='floor')", "m.div(x, y, rounding_mode='trunc')", "m.pow(x.abs(), y)",
    "m.maximum(x, y)", "m.minimum(x, y)", "m.atan2(x, y)", "m.where(x > y, x, y)", "m.where(x > 0, x, 0.0)",
    "x.add(y)", "x.sub(2)", "x.mul(y)", "x.div(3)", "m.remainder(x, y)", "m.fmod(x, y)",
    "m.clamp(x, -0.5, 0.5)", "x.clamp(min=0)",
])
def test_binary_functions(call):
    check_op(lambda m, x, y: eval(call), [S, S], low=0.3)


@pytest.mark.parametrize("call", [
    "x.sum()", "x.sum(0)", "x.sum(1, keepdim=True)", "x.sum(dim=(0, 1))", "x.sum(-1)", "m.sum(x, 0)",
    "x.mean()", "x.mean(1)", "x.mean((0, 1), keepdim=True)", "x.prod()", "x.prod(1)",
    "x.max()", "x.min()", "x.max(0)", "x.min(1, keepdim=True)", "m.max(x, 1)", "x.amax(0)", "x.amin((0, 1))",
    "x.argmax()", "x.argmin(1)", "x.argmax(0, keepdim=True)", "x.std()", "x.var(0)", "x.std(1, unbiased=False)",
    "x.var(0, keepdim=True)", "x.norm()", "x.norm(1)", "x.norm(dim=1)", "m.logsumexp(x, 1)", "x.cumsum(1)",
    "x.cumprod(0)", "m.softmax(x, 1)", "m.log_softmax(x, 0)", "x.sort(1)", "x.sort(0, descending=True)",
    "x.argsort(1)", "x.topk(2, 1)", "(x > 0).all()", "(x > 0).any(1)", "m.count_nonzero(x > 0, 0)",
])
def test_reductions(call):
    check_op(lambda m, x: eval(call), [S], low=0.3)


@pytest.mark.parametrize("call", [
    "x.view(4, 3)", "x.view(-1)", "x.reshape(2, 6)", "x.reshape((6, 2))", "x.t()", "x.T", "x.transpose(0, 1)",
    "x.permute(1, 0)", "x.unsqueeze(0)", "x.unsqueeze(-1).squeeze(-1)", "x.flatten()", "x.expand(2, 3, 4)",
    "x.repeat(2, 1)", "x.flip(0)", "x.narrow(1, 1, 2)", "x.select(0, 1)", "x.split(2, 1)", "x.chunk(2, 0)",
    "x.unbind(1)", "m.cat([x, x], 1)", "m.stack([x, x])", "x.contiguous()", "x.clone()", "x.detach()",
    "x[0]", "x[:, 1]", "x[1:, ::2]", "x[None, ..., 1]", "x[x > 0]", "x[[0, 2]]", "x[m.tensor([2, 0])]",
    "x[-1, -1]", "x.diagonal()", "x.movedim(0, 1)", "x.unflatten(1, (2, 2))", "x.mT",
])
def test_shapes_and_indexing(call):
    check_op(lambda m, x: eval(call), [S])


@pytest.mark.parametrize("call", [
    "m.matmul(x, y.t())", "x.mm(y.t())", "m.mm(x.t(), y)", "m.outer(x[0], y[1])", "m.dot(x[0], y[0])",
    "m.mv(x, y[0])", "m.bmm(x.unsqueeze(0), y.t().unsqueeze(0))", "m.addmm(x[:, :3], x, y.t()[:, :3])",
    "x.index_select(1, m.tensor([0, 3]))", "x.gather(1, m.tensor([[0, 1], [2, 3], [1, 1]]))",
    "x.masked_fill(x > 0, 0.0)",
])
def test_linalg_and_gather(call):
    check_op(lambda m, x, y: eval(call), [S, S])


@pytest.mark.parametrize("call", [
    "m._C._nn.leaky_relu(x, 0.2) if m.__name__ == 'ember' else m.nn.functional.leaky_relu(x, 0.2)",
    "m._C._nn.elu(x) if m.__name__ == 'ember' else m.nn.functional.elu(x)",
    "m._C._nn.softplus(x, 2.0) if m.__name__ == 'ember' else m.nn.functional.softplus(x, 2.0)",
    "m._C._nn.silu(x) if m.__name__ == 'ember' else m.nn.functional.silu(x)",
    "m._C._nn.hardtanh(x, -0.5, 0.5) if m.__name__ == 'ember' else m.nn.functional.hardtanh(x, -0.5, 0.5)",
])
def test_activation_table_rows(call):
    check_op(lambda m, x: eval(call), [S])


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (5,), (2, 3, 4)])
def test_shapes_edge_cases(shape):
    check_op(lambda m, x: (x * 2 + 1).exp().sum(), [shape])
    check_op(lambda m, x: x.reshape(-1), [shape])


def test_masked_select():
    check_op(lambda m, x, y: m.masked_select(x, y > 0), [S, S], layouts=("contiguous", "broadcast"))


def test_masked_select_gradient_of_a_transposed_input():
    # PyTorch 1.13 scatters this gradient in the input's memory order (a bug: for x.t() it
    # disagrees with the forward's order), so the reference here is NumPy.
    import numpy as np
    import ember
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (4, 3)).astype("float32")
    mask = rng.uniform(-1, 1, (3, 4)) > 0
    x = ember.tensor(a, requires_grad=True)
    out = ember.masked_select(x.t(), ember.tensor(mask))
    np.testing.assert_array_equal(out.detach().numpy(), a.T[mask])
    out.backward(ember.arange(float(out.numel())))
    expected = np.zeros((3, 4), dtype="float32")
    expected[mask] = np.arange(mask.sum())
    np.testing.assert_array_equal(x.grad.numpy(), expected.T)


@pytest.mark.parametrize("call", [
    "m.addmv(x[:, 0], x, y[0])", "m.baddbmm(x[:, :3].unsqueeze(0), x.unsqueeze(0), y.t()[:, :3].unsqueeze(0))",
    "m.vdot(x[0], y[0])", "m.ger(x[0], y[1])", "x.as_strided((2, 2), (1, 2))", "m.nan_to_num(x / (x - x))",
    "m.negative(x)", "x.clamp_min(0.1)", "x.clamp_max(0.1)", "x.split_with_sizes([1, 3], 1)",
    "m.index_put(x, (m.tensor([0, 2]),), y[0])", "x.index_put((m.tensor([1]), m.tensor([3])), y[0, 0])",
    "m.logspace(0, 2, 5) + x[0, 0]", "m.scalar_tensor(2.5) * x",
])
def test_more_core_functions(call):
    check_op(lambda m, x, y: eval(call), [S, S], layouts=("contiguous",))


def test_in_place_forms():
    for call in ["x.fmod_(0.7)", "x.remainder_(0.7)", "x.atan2_(y)", "x.addmm_(y, m.eye(4), beta=0.5)",
                 "x.index_add_(0, m.tensor([0, 2]), y[:2])", "x.index_put_((m.tensor([1]),), y[0])"]:
        check_op(lambda m, x, y: eval(call), [S, S], grad=False, layouts=("contiguous",))
