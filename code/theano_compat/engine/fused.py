"""One pass over the minibatch for softmax regression's cost and gradient.

The tutorial's training step reads its 600 x 784 minibatch twice: once
for the scores ``x @ W`` and once more for the gradient ``x.T @ delta``,
where ``delta`` is the softmax minus the one-hot labels.  In between comes
a softmax over rows only 10 wide, which PyTensor runs as a dozen small
ops.  Both matrix products are skinny (10 columns), so BLAS runs them well
below the machine's peak (bench/README.md has the profiles).

Here the whole step is one C++ loop over blocks of four rows
(``fused_softmax.cpp``): the block's scores, its softmax, its share of
the cost and its share of the gradient, while the block is still in the
first-level cache.  The minibatch is cut into four fixed parts, run by a
small pool of threads; the parts' sums are added in a fixed order, so the
result does not depend on the number of threads.  The error rate
(validation and test) is the same loop's scores and an argmax.

The user's graph is never changed: ``T.grad`` is ``pytensor.grad``.  The
loop is reached as Theano reached its fused softmax and cross-entropy
ops, by a rewrite at compile time (:data:`softmax_regression_rewriter`,
in the C backend's mode only).  It looks for

* the tutorial's cost, ``-mean(log(softmax(dot(x, W) + b))[arange(n), y])``,
  and the gradients ``pytensor.grad`` gives of it with respect to ``W`` and
  ``b``: each graph is compared, node for node and constant for constant,
  with one built here from the same ``x``, ``W``, ``b`` and ``y``, so that
  anything that merely looks similar is left alone;
* the tutorial's error rate, ``mean(neq(argmax(softmax(...)), y))``,

and computes what it found in one :class:`FusedSoftmaxRegression` node.
A function of the cost alone keeps computing it as PyTensor does.  Every
other mode (JAX, NUMBA, Python) runs PyTensor's graph as it is.
``THEANO_FLAGS=optimizer_excluding=fused_softmax_regression`` switches
the rewrite off.

The printed output of the tutorial's 74-epoch run is the same, line for
line, with and without this module, in float32 and in float64."""

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.graph.basic import Apply, equal_computations
from pytensor.graph.rewriting.basic import GraphRewriter
from pytensor.graph.traversal import ancestors
from pytensor.link.c.params_type import ParamsType
from pytensor.tensor import special as pt_special
from pytensor.tensor import subtensor as pt_subtensor

from theano_compat.engine.compiler import native_vector_flags
from theano_compat.engine.cop import ExternalCppOp
from theano_compat.engine.threads import fused_threads

__all__ = ['FusedSoftmaxRegression', 'softmax_regression_rewriter',
           'match_softmax_nll', 'match_softmax_errors', 'REWRITE_NAME']

REWRITE_NAME = 'fused_softmax_regression'
FLOAT_DTYPES = ('float32', 'float64')
INT_DTYPES = ('int8', 'int16', 'int32', 'int64',
              'uint8', 'uint16', 'uint32', 'uint64')

# ----------------------------------------------------------------------------
# Recognising the tutorial's graphs.

def _p_y_given_x(x, W, b):
    """The model's class probabilities, as ``LogisticRegression`` builds them."""
    return pt_special.softmax(pt.dot(x, W) + b, axis=-1)


def _log_p_of_labels(x, W, b, y):
    """``log(p_y_given_x)[arange(n), y]``, as the tutorial's cost picks it."""
    return pt.log(_p_y_given_x(x, W, b))[pt.arange(y.shape[0]), y]


def _softmax_nll(x, W, b, y):
    """The tutorial's cost, built exactly as ``logistic_sgd.py`` builds it."""
    return -pt.mean(_log_p_of_labels(x, W, b, y))


def _softmax_errors(x, W, b, y):
    """The tutorial's error rate, built as ``logistic_sgd.py`` builds it."""
    return pt.mean(pt.neq(pt.argmax(_p_y_given_x(x, W, b), axis=1), y))


def _model_inputs(scores, y):
    """``(x, W, b, y)`` read off ``scores = dot(x, W) + b``, or None."""
    try:
        product, bias = scores.owner.inputs  # dot(x, W) + b
        x, W = product.owner.inputs
        b = bias.owner.inputs[0]             # b, broadcast over rows
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    if not _model_types(x, W, b, y):
        return None
    return x, W, b, y


