"""``theano.tensor.nnet.abstract_conv``: Theano's convolutions, on PyTensor.

PyTensor no longer has a convolution of images.  This module has
Theano 1.0.5's:

* :func:`conv2d` and :func:`conv3d`: a minibatch of images ``(batch,
  channels, rows, cols)`` (``(batch, channels, depth, rows, cols)`` in
  3-D) with a stack of filters ``(filters, channels, rows, cols)``
  (``(..., depth, rows, cols)``), the filters flipped by default (a true
  convolution; ``filter_flip=False`` gives the correlation);
* their gradients as functions of their own, :func:`conv2d_grad_wrt_inputs`
  (whose special case is ``T.nnet.conv2d_transpose``),
  :func:`conv2d_grad_wrt_weights`, :func:`conv3d_grad_wrt_inputs` and
  :func:`conv3d_grad_wrt_weights`.

Three ops compute them, as in Theano, each taking the number of spatial
axes (``convdim``, 2 or 3) as a parameter: :class:`AbstractConv` (the
forward pass), :class:`AbstractConv_gradWeights` and
:class:`AbstractConv_gradInputs` (its two gradients, which ``T.grad``
puts in the graph), with Theano's names for each ``convdim``
(:class:`AbstractConv2d`, :class:`AbstractConv3d_gradInputs`...).  The
gradient ops have gradients too (each is the transpose of a linear map
that another of the three computes), so second derivatives work.  Each has

* C++ code (``corr_gemm.cpp``, beside this file, one loop for every
  ``convdim``): the image patches of the whole minibatch unrolled into one
  matrix, then one matrix product over the whole minibatch by the gemm of
  the BLAS that PyTensor's own C code links (``blas__ldflags``; in this
  port the OpenBLAS of ``scipy-openblas32``, see ``engine.cvm``), cut into
  blocks on the op's threads (as many as ``engine.threads.fused_threads``
  says; ``engine/gemm.cpp``, ``engine/parallel_for.cpp``); without a BLAS
  to link there is no C code, as for PyTensor's products;
* a NumPy ``perform`` for the modes without C code;
* a JAX implementation (``engine/jax_dispatch/conv.py``), so
  ``mode='JAX'`` and ``device=cuda`` compile.

Shape hints (``input_shape``, ``filter_shape``, Theano's older
``image_shape``) are checked against what is known when the graph is
built, and the channel counts again at run time; as in Theano 1.0 (whose
``conv.assert_shape`` flag was off by default), a hint is not enforced
on the run-time shapes otherwise.  ``num_groups`` other than 1 and
``unshared=True`` are not implemented (a clear error).
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
from pytensor.tensor.basic import MakeVector
from pytensor.tensor.elemwise import Elemwise
from pytensor.tensor.exceptions import NotScalarConstantError
from pytensor.tensor.shape import Shape_i
from pytensor.tensor.type import TensorType

from theano_compat.engine.compiler import native_vector_flags
from theano_compat.engine.cop import ENGINE_DIR, ExternalCppOp
from theano_compat.engine.threads import fused_threads

__all__ = ['conv2d', 'conv3d', 'conv2d_grad_wrt_inputs',
           'conv2d_grad_wrt_weights', 'conv3d_grad_wrt_inputs',
           'conv3d_grad_wrt_weights', 'get_conv_output_shape',
           'BaseAbstractConv', 'AbstractConv', 'AbstractConv_gradWeights',
           'AbstractConv_gradInputs', 'AbstractConv2d', 'AbstractConv3d',
           'AbstractConv2d_gradWeights', 'AbstractConv2d_gradInputs',
           'AbstractConv3d_gradWeights', 'AbstractConv3d_gradInputs',
           'normalize_border_mode', 'border_pads', 'conv_output_length']

FLOAT_DTYPES = ('float32', 'float64')
CONVDIMS = (2, 3)
MAX_AXES = 3  # the C++ code's


# ----------------------------------------------------------------------------
# Border modes and output shapes.

def _is_int(value):
    return isinstance(value, (int, numpy.integer)) and not isinstance(
        value, bool)


def _name(convdim):
    return 'conv%dd' % convdim


def normalize_border_mode(border_mode, convdim=2):
    """Theano's ``border_mode`` in one form.

    :param border_mode: ``'valid'``, ``'full'``, ``'half'``, an int ``p``
        (``p`` zeros on every side), or a tuple of ``convdim`` entries, one
        per axis, each an int (that many zeros on both sides) or a pair
        ``(before, after)``
    :param convdim: the number of spatial axes
    :rtype: ``'full'``, ``'half'`` or a tuple of ``convdim`` pairs
        ``(before, after)`` (``'valid'`` is all zeros)
    :raises ValueError: for anything else
    """
    if isinstance(border_mode, str):
        if border_mode == 'valid':
            return ((0, 0),) * convdim
        if border_mode in ('full', 'half'):
            return border_mode
    elif _is_int(border_mode) and border_mode >= 0:
        return ((int(border_mode),) * 2,) * convdim
    elif (isinstance(border_mode, (tuple, list))
            and len(border_mode) == convdim):
        sides = []
        for item in border_mode:
            if _is_int(item) and item >= 0:
                sides.append((int(item), int(item)))
            elif (isinstance(item, (tuple, list)) and len(item) == 2
                    and all(_is_int(p) and p >= 0 for p in item)):
                sides.append((int(item[0]), int(item[1])))
            else:
                break
        else:
            return tuple(sides)
    raise ValueError(
        "%s: invalid border_mode %r; use 'valid', 'full', 'half', a "
        "non-negative int, or a tuple of %d of them (one per axis), each "
        "possibly a (before, after) pair" % (_name(convdim), border_mode,
                                             convdim))


def border_pads(border, kernel_shape, dilation):
    """The zeros added around the image: ``((before, after), ...)``, one
    pair per spatial axis.

    :param border: a :func:`normalize_border_mode` result
    :param kernel_shape: the filters' spatial sizes (ints, or symbolic
        integer scalars)
    :param dilation: the filters' dilation (ints)
    """
    if border in ('full', 'half'):
        pads = []
        for k, d in zip(kernel_shape, dilation):
            span = (k - 1) * d + 1
            p = span - 1 if border == 'full' else span // 2
            pads.append((p, p))
        return tuple(pads)
    return tuple(border)


def conv_output_length(length, kernel, before, after, stride, dilation):
    """Output size along one axis, as Theano computed it.

    ``(length + before + after - span) // stride + 1`` where ``span`` is
    the dilated filter's extent.  Works on ints and on symbolic scalars.
    """
    span = (kernel - 1) * dilation + 1
    return (length + before + after - span) // stride + 1


def get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample,
                          filter_dilation=None):
    """The output shape of a convolution, as Theano's function of this name.

    :param image_shape: ``(batch, channels) + spatial`` (ints, symbolic
        scalars, or None where unknown)
    :param kernel_shape: ``(filters, channels) + spatial``, likewise
    :param border_mode: as :func:`conv2d`'s
    :param subsample: the strides, one per spatial axis
    :param filter_dilation: one per spatial axis (None: all 1)
    :returns: ``(batch, filters) + spatial``, None where unknown
    """
    convdim = len(image_shape) - 2
    if filter_dilation is None:
        filter_dilation = (1,) * convdim
    border = normalize_border_mode(border_mode, convdim)
    kernel = tuple(kernel_shape[-convdim:])
    out = [image_shape[0], kernel_shape[0]]
    for axis in range(convdim):
        length, k = image_shape[2 + axis], kernel[axis]
        if length is None or k is None:
            out.append(None)
            continue
        (before, after), = border_pads(
            border if isinstance(border, str) else (border[axis],), (k,),
            (filter_dilation[axis],))
        out.append(conv_output_length(length, k, before, after,
                                      subsample[axis],
                                      filter_dilation[axis]))
    return tuple(out)


def _ints(value, name, convdim, minimum):
    """``value`` as a tuple of ``convdim`` ints >= minimum (an int means
    the same on every axis), or ValueError naming it."""
    if _is_int(value):
        value = (value,) * convdim
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    if len(items) != convdim or not all(_is_int(v) and v >= minimum
                                        for v in items):
        raise ValueError('%s: %s should be a tuple of %d ints >= %d, not %r'
                         % (_name(convdim), name, convdim, minimum, value))
    return tuple(int(v) for v in items)


# ----------------------------------------------------------------------------
# The ops.

def _blas_flags(libs=False, flags=False, libs_dir=False):
    from pytensor.tensor.blas import ldflags
    return ldflags(libs=libs, flags=flags, libs_dir=libs_dir)


def _axis_fields():
    fields = {}
    for axis in range(MAX_AXES):
        for name in ('pad_before', 'pad_after', 'stride', 'dilation',
                     'pool'):
            fields['%s_%d' % (name, axis)] = ps.int64
    return fields


class BaseAbstractConv(ExternalCppOp):
    """What the convolution ops share: their parameters and their C setup.

    :param convdim: the number of spatial axes, 2 or 3
    :param imshp: the images' shape if known (``2 + convdim`` entries,
        None where unknown): a hint, kept for Theano's sake
    :param kshp: the filters' shape, likewise
    :param border_mode: see :func:`normalize_border_mode`
    :param subsample: the strides, one per axis
    :param filter_flip: True for a convolution (filters flipped), False
        for a correlation
    :param filter_dilation: the filters' dilation, one per axis
    :param num_groups: 1 (grouped convolution is not implemented)
    :param unshared: False (unshared convolution is not implemented)
    """

    __props__ = ('convdim', 'border_mode', 'subsample', 'filter_flip',
                 'filter_dilation')
    source_files = (os.path.join(ENGINE_DIR, 'parallel_for.cpp'),
                    os.path.join(ENGINE_DIR, 'gemm.cpp'), 'corr_gemm.cpp')
    params_type = ParamsType(convdim=ps.int32, flip=ps.int32,
                             threads=ps.int32, **_axis_fields())
    _c_function = None  # the C++ function the op's code section calls
    pool_ws = None  # the max pooling windows of conv_pool.py's ops

    def __init__(self, convdim, imshp=None, kshp=None, border_mode='valid',
                 subsample=None, filter_flip=True, filter_dilation=None,
                 num_groups=1, unshared=False):
        if convdim not in CONVDIMS:
            raise ValueError('convolution dimension %r is not supported '
                             '(2 or 3)' % (convdim,))
        self.convdim = convdim
        name = _name(convdim)
        if num_groups != 1:
            raise NotImplementedError(
                '%s: num_groups other than 1 (grouped convolution) is not '
                'implemented' % name)
        if unshared:
            raise NotImplementedError('%s: unshared (locally connected) '
                                      'convolution is not implemented' % name)
        self.border_mode = normalize_border_mode(border_mode, convdim)
        self.subsample = _ints((1,) * convdim if subsample is None
                               else subsample, 'subsample', convdim, 1)
        self.filter_dilation = _ints(
            (1,) * convdim if filter_dilation is None else filter_dilation,
            'filter_dilation', convdim, 1)
        self.filter_flip = bool(filter_flip)
        self.imshp = tuple(imshp) if imshp else (None,) * (2 + convdim)
        self.kshp = tuple(kshp) if kshp else (None,) * (2 + convdim)
        self.num_groups = 1
        self.unshared = False

    def _kwargs(self):
        return dict(border_mode=self.border_mode, subsample=self.subsample,
                    filter_flip=self.filter_flip,
                    filter_dilation=self.filter_dilation)

    def _sibling(self, kind):
        """The op of ``kind`` (:class:`AbstractConv`...) with this one's
        parameters, under Theano's name for the number of axes."""
        return _CLASSES[kind, self.convdim](**self._kwargs())

    def get_params(self, node):
        values = dict(convdim=self.convdim, flip=int(self.filter_flip),
                      threads=fused_threads())
        for axis in range(MAX_AXES):
            if axis >= self.convdim:
                pads, stride, dilation = (0, 0), 1, 1
            elif self.border_mode in ('full', 'half'):
                pads = (-1 if self.border_mode == 'full' else -2,) * 2
                stride = self.subsample[axis]
                dilation = self.filter_dilation[axis]
            else:
                pads = self.border_mode[axis]
                stride = self.subsample[axis]
                dilation = self.filter_dilation[axis]
            values['pad_before_%d' % axis] = pads[0]
            values['pad_after_%d' % axis] = pads[1]
            values['stride_%d' % axis] = stride
            values['dilation_%d' % axis] = dilation
            values['pool_%d' % axis] = (self.pool_ws[axis] if self.pool_ws
                                        and axis < self.convdim else 0)
        return self.params_type.get_params(**values)

    # --- shapes -----------------------------------------------------------

    def pads(self, kernel_shape):
        """``((before, after), ...)`` for filters of these spatial sizes."""
        return border_pads(self.border_mode, kernel_shape,
                           self.filter_dilation)

    def output_shape(self, image_shape, filter_shape):
        """The output's shape for images and filters of these shapes.

        Entries may be ints, symbolic scalars, or None (unknown), which
        makes the entries that depend on them None.
        """
        kernel = tuple(filter_shape[2:])
        out = [image_shape[0], filter_shape[0]]
        if None in kernel:
            return tuple(out + [None] * self.convdim)
        pads = self.pads(kernel)
        for axis, length in enumerate(image_shape[2:]):
            out.append(None if length is None else conv_output_length(
                length, kernel[axis], pads[axis][0], pads[axis][1],
                self.subsample[axis], self.filter_dilation[axis]))
        return tuple(out)

    def _numeric_shape(self, image_shape, filter_shape):
        """:meth:`output_shape` for ints, with the C code's checks."""
        name = _name(self.convdim)
        if image_shape[1] != filter_shape[1]:
            raise ValueError(
                '%s: the input has %d channels (its shape is %s) but the '
                'filters take %d (their shape is %s)'
                % (name, image_shape[1], tuple(image_shape), filter_shape[1],
                   tuple(filter_shape)))
        shape = self.output_shape(tuple(image_shape), tuple(filter_shape))
        if min(shape[2:]) < 1 or min(filter_shape[2:]) < 1:
            raise ValueError(
                '%s: filters of %s do not fit in the input of %s with '
                'border_mode %r and dilation %s'
                % (name, ' x '.join(map(str, filter_shape[2:])),
                   ' x '.join(map(str, image_shape[2:])), self.border_mode,
                   self.filter_dilation))
        return shape

    def _check_inputs(self, who, *pairs):
        """Each ``(name, variable)`` a float tensor of ``2 + convdim``
        dimensions, all of one dtype."""
        ndim = 2 + self.convdim
        dtypes = set()
        for name, var in pairs:
            if var.type.ndim != ndim or var.type.dtype not in FLOAT_DTYPES:
                raise TypeError(
                    '%s: %s should be a %d-d float32 or float64 tensor, not '
                    '%s' % (who, name, ndim, var.type))
            dtypes.add(var.type.dtype)
        if len(dtypes) > 1:
            raise TypeError('%s: the inputs should have one dtype, not %s'
                            % (who, ', '.join(sorted(dtypes))))

    def _shape_input(self, shape, who):
        """The spatial shape input: an int64 vector of ``convdim`` entries,
        and its entries known when the graph is built (ints or None)."""
        if isinstance(shape, Variable):
            vector = shape
        else:
            entries = list(shape)
            if all(_is_int(s) for s in entries):
                vector = pt.constant(numpy.asarray(entries, dtype='int64'))
            else:
                vector = pt.as_tensor_variable(
                    [pt.cast(s, 'int64') if isinstance(s, Variable) else s
                     for s in entries])
        vector = pt.as_tensor_variable(vector)
        if vector.type.ndim != 1 or not vector.type.dtype.startswith(
                ('int', 'uint')):
            raise TypeError('%s: the shape should be a vector of ints, not %s'
                            % (who, vector.type))
        if vector.type.dtype != 'int64':
            vector = pt.cast(vector, 'int64')
        if vector.type.shape[0] not in (None, self.convdim):
            raise ValueError('%s: the shape should have %d entries, not %d'
                             % (who, self.convdim, vector.type.shape[0]))
        return vector, _known_entries(vector, self.convdim)

    # --- the numerical parts, in NumPy -------------------------------------

    def _windows(self, x, kernel_shape):
        """The patches: ``(n, c) + output + kernel``, a strided view of
        ``x`` padded with zeros."""
        nd = self.convdim
        padded = numpy.pad(x, ((0, 0), (0, 0)) + self.pads(kernel_shape))
        span = tuple((k - 1) * d + 1
                     for k, d in zip(kernel_shape, self.filter_dilation))
        view = numpy.lib.stride_tricks.sliding_window_view(
            padded, span, axis=tuple(range(2, 2 + nd)))
        return view[(slice(None), slice(None))
                    + tuple(slice(None, None, s) for s in self.subsample)
                    + tuple(slice(None, None, d)
                            for d in self.filter_dilation)]

    def _oriented(self, w):
        """The filters as the correlation uses them (flipped if asked)."""
        if not self.filter_flip:
            return w
        return w[(slice(None), slice(None))
                 + (slice(None, None, -1),) * self.convdim]

    def _np_forward(self, x, w):
        nd = self.convdim
        self._numeric_shape(x.shape, w.shape)
        windows = self._windows(x, w.shape[2:])
        out = numpy.tensordot(
            windows, self._oriented(w),
            axes=([1] + list(range(2 + nd, 2 + 2 * nd)),
                  [1] + list(range(2, 2 + nd))))
        return numpy.ascontiguousarray(
            numpy.moveaxis(out, -1, 1)).astype(x.dtype, copy=False)

    def _check_top(self, top, x_shape, w_shape):
        expected = self._numeric_shape(x_shape, w_shape)
        if tuple(top.shape) != tuple(expected):
            raise ValueError(
                "%s gradient: the output gradient has shape %s, but the "
                "convolution's output has shape %s"
                % (_name(self.convdim), tuple(top.shape), tuple(expected)))

    def _np_grad_weights(self, x, top, w_shape):
        nd = self.convdim
        self._check_top(top, x.shape, w_shape)
        windows = self._windows(x, w_shape[2:])
        grad = numpy.tensordot(top, windows,
                               axes=([0] + list(range(2, 2 + nd)),
                                     [0] + list(range(2, 2 + nd))))
        return numpy.ascontiguousarray(self._oriented(grad)).astype(
            x.dtype, copy=False)

    def _np_grad_inputs(self, w, top, x_shape):
        nd = self.convdim
        self._check_top(top, x_shape, w.shape)
        kernel = w.shape[2:]
        pads = self.pads(kernel)
        out = top.shape[2:]
        padded = numpy.zeros(tuple(x_shape[:2]) + tuple(
            length + before + after
            for length, (before, after) in zip(x_shape[2:], pads)),
            dtype=top.dtype)
        w = self._oriented(w)
        for tap in itertools.product(*[range(k) for k in kernel]):
            part = numpy.tensordot(top, w[(slice(None), slice(None)) + tap],
                                   axes=([1], [0]))
            where = tuple(slice(i * d, i * d + (o - 1) * s + 1, s)
                          for i, d, o, s in zip(tap, self.filter_dilation,
                                                out, self.subsample))
            padded[(slice(None), slice(None)) + where] += numpy.moveaxis(
                part, -1, 1)
        return numpy.ascontiguousarray(padded[
            (slice(None), slice(None)) + tuple(
                slice(before, before + length)
                for length, (before, _) in zip(x_shape[2:], pads))])

    # --- C ------------------------------------------------------------------

    def c_support_code(self, **kwargs):
        from pytensor.tensor.blas_headers import blas_header_text
        return blas_header_text() + '\n' + super().c_support_code(**kwargs)

    def c_headers(self, **kwargs):
        return ['<limits.h>', '<pthread.h>', '<stdio.h>', '<stdlib.h>',
                '<string.h>']

    def c_libraries(self, **kwargs):
        return _blas_flags(libs=True) + ['pthread']

    def c_compile_args(self, **kwargs):
        return (_blas_flags(flags=True) + ['-pthread']
                + native_vector_flags())

    def c_lib_dirs(self, **kwargs):
        return _blas_flags(libs_dir=True)

    def c_macros(self, node):
        return {'CORR_FUNCTION': self._c_function,
                'CORR_SHAPE': 'INPUT_2' if len(node.inputs) > 2 else 'NULL',
                'CORR_SWITCHES': 'NULL', 'CORR_SWITCHES_OUT': 'NULL'}

    def c_code(self, node, name, inputs, outputs, sub):
        if not pytensor.config.blas__ldflags:
            # as PyTensor's own products: without a BLAS to link, NumPy's
            # (in perform) does the work
            raise NotImplementedError('no BLAS to link (blas__ldflags)')
        return super().c_code(node, name, inputs, outputs, sub)

    def c_code_cache_version_extra(self):
        from pytensor.tensor.blas_headers import blas_header_version
        return (blas_header_version(),)


