"""``theano.tensor.signal.pool``: Theano 1.0's ``pool_2d`` and ``pool_3d``.

:func:`pool_2d` pools the last two dimensions of a tensor of 2 or more
dimensions (every leading dimension is a batch dimension), :func:`pool_3d`
the last three of a tensor of 3 or more, in windows of ``ws`` pixels
taken every ``stride`` pixels, after ``pad`` zeros around the image, with
Theano 1.0.5's meaning of each argument:

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
tie).  ``ws``, ``stride`` and ``pad`` may be symbolic int vectors, as in
Theano, except in mode JAX, which needs them known when the function is
compiled.

Four ops do the work, with Theano's names, each taking the number of
pooled axes as a parameter (``ndim``): :class:`Pool`,
:class:`MaxPoolGrad`, :class:`AveragePoolGrad` and
:class:`DownsampleFactorMaxGradGrad` (the second derivative of max
pooling).  ``ws``, ``stride`` and ``pad`` are their inputs.  Each has C++
code (``pool.cpp``, beside this file, one loop for every ``ndim``: loops
over the planes, on as many threads as ``engine.threads.fused_threads``
says, with a faster path for windows that tile the image, such as
LeNet's 2 x 2), a NumPy ``perform`` and a JAX implementation
(``engine/jax_dispatch/pool.py``).  The C code is for float32 and
float64; other dtypes (``'max'`` and ``'sum'`` of integers) run the NumPy
code.
"""

import itertools
import os
import warnings

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply, Constant, Variable
from pytensor.link.c.params_type import ParamsType
from pytensor.link.c.type import EnumList
from pytensor.tensor.type import TensorType

from theano_compat.engine.cop import ENGINE_DIR, ExternalCppOp
from theano_compat.engine.threads import fused_threads

__all__ = ['pool_2d', 'pool_3d', 'max_pool_2d_same_size', 'Pool',
           'PoolGrad', 'MaxPoolGrad', 'AveragePoolGrad',
           'DownsampleFactorMaxGradGrad', 'MaxPoolRop', 'PoolingMode_t',
           'pool_output_length', 'MODES']

MODES = ('max', 'sum', 'average_inc_pad', 'average_exc_pad')
C_DTYPES = ('float32', 'float64')
NDIMS = (1, 2, 3)  # pooled axes the C++ code takes

