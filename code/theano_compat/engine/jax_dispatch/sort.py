"""JAX implementation of ``topk`` (:class:`~theano_compat.tensor.sort.
TopKOp`): ``jax.lax.top_k``.

JAX compiles for fixed shapes, so ``kth`` must be a constant.  The order
is the NumPy code's: the largest first (the smallest, for a negative
``kth``), the first along the axis first among equal entries.
"""

import jax
import jax.numpy as jnp
from pytensor.link.jax.dispatch import jax_funcify

from theano_compat.tensor.sort import TopKOp, constant_kth


@jax_funcify.register(TopKOp)
def jax_funcify_topk(op, node, **kwargs):
    k = constant_kth(node.inputs[1])
    if k is None:
        raise NotImplementedError(
            'topk in mode JAX: kth must be known when the graph is '
            'built (a constant), not symbolic')
    axis = op.axis % node.inputs[0].type.ndim

    def topk(x, kth):
        a = jnp.moveaxis(x, axis, -1)
        # jax.lax.top_k: the largest, the first of equal ones first;
        # the smallest are the largest of ~a (ints) or -a
        key = a if k > 0 else (~a if a.dtype.kind in 'iu' else -a)
        _, index = jax.lax.top_k(key, abs(k))
        values = jnp.take_along_axis(a, index, axis=-1)
        found = []
        if op.return_values:
            found.append(jnp.moveaxis(values, -1, axis))
        if op.return_indices:
            found.append(jnp.moveaxis(index, -1, axis)
                         .astype(op.idx_dtype))
        return tuple(found) if len(found) > 1 else found[0]
    return topk