def _static_dims(var):
    return tuple(var.type.shape)


def _known_entries(vector, length):
    """The entries of an int vector known when the graph is built: a
    tuple of ``length`` ints or Nones."""
    if isinstance(vector, Constant):
        return tuple(int(v) for v in numpy.asarray(vector.data))
    owner = vector.owner
    if (owner is not None and isinstance(owner.op, Elemwise)
            and isinstance(owner.op.scalar_op, ps.Cast)):
        return _known_entries(owner.inputs[0], length)
    if owner is not None and isinstance(owner.op, MakeVector):
        known = []
        for entry in owner.inputs:
            try:
                known.append(int(pt.get_scalar_constant_value(entry)))
            except NotScalarConstantError:
                known.append(None)
        return tuple(known)
    return (None,) * length


def spatial_shape(var, convdim):
    """The last ``convdim`` sizes of ``var``: a constant where they are
    known when the graph is built, else a vector of its ``Shape_i``."""
    static = _static_dims(var)[-convdim:]
    if None not in static:
        return pt.constant(numpy.asarray(static, dtype='int64'))
    return pt.as_tensor_variable(
        [Shape_i(var.type.ndim - convdim + i)(var) for i in range(convdim)])


def _out_type(dtype, shape):
    """A tensor type of this dtype and static shape (sizes below 1, known
    to be wrong, are left unknown: running it raises the error)."""
    return TensorType(dtype, shape=tuple(
        None if s is None or s < 1 else int(s) for s in shape))()


