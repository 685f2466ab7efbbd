"""JAX implementation of Theano's RandomState draws
(``theano.tensor.raw_random.RandomFunction``), for mode JAX and
``device=cuda``.

JAX cannot hold a NumPy ``RandomState``: the generator's state travels
as four arrays (:func:`~theano_compat.tensor.raw_random.state_to_arrays`),
and each draw calls back to the host, which rebuilds the generator, draws
as the C backend does and hands back the new state with the numbers.
The shape of the draws must be known while JAX traces the graph.
"""

import jax
import numpy
from pytensor.graph.basic import Constant
from pytensor.link.jax.dispatch import jax_funcify

from theano_compat.tensor.raw_random import (
    RandomFunction, arrays_to_state, multinomial_helper, permutation_helper,
    state_to_arrays)


def _static(value):
    """``value`` as a NumPy array if JAX knows it while tracing, else
    None."""
    try:
        return numpy.asarray(value)
    except Exception:  # noqa: BLE001 (JAX's tracer errors vary by version)
        return None


def _draw_shape(op, node, size, params):
    """The shape of the draws, from what is known while JAX traces."""
    static_type = node.outputs[1].type.shape
    if all(length is not None for length in static_type):
        return tuple(static_type)
    size = _static(size)
    if size is None:
        return None
    if len(size):
        shape = tuple(int(s) for s in size)
    elif op.fn in (permutation_helper,):
        shape = ()
    else:  # NumPy's broadcasting of the parameters
        shapes = [numpy.shape(p) for p in params]
        if op.fn is multinomial_helper:
            shapes = [shapes[0], shapes[1][:-1]]
        shape = numpy.broadcast_shapes(*shapes)
    if op.fn is permutation_helper:
        n = _static(params[0])
        return None if n is None else shape + (int(n),)
    if op.fn is multinomial_helper:
        return shape + (numpy.shape(params[1])[-1],)
    return shape


@jax_funcify.register(RandomFunction)
def _jax_random_function(op, node=None, **kwargs):
    dtype = jax.dtypes.canonicalize_dtype(node.outputs[1].type.dtype)
    # the constant size and parameters stay on the host as they are
    # (their exact dtypes); the others go through the call
    constants = {i: inp.data for i, inp in enumerate(node.inputs)
                 if isinstance(inp, Constant)}
    passed = [i for i in range(1, len(node.inputs))
              if i not in constants]

    def inputs_of(values):
        full = dict(constants)
        full.update(zip(passed, values))
        return full[1], [full[i] for i in range(2, len(node.inputs))]

    def host(state, *values):
        r = arrays_to_state(state)
        size, params = inputs_of(values)
        sample = op.draw(node, r, numpy.asarray(size),
                         [numpy.asarray(p) for p in params])
        return state_to_arrays(r) + (sample.astype(dtype),)

    def random_function(state, *inputs):
        values = [inputs[i - 1] for i in passed]
        shape = _draw_shape(op, node, *inputs_of(values))
        if shape is None:
            raise NotImplementedError(
                'in mode JAX the size of %s must be known when the '
                'function is compiled (a constant, or the shape of an '
                'input or a shared variable); use THEANO_FLAGS='
                'device=cpu for sizes computed at run time' % op)
        results = (jax.ShapeDtypeStruct((624,), numpy.uint32),
                   jax.ShapeDtypeStruct((), numpy.int32),
                   jax.ShapeDtypeStruct((), numpy.int32),
                   jax.ShapeDtypeStruct((2,), numpy.uint32),
                   jax.ShapeDtypeStruct(shape, dtype))
        out = jax.pure_callback(host, results, tuple(state), *values)
        return tuple(out[:4]), out[4]
    return random_function
