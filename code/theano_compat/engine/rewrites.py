"""Every rewrite the package adds to PyTensor's, registered here.

Two kinds:

* the C backend's mode (Theano's ``FAST_RUN``, ``engine.cvm``) takes the
  rewrites of :data:`REWRITES`, each by a name that
  ``THEANO_FLAGS=optimizer_excluding=NAME`` switches off: the fused
  softmax regression loop (defined in ``engine.fused``), the sum of
  squares, a convolution's bias gradient as channel sums and the sums and
  maxima over the last axis (``engine.reductions``), Theano's sigmoid and
  softplus and float32 ``tanh``, sigmoid and softplus in vector registers
  (``engine.elementwise``), and the three below, which keep the
  tutorials' graphs in C;
* rewrites of the package's own ops, registered in PyTensor's ``optdb``
  for every mode that asks for their tags (:func:`register_in_optdb`, run
  at import): MRG and RandomState draws in place (``fast_run``), and, for
  mode JAX, sizes and shapes kept as tuples so that JAX sees them as
  constants.

None of them changes what a function computes beyond a stated bound (the
sums of squares and channel sums add in another order; float32 ``tanh``,
sigmoid and softplus are within 1 ulp of the correctly rounded value),
except ``theano_sigmoid`` and ``theano_softplus``, which compute Theano's
formulas where PyTensor's differ (its sigmoid is 1 above 19 in float64):
each is tested against PyTensor's own result (or Theano's formula) on the
graphs it rewrites and on those it must leave alone.
"""

from pytensor.compile import optdb
import pytensor.tensor as pt
from pytensor.graph.rewriting.basic import (MergeOptimizer, dfs_rewriter,
                                            node_rewriter)
from pytensor.raise_op import Assert
from pytensor.tensor import math as pt_math
from pytensor.tensor import special as pt_special
from pytensor.tensor import subtensor as pt_subtensor
from pytensor.tensor.basic import MakeVector
from pytensor.tensor.elemwise import DimShuffle
from pytensor.tensor.shape import Shape_i
from pytensor.tensor.rewriting.ofg import inline_ofg_node

from theano_compat.engine import (elementwise, fused, products, reductions,
                                   scan_mode)
from theano_compat.sandbox.rng_mrg import mrg_uniform
from theano_compat.tensor.raw_random import RandomFunction
from theano_compat.tensor.nnet import conv_pool
from theano_compat.tensor.nnet.abstract_conv import (
    AbstractConv_gradInputs, AbstractConv_gradWeights)

__all__ = ['REWRITES', 'REWRITE_NAMES', 'register_in_optdb']


# ----------------------------------------------------------------------------
# The C backend's mode.

@node_rewriter([pt_special.Softmax, pt_special.LogSoftmax])
def inline_softmax(fgraph, node):
    """Replace a softmax op by the elementwise graph it stands for."""
    return inline_ofg_node(node)


@node_rewriter([pt_math.Argmax])
def argmax_of_scores(fgraph, node):
    """``argmax(softmax(z))`` is ``argmax(z)``: skip the softmax.

    Theano did the same (its ``local_argmax_pushdown``), so the tutorial's
    published error rates were computed this way.
    """
    scores = node.inputs[0]
    if (scores.owner is not None
            and isinstance(scores.owner.op, pt_special.Softmax)
            and scores.owner.op.axis == node.op.axis):
        return [node.op(scores.owner.inputs[0])]
    return None


@node_rewriter([pt_subtensor.AdvancedSubtensor,
                pt_subtensor.AdvancedIncSubtensor])