class AbstractConv(BaseAbstractConv):
    """The forward pass: ``(images, filters) -> output``.

    :param images: tensor ``(batch, channels) + spatial``
    :param filters: tensor ``(filters, channels) + kernel``, of the images'
        dtype (float32 or float64)
    :returns: tensor ``(batch, filters) + output``, each map the sum over
        channels of the image correlated with the filter (convolved, if
        ``filter_flip``), sampled every ``subsample`` pixels
    """

    _c_function = 'forward'

    def make_node(self, img, kern):
        img = pt.as_tensor_variable(img)
        kern = pt.as_tensor_variable(kern)
        self._check_inputs(_name(self.convdim), ('the input', img),
                           ('the filters', kern))
        shape = self.output_shape(_static_dims(img), _static_dims(kern))
        return Apply(self, [img, kern], [_out_type(img.type.dtype, shape)])

    def perform(self, node, inputs, outputs):
        outputs[0][0] = self._np_forward(*inputs)

    # No infer_shape: PyTensor would then compute the output's shape from
    # the formula, in JAX out of traced values, which JAX cannot use as a
    # shape (e.g. in the gradient of a sum); without it, the shape is read
    # off the output, a static value in JAX.

    def pullback(self, inputs, outputs, grads):
        img, kern = inputs
        top = pt.cast(grads[0], outputs[0].type.dtype)
        nd = self.convdim
        return [self._sibling(AbstractConv_gradInputs)(
                    kern, top, spatial_shape(img, nd)),
                self._sibling(AbstractConv_gradWeights)(
                    img, top, spatial_shape(kern, nd))]