def _model_types(x, W, b, y):
    """Whether the C++ loop takes these inputs."""
    return (getattr(x.type, 'ndim', None) == 2
            and getattr(W.type, 'ndim', None) == 2
            and getattr(b.type, 'ndim', None) == 1
            and getattr(y.type, 'ndim', None) == 1
            and x.type.dtype in FLOAT_DTYPES
            and x.type.dtype == W.type.dtype == b.type.dtype
            and y.type.dtype in INT_DTYPES)


def _match(var, walk, build):
    """``(x, W, b, y)`` if ``var`` is ``build(x, W, b, y)``, else None.

    ``walk(var)`` goes down to ``dot(x, W) + b`` and ``y``; the inputs are
    read off there, then ``var``'s graph is compared with the one ``build``
    makes of them.
    """
    try:
        scores, y = walk(var)
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    found = _model_inputs(scores, y)
    if found is None or not equal_computations([var], [build(*found)]):
        return None
    return found


def _picked_scores_and_labels(picked):
    log_p, _, y = picked.owner.inputs                 # log_p[arange(n), y]
    return log_p.owner.inputs[0].owner.inputs[0], y   # log(softmax(.))


def _cost_scores_and_labels(cost):
    mean = cost.owner.inputs[0]                       # -mean(...)
    return _picked_scores_and_labels(
        mean.owner.inputs[0].owner.inputs[0])         # sum(...) / n


def _errors_scores_and_labels(rate):
    wrong = rate.owner.inputs[0].owner.inputs[0]      # sum(...) / n
    y_pred, y = wrong.owner.inputs                    # neq(y_pred, y)
    return y_pred.owner.inputs[0].owner.inputs[0], y  # argmax(softmax(.))


def match_softmax_nll(cost):
    """``(x, W, b, y)`` if ``cost`` is the tutorial's cost of them, else None."""
    return _match(cost, _cost_scores_and_labels, _softmax_nll)


def match_softmax_errors(rate):
    """``(x, W, b, y)`` if ``rate`` is the tutorial's error rate of them."""
    return _match(rate, _errors_scores_and_labels, _softmax_errors)


def _independent(x, W, b, y):
    """Whether the loop's gradient is the true one: ``W`` and ``b`` are
    two different variables, and neither feeds ``x``, ``y`` or the other."""
    feeds = set(ancestors([x, y]))
    return (W is not b and W not in feeds and b not in feeds
            and W not in set(ancestors([b]))
            and b not in set(ancestors([W])))


class _Finder(object):
    """The variables of a graph, by their owner's op, for quick lookups."""

    def __init__(self, fgraph):
        self.by_op = {}
        for node in fgraph.apply_nodes:
            self.by_op.setdefault(node.op, []).extend(node.outputs)

    def find(self, wanted):
        """The variables of the graph that compute the same as ``wanted``."""
        if wanted.owner is None:
            return []
        return [v for v in self.by_op.get(wanted.owner.op, [])
                if v.type == wanted.type
                and equal_computations([v], [wanted])]


def _cost_and_gradient_pairs(fgraph, finder, node, threads):
    """``[(old, new), ...]`` replacing the tutorial's cost and its
    gradients by the loop's outputs, when ``node`` picks the cost's
    log-probabilities and the graph asks for a gradient of that cost."""
    found = _match(node.outputs[0], _picked_scores_and_labels,
                   _log_p_of_labels)
    if found is None or not _independent(*found):
        return []
    x, W, b, y = found
    cost = _softmax_nll(x, W, b, y)
    both = pytensor.grad(cost, [W, b])
    wanted = [(cost, 1), (both[0], 2), (both[1], 3),
              (pytensor.grad(cost, W), 2), (pytensor.grad(cost, b), 3)]
    found_vars = [(var, out) for want, out in wanted
                  for var in finder.find(want)]
    if not any(out > 1 for _, out in found_vars):
        return []  # no gradient asked for: the cost stays as it is
    fused = FusedSoftmaxRegression('grad', threads)(x, W, b, y)
    pairs, seen = [], set()
    for var, out in found_vars:
        if var not in seen and var.type == fused[out].type:
            seen.add(var)
            pairs.append((var, fused[out]))
    return pairs


