"""JAX implementations of ``images2neibs`` and its gradient
(:mod:`theano_compat.tensor.nnet.neighbours`).

The NumPy code's index tables on JAX arrays: the patches are a gather,
the gradient a scatter-add at the same places.  JAX compiles for fixed
shapes, so ``neib_shape`` and ``neib_step`` must be constants.
"""

import jax.numpy as jnp
from pytensor.link.jax.dispatch import jax_funcify

from theano_compat.tensor.nnet.neighbours import (
    Images2Neibs, Images2NeibsGrad, add_patches_back, constant_pair,
    cut_patches)


def constant_pairs(op, node):
    """``(neib_shape, neib_step)`` as pairs of ints, from the node's last
    two inputs."""
    pairs = [constant_pair(v) for v in node.inputs[-2:]]
    if None in pairs:
        raise NotImplementedError(
            '%s in mode JAX: neib_shape and neib_step must be known when '
            'the graph is built (constants), not symbolic' % op)
    return pairs


@jax_funcify.register(Images2Neibs)
def jax_funcify_images2neibs(op, node, **kwargs):
    neib_shape, neib_step = constant_pairs(op, node)

    def images2neibs(ten4, *geometry):
        return cut_patches(jnp, ten4, neib_shape, neib_step, op.mode)
    return images2neibs


@jax_funcify.register(Images2NeibsGrad)
def jax_funcify_images2neibs_grad(op, node, **kwargs):
    neib_shape, neib_step = constant_pairs(op, node)

    def images2neibs_grad(ten4, gz, *geometry):
        return add_patches_back(jnp, ten4.shape, gz, neib_shape, neib_step,
                                op.mode)
    return images2neibs_grad