def index_pairs_as_positions(fgraph, node):
    """``m[rows, cols]`` on a matrix, read or incremented as ``m`` flattened.

    The tutorial's cost picks one entry per row, ``log_p[arange(n), y]``,
    and its gradient adds into those entries; PyTensor has no C code for
    indexing by two integer vectors, so both ran in Python.  With ``m``
    seen as a vector and ``rows * width + cols`` as positions, the same
    entries come from ops with C code.  Negative indices wrap and indices
    out of range raise an error, as they do in NumPy.  An increment that
    ignores duplicates (``inc_subtensor(..., ignore_duplicates=True)``:
    a repeated position counts once) is left to PyTensor, since the
    positional op would add it up.
    """
    op = node.op
    matrix, *rest = node.inputs
    reading = isinstance(op, pt_subtensor.AdvancedSubtensor)
    if not reading and getattr(op, 'ignore_duplicates', False):
        return None
    indices = rest if reading else rest[1:]
    if not (matrix.ndim == 2 and len(indices) == 2
            and len(op.idx_list) == 2
            and all(i.ndim == 1 and i.dtype.startswith(('int', 'uint'))
                    for i in indices)):
        return None
    height, width = Shape_i(0)(matrix), Shape_i(1)(matrix)
    rows, cols = [pt.switch(pt.lt(i, 0), i + n, i)
                  for i, n in zip(indices, (height, width))]
    inside = pt.all(pt.ge(rows, 0) & pt.lt(rows, height)
                    & pt.ge(cols, 0) & pt.lt(cols, width))
    positions = Assert('index out of bounds')(
        pt.cast(rows, 'int64') * width + cols, inside)
    if reading:
        return [pt_subtensor.advanced_subtensor1(matrix.ravel(), positions)]
    values = rest[0]
    if values.type.broadcastable != positions.type.broadcastable:
        values = pt.broadcast_to(values, positions.shape)  # for the C code
    write = pt_subtensor.AdvancedIncSubtensor1(
        set_instead_of_inc=op.set_instead_of_inc)
    return [write(matrix.ravel(), values, positions).reshape(matrix.shape)]


# Where each rewrite runs among PyTensor's: the fused loop first of all,
# before any rewrite changes the graphs it recognises; the others between
# 'specialize' (2) and fusion (48), after the stabilising rewrites (which
# need to see a softmax whole).
AFTER_SPECIALIZE = 2.5
REWRITES = {
    fused.REWRITE_NAME: (fused.softmax_regression_rewriter, -0.03),
    'argmax_of_scores': (dfs_rewriter(argmax_of_scores),
                         AFTER_SPECIALIZE - 0.01),
    'inline_softmax': (dfs_rewriter(inline_softmax), AFTER_SPECIALIZE),
    'index_pairs_as_positions': (dfs_rewriter(index_pairs_as_positions),
                                 AFTER_SPECIALIZE + 0.001),
    reductions.REWRITE_NAME: (reductions.sum_of_squares_rewriter,
                              AFTER_SPECIALIZE + 0.002),
    elementwise.REWRITE_NAME: (elementwise.vectorised_tanh_rewriter,
                               AFTER_SPECIALIZE + 0.003),
    # Theano's sigmoid and softplus, then their float32 forms in vectors
    elementwise.THEANO_SIGMOID: (elementwise.theano_sigmoid_rewriter,
                                 AFTER_SPECIALIZE + 0.0031),
    elementwise.THEANO_SOFTPLUS: (elementwise.theano_softplus_rewriter,
                                  AFTER_SPECIALIZE + 0.0032),
    elementwise.VECTORISED_SIGMOID: (
        elementwise.vectorised_sigmoid_rewriter, AFTER_SPECIALIZE + 0.0033),
    elementwise.VECTORISED_SOFTPLUS: (
        elementwise.vectorised_softplus_rewriter, AFTER_SPECIALIZE + 0.0034),
    reductions.LAST_AXIS_NAME: (reductions.last_axis_rewriter,
                                AFTER_SPECIALIZE + 0.0039),
    reductions.CHANNEL_SUMS_NAME: (reductions.channel_sums_rewriter,
                                   AFTER_SPECIALIZE + 0.004),
    conv_pool.REWRITE_NAME: (conv_pool.conv_pool_rewriter,
                             AFTER_SPECIALIZE + 0.005),
    products.REWRITE_NAME: (products.blocked_dot_rewriter,
                            AFTER_SPECIALIZE + 0.006),
    # shares what a cost and its gradient both compute, once inlined
    'merge_after_inlining': (MergeOptimizer(), AFTER_SPECIALIZE + 0.01),
    # after every rewrite that makes or replaces a loop (the last, scan's
    # in-place rewrite, at 50.5), before the final merge (100)
    scan_mode.REWRITE_NAME: (scan_mode.inner_mode_rewriter, 99.5),
}
REWRITE_NAMES = tuple(REWRITES)


