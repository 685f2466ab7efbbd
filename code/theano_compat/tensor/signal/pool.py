"""``theano.tensor.signal.pool``: Theano 1.0's ``pool_2d``, on PyTensor.

:func:`pool_2d` pools the last two dimensions of a tensor of 2 or more
dimensions (every leading dimension is a batch dimension), in windows of
``ws`` pixels taken every ``stride`` pixels, after ``pad`` zeros around
the image, with Theano 1.0.5's meaning of each argument:

``mode``
    ``'max'`` and ``'sum'`` read only the image (never the padding);
    ``'average_inc_pad'`` divides the window's sum by the window's size
    counting the padding, ``'average_exc_pad'`` by the number of image
    pixels in it.  Where ``ignore_border=False`` leaves a window cut off
    by the image's end, both averages divide by what is left of it.
``ignore_border``
    True: only whole windows (of the padded image).  False: one more
    window where the last would stick out.  None (the default): as
    Theano 1.0.5, a warning, then False.
``pad``
    only with ``ignore_border=True``, and smaller than ``ws``
    (``NotImplementedError`` otherwise, as in Theano).
``ds``, ``st``, ``padding``
    Theano's older names of ``ws``, ``stride``, ``pad``: accepted with
    Theano's deprecation warning.

The gradient of ``'max'`` goes, as in Theano's C code, to every element
of a window that equals the window's maximum (all of them when there is a
tie).  ``ws``, ``stride`` and ``pad`` must be known when the graph is
built (ints); Theano also took symbolic ones.

Four ops do the work: :class:`Pool2d`, :class:`MaxPoolGrad2d`,
:class:`AveragePoolGrad2d` and :class:`MaxPoolGradGrad2d` (the second
derivative of max pooling), each with C++ code (``pool.cpp``, beside
this file: loops over the planes, on as many threads as
``engine.threads.fused_threads`` says, with a faster path for windows
that tile the image, such as LeNet's 2 x 2), a NumPy ``perform`` and a
JAX implementation.  The C code is for float32 and float64; other dtypes
(``'max'`` and ``'sum'`` of integers) run the NumPy code.
"""

import hashlib
import os
import warnings

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.gradient import DisconnectedType, grad_not_implemented
from pytensor.graph.basic import Apply, Constant
from pytensor.link.c.op import COp
from pytensor.link.c.params_type import ParamsType
from pytensor.tensor.type import TensorType

from theano_compat.engine.threads import fused_threads
from theano_compat.engine.jax_device import on_jax_dispatch

__all__ = ['pool_2d', 'Pool2d', 'MaxPoolGrad2d', 'AveragePoolGrad2d',
           'MaxPoolGradGrad2d', 'pool_output_length', 'MODES']

MODES = ('max', 'sum', 'average_inc_pad', 'average_exc_pad')
C_DTYPES = ('float32', 'float64')
HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL_FILE = os.path.join(HERE, 'pool.cpp')
# the parallel loop, shared with the convolution ops
PARALLEL_FILE = os.path.join(os.path.dirname(HERE), 'parallel_for.cpp')

IGNORE_BORDER_WARNING = (
    "pool_2d(): ignore_border was not given; as in Theano 1.0, it is False "
    "(windows cut off by the image's end are kept), a default that Theano "
    "meant to change to True. Give ignore_border=True or False explicitly.")