class AbstractConv_gradWeights(BaseAbstractConv):
    """The forward pass's gradient with respect to the filters.

    ``(images, top, shape) -> d_filters``: ``top`` is the gradient of a
    cost with respect to the output ``(batch, filters) + output``;
    ``shape`` (a vector of ``convdim`` ints) gives the filters' spatial
    sizes.  The result is ``(filters, channels) + shape``.
    """

    _c_function = 'grad_weights'

    def make_node(self, img, topgrad, shape):
        img, topgrad = map(pt.as_tensor_variable, (img, topgrad))
        who = '%s gradient of the filters' % _name(self.convdim)
        self._check_inputs(who, ('the input', img),
                           ('the output gradient', topgrad))
        shape, known = self._shape_input(shape, who)
        out = (topgrad.type.shape[1], img.type.shape[1]) + known
        return Apply(self, [img, topgrad, shape],
                     [_out_type(img.type.dtype, out)])

    def perform(self, node, inputs, outputs):
        img, top, shape = inputs
        w_shape = (top.shape[1], img.shape[1]) + tuple(int(s) for s in shape)
        outputs[0][0] = self._np_grad_weights(img, top, w_shape)

    def connection_pattern(self, node):
        return [[True], [True], [False]]

    def pullback(self, inputs, outputs, grads):
        # The output is linear in the images and in top: its transpose with
        # respect to each is the input gradient, or the forward pass.
        img, top, shape = inputs
        g = pt.cast(grads[0], outputs[0].type.dtype)
        return [self._sibling(AbstractConv_gradInputs)(
                    g, top, spatial_shape(img, self.convdim)),
                self._sibling(AbstractConv)(img, g),
                DisconnectedType()()]