IGNORE_BORDER_WARNING = (
    "%s(): ignore_border was not given; as in Theano 1.0, it is False "
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


def _who(ndim):
    return 'pool_%dd' % ndim


def _sizes_text(ndim):
    return 'a pair of ints' if ndim == 2 else 'a tuple of %d ints' % ndim


def _int_vector(value, name, ndim):
    """``value`` (ints, or a symbolic int vector) as an int64 vector of
    ``ndim`` entries, and its entries when they are known (else None)."""
    who = _who(ndim)
    if isinstance(value, Variable) and not isinstance(value, Constant):
        if value.type.ndim != 1 or not value.type.dtype.startswith(
                ('int', 'uint')):
            raise TypeError('%s: %s should be a vector of ints, not %s'
                            % (who, name, value.type))
        if value.type.shape[0] not in (None, ndim):
            raise ValueError('%s: %s should have %d entries'
                             % (who, name, ndim))
        return pt.cast(value, 'int64'), None
    if isinstance(value, Constant):
        value = value.data
    array = numpy.asarray(value)
    if array.shape != (ndim,) or array.dtype.kind not in 'iu':
        raise ValueError('%s: %s should be %s, not %r'
                         % (who, name, _sizes_text(ndim), value))
    known = tuple(int(v) for v in array)
    return pt.constant(numpy.asarray(known, dtype='int64')), known


def _known(var):
    """The ints of a constant vector, else None."""
    if isinstance(var, Constant):
        return tuple(int(v) for v in numpy.asarray(var.data))
    return None


def _check_geometry(ndim, ws, stride, pad, ignore_border):
    """Theano's rules on known ``ws``, ``stride`` and ``pad``."""
    who = _who(ndim)
    if min(ws) < 1 or min(stride) < 1 or min(pad) < 0:
        raise ValueError(
            '%s: ws and stride should be >= 1 and pad >= 0, not ws=%s, '
            'stride=%s, pad=%s' % (who, ws, stride, pad))
    if max(pad) and not ignore_border:
        raise NotImplementedError(
            '%s: padding works only with ignore_border=True (as in Theano)'
            % who)
    if any(p >= w for p, w in zip(pad, ws)):
        raise NotImplementedError(
            '%s: the padding %s must be smaller than the window %s (as in '
            'Theano)' % (who, pad, ws))


# ----------------------------------------------------------------------------
# Window arithmetic, in NumPy or JAX (xp): the ops' perform and JAX code.

class Windows(object):
    """Pooling's windows over the last ``len(ws)`` axes of an array.

    :param ws, stride, pad: tuples of ints, one per pooled axis
    :param ignore_border: bool
    :param mode: one of :data:`MODES`
    """

    def __init__(self, ws, stride, pad, ignore_border, mode):
        self.ws, self.stride, self.pad = tuple(ws), tuple(stride), tuple(pad)
        self.ignore_border, self.mode = ignore_border, mode
        self.ndim = len(self.ws)

    def out_shape(self, shape):
        """The pooled shape of an input of this shape (entries: ints, or
        None where unknown)."""
        shape = tuple(shape)
        lead, last = shape[:-self.ndim], shape[-self.ndim:]
        return lead + tuple(
            None if length is None else pool_output_length(
                length, self.ws[i], self.stride[i], self.pad[i],
                self.ignore_border)
            for i, length in enumerate(last))

    def layout(self, shape):
        """``(out, lengths, slices, counts)`` for an input of ``shape``
        (ints): the pooled sizes; the padded (and extended) lengths;
        ``slices[offset]`` picks, from the padded input, the element at
        window offset ``offset`` of every window; ``counts`` the divisor of
        each window (None for max and sum)."""
        nd = self.ndim
        out = self.out_shape(shape[-nd:])
        lengths, axis_counts = [], []
        for axis, (length, n) in enumerate(zip(shape[-nd:], out)):
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
        for offset in itertools.product(*[range(w) for w in self.ws]):
            slices[offset] = (Ellipsis,) + tuple(
                slice(i, i + (n - 1) * s + 1, s)
                for i, n, s in zip(offset, out, self.stride))
        counts = None
        if self.mode.startswith('average'):
            counts = axis_counts[0]
            for more in axis_counts[1:]:
                counts = numpy.multiply.outer(counts, more)
        return out, lengths, slices, counts

    def padded(self, xp, x, lengths, fill):
        """``x`` inside a margin of ``fill``: ``pad`` before, and up to
        ``lengths`` after."""
        nd = self.ndim
        widths = [(0, 0)] * (x.ndim - nd) + [
            (p, total - length - p) for p, total, length in
            zip(self.pad, lengths, x.shape[-nd:])]
        return xp.pad(x, widths, constant_values=fill)

    def cropped(self, padded, shape):
        return padded[(Ellipsis,) + tuple(
            slice(p, p + length)
            for p, length in zip(self.pad, shape[-self.ndim:]))]

    @staticmethod
    def lowest(dtype):
        dtype = numpy.dtype(dtype)
        if dtype.kind == 'f':
            return -numpy.inf
        return numpy.iinfo(dtype).min

    @staticmethod
    def add_at(xp, target, index, value):
        if xp is numpy:
            target[index] += value
            return target
        return target.at[index].add(value)

    def pool(self, xp, x):
        out, lengths, slices, counts = self.layout(x.shape)
        if 0 in out:
            return xp.zeros(x.shape[:-self.ndim] + tuple(out), dtype=x.dtype)
        fill = self.lowest(x.dtype) if self.mode == 'max' else 0
        padded = self.padded(xp, x, lengths, fill)
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

    def max_grad(self, xp, x, z, gz):
        out, lengths, slices, _ = self.layout(x.shape)
        if 0 in out:
            return xp.zeros_like(x)
        padded = self.padded(xp, x, lengths, self.lowest(x.dtype))
        grad = xp.zeros(padded.shape, dtype=x.dtype)
        for index in slices.values():
            grad = self.add_at(xp, grad, index,
                               xp.where(padded[index] == z, gz, 0)
                               .astype(x.dtype))
        return self.cropped(grad, x.shape)

    def average_grad(self, xp, x_shape, gz):
        out, lengths, slices, counts = self.layout(x_shape)
        nd = self.ndim
        if 0 in out:
            return xp.zeros(x_shape, dtype=gz.dtype)
        grad = xp.zeros(tuple(x_shape[:-nd]) + tuple(lengths),
                        dtype=gz.dtype)
        value = gz if counts is None else gz / counts.astype(gz.dtype)
        for index in slices.values():
            grad = self.add_at(xp, grad, index, value.astype(gz.dtype))
        return self.cropped(grad, x_shape)

    def max_rop(self, xp, x, ev):
        """Each window's entry of ``ev`` where ``x`` has the window's
        first maximum (in C order; padding never counts), in ev's
        dtype."""
        out, lengths, slices, _ = self.layout(x.shape)
        lead = x.shape[:-self.ndim]
        if 0 in out:
            return xp.zeros(lead + tuple(out), dtype=ev.dtype)
        inside = self.padded(xp, xp.ones(x.shape, dtype=bool), lengths,
                             False)
        x = self.padded(xp, x, lengths, 0)
        ev = self.padded(xp, ev, lengths, 0)
        best = picked = seen = None
        for index in slices.values():
            part, valid = x[index], inside[index]
            if best is None:
                best, picked, seen = part, ev[index], valid
                continue
            better = valid & (~seen | (part > best))
            best = xp.where(better, part, best)
            picked = xp.where(better, ev[index], picked)
            seen = seen | valid
        return picked.astype(ev.dtype)

    def max_grad_grad(self, xp, x, z, gg):
        out, lengths, slices, _ = self.layout(x.shape)
        if 0 in out:
            return xp.zeros_like(z)
        padded = self.padded(xp, x, lengths, self.lowest(x.dtype))
        gg = self.padded(xp, gg, lengths, 0)
        result = xp.zeros(z.shape, dtype=x.dtype)
        for index in slices.values():
            result = result + xp.where(padded[index] == z, gg[index], 0)
        return result.astype(x.dtype)


# ----------------------------------------------------------------------------
# The ops.

class _PoolOp(ExternalCppOp):
    """What the pooling ops share: their parameters and their C setup.

    :param ignore_border: bool
    :param mode: one of :data:`MODES`
    :param ndim: the number of pooled (last) axes: 2 for ``pool_2d``, 3
        for ``pool_3d`` (1 works too)

    The last three inputs of each op are ``ws``, ``stride`` and ``pad``:
    int64 vectors of ``ndim`` entries.
    """

    __props__ = ('ignore_border', 'mode', 'ndim')
    source_files = (os.path.join(ENGINE_DIR, 'parallel_for.cpp'),
                    os.path.join(ENGINE_DIR, 'arrays.cpp'),
                    'pool.cpp')
    params_type = ParamsType(ndim=ps.int32, ignore_border=ps.int32,
                             mode_code=ps.int32, threads=ps.int32)
    _c_function = None  # the C++ function the op's code section calls

    def __init__(self, ignore_border=False, mode='max', ndim=2):
        if mode == 'max_deterministic':  # Theano's other name for 'max'
            mode = 'max'
        if mode not in MODES:
            raise ValueError('%s: mode should be one of %s, not %r'
                             % (_who(ndim), ', '.join(MODES), mode))
        if ndim not in NDIMS:
            raise NotImplementedError('pooling over %r axes is not '
                                      'implemented (1, 2 or 3)' % (ndim,))
        self.ignore_border = bool(ignore_border)
        self.mode = mode
        self.ndim = int(ndim)

    def get_params(self, node):
        return self.params_type.get_params(
            ndim=self.ndim, ignore_border=int(self.ignore_border),
            mode_code=MODES.index(self.mode), threads=fused_threads())

    def _geometry(self, x, ws, stride, pad):
        """The ``ws``, ``stride`` and ``pad`` inputs, and a
        :class:`Windows` when all three are known (else None)."""
        ndim = self.ndim
        ws, known_ws = _int_vector(ws, 'ws', ndim)
        if stride is None:
            stride, known_stride = ws, known_ws
        else:
            stride, known_stride = _int_vector(stride, 'stride', ndim)
        pad, known_pad = _int_vector((0,) * ndim if pad is None else pad,
                                     'pad', ndim)
        windows = None
        if None not in (known_ws, known_stride, known_pad):
            _check_geometry(ndim, known_ws, known_stride, known_pad,
                            self.ignore_border)
            windows = Windows(known_ws, known_stride, known_pad,
                              self.ignore_border, self.mode)
        return [ws, stride, pad], windows

    def windows(self, ws, stride, pad):
        """A :class:`Windows` for run-time values (arrays), checked."""
        ws, stride, pad = (tuple(int(v) for v in a)
                           for a in (ws, stride, pad))
        for value, name in ((ws, 'ws'), (stride, 'stride'), (pad, 'pad')):
            if len(value) != self.ndim:
                raise ValueError('%s: %s should have %d entries'
                                 % (_who(self.ndim), name, self.ndim))
        _check_geometry(self.ndim, ws, stride, pad, self.ignore_border)
        return Windows(ws, stride, pad, self.ignore_border, self.mode)

    def _check_input(self, x, who):
        if x.type.ndim < self.ndim:
            raise NotImplementedError(
                '%s: the input needs %d dimensions or more, not %d'
                % (who, self.ndim, x.type.ndim))

    def _pooled_type(self, x, windows):
        if windows is None:
            shape = x.type.shape[:-self.ndim] + (None,) * self.ndim
        else:
            shape = windows.out_shape(x.type.shape)
        return TensorType(x.type.dtype, shape=tuple(
            None if s is None else int(s) for s in shape))()

    def _geometry_grads(self):
        return [DisconnectedType()() for _ in range(3)]

    # --- C ------------------------------------------------------------------

    def c_headers(self, **kwargs):
        return ['<pthread.h>', '<stdio.h>', '<string.h>', '<new>']

    def c_compile_args(self, **kwargs):
        return ['-pthread']

    def c_libraries(self, **kwargs):
        return ['pthread']

    def c_macros(self, node):
        arrays = len(node.inputs) - 3
        return {'POOL_FUNCTION': self._c_function,
                'POOL_ARRAYS': ', '.join('INPUT_%d' % i
                                         for i in range(arrays)),
                'POOL_WS': 'INPUT_%d' % arrays,
                'POOL_STRIDE': 'INPUT_%d' % (arrays + 1),
                'POOL_PAD': 'INPUT_%d' % (arrays + 2)}

    def c_code(self, node, name, inputs, outputs, sub):
        if node.outputs[0].type.dtype not in C_DTYPES:
            # other dtypes run the NumPy code
            raise NotImplementedError('C code only for float32 and float64')
        return super().c_code(node, name, inputs, outputs, sub)


def _same_dtype(who, *variables):
    dtypes = sorted({v.type.dtype for v in variables})
    if len(dtypes) > 1:
        raise TypeError('%s: the inputs should have one dtype, not %s'
                        % (who, ', '.join(dtypes)))


def _check_pooled(who, windows, x, arrays, shape=None):
    """ValueError unless each array has the pooled shape of ``x``."""
    expected = tuple(windows.out_shape(x.shape)) if shape is None else shape
    for array in arrays:
        if tuple(array.shape) != expected:
            raise ValueError(
                '%s: an input has shape %s, but the pooled input has shape '
                '%s' % (who, tuple(array.shape), expected))


class Pool(_PoolOp):
    """Pooling: ``(x, ws, stride, pad) -> z``, over the last ``ndim`` axes
    of ``x``, of x's dtype."""

    _c_function = 'forward'

    @staticmethod
    def out_shape(imgshape, ws=None, ignore_border=False, stride=None,
                  pad=None, ndim=2):
        """The pooled shape of an input of shape ``imgshape`` (ints), as
        Theano's ``Pool.out_shape``: a list."""
        ws = tuple(int(w) for w in ws)
        stride = ws if stride is None else tuple(int(s) for s in stride)
        pad = (0,) * ndim if pad is None else tuple(int(p) for p in pad)
        return list(Windows(ws, stride, pad, ignore_border, 'max')
                    .out_shape(imgshape))

    def make_node(self, x, ws, stride=None, pad=None):
        x = pt.as_tensor_variable(x)
        who = _who(self.ndim)
        self._check_input(x, who)
        if self.mode.startswith('average') and not x.type.dtype.startswith(
                'float'):
            raise TypeError('%s: mode %r needs a float input, not %s'
                            % (who, self.mode, x.type.dtype))
        geometry, windows = self._geometry(x, ws, stride, pad)
        return Apply(self, [x] + geometry, [self._pooled_type(x, windows)])

    def perform(self, node, inputs, outputs):
        x, ws, stride, pad = inputs
        outputs[0][0] = numpy.ascontiguousarray(
            self.windows(ws, stride, pad).pool(numpy, x))

    # No infer_shape: the output's shape is read off the output (in JAX a
    # static value, where a formula of the input's shape would be traced
    # and unusable as a shape).

    def connection_pattern(self, node):
        return [[True], [False], [False], [False]]

    def pushforward(self, inputs, outputs, tangents):
        # Theano's R operator: max pooling's second derivative op reads
        # the tangent at each window's maxima (their sum, on a tie); the
        # other modes are linear, the pooling of the tangent itself
        x, ws, stride, pad = inputs
        tangent = tangents[0]
        if isinstance(tangent.type, DisconnectedType):
            return [DisconnectedType()()]
        tangent = pt.cast(tangent, x.type.dtype)
        if self.mode != 'max':
            return [self(tangent, ws, stride, pad)]
        return [DownsampleFactorMaxGradGrad(self.ignore_border, 'max',
                                            self.ndim)(
            x, outputs[0], tangent, ws, stride, pad)]

    def pullback(self, inputs, outputs, grads):
        x, ws, stride, pad = inputs
        gz = pt.cast(grads[0], x.type.dtype)
        if not x.type.dtype.startswith('float'):
            return [x.zeros_like(dtype=pytensor.config.floatX)] + \
                self._geometry_grads()
        if self.mode == 'max':
            grad = MaxPoolGrad(self.ignore_border, self.ndim)(
                x, outputs[0], gz, ws, stride, pad)
        else:
            grad = AveragePoolGrad(self.ignore_border, self.mode, self.ndim)(
                x, gz, ws, stride, pad)
        return [grad] + self._geometry_grads()


class PoolGrad(_PoolOp):
    """What the gradient ops share (Theano's name)."""


class MaxPoolGrad(PoolGrad):
    """Max pooling's gradient: ``(x, maxout, gz, ws, stride, pad) -> gx``,
    where ``maxout`` is the pooled ``x`` and ``gz`` a gradient with
    respect to it: each window's ``gz`` goes to every element of the
    window equal to its maximum."""

    _c_function = 'max_grad'

    def __init__(self, ignore_border, ndim=2):
        super().__init__(ignore_border, 'max', ndim)

    def make_node(self, x, maxout, gz, ws, stride=None, pad=None):
        x, maxout, gz = map(pt.as_tensor_variable, (x, maxout, gz))
        who = '%s gradient' % _who(self.ndim)
        self._check_input(x, who)
        _same_dtype(who, x, maxout, gz)
        if not (maxout.type.ndim == gz.type.ndim == x.type.ndim):
            raise TypeError('%s: x, maxout and gz should have the same '
                            'number of dimensions' % who)
        geometry, _ = self._geometry(x, ws, stride, pad)
        return Apply(self, [x, maxout, gz] + geometry, [x.type()])

    def perform(self, node, inputs, outputs):
        x, z, gz, ws, stride, pad = inputs
        windows = self.windows(ws, stride, pad)
        _check_pooled('%s gradient' % _who(self.ndim), windows, x, (z, gz))
        outputs[0][0] = numpy.ascontiguousarray(
            windows.max_grad(numpy, x, z, gz))

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def connection_pattern(self, node):
        return [[True], [True], [True], [False], [False], [False]]

    def pullback(self, inputs, outputs, grads):
        x, maxout, gz, ws, stride, pad = inputs
        gg = pt.cast(grads[0], x.type.dtype)
        # piecewise constant in x and maxout; linear in gz
        return [pt.zeros_like(x), pt.zeros_like(maxout),
                DownsampleFactorMaxGradGrad(self.ignore_border, 'max',
                                            self.ndim)(
                    x, maxout, gg, ws, stride, pad)] + self._geometry_grads()


class AveragePoolGrad(PoolGrad):
    """The gradient of sum and average pooling: ``(x, gz, ws, stride, pad)
    -> gx``; ``x`` only gives the shape."""

    _c_function = 'average_grad'

    def __init__(self, ignore_border, mode='average_inc_pad', ndim=2):
        super().__init__(ignore_border, mode, ndim)

    def make_node(self, x, gz, ws, stride=None, pad=None):
        x, gz = map(pt.as_tensor_variable, (x, gz))
        who = '%s gradient' % _who(self.ndim)
        self._check_input(x, who)
        _same_dtype(who, x, gz)
        if gz.type.ndim != x.type.ndim:
            raise TypeError('%s: x and gz should have the same number of '
                            'dimensions' % who)
        geometry, _ = self._geometry(x, ws, stride, pad)
        return Apply(self, [x, gz] + geometry, [x.type()])

    def perform(self, node, inputs, outputs):
        x, gz, ws, stride, pad = inputs
        windows = self.windows(ws, stride, pad)
        _check_pooled('%s gradient' % _who(self.ndim), windows, x, (gz,))
        outputs[0][0] = numpy.ascontiguousarray(
            windows.average_grad(numpy, x.shape, gz))

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def connection_pattern(self, node):
        return [[False], [True], [False], [False], [False]]

    def pullback(self, inputs, outputs, grads):
        # linear in gz, and the transpose of the pooling itself
        x, gz, ws, stride, pad = inputs
        g = pt.cast(grads[0], x.type.dtype)
        return [DisconnectedType()(),
                Pool(self.ignore_border, self.mode, self.ndim)(
                    g, ws, stride, pad)] + self._geometry_grads()


class DownsampleFactorMaxGradGrad(_PoolOp):
    """Max pooling's second derivative: ``(x, maxout, gg, ws, stride, pad)
    -> ggz``, of ``maxout``'s shape: each window's sum of ``gg`` over its
    elements equal to the window's maximum ``maxout``."""

    _c_function = 'max_grad_grad'

    def make_node(self, x, maxout, gz, ws, stride=None, pad=None):
        x, maxout, gz = map(pt.as_tensor_variable, (x, maxout, gz))
        who = '%s second derivative' % _who(self.ndim)
        self._check_input(x, who)
        _same_dtype(who, x, maxout, gz)
        if self.mode != 'max':
            raise NotImplementedError('%s: only for mode max' % who)
        geometry, _ = self._geometry(x, ws, stride, pad)
        return Apply(self, [x, maxout, gz] + geometry, [maxout.type()])

    def perform(self, node, inputs, outputs):
        x, z, gg, ws, stride, pad = inputs
        who = '%s second derivative' % _who(self.ndim)
        windows = self.windows(ws, stride, pad)
        _check_pooled(who, windows, x, (z,))
        _check_pooled(who, windows, x, (gg,), shape=x.shape)
        outputs[0][0] = numpy.ascontiguousarray(
            windows.max_grad_grad(numpy, x, z, gg))

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[1]]

    def connection_pattern(self, node):
        return [[True], [True], [True], [False], [False], [False]]

    def pullback(self, inputs, outputs, grads):
        # linear in gg, and the transpose of max pooling's gradient
        x, maxout, gg, ws, stride, pad = inputs
        g = pt.cast(grads[0], x.type.dtype)
        return [pt.zeros_like(x), pt.zeros_like(maxout),
                MaxPoolGrad(self.ignore_border, self.ndim)(
                    x, maxout, g, ws, stride, pad)] + self._geometry_grads()