# ----------------------------------------------------------------------------
# The package's ops, in every mode.

@node_rewriter([mrg_uniform], inplace=True)
def mrg_random_make_inplace(fgraph, node):
    """Let a draw overwrite its input state (the shared variable's value,
    which the draw's update replaces anyway)."""
    op = node.op
    if isinstance(op, mrg_uniform) and not op.inplace:
        return mrg_uniform(op.dtype, op.ndim, inplace=True).make_node(
            *node.inputs).outputs
    return False


@node_rewriter([RandomFunction], inplace=True)
def random_make_inplace(fgraph, node):
    """Let a RandomState draw (``raw_random``) advance the generator
    itself rather than a copy of it, as Theano's rewrite of that name
    did; the function's update replaces the generator anyway."""
    op = node.op
    if op.inplace:
        return False
    inplace_op = RandomFunction(op.fn, op.outtype, inplace=True,
                                ndim_added=op.ndim_added)
    return inplace_op.make_node(*node.inputs).outputs


def _as_shape_tuple(vector):
    """``vector`` (a size or shape) as PyTensor's ``JAXShapeTuple`` of its
    scalars when it is built of them (``(x.shape[0], 5)``, ``x.shape``):
    JAX traces a vector built from scalars, but keeps a tuple of shapes
    and constants concrete, as a size must be.  None when it is not."""
    from pytensor.link.jax.dispatch.shape import JAXShapeTuple
    maker = vector.owner
    if maker is None or isinstance(maker.op, JAXShapeTuple):
        return None
    if isinstance(maker.op, MakeVector) or (
            isinstance(maker.op, DimShuffle) and maker.op.input_ndim == 0
            and maker.op.new_order == ('x',)):
        if maker.inputs:
            return JAXShapeTuple()(*maker.inputs)
    return None


@node_rewriter([mrg_uniform])
def mrg_size_as_tuple(fgraph, node):
    """An MRG draw's size as a tuple of scalars, for JAX."""
    size = _as_shape_tuple(node.inputs[1])
    if size is None:
        return None
    return node.clone_with_new_inputs([node.inputs[0], size]).outputs


@node_rewriter([RandomFunction])
def random_size_as_tuple(fgraph, node):
    """A RandomState draw's size as a tuple of scalars, for JAX, so that
    the shape of the draws is known while JAX traces."""
    size = _as_shape_tuple(node.inputs[1])
    if size is None:
        return None
    inputs = list(node.inputs)
    inputs[1] = size
    return node.op.make_node(*inputs).outputs


@node_rewriter([AbstractConv_gradInputs, AbstractConv_gradWeights])
def conv_shape_as_tuple(fgraph, node):
    """A convolution gradient's shape input as a tuple of scalars, for JAX
    (the ops' ``pullback`` gives the shape of an input: ``Shape_i``s)."""
    shape = _as_shape_tuple(node.inputs[2])
    if shape is None:
        return None
    return node.clone_with_new_inputs(node.inputs[:2] + [shape]).outputs


def register_in_optdb():
    """Register the rewrites of the package's ops in PyTensor's optdb
    (once; importing this module does it)."""
    if 'random_make_inplace_mrg' in optdb:
        return
    optdb.register('random_make_inplace_mrg',
                   dfs_rewriter(mrg_random_make_inplace,
                                ignore_newtrees=True),
                   'fast_run', 'inplace', position=99)
    optdb.register('theano_random_make_inplace',
                   dfs_rewriter(random_make_inplace, ignore_newtrees=True),
                   'fast_run', 'inplace', position=50.9)
    # after PyTensor's own jax_shape_parameter_as_tuple (100)
    optdb.register('jax_mrg_size_as_tuple', dfs_rewriter(mrg_size_as_tuple),
                   'jax', position=110.5)
    optdb.register('jax_random_size_as_tuple',
                   dfs_rewriter(random_size_as_tuple), 'jax', position=110.5)
    optdb.register('jax_conv_shape_as_tuple',
                   dfs_rewriter(conv_shape_as_tuple), 'jax', position=110.5)


register_in_optdb()