class AbstractConv_gradInputs(BaseAbstractConv):
    """The forward pass's gradient with respect to the images.

    ``(filters, top, shape) -> d_images``: ``shape`` (a vector of
    ``convdim`` ints) gives the images' spatial sizes.  The result is
    ``(batch, channels) + shape``; pixels that no output position reads
    (past the last stride) get zero.
    """

    _c_function = 'grad_inputs'

    def make_node(self, kern, topgrad, shape):
        kern, topgrad = map(pt.as_tensor_variable, (kern, topgrad))
        who = '%s gradient of the input' % _name(self.convdim)
        self._check_inputs(who, ('the filters', kern),
                           ('the output gradient', topgrad))
        shape, known = self._shape_input(shape, who)
        out = (topgrad.type.shape[0], kern.type.shape[1]) + known
        return Apply(self, [kern, topgrad, shape],
                     [_out_type(kern.type.dtype, out)])

    def perform(self, node, inputs, outputs):
        kern, top, shape = inputs
        x_shape = (top.shape[0], kern.shape[1]) + tuple(int(s) for s in shape)
        outputs[0][0] = self._np_grad_inputs(kern, top, x_shape)

    def connection_pattern(self, node):
        return [[True], [True], [False]]

    def pullback(self, inputs, outputs, grads):
        kern, top, shape = inputs
        g = pt.cast(grads[0], outputs[0].type.dtype)
        return [self._sibling(AbstractConv_gradWeights)(
                    g, top, spatial_shape(kern, self.convdim)),
                self._sibling(AbstractConv)(g, kern),
                DisconnectedType()()]


def _named(base, convdim, doc):
    """Theano's class of ``base`` for ``convdim`` axes."""
    def __init__(self, imshp=None, kshp=None, border_mode='valid',
                 subsample=(1,) * convdim, filter_flip=True,
                 filter_dilation=(1,) * convdim, num_groups=1,
                 unshared=False):
        base.__init__(self, convdim, imshp, kshp, border_mode, subsample,
                      filter_flip, filter_dilation, num_groups, unshared)
    name = base.__name__.replace('AbstractConv', 'AbstractConv%dd' % convdim)
    return type(name, (base,), {'__init__': __init__, '__doc__': doc,
                                '__module__': __name__})


AbstractConv2d = _named(AbstractConv, 2, """:class:`AbstractConv` in 2-D:
    ``(batch, channels, rows, cols)`` images, Theano's ``conv2d``.""")