class MaxPoolRop(_PoolOp):
    """The R operator of max pooling, Theano's op of this name: ``(x,
    eval_point, ws, stride, pad) -> z`` of the pooled shape and
    ``eval_point``'s dtype, each window's entry of ``eval_point`` at the
    window's maximum of ``x`` (its first, in C order, when there is a
    tie).

    Theano's ``Pool`` took its R operator another way (the second
    derivative op, which sums over ties), and so does ``T.Rop`` here;
    this op is there for programs that build it themselves.  It has NumPy
    code (no C) and JAX code, and no gradient, as Theano's.

    :param ignore_border, ndim: as :class:`Pool`'s
    :param mode: ``'max'`` only
    :param openmp: accepted for Theano's sake; changes nothing
    """

    def __init__(self, ignore_border=False, mode='max', ndim=2, openmp=None):
        if mode != 'max':
            raise ValueError("MaxPoolRop: mode should be 'max', not %r"
                             % (mode,))
        super().__init__(ignore_border, mode, ndim)

    def make_node(self, x, eval_point, ws, stride=None, pad=None):
        x, eval_point = map(pt.as_tensor_variable, (x, eval_point))
        who = 'MaxPoolRop'
        self._check_input(x, who)
        if eval_point.type.ndim != x.type.ndim:
            raise TypeError('%s: x and eval_point should have the same '
                            'number of dimensions, not %d and %d'
                            % (who, x.type.ndim, eval_point.type.ndim))
        geometry, windows = self._geometry(x, ws, stride, pad)
        pooled = self._pooled_type(x, windows)
        return Apply(self, [x, eval_point] + geometry,
                     [TensorType(eval_point.type.dtype,
                                 shape=pooled.type.shape)()])

    def perform(self, node, inputs, outputs):
        x, ev, ws, stride, pad = inputs
        windows = self.windows(ws, stride, pad)
        if ev.shape != x.shape:
            raise ValueError('MaxPoolRop: eval_point has shape %s, x %s; '
                             'they should be equal' % (ev.shape, x.shape))
        outputs[0][0] = numpy.ascontiguousarray(
            windows.max_rop(numpy, x, ev))

    def c_code(self, node, name, inputs, outputs, sub):
        raise NotImplementedError('MaxPoolRop runs its NumPy code')

    def connection_pattern(self, node):
        return [[True], [True], [False], [False], [False]]