def pool_output_length(length, ws, stride, pad, ignore_border):
    """How many windows fit along an axis, as Theano 1.0 counted them.

    :param length, ws, stride, pad: ints (the axis's length, the window,
        the step between windows, the zeros on each side)
    :param ignore_border: bool
    :rtype: int
    """
    padded = length + 2 * pad
    if length == 0:
        return 0  # no windows (Theano counted one, then failed)
    if ignore_border:
        return max((padded - ws) // stride + 1, 0)
    if stride >= ws:
        return (padded - 1) // stride + 1
    return max((padded - 1 - ws + stride) // stride, 0) + 1


def kernel_source():
    """The C++ code of the pooling ops: ``parallel_for.cpp``, then
    ``pool.cpp``."""
    sources = []
    for path in (PARALLEL_FILE, KERNEL_FILE):
        with open(path) as f:
            sources.append(f.read())
    return '\n'.join(sources)


def _int_pair(value, name):
    """``value`` (tuple, list, array or constant) as a pair of ints."""
    if isinstance(value, Constant):
        value = value.data
    if isinstance(value, pytensor.graph.basic.Variable):
        raise NotImplementedError(
            'pool_2d: %s must be known when the graph is built (a pair of '
            'ints); a symbolic %s is not supported' % (name, name))
    array = numpy.asarray(value)
    if array.shape != (2,) or array.dtype.kind not in 'iu':
        raise ValueError('pool_2d: %s should be a pair of ints, not %r'
                         % (name, value))
    items = [int(v) for v in array]
    return tuple(items)


class _PoolBase(COp):
    """What the pooling ops share: their parameters and their C setup.

    :param ws: window ``(rows, cols)``, ints >= 1
    :param stride: ``(rows, cols)``, ints >= 1 (None: ``ws``)
    :param pad: ``(rows, cols)``, ints >= 0, smaller than ``ws``; non-zero
        only with ``ignore_border``
    :param ignore_border: bool
    :param mode: one of :data:`MODES`
    """

    __props__ = ('ws', 'stride', 'pad', 'ignore_border', 'mode')
    params_type = ParamsType(ws_rows=ps.int64, ws_cols=ps.int64,
                             stride_rows=ps.int64, stride_cols=ps.int64,
                             pad_rows=ps.int64, pad_cols=ps.int64,
                             ignore_border=ps.int32, mode_code=ps.int32,
                             threads=ps.int32)
    _c_function = None

    def __init__(self, ws, stride=None, pad=(0, 0), ignore_border=False,
                 mode='max'):
        if mode == 'max_deterministic':  # Theano's other name for 'max'
            mode = 'max'
        if mode not in MODES:
            raise ValueError('pool_2d: mode should be one of %s, not %r'
                             % (', '.join(MODES), mode))
        self.ws = _int_pair(ws, 'ws')
        self.stride = self.ws if stride is None else _int_pair(stride,
                                                               'stride')
        self.pad = _int_pair((0, 0) if pad is None else pad, 'pad')
        self.ignore_border = bool(ignore_border)
        self.mode = mode
        if min(self.ws) < 1 or min(self.stride) < 1 or min(self.pad) < 0:
            raise ValueError(
                'pool_2d: ws and stride should be >= 1 and pad >= 0, not '
                'ws=%s, stride=%s, pad=%s' % (self.ws, self.stride, self.pad))
        if max(self.pad) and not self.ignore_border:
            raise NotImplementedError(
                'pool_2d: padding works only with ignore_border=True (as in '
                'Theano)')
        if any(p >= w for p, w in zip(self.pad, self.ws)):
            raise NotImplementedError(
                'pool_2d: the padding %s must be smaller than the window %s '
                '(as in Theano)' % (self.pad, self.ws))

    def L_op(self, inputs, outputs, grads):
        # PyTensor before 3.0 asks for L_op; later ones for pullback.
        return self.pullback(inputs, outputs, grads)

    def _kwargs(self):
        return dict(ws=self.ws, stride=self.stride, pad=self.pad,
                    ignore_border=self.ignore_border, mode=self.mode)

    def get_params(self, node):
        return self.params_type.get_params(
            ws_rows=self.ws[0], ws_cols=self.ws[1],
            stride_rows=self.stride[0], stride_cols=self.stride[1],
            pad_rows=self.pad[0], pad_cols=self.pad[1],
            ignore_border=int(self.ignore_border),
            mode_code=MODES.index(self.mode), threads=fused_threads())

    def out_shape(self, shape):
        """The pooled shape of an input of this shape (entries: ints, or
        None where unknown)."""
        shape = tuple(shape)
        lead, last = shape[:-2], shape[-2:]
        return lead + tuple(
            None if length is None else pool_output_length(
                length, self.ws[i], self.stride[i], self.pad[i],
                self.ignore_border)
            for i, length in enumerate(last))

    def _check_input(self, x, who='pool_2d'):
        if x.type.ndim < 2:
            raise NotImplementedError(
                '%s: the input needs 2 dimensions or more, not %d'
                % (who, x.type.ndim))

    # --- NumPy and JAX ------------------------------------------------------

    def _layout(self, shape):
        """Padded lengths, per-offset slices and divisors for an input of
        ``shape`` (ints): ``(out, lengths, slices, counts)`` where
        ``slices[(i, j)]`` picks, from the padded (and extended) input, the
        element at window offset ``(i, j)`` of every window, and
        ``counts`` is the divisor of each window (None for max and sum)."""
        rows, cols = shape[-2:]
        out = self.out_shape((rows, cols))
        lengths, axis_counts = [], []
        for axis, (length, n) in enumerate(zip((rows, cols), out)):
            ws, st, pad = self.ws[axis], self.stride[axis], self.pad[axis]
            # room for the last window, which ignore_border=False lets
            # stick out past the image's end
            lengths.append(max(length + 2 * pad, (n - 1) * st + ws, 0))
            start = numpy.arange(n) * st
            end = numpy.minimum(start + ws, length + 2 * pad)
            inside = (numpy.minimum(end, length + pad)
                      - numpy.maximum(start, pad))
            axis_counts.append(end - start if self.mode == 'average_inc_pad'
                               else inside)
        slices = {}
        for i in range(self.ws[0]):
            for j in range(self.ws[1]):
                slices[(i, j)] = (
                    Ellipsis,
                    slice(i, i + (out[0] - 1) * self.stride[0] + 1,
                          self.stride[0]),
                    slice(j, j + (out[1] - 1) * self.stride[1] + 1,
                          self.stride[1]))
        counts = None
        if self.mode.startswith('average'):
            counts = numpy.outer(axis_counts[0], axis_counts[1])
        return out, lengths, slices, counts

    def _padded(self, xp, x, lengths, fill):
        """``x`` inside a margin of ``fill``: ``pad`` before, and up to
        ``lengths`` after."""
        rows, cols = x.shape[-2:]
        widths = [(0, 0)] * (x.ndim - 2) + [
            (self.pad[0], lengths[0] - rows - self.pad[0]),
            (self.pad[1], lengths[1] - cols - self.pad[1])]
        return xp.pad(x, widths, constant_values=fill)

    def _cropped(self, padded, shape):
        rows, cols = shape[-2:]
        return padded[..., self.pad[0]:self.pad[0] + rows,
                      self.pad[1]:self.pad[1] + cols]

    @staticmethod
    def _lowest(dtype):
        dtype = numpy.dtype(dtype)
        if dtype.kind == 'f':
            return -numpy.inf
        return numpy.iinfo(dtype).min

    @staticmethod
    def _add_at(xp, target, index, value):
        if xp is numpy:
            target[index] += value
            return target
        return target.at[index].add(value)

    def _pool(self, xp, x):
        out, lengths, slices, counts = self._layout(x.shape)
        if 0 in out:
            return xp.zeros(x.shape[:-2] + tuple(out), dtype=x.dtype)
        fill = self._lowest(x.dtype) if self.mode == 'max' else 0
        padded = self._padded(xp, x, lengths, fill)
        result = None
        for index in slices.values():
            part = padded[index]
            if result is None:
                result = part
            elif self.mode == 'max':
                result = xp.maximum(result, part)
            else:
                result = result + part
        if counts is not None:
            result = result / counts.astype(x.dtype)
        return result.astype(x.dtype)

    def _max_grad(self, xp, x, z, gz):
        out, lengths, slices, _ = self._layout(x.shape)
        if 0 in out:
            return xp.zeros_like(x)
        padded = self._padded(xp, x, lengths, self._lowest(x.dtype))
        grad = xp.zeros(padded.shape, dtype=x.dtype)
        for index in slices.values():
            grad = self._add_at(xp, grad, index,
                                xp.where(padded[index] == z, gz, 0)
                                .astype(x.dtype))
        return self._cropped(grad, x.shape)

    def _average_grad(self, xp, x_shape, gz):
        out, lengths, slices, counts = self._layout(x_shape)
        if 0 in out:
            return xp.zeros(x_shape, dtype=gz.dtype)
        grad = xp.zeros(tuple(x_shape[:-2]) + tuple(lengths), dtype=gz.dtype)
        value = gz if counts is None else gz / counts.astype(gz.dtype)
        for index in slices.values():
            grad = self._add_at(xp, grad, index, value.astype(gz.dtype))
        return self._cropped(grad, x_shape)

    def _max_grad_grad(self, xp, x, z, gg):
        out, lengths, slices, _ = self._layout(x.shape)
        if 0 in out:
            return xp.zeros_like(z)
        padded = self._padded(xp, x, lengths, self._lowest(x.dtype))
        gg = self._padded(xp, gg, lengths, 0)
        result = xp.zeros(z.shape, dtype=x.dtype)
        for index in slices.values():
            result = result + xp.where(padded[index] == z, gg[index], 0)
        return result.astype(x.dtype)

    # --- C ------------------------------------------------------------------

    def c_support_code(self, **kwargs):
        return kernel_source()

    def c_headers(self, **kwargs):
        return ['<pthread.h>', '<string.h>', '<new>']

    def c_compile_args(self, **kwargs):
        return ['-pthread']

    def c_libraries(self, **kwargs):
        return ['pthread']

    def c_code(self, node, name, inputs, outputs, sub):
        dtype = node.outputs[0].type.dtype
        if dtype not in C_DTYPES:
            # other dtypes run the NumPy code
            raise NotImplementedError('C code only for float32 and float64')
        return _C_CALL % dict(
            function=self._c_function, args=', '.join(inputs),
            out=outputs[0], fail=sub['fail'], params=sub['params'],
            T='npy_' + dtype, typenum='NPY_' + dtype.upper())

    def c_code_cache_version(self):
        return (1, hashlib.sha256((kernel_source() + _C_CALL).encode())
                .hexdigest())


_C_CALL = r"""
{
    const pool2d::Options options = {
        {%(params)s->ws_rows, %(params)s->ws_cols},
        {%(params)s->stride_rows, %(params)s->stride_cols},
        {%(params)s->pad_rows, %(params)s->pad_cols},
        %(params)s->ignore_border, %(params)s->mode_code,
        %(params)s->threads};
    if (pool2d::%(function)s<%(T)s>(%(args)s, options, %(typenum)s,
                                    &%(out)s) != 0) {
        %(fail)s
    }
}
"""


def _like(var, shape):
    return TensorType(var.type.dtype, shape=tuple(
        None if s is None else int(s) for s in shape))()


def _same_dtype(who, *variables):
    dtypes = sorted({v.type.dtype for v in variables})
    if len(dtypes) > 1:
        raise TypeError('%s: the inputs should have one dtype, not %s'
                        % (who, ', '.join(dtypes)))


class Pool2d(_PoolBase):
    """Pooling: ``x (..., rows, cols) -> (..., out_rows, out_cols)``, of
    x's dtype."""

    _c_function = 'forward'

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        self._check_input(x)
        if self.mode.startswith('average') and not x.type.dtype.startswith(
                'float'):
            raise TypeError('pool_2d: mode %r needs a float input, not %s'
                            % (self.mode, x.type.dtype))
        return Apply(self, [x], [_like(x, self.out_shape(x.type.shape))])

    def perform(self, node, inputs, outputs):
        outputs[0][0] = numpy.ascontiguousarray(self._pool(numpy, inputs[0]))

    # No infer_shape: the output's shape is read off the output (in JAX a
    # static value, where a formula of the input's shape would be traced
    # and unusable as a shape).

    def pullback(self, inputs, outputs, grads):
        x, = inputs
        gz = pt.cast(grads[0], x.type.dtype)
        if not x.type.dtype.startswith('float'):
            return [x.zeros_like(dtype=pytensor.config.floatX)]
        if self.mode == 'max':
            return [MaxPoolGrad2d(**self._kwargs())(x, outputs[0], gz)]
        return [AveragePoolGrad2d(**self._kwargs())(x, gz)]


class MaxPoolGrad2d(_PoolBase):
    """Max pooling's gradient: ``(x, z, gz) -> gx``, where ``z`` is the
    pooled ``x`` and ``gz`` a gradient with respect to ``z``: each window's
    ``gz`` goes to every element of the window equal to its maximum."""

    _c_function = 'max_grad'

    def make_node(self, x, z, gz):
        x, z, gz = map(pt.as_tensor_variable, (x, z, gz))
        self._check_input(x, 'pool_2d gradient')
        _same_dtype('pool_2d gradient', x, z, gz)
        if not (z.type.ndim == gz.type.ndim == x.type.ndim):
            raise TypeError('pool_2d gradient: x, z and gz should have the '
                            'same number of dimensions')
        return Apply(self, [x, z, gz], [x.type()])

    def perform(self, node, inputs, outputs):
        x, z, gz = inputs
        _check_pooled('pool_2d gradient', self, x, (z, gz))
        outputs[0][0] = numpy.ascontiguousarray(
            self._max_grad(numpy, x, z, gz))

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def pullback(self, inputs, outputs, grads):
        x, z, gz = inputs
        gg = pt.cast(grads[0], x.type.dtype)
        # piecewise constant in x and z; linear in gz
        return [pt.zeros_like(x), pt.zeros_like(z),
                MaxPoolGradGrad2d(**self._kwargs())(x, z, gg)]


class AveragePoolGrad2d(_PoolBase):
    """The gradient of sum and average pooling: ``(x, gz) -> gx``; ``x``
    only gives the shape."""

    _c_function = 'average_grad'

    def make_node(self, x, gz):
        x, gz = map(pt.as_tensor_variable, (x, gz))
        self._check_input(x, 'pool_2d gradient')
        _same_dtype('pool_2d gradient', x, gz)
        if gz.type.ndim != x.type.ndim:
            raise TypeError('pool_2d gradient: x and gz should have the same '
                            'number of dimensions')
        return Apply(self, [x, gz], [x.type()])

    def perform(self, node, inputs, outputs):
        x, gz = inputs
        _check_pooled('pool_2d gradient', self, x, (gz,))
        outputs[0][0] = numpy.ascontiguousarray(
            self._average_grad(numpy, x.shape, gz))

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def connection_pattern(self, node):
        return [[False], [True]]

    def pullback(self, inputs, outputs, grads):
        # linear in gz, and the transpose of the pooling itself
        x, gz = inputs
        g = pt.cast(grads[0], x.type.dtype)
        return [DisconnectedType()(), Pool2d(**self._kwargs())(g)]


class MaxPoolGradGrad2d(_PoolBase):
    """Max pooling's second derivative: ``(x, z, gg) -> ggz``, of ``z``'s
    shape: each window's sum of ``gg`` over its elements equal to the
    window's maximum ``z``.  It has no gradient of its own."""

    _c_function = 'max_grad_grad'

    def make_node(self, x, z, gg):
        x, z, gg = map(pt.as_tensor_variable, (x, z, gg))
        self._check_input(x, 'pool_2d second derivative')
        _same_dtype('pool_2d second derivative', x, z, gg)
        return Apply(self, [x, z, gg], [z.type()])

    def perform(self, node, inputs, outputs):
        x, z, gg = inputs
        _check_pooled('pool_2d second derivative', self, x, (z,))
        if gg.shape != x.shape:
            raise ValueError('pool_2d second derivative: the gradient has '
                             'shape %s, the input %s' % (gg.shape, x.shape))
        outputs[0][0] = numpy.ascontiguousarray(
            self._max_grad_grad(numpy, x, z, gg))

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[1]]

    def pullback(self, inputs, outputs, grads):
        return [grad_not_implemented(self, i, v, 'third derivative of max '
                                     'pooling') for i, v in enumerate(inputs)]


def _check_pooled(who, op, x, arrays):
    """ValueError unless each array has the pooled shape of ``x``."""
    expected = tuple(op.out_shape(x.shape))
    for array in arrays:
        if tuple(array.shape) != expected:
            raise ValueError(
                '%s: an input has shape %s, but the pooled input has shape '
                '%s' % (who, tuple(array.shape), expected))


def _register_jax():
    import jax.numpy as jnp
    from pytensor.link.jax.dispatch import jax_funcify

    @jax_funcify.register(Pool2d)
    def _jax_pool(op, **kwargs):
        def pool(x):
            return op._pool(jnp, x)
        return pool

    @jax_funcify.register(MaxPoolGrad2d)
    def _jax_max_pool_grad(op, **kwargs):
        def max_pool_grad(x, z, gz):
            return op._max_grad(jnp, x, z, gz)
        return max_pool_grad

    @jax_funcify.register(AveragePoolGrad2d)
    def _jax_average_pool_grad(op, **kwargs):
        def average_pool_grad(x, gz):
            return op._average_grad(jnp, x.shape, gz)
        return average_pool_grad

    @jax_funcify.register(MaxPoolGradGrad2d)
    def _jax_max_pool_grad_grad(op, **kwargs):
        def max_pool_grad_grad(x, z, gg):
            return op._max_grad_grad(jnp, x, z, gg)
        return max_pool_grad_grad


on_jax_dispatch(_register_jax)


def _old_name(new_value, new_name, old_value, old_name, unset=(None,)):
    """The value of an argument given under its new or its old name."""
    if old_value is None:
        return new_value
    if new_value not in unset:
        raise ValueError("pool_2d: give %r or its older name %r, not both"
                         % (new_name, old_name))
    warnings.warn("DEPRECATION: pool_2d's parameter %r is now called %r"
                  % (old_name, new_name), stacklevel=3)
    return old_value


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0),
            mode='max', ds=None, st=None, padding=None):
    """Pool the last two dimensions of ``input``, as Theano 1.0's pool_2d.

    :param input: tensor of 2 or more dimensions ``(..., rows, cols)``
    :param ws: window ``(rows, cols)``: ints
    :param ignore_border: True: whole windows only; False: keep the window
        cut off by the image's end; None: a warning, then False (Theano
        1.0.5's default)
    :param stride: step between windows ``(rows, cols)``; None: ``ws``
    :param pad: zeros around the image ``(rows, cols)``, each smaller than
        ``ws``; needs ``ignore_border=True``
    :param mode: ``'max'``, ``'sum'``, ``'average_inc_pad'`` (the padding
        counts in the average) or ``'average_exc_pad'`` (it does not)
    :param ds, st, padding: older names of ``ws``, ``stride``, ``pad``
    :returns: tensor ``(..., out_rows, out_cols)`` of the input's dtype
    :raises ValueError: for a missing window, a name given twice, an
        unknown mode, or sizes that are not ints
    :raises NotImplementedError: for padding without ignore_border, padding
        as large as the window, an input of fewer than 2 dimensions, or a
        symbolic ``ws``, ``stride`` or ``pad``
    """
    if ws is None and ds is None:
        raise ValueError('pool_2d: give the window size ws')
    ws = _old_name(ws, 'ws', ds, 'ds')
    stride = _old_name(stride, 'stride', st, 'st')
    pad = _old_name(pad, 'pad', padding, 'padding', unset=(None, (0, 0)))
    input = pt.as_tensor_variable(input)
    if input.type.ndim < 2:
        raise NotImplementedError('pool_2d: the input needs 2 dimensions or '
                                  'more, not %d' % input.type.ndim)
    if ignore_border is None:
        warnings.warn(IGNORE_BORDER_WARNING, stacklevel=2)
        ignore_border = False
    return Pool2d(ws, stride, pad, ignore_border, mode)(input)


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