AbstractConv3d = _named(AbstractConv, 3, """:class:`AbstractConv` in 3-D:
    ``(batch, channels, depth, rows, cols)`` images, Theano's ``conv3d``.""")
AbstractConv2d_gradWeights = _named(AbstractConv_gradWeights, 2, """
    :class:`AbstractConv_gradWeights` in 2-D.""")
AbstractConv3d_gradWeights = _named(AbstractConv_gradWeights, 3, """
    :class:`AbstractConv_gradWeights` in 3-D.""")
AbstractConv2d_gradInputs = _named(AbstractConv_gradInputs, 2, """
    :class:`AbstractConv_gradInputs` in 2-D.""")
AbstractConv3d_gradInputs = _named(AbstractConv_gradInputs, 3, """
    :class:`AbstractConv_gradInputs` in 3-D.""")

_CLASSES = {
    (AbstractConv, 2): AbstractConv2d, (AbstractConv, 3): AbstractConv3d,
    (AbstractConv_gradWeights, 2): AbstractConv2d_gradWeights,
    (AbstractConv_gradWeights, 3): AbstractConv3d_gradWeights,
    (AbstractConv_gradInputs, 2): AbstractConv2d_gradInputs,
    (AbstractConv_gradInputs, 3): AbstractConv3d_gradInputs,
}


# ----------------------------------------------------------------------------
# The functions.

def _shape_hint(hint, name, who, length):
    """A shape hint as a tuple of ``length`` ints and Nones, or ValueError."""
    if hint is None:
        return (None,) * length
    try:
        hint = tuple(hint)
    except TypeError:
        hint = None
    if hint is None or len(hint) != length:
        raise ValueError('%s: %s should have %d entries, not %r'
                         % (who, name, length, hint))
    out = []
    for item in hint:
        if isinstance(item, Constant):
            item = item.data
        if item is not None:
            try:
                value = int(item)
            except (TypeError, ValueError):
                value = -1
            if value < 0 or value != item:
                raise ValueError(
                    '%s: %s should hold ints (or None for unknown sizes), '
                    'not %r' % (who, name, hint))
            item = value
        out.append(item)
    return tuple(out)


def _merge_shapes(static, hint, what, hint_name, who):
    """One shape from a variable's static shape and a hint, or ValueError."""
    merged = []
    for axis, (known, hinted) in enumerate(zip(static, hint)):
        if known is not None and hinted is not None and known != hinted:
            raise ValueError(
                '%s: %s says that %s has shape %s, but its shape is %s '
                '(they differ in dimension %d)'
                % (who, hint_name, what, hint, static, axis))
        merged.append(known if known is not None else hinted)
    return tuple(merged)


def _float_tensors(who, ndim, *pairs):
    """The ``(name, value)`` pairs as tensors of ``ndim`` dimensions, cast
    to their common float dtype (TypeError otherwise)."""
    tensors = []
    for name, value in pairs:
        var = pt.as_tensor_variable(value)
        if var.type.ndim != ndim:
            raise TypeError('%s: %s should be a %d-d tensor, not %s (%d '
                            'dimensions)' % (who, name, ndim, var.type,
                                             var.type.ndim))
        tensors.append(var)
    dtype = ps.upcast(*[t.type.dtype for t in tensors])
    if dtype not in FLOAT_DTYPES:
        raise TypeError('%s: %s should be float32 or float64 tensors, not %s'
                        % (who, ' and '.join(name for name, _ in pairs),
                           ' and '.join(t.type.dtype for t in tensors)))
    return [pt.cast(t, dtype) for t in tensors]


def _check_extras(who, num_groups, unshared):
    if num_groups != 1:
        raise NotImplementedError('%s: num_groups other than 1 (grouped '
                                  'convolution) is not implemented' % who)
    if unshared:
        raise NotImplementedError('%s: unshared (locally connected) '
                                  'convolution is not implemented' % who)


def _convolve(convdim, input, filters, input_shape, filter_shape,
              border_mode, subsample, filter_flip, filter_dilation):
    """conv2d and conv3d: the checks, then the op."""
    who = _name(convdim)
    ndim = 2 + convdim
    input, filters = _float_tensors(who, ndim, ('the input', input),
                                    ('the filters', filters))
    in_shape = _merge_shapes(_static_dims(input),
                             _shape_hint(input_shape, 'input_shape', who,
                                         ndim),
                             'the input', 'input_shape', who)
    k_shape = _merge_shapes(_static_dims(filters),
                            _shape_hint(filter_shape, 'filter_shape', who,
                                        ndim),
                            'the filters', 'filter_shape', who)
    if None not in (in_shape[1], k_shape[1]) and in_shape[1] != k_shape[1]:
        raise ValueError(
            '%s: the input has %d channels (shape %s) but the filters take '
            '%d (shape %s)' % (who, in_shape[1], in_shape, k_shape[1],
                               k_shape))
    op = _CLASSES[AbstractConv, convdim](
        imshp=in_shape, kshp=k_shape, border_mode=border_mode,
        subsample=subsample, filter_flip=filter_flip,
        filter_dilation=filter_dilation)
    known = op.output_shape(in_shape, k_shape)
    if any(s is not None and s < 1 for s in known[2:]):
        raise ValueError(
            '%s: filters of shape %s do not fit in an input of shape %s with '
            'border_mode %r, subsample %s and filter_dilation %s'
            % (who, k_shape, in_shape, border_mode, op.subsample,
               op.filter_dilation))
    return op(input, filters)