PoolingMode_t = EnumList(('POOLING_MAX', 'max'),
                         ('POOLING_SUM', 'sum'),
                         ('POOLING_AVERAGE_COUNT_INCLUDE_PADDING',
                          'average_inc_pad'),
                         ('POOLING_AVERAGE_COUNT_EXCLUDE_PADDING',
                          'average_exc_pad'))
PoolingMode_t.__doc__ = """Theano's names of the pooling modes, as a
PyTensor ``EnumList`` (a params type for C code): the constants
``POOLING_MAX`` (0), ``POOLING_SUM`` (1),
``POOLING_AVERAGE_COUNT_INCLUDE_PADDING`` (2) and
``POOLING_AVERAGE_COUNT_EXCLUDE_PADDING`` (3), with the aliases
``'max'``, ``'sum'``, ``'average_inc_pad'`` and ``'average_exc_pad'``
(``fromalias``, ``has_alias``, ``get_aliases``)."""


# ----------------------------------------------------------------------------
# pool_2d and pool_3d.

def max_pool_2d_same_size(input, patch_size):
    """Keep each window's maximum and zero the rest: the windows are
    ``patch_size`` and do not overlap (whole windows only).

    :param input: 4-d tensor (or of more dimensions; the last two pooled)
    :param patch_size: ``(rows, cols)``: ints or a symbolic int vector
    :returns: tensor of the input's shape and dtype: where an element is
        its window's maximum (every one, on a tie), the element; else 0;
        the rows and columns past the last whole window are 0
    """
    maxima = Pool(True)(input, patch_size)
    return MaxPoolGrad(True)(input, maxima, maxima, patch_size)