class SoftmaxRegressionRewriter(GraphRewriter):
    """Runs the tutorial's cost, gradients and error rate as the C++ loop."""

    def apply(self, fgraph):
        threads = fused_threads()
        finder = None
        pairs = []
        for node in fgraph.toposort():
            op = node.op
            if isinstance(op, pt_subtensor.AdvancedSubtensor):
                finder = finder or _Finder(fgraph)
                pairs += _cost_and_gradient_pairs(fgraph, finder, node,
                                                  threads)
            elif (getattr(op, 'scalar_op', None) is not None
                  and isinstance(op.scalar_op, ps.TrueDiv)):
                found = match_softmax_errors(node.outputs[0])
                if found is not None:
                    rate = FusedSoftmaxRegression('errors', threads)(
                        *found)[0]
                    if rate.type == node.outputs[0].type:
                        pairs.append((node.outputs[0], rate))
        if pairs:
            fgraph.replace_all_validate(pairs, reason=REWRITE_NAME)

    def print_summary(self, stream, level=0, depth=-1):
        print('%s%s (%s)' % (' ' * level, type(self).__name__, id(self)),
              file=stream)


softmax_regression_rewriter = SoftmaxRegressionRewriter()


# ----------------------------------------------------------------------------
# The C++ loop.

class FusedSoftmaxRegression(ExternalCppOp):
    """The C++ loop: ``(x, W, b, y) -> (error rate, cost, g_W, g_b)``.

    ``task='grad'`` computes the cost and its gradients (the error rate
    output is then NaN); ``task='errors'`` only the error rate: the
    fraction of rows whose highest score (the first, on a tie) is not at
    their label, as ``mean(neq(argmax(softmax(x @ W + b)), y))``.  Both
    tasks have the same outputs and the same C code, with the task and
    the thread count as run-time parameters, so a program compiles one
    module for both (a module takes 1-2 s to compile).

    ``threads``: how many threads run a call (the caller's included).
    The C++ is ``fused_softmax.cpp``.
    """

    __props__ = ('task', 'threads')
    source_files = ('fused_softmax.cpp',)
    params_type = ParamsType(errors_only=ps.int32, threads=ps.int32)

    def __init__(self, task='grad', threads=1):
        if task not in ('grad', 'errors'):
            raise ValueError("task should be 'grad' or 'errors', not %r"
                             % (task,))
        self.task = task
        self.threads = int(threads)

    def get_params(self, node):
        return self.params_type.get_params(
            errors_only=int(self.task == 'errors'), threads=self.threads)

    def make_node(self, x, W, b, y):
        x, W, b, y = map(pt.as_tensor_variable, (x, W, b, y))
        if not _model_types(x, W, b, y):
            raise TypeError('FusedSoftmaxRegression takes a float matrix x, '
                            'a matrix W and a vector b of the same dtype, and '
                            'an int vector y; got %s' % ((x.type, W.type,
                                                          b.type, y.type),))
        return Apply(self, [x, W, b, y],
                     [pt.scalar(dtype='float64'),
                      pt.tensor(dtype=x.type.dtype, shape=()),
                      W.type(), b.type()])

    def perform(self, node, inputs, outputs):
        x, W, b, y = inputs
        n, k = x.shape[0], W.shape[1]
        if x.shape[1] != W.shape[0] or b.shape[0] != k or y.shape[0] != n:
            raise ValueError('shapes do not match: x %s, W %s, b %s, y %s'
                             % (x.shape, W.shape, b.shape, y.shape))
        dtype = x.dtype
        z = x @ W + b
        if self.task == 'errors':
            with numpy.errstate(invalid='ignore'):
                outputs[0][0] = numpy.asarray(
                    numpy.mean(numpy.argmax(z, axis=1) != y), dtype='float64')
            outputs[1][0] = numpy.asarray(numpy.nan, dtype=dtype)
            outputs[2][0], outputs[3][0] = numpy.zeros_like(W), numpy.zeros_like(b)
            return
        if n and not ((y >= -k) & (y < k)).all():
            raise IndexError('index out of bounds: a label in y is not one '
                             'of the %d classes' % k)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - numpy.log(numpy.exp(z).sum(axis=1, keepdims=True))
        rows = numpy.arange(n)
        delta = numpy.exp(log_p)
        delta[rows, y] -= 1
        delta /= n
        outputs[0][0] = numpy.asarray(numpy.nan)
        with numpy.errstate(invalid='ignore'):
            outputs[1][0] = numpy.asarray(-log_p[rows, y].mean(), dtype=dtype)
        outputs[2][0] = (x.T @ delta).astype(dtype)
        outputs[3][0] = delta.sum(axis=0).astype(dtype)

    def c_headers(self, **kwargs):
        return ['<math.h>', '<pthread.h>', '<stdlib.h>', '<string.h>']

    def c_compile_args(self, **kwargs):
        return ['-pthread'] + native_vector_flags()