def conv2d(input, filters, input_shape=None, filter_shape=None,
           border_mode='valid', subsample=(1, 1), filter_flip=True,
           image_shape=None, filter_dilation=(1, 1), **kwargs):
    """Theano's 2-D convolution of a minibatch of multi-channel images.

    :param input: 4-d tensor ``(batch, channels, rows, cols)``
    :param filters: 4-d tensor ``(n_filters, channels, k_rows, k_cols)``
    :param input_shape: the input's shape if known: 4 ints, or None for
        unknown entries (a hint, checked where the shape is known)
    :param filter_shape: the filters' shape if known, likewise
    :param border_mode: ``'valid'`` (only where the filter fits inside the
        image), ``'full'`` (wherever it overlaps the image: ``k - 1`` zeros
        around it), ``'half'`` (``k // 2`` zeros: the same size as the
        input for odd ``k`` and no subsampling), an int ``p`` (``p``
        zeros), a pair ``(p_rows, p_cols)``, or ``((above, below),
        (left, right))``; ``k`` is the dilated filter's extent
    :param subsample: strides ``(rows, cols)``: the output keeps every
        ``s``-th position
    :param filter_flip: True (default): the filters are flipped, a true
        convolution; False: correlation
    :param image_shape: Theano's older name of ``input_shape``
    :param filter_dilation: ``(rows, cols)``: the filters' taps are that
        many pixels apart
    :param kwargs: ``num_groups=1`` and ``unshared=False`` (Theano's
        defaults) are accepted; other values are not implemented.  Other
        keywords are ignored with a warning, as Theano did.
    :returns: 4-d tensor ``(batch, n_filters, out_rows, out_cols)`` with
        ``out = (size + pads - ((k - 1) * dilation + 1)) // stride + 1``;
        float32 inputs give float32, float64 give float64 (mixed: the
        wider)
    :raises TypeError: when an input is not a 4-d float tensor
    :raises ValueError: for a bad border mode, stride or dilation, shape
        hints that contradict the inputs' known shapes, or input and
        filters whose channel counts are known to differ
    """
    _check_extras('conv2d', kwargs.pop('num_groups', 1),
                  kwargs.pop('unshared', False))
    if 'imshp_logical' in kwargs or 'kshp_logical' in kwargs:
        raise ValueError("conv2d: the keywords 'imshp_logical' and "
                         "'kshp_logical' are not supported (nor were they "
                         "by Theano's conv2d)")
    if kwargs:
        warnings.warn('conv2d: the keywords %s are ignored (Theano ignored '
                      'them too)' % ', '.join(sorted(kwargs)), stacklevel=2)
    if image_shape is not None:
        if input_shape is not None:
            raise ValueError('conv2d: give input_shape or its older name '
                             'image_shape, not both')
        input_shape = image_shape
    return _convolve(2, input, filters, input_shape, filter_shape,
                     border_mode, subsample, filter_flip, filter_dilation)


def conv3d(input, filters, input_shape=None, filter_shape=None,
           border_mode='valid', subsample=(1, 1, 1), filter_flip=True,
           filter_dilation=(1, 1, 1), num_groups=1):
    """Theano's 3-D convolution of a minibatch of multi-channel volumes.

    :param input: 5-d tensor ``(batch, channels, depth, rows, cols)``
    :param filters: 5-d tensor ``(n_filters, channels, k_depth, k_rows,
        k_cols)``
    :param input_shape, filter_shape: shape hints, as :func:`conv2d`'s
    :param border_mode: ``'valid'``, ``'full'``, ``'half'``, an int, or a
        tuple of three (one per axis; each may be a ``(before, after)``
        pair)
    :param subsample: strides ``(depth, rows, cols)``
    :param filter_flip: True: convolution (filters flipped along the three
        axes); False: correlation
    :param filter_dilation: ``(depth, rows, cols)``
    :param num_groups: 1 (grouped convolution is not implemented)
    :returns: 5-d tensor ``(batch, n_filters, out_depth, out_rows,
        out_cols)``, sizes as :func:`conv2d`'s along each axis
    :raises TypeError, ValueError: as :func:`conv2d`
    """
    _check_extras('conv3d', num_groups, False)
    return _convolve(3, input, filters, input_shape, filter_shape,
                     border_mode, subsample, filter_flip, filter_dilation)


def _spatial_hint(shape, name, who, convdim):
    """The spatial entries of a shape the gradient functions require:
    ints or symbolic int scalars (a vector of them for the op)."""
    try:
        entries = list(shape)
    except TypeError:
        entries = None
    if entries is None or len(entries) != 2 + convdim:
        raise ValueError('%s: %s should have %d entries, not %r'
                         % (who, name, 2 + convdim, shape))
    spatial = []
    for item in entries[2:]:
        if isinstance(item, Constant):
            item = item.data.item()
        if _is_int(item) and item >= 0:
            spatial.append(int(item))
        elif isinstance(item, Variable) and item.type.ndim == 0 and \
                item.type.dtype.startswith(('int', 'uint')):
            spatial.append(item)
        else:
            raise ValueError(
                '%s: the last %d entries of %s should be ints or symbolic '
                'int scalars, not %r' % (who, convdim, name, item))
    lead = _shape_hint(entries[:2], name, who, 2)
    return lead, spatial


