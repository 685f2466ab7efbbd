"""MRG31k3p in JAX: :class:`~theano_compat.sandbox.rng_mrg.mrg_uniform`
for PyTensor's JAX backend (mode JAX, ``device=cuda``).

The step is :func:`~theano_compat.sandbox.rng_mrg.mrg_step`, the same
code as the NumPy version, on JAX int32 arrays (whose sums and products
wrap modulo 2^32, as the C++ code's do); rounds of one step of every
stream run in a ``lax.scan``.  The values are the C++ code's, bit for bit,
in float32; in float64 too when JAX runs in 64 bits (PyTensor's JAX
backend does when floatX is float64; with floatX=float32 it runs JAX in
32 bits, and a float64 draw comes out as float32).

JAX compiles for fixed shapes: the size of a draw must be known when the
function is compiled (a constant, or the shape of an input: the rewrite
``jax_mrg_size_as_tuple`` of ``engine.rewrites`` keeps it concrete).

The categories of ``multinomial`` and ``choice`` are picked on the host,
by the ops' NumPy code (``jax.pure_callback``): the same picks as in the
C backend, at the price of a copy to the host and back.

Importing this module registers the ops with ``jax_funcify``; the hook of
``engine.jax_device`` imports it when PyTensor loads its JAX backend.
"""

import numpy

import jax
import jax.numpy as jnp
from pytensor.graph.basic import Constant
from pytensor.link.jax.dispatch import jax_funcify

from theano_compat.sandbox.multinomial import (ChoiceFromUniform,
                                               MultinomialFromUniform)
from theano_compat.sandbox.rng_mrg import (M1, NORM_FLOAT32, NORM_FLOAT64,
                                           mrg_step, mrg_uniform)

__all__ = ['mrg_draw_jax']

SIZE_NOT_STATIC = (
    'mode JAX: the size of an MRG_RandomStreams draw must be known when '
    'the function is compiled (a constant, or the shape of an input with '
    'a fixed shape); got a size computed at run time')


def _to_unit(values, dtype):
    """Integers in [0, M1] (int32) as floats in [0, 1), as the C++ code."""
    if dtype == 'float32':
        return values.astype(jnp.float32) * jnp.float32(NORM_FLOAT32)
    return values.astype(jnp.float64) * NORM_FLOAT64


def mrg_draw_jax(rstate, n, dtype):
    """``n`` values from the streams ``rstate``, as traced JAX arrays.

    :param rstate: int32 array (n_streams, 6)
    :param n: a Python int
    :param dtype: 'float32' or 'float64'
    :returns: (new state, same shape; values, 1-d of length n)
    """
    n_streams = rstate.shape[0]
    if n == 0:
        return rstate, jnp.zeros((0,), dtype=dtype)
    if n_streams == 0:
        raise ValueError('mrg_uniform: the state has no streams')
    used = min(n, n_streams)
    rounds = -(-n // n_streams)
    last = n - (rounds - 1) * n_streams  # streams that step in the last round
    words = tuple(rstate[:used, k] for k in range(6))

    def one_round(words, _):
        return mrg_step(words, jnp.where)

    before, firsts = jax.lax.scan(one_round, words, None, length=rounds - 1)
    after, lasts = mrg_step(before, jnp.where)
    if last < used:
        stepped = jnp.arange(used) < last
        after = tuple(jnp.where(stepped, a, b) for a, b in zip(after, before))
    values = jnp.concatenate([firsts.reshape(-1), lasts[:last]])
    new_state = rstate.at[:used].set(jnp.stack(after, axis=1))
    return new_state, _to_unit(values, dtype)


@jax_funcify.register(mrg_uniform)
def jax_funcify_mrg_uniform(op, node, **kwargs):
    dtype = op.dtype
    size_var = node.inputs[1]
    static = node.outputs[1].type.shape
    if isinstance(size_var, Constant):
        static = tuple(int(s) for s in numpy.asarray(size_var.data))
    known = None if None in static else tuple(static)

    def mrg_uniform_jax(rstate, size):
        shape = known
        if shape is None:
            try:
                shape = tuple(int(s) for s in size)
            except (TypeError, jax.errors.ConcretizationTypeError):
                raise NotImplementedError(SIZE_NOT_STATIC) from None
        n = int(numpy.prod(shape, dtype=numpy.int64))
        if n > M1:
            raise ValueError('mrg_uniform draws at most 2**31 - 1 values at '
                             'a time, not %d' % n)
        new_state, values = mrg_draw_jax(rstate, n, dtype)
        return new_state, values.reshape(shape)

    return mrg_uniform_jax


def _host_op(op, node, out_shape):
    """JAX code that runs ``op``'s NumPy ``perform`` on the host: the
    categories of multinomial and choice, exactly as in the C backend."""
    dtype = jax.dtypes.canonicalize_dtype(node.outputs[0].dtype)

    def run_on_host(pvals, unis, n):
        storage = [[None]]
        op.perform(node, [numpy.asarray(pvals), numpy.asarray(unis),
                          numpy.asarray(n)], storage)
        return storage[0][0].astype(dtype)

    def host_op(pvals, unis, n):
        shape = out_shape(pvals, n)
        return jax.pure_callback(run_on_host,
                                 jax.ShapeDtypeStruct(shape, dtype),
                                 pvals, unis, n)

    return host_op


@jax_funcify.register(MultinomialFromUniform)
def jax_funcify_multinomial(op, node, **kwargs):
    if isinstance(op, ChoiceFromUniform):
        picks = node.inputs[2]
        if not isinstance(picks, Constant):
            raise NotImplementedError(
                'mode JAX: MRG_RandomStreams.choice needs a constant size')
        n = int(picks.data)
        return _host_op(op, node, lambda pvals, _: (pvals.shape[0], n))
    return _host_op(op, node, lambda pvals, _: pvals.shape)