def _old_name(who, new_value, new_name, old_value, old_name, unset=(None,)):
    """The value of an argument given under its new or its old name."""
    if old_value is None:
        return new_value
    if new_value not in unset:
        raise ValueError("%s: give %r or its older name %r, not both"
                         % (who, new_name, old_name))
    warnings.warn("DEPRECATION: %s's parameter %r is now called %r"
                  % (who, old_name, new_name), stacklevel=4)
    return old_value


def _pool(ndim, input, ws, ignore_border, stride, pad, mode, ds, st,
          padding):
    who = _who(ndim)
    if ws is None and ds is None:
        raise ValueError('%s: give the window size ws' % who)
    ws = _old_name(who, ws, 'ws', ds, 'ds')
    stride = _old_name(who, stride, 'stride', st, 'st')
    pad = _old_name(who, pad, 'pad', padding, 'padding',
                    unset=(None, (0,) * ndim))
    input = pt.as_tensor_variable(input)
    if input.type.ndim < ndim:
        raise NotImplementedError('%s: the input needs %d dimensions or '
                                  'more, not %d' % (who, ndim,
                                                    input.type.ndim))
    if ignore_border is None:
        warnings.warn(IGNORE_BORDER_WARNING % who, stacklevel=3)
        ignore_border = False
    return Pool(ignore_border, mode, ndim)(input, ws, stride, pad)


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0),
            mode='max', ds=None, st=None, padding=None):
    """Pool the last two dimensions of ``input``, as Theano 1.0's pool_2d.

    :param input: tensor of 2 or more dimensions ``(..., rows, cols)``
    :param ws: window ``(rows, cols)``: ints, or a symbolic int vector
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
        as large as the window, or an input of fewer than 2 dimensions
    """
    return _pool(2, input, ws, ignore_border, stride, pad, mode, ds, st,
                 padding)


def pool_3d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0, 0),
            mode='max', ds=None, st=None, padding=None):
    """Pool the last three dimensions of ``input``, as Theano 1.0's
    pool_3d: :func:`pool_2d` with one more axis.

    :param input: tensor of 3 or more dimensions ``(..., depth, rows,
        cols)``
    :param ws, stride, pad: three ints each (or symbolic int vectors)
    :param ignore_border, mode, ds, st, padding: as :func:`pool_2d`'s
    :returns: tensor ``(..., out_depth, out_rows, out_cols)`` of the
        input's dtype
    """
    return _pool(3, input, ws, ignore_border, stride, pad, mode, ds, st,
                 padding)


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