def _grad_wrt_inputs(convdim, output_grad, filters, input_shape,
                     filter_shape, border_mode, subsample, filter_flip,
                     filter_dilation):
    who = '%s_grad_wrt_inputs' % _name(convdim)
    ndim = 2 + convdim
    output_grad, filters = _float_tensors(
        who, ndim, ('the output gradient', output_grad),
        ('the filters', filters))
    lead, spatial = _spatial_hint(input_shape, 'input_shape', who, convdim)
    k_shape = _merge_shapes(_static_dims(filters),
                            _shape_hint(filter_shape, 'filter_shape', who,
                                        ndim),
                            'the filters', 'filter_shape', who)
    if None not in (lead[1], k_shape[1]) and lead[1] != k_shape[1]:
        raise ValueError('%s: input_shape has %d channels, but the filters '
                         'take %d (shape %s)' % (who, lead[1], k_shape[1],
                                                 k_shape))
    op = _CLASSES[AbstractConv_gradInputs, convdim](
        imshp=tuple(lead) + tuple(s if _is_int(s) else None
                                  for s in spatial),
        kshp=k_shape, border_mode=border_mode, subsample=subsample,
        filter_flip=filter_flip, filter_dilation=filter_dilation)
    return op(filters, output_grad, spatial)


def _grad_wrt_weights(convdim, input, output_grad, filter_shape,
                      input_shape, border_mode, subsample, filter_flip,
                      filter_dilation):
    who = '%s_grad_wrt_weights' % _name(convdim)
    ndim = 2 + convdim
    input, output_grad = _float_tensors(
        who, ndim, ('the input', input), ('the output gradient',
                                          output_grad))
    lead, spatial = _spatial_hint(filter_shape, 'filter_shape', who, convdim)
    in_shape = _merge_shapes(_static_dims(input),
                             _shape_hint(input_shape, 'input_shape', who,
                                         ndim),
                             'the input', 'input_shape', who)
    if None not in (lead[1], in_shape[1]) and lead[1] != in_shape[1]:
        raise ValueError('%s: filter_shape takes %d channels, but the input '
                         'has %d (shape %s)' % (who, lead[1], in_shape[1],
                                                in_shape))
    op = _CLASSES[AbstractConv_gradWeights, convdim](
        imshp=in_shape,
        kshp=tuple(lead) + tuple(s if _is_int(s) else None for s in spatial),
        border_mode=border_mode, subsample=subsample,
        filter_flip=filter_flip, filter_dilation=filter_dilation)
    return op(input, output_grad, spatial)


def conv2d_grad_wrt_inputs(output_grad, filters, input_shape,
                           filter_shape=None, border_mode='valid',
                           subsample=(1, 1), filter_flip=True,
                           filter_dilation=(1, 1), num_groups=1,
                           unshared=False):
    """The gradient of :func:`conv2d` with respect to its input.

    That is, the transpose of the convolution (``T.nnet.conv2d_transpose``
    is this function under other names): ``output_grad`` spread back over
    an input of ``input_shape`` through the filters.

    :param output_grad: 4-d tensor ``(batch, n_filters, out_rows,
        out_cols)``, a gradient with respect to the convolution's output
    :param filters: 4-d tensor ``(n_filters, channels, k_rows, k_cols)``
    :param input_shape: the convolution's input shape: 4 entries, the
        first two ints or None, the last two ints or symbolic int scalars
        (required: with a stride, several input sizes give one output size)
    :param filter_shape: the filters' shape if known (a hint)
    :param border_mode, subsample, filter_flip, filter_dilation: those of
        the forward :func:`conv2d`
    :param num_groups, unshared: 1 and False (others not implemented)
    :returns: 4-d tensor ``(batch, channels) + input_shape[2:]``
    """
    _check_extras('conv2d_grad_wrt_inputs', num_groups, unshared)
    return _grad_wrt_inputs(2, output_grad, filters, input_shape,
                            filter_shape, border_mode, subsample,
                            filter_flip, filter_dilation)


def conv3d_grad_wrt_inputs(output_grad, filters, input_shape,
                           filter_shape=None, border_mode='valid',
                           subsample=(1, 1, 1), filter_flip=True,
                           filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of :func:`conv3d` with respect to its input (see
    :func:`conv2d_grad_wrt_inputs`; 5-d tensors, three spatial entries)."""
    _check_extras('conv3d_grad_wrt_inputs', num_groups, False)
    return _grad_wrt_inputs(3, output_grad, filters, input_shape,
                            filter_shape, border_mode, subsample,
                            filter_flip, filter_dilation)


def conv2d_grad_wrt_weights(input, output_grad, filter_shape,
                            input_shape=None, border_mode='valid',
                            subsample=(1, 1), filter_flip=True,
                            filter_dilation=(1, 1), num_groups=1,
                            unshared=False):
    """The gradient of :func:`conv2d` with respect to its filters.

    :param input: 4-d tensor ``(batch, channels, rows, cols)``, the
        convolution's input
    :param output_grad: 4-d tensor ``(batch, n_filters, out_rows,
        out_cols)``
    :param filter_shape: the filters' shape: 4 entries, the first two ints
        or None, the last two ints or symbolic int scalars (required)
    :param input_shape: the input's shape if known (a hint)
    :param border_mode, subsample, filter_flip, filter_dilation: those of
        the forward :func:`conv2d`
    :param num_groups, unshared: 1 and False (others not implemented)
    :returns: 4-d tensor ``(n_filters, channels) + filter_shape[2:]``
    """
    _check_extras('conv2d_grad_wrt_weights', num_groups, unshared)
    return _grad_wrt_weights(2, input, output_grad, filter_shape,
                             input_shape, border_mode, subsample,
                             filter_flip, filter_dilation)


def conv3d_grad_wrt_weights(input, output_grad, filter_shape,
                            input_shape=None, border_mode='valid',
                            subsample=(1, 1, 1), filter_flip=True,
                            filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of :func:`conv3d` with respect to its filters (see
    :func:`conv2d_grad_wrt_weights`; 5-d tensors, three spatial entries)."""
    _check_extras('conv3d_grad_wrt_weights', num_groups, False)
    return _grad_wrt_weights(3, input, output_grad, filter_shape,
                             input_shape, border_mode, subsample,
                             filter_flip, filter_dilation)


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
