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
  :func:`conv3d_grad_wrt_weights`;
* what Theano built of them, graphs of those ops and of PyTensor's:
  :func:`separable_conv2d` and :func:`separable_conv3d` (depthwise: a
  convolution in as many groups as channels, then pointwise),
  :func:`causal_conv1d`,
  :func:`bilinear_upsampling` (the transposed convolution by a triangle
  kernel; :func:`frac_bilinear_upsampling`, :func:`bilinear_kernel_1D`,
  :func:`bilinear_kernel_2D`);
* Theano's helpers of shapes and border modes
  (:func:`get_conv_output_shape`, :func:`get_conv_shape_1axis`,
  :func:`get_conv_gradweights_shape`, :func:`get_conv_gradinputs_shape`,
  their ``_1axis`` forms, :func:`check_conv_gradinputs_shape`,
  :func:`border_mode_to_pad`) and of run-time checks
  (:func:`assert_shape`, :func:`assert_conv_shape`).

Three ops compute the convolutions, as in Theano, each taking the number
of spatial axes (``convdim``, 2 or 3) as a parameter:
:class:`AbstractConv` (the forward pass), :class:`AbstractConv_gradWeights`
and :class:`AbstractConv_gradInputs` (its two gradients, which ``T.grad``
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
built, and the channel counts again at run time; as in Theano 1.0, a
hint is checked against the run-time shapes only under the flag
``conv.assert_shape`` (off by default).

All of them take Theano's ``num_groups`` (grouped convolution: the C++
loops over the groups, each a convolution of its run of channels by its
run of filters; JAX's ``feature_group_count``), and the 2-D ones
``unshared=True`` (locally connected: a filter of its own at each output
position, filters ``(filters, out_rows, out_cols, channels // num_groups,
rows, cols)``), computed by the NumPy ``perform`` only (no C++, and a
one-line error in mode JAX).
"""

import itertools
import math
import os
import warnings

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply, Constant, Variable
from pytensor.link.c.params_type import ParamsType
from pytensor.raise_op import Assert
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
           'normalize_border_mode', 'border_pads', 'conv_output_length',
           'get_conv_shape_1axis', 'get_conv_gradweights_shape',
           'get_conv_gradweights_shape_1axis', 'get_conv_gradinputs_shape',
           'get_conv_gradinputs_shape_1axis', 'check_conv_gradinputs_shape',
           'assert_conv_shape', 'assert_shape', 'border_mode_to_pad',
           'separable_conv2d', 'separable_conv3d', 'causal_conv1d',
           'bilinear_kernel_1D', 'bilinear_kernel_2D', 'bilinear_upsampling',
           'frac_bilinear_upsampling']

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
    :param num_groups: the channels and the filters cut into that many
        equal runs, run ``g`` of the filters reading run ``g`` of the
        channels only: filters ``(filters, channels // num_groups) +
        kernel``
    :param unshared: True (2-D only) for a locally connected layer: one
        filter per output position, filters ``(filters, out_rows,
        out_cols, channels // num_groups, rows, cols)``; computed by the
        NumPy ``perform`` (no C++, no JAX)
    """

    __props__ = ('convdim', 'border_mode', 'subsample', 'filter_flip',
                 'filter_dilation', 'num_groups', 'unshared')
    source_files = (os.path.join(ENGINE_DIR, 'parallel_for.cpp'),
                    os.path.join(ENGINE_DIR, 'arrays.cpp'),
                    os.path.join(ENGINE_DIR, 'gemm.cpp'), 'corr_gemm.cpp')
    params_type = ParamsType(convdim=ps.int32, flip=ps.int32,
                             groups=ps.int32, threads=ps.int32,
                             **_axis_fields())
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
        if not _is_int(num_groups) or num_groups < 1:
            raise ValueError('%s: num_groups should be an int >= 1, not %r'
                             % (name, num_groups))
        if unshared and convdim != 2:
            raise NotImplementedError(
                '%s: unshared (locally connected) convolution is 2-D only, '
                'as in Theano' % name)
        self.border_mode = normalize_border_mode(border_mode, convdim)
        self.subsample = _ints((1,) * convdim if subsample is None
                               else subsample, 'subsample', convdim, 1)
        self.filter_dilation = _ints(
            (1,) * convdim if filter_dilation is None else filter_dilation,
            'filter_dilation', convdim, 1)
        self.filter_flip = bool(filter_flip)
        self.num_groups = int(num_groups)
        self.unshared = bool(unshared)
        # the filters' dimensions: (filters, [out...,] channels, kernel...)
        self.kernel_ndim = 2 + convdim * (2 if self.unshared else 1)
        self.imshp = tuple(imshp) if imshp else (None,) * (2 + convdim)
        self.kshp = tuple(kshp) if kshp else (None,) * self.kernel_ndim

    def _kwargs(self):
        kwargs = dict(border_mode=self.border_mode, subsample=self.subsample,
                      filter_flip=self.filter_flip,
                      filter_dilation=self.filter_dilation,
                      num_groups=self.num_groups)
        if self.convdim == 2:  # (Theano's 3-D classes do not take it)
            kwargs['unshared'] = self.unshared
        return kwargs

    def _sibling(self, kind):
        """The op of ``kind`` (:class:`AbstractConv`...) with this one's
        parameters, under Theano's name for the number of axes."""
        return _CLASSES[kind, self.convdim](**self._kwargs())

    def get_params(self, node):
        values = dict(convdim=self.convdim, flip=int(self.filter_flip),
                      groups=self.num_groups, threads=fused_threads())
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
        kernel = tuple(filter_shape[-self.convdim:])
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
        groups, nd = self.num_groups, self.convdim
        channels = filter_shape[-nd - 1]
        if image_shape[1] != channels * groups:
            raise ValueError(
                '%s: the input has %d channels (its shape is %s) but the '
                'filters take %d%s (their shape is %s)'
                % (name, image_shape[1], tuple(image_shape), channels,
                   ' in each of %d groups' % groups if groups > 1 else '',
                   tuple(filter_shape)))
        if filter_shape[0] % groups:
            raise ValueError('%s: %d filters (their shape is %s) do not make '
                             '%d groups' % (name, filter_shape[0],
                                            tuple(filter_shape), groups))
        shape = self.output_shape(tuple(image_shape), tuple(filter_shape))
        kernel = tuple(filter_shape[-nd:])
        if min(shape[2:]) < 1 or min(kernel) < 1:
            raise ValueError(
                '%s: filters of %s do not fit in the input of %s with '
                'border_mode %r and dilation %s'
                % (name, ' x '.join(map(str, kernel)),
                   ' x '.join(map(str, image_shape[2:])), self.border_mode,
                   self.filter_dilation))
        if self.unshared and tuple(filter_shape[1:1 + nd]) != shape[2:]:
            raise ValueError(
                '%s: unshared filters of shape %s have one filter for each of '
                '%s output positions, but the output is %s'
                % (name, tuple(filter_shape),
                   ' x '.join(map(str, filter_shape[1:1 + nd])),
                   ' x '.join(map(str, shape[2:]))))
        return shape

    def _check_inputs(self, who, *pairs):
        """Each ``(name, variable)`` a float tensor of ``2 + convdim``
        dimensions (the filters: :attr:`kernel_ndim`), all of one dtype."""
        dtypes = set()
        for name, var in pairs:
            ndim = (self.kernel_ndim if name == 'the filters'
                    else 2 + self.convdim)
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
        """The filters as the correlation uses them (flipped along the
        kernel's axes if asked)."""
        if not self.filter_flip:
            return w
        return w[(slice(None),) * (w.ndim - self.convdim)
                 + (slice(None, None, -1),) * self.convdim]

    def _groups(self, array, axis):
        """``array`` cut into ``num_groups`` equal runs along ``axis``."""
        return numpy.split(array, self.num_groups, axis=axis)

    def _np_forward(self, x, w):
        nd = self.convdim
        self._numeric_shape(x.shape, w.shape)
        windows = self._windows(x, w.shape[-nd:])
        parts = []
        for win, kern in zip(self._groups(windows, 1),
                             self._groups(self._oriented(w), 0)):
            if self.unshared:
                # windows (n, c, i, j, a, b), filters (f, i, j, c, a, b)
                parts.append(numpy.einsum('ncijab,fijcab->nfij', win, kern))
            else:
                parts.append(numpy.moveaxis(numpy.tensordot(
                    win, kern, axes=([1] + list(range(2 + nd, 2 + 2 * nd)),
                                     [1] + list(range(2, 2 + nd)))), -1, 1))
        return numpy.ascontiguousarray(
            numpy.concatenate(parts, axis=1)).astype(x.dtype, copy=False)

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
        windows = self._windows(x, w_shape[-nd:])
        parts = []
        for win, t in zip(self._groups(windows, 1), self._groups(top, 1)):
            if self.unshared:
                parts.append(numpy.einsum('nfij,ncijab->fijcab', t, win))
            else:
                parts.append(numpy.tensordot(
                    t, win, axes=([0] + list(range(2, 2 + nd)),
                                  [0] + list(range(2, 2 + nd)))))
        grad = numpy.concatenate(parts, axis=0)
        return numpy.ascontiguousarray(self._oriented(grad)).astype(
            x.dtype, copy=False)

    def _np_grad_inputs(self, w, top, x_shape):
        nd = self.convdim
        self._check_top(top, x_shape, w.shape)
        kernel = w.shape[-nd:]
        pads = self.pads(kernel)
        out = top.shape[2:]
        padded = numpy.zeros(tuple(x_shape[:2]) + tuple(
            length + before + after
            for length, (before, after) in zip(x_shape[2:], pads)),
            dtype=top.dtype)
        for dx, kern, t in zip(self._groups(padded, 1),
                               self._groups(self._oriented(w), 0),
                               self._groups(top, 1)):
            for tap in itertools.product(*[range(k) for k in kernel]):
                tapped = kern[(Ellipsis,) + tap]
                if self.unshared:
                    # filters (f, i, j, c) at this tap
                    part = numpy.einsum('nfij,fijc->ncij', t, tapped)
                else:
                    part = numpy.moveaxis(numpy.tensordot(
                        t, tapped, axes=([1], [0])), -1, 1)
                where = tuple(slice(i * d, i * d + (o - 1) * s + 1, s)
                              for i, d, o, s in zip(
                                  tap, self.filter_dilation, out,
                                  self.subsample))
                dx[(slice(None), slice(None)) + where] += part
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
        if self.unshared:
            # a filter per output position: NumPy's products (perform)
            raise NotImplementedError('unshared convolution: no C code')
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
        # the hints, checked at run time under conv.assert_shape
        img = assert_shape(img, self.imshp, '%s: the input\'s shape is not '
                           'the given input_shape %s'
                           % (_name(self.convdim), self.imshp))
        kern = assert_shape(kern, self.kshp, '%s: the filters\' shape is '
                            'not the given filter_shape %s'
                            % (_name(self.convdim), self.kshp))
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
        img = assert_shape(img, self.imshp, '%s: the input\'s shape is not '
                           'the given input_shape %s' % (who, self.imshp))
        shape, known = self._shape_input(shape, who)
        out = self._filters_shape(img.type.shape, topgrad.type.shape, known)
        return Apply(self, [img, topgrad, shape],
                     [_out_type(img.type.dtype, out)])

    def _filters_shape(self, img_shape, top_shape, kernel):
        """The filters' shape (entries None where unknown)."""
        channels = img_shape[1]
        if channels is not None:
            if channels % self.num_groups:
                raise ValueError('%s: the input\'s %d channels do not make '
                                 '%d groups' % (_name(self.convdim),
                                                channels, self.num_groups))
            channels //= self.num_groups
        positions = tuple(top_shape[2:]) if self.unshared else ()
        return (top_shape[1],) + positions + (channels,) + tuple(kernel)

    def perform(self, node, inputs, outputs):
        img, top, shape = inputs
        w_shape = self._filters_shape(img.shape, top.shape,
                                      (int(s) for s in shape))
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
        kern = assert_shape(kern, self.kshp, '%s: the filters\' shape is '
                            'not the given filter_shape %s' % (who, self.kshp))
        shape, known = self._shape_input(shape, who)
        out = (topgrad.type.shape[0], self._channels(kern.type.shape)) + known
        return Apply(self, [kern, topgrad, shape],
                     [_out_type(kern.type.dtype, out)])

    def _channels(self, kern_shape):
        """The input's channels for filters of this shape (or None)."""
        channels = kern_shape[-self.convdim - 1]
        return None if channels is None else channels * self.num_groups

    def perform(self, node, inputs, outputs):
        kern, top, shape = inputs
        x_shape = (top.shape[0], self._channels(kern.shape)) + tuple(
            int(s) for s in shape)
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
    """Theano's class of ``base`` for ``convdim`` axes (``unshared`` in
    2-D only, as Theano's signatures)."""
    if convdim == 2:
        def __init__(self, imshp=None, kshp=None, border_mode='valid',
                     subsample=(1, 1), filter_flip=True,
                     filter_dilation=(1, 1), num_groups=1, unshared=False):
            base.__init__(self, 2, imshp, kshp, border_mode, subsample,
                          filter_flip, filter_dilation, num_groups, unshared)
    else:
        def __init__(self, imshp=None, kshp=None, border_mode='valid',
                     subsample=(1,) * convdim, filter_flip=True,
                     filter_dilation=(1,) * convdim, num_groups=1):
            base.__init__(self, convdim, imshp, kshp, border_mode, subsample,
                          filter_flip, filter_dilation, num_groups)
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
    """The ``(name, value)`` pairs as tensors of ``ndim`` dimensions (an
    int, or one per pair), cast to their common float dtype (TypeError
    otherwise)."""
    tensors = []
    ndims = ndim if isinstance(ndim, tuple) else (ndim,) * len(pairs)
    for (name, value), ndim in zip(pairs, ndims):
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


def _extras(who, convdim, num_groups, unshared):
    """``num_groups`` and ``unshared`` checked: the keywords of the op
    (ValueError for a bad count of groups)."""
    if not _is_int(num_groups) or num_groups < 1:
        raise ValueError('%s: num_groups should be an int >= 1, not %r'
                         % (who, num_groups))
    extras = dict(num_groups=int(num_groups))
    if convdim == 2:
        extras['unshared'] = bool(unshared)
    return extras


def _kernel_ndim(convdim, unshared):
    return 2 + convdim * (2 if unshared else 1)


def _check_channels(who, channels, k_shape, convdim, num_groups, what):
    """The input's channel count (an int or None) against the filters'
    known shape, for ``num_groups`` groups; ValueError if they differ.
    (The filters' channels come before the kernel's axes, shared or
    unshared.)"""
    taken = k_shape[-convdim - 1]
    if None in (channels, taken) or channels == taken * num_groups:
        return
    groups = ' in each of %d groups' % num_groups if num_groups > 1 else ''
    raise ValueError('%s: %s has %d channels but the filters take %d%s '
                     '(shape %s)' % (who, what, channels, taken, groups,
                                     k_shape))


def _convolve(convdim, input, filters, input_shape, filter_shape,
              border_mode, subsample, filter_flip, filter_dilation,
              num_groups=1, unshared=False, who=None):
    """conv2d and conv3d (and the convolutions built of them, ``who``):
    the checks, then the op."""
    who = who or _name(convdim)
    ndim = 2 + convdim
    extras = _extras(who, convdim, num_groups, unshared)
    k_ndim = _kernel_ndim(convdim, unshared)
    input, filters = _float_tensors(who, (ndim, k_ndim), ('the input', input),
                                    ('the filters', filters))
    in_shape = _merge_shapes(_static_dims(input),
                             _shape_hint(input_shape, 'input_shape', who,
                                         ndim),
                             'the input', 'input_shape', who)
    k_shape = _merge_shapes(_static_dims(filters),
                            _shape_hint(filter_shape, 'filter_shape', who,
                                        k_ndim),
                            'the filters', 'filter_shape', who)
    _check_channels(who, in_shape[1], k_shape, convdim, num_groups,
                    'the input')
    if in_shape[1] is not None and in_shape[1] % num_groups:
        raise ValueError('%s: the input has %d channels, which %d groups do '
                         'not share evenly' % (who, in_shape[1], num_groups))
    if k_shape[0] is not None and k_shape[0] % num_groups:
        raise ValueError('%s: %d filters do not make %d groups'
                         % (who, k_shape[0], num_groups))
    op = _CLASSES[AbstractConv, convdim](
        imshp=in_shape, kshp=k_shape, border_mode=border_mode,
        subsample=subsample, filter_flip=filter_flip,
        filter_dilation=filter_dilation, **extras)
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
           image_shape=None, filter_dilation=(1, 1), num_groups=1,
           unshared=False, **kwargs):
    """Theano's 2-D convolution of a minibatch of multi-channel images.

    :param input: 4-d tensor ``(batch, channels, rows, cols)``
    :param filters: 4-d tensor ``(n_filters, channels // num_groups,
        k_rows, k_cols)``; with ``unshared``, 6-d ``(n_filters, out_rows,
        out_cols, channels // num_groups, k_rows, k_cols)``
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
    :param num_groups: grouped convolution: the channels and the filters
        cut into that many equal runs, filters ``g * n_filters //
        num_groups`` onwards reading channels ``g * channels //
        num_groups`` onwards only (1: every filter reads every channel)
    :param unshared: True for a locally connected layer: a filter of its
        own at every output position (the 6-d filters above); computed by
        NumPy (no C++), and not in mode JAX
    :param kwargs: other keywords are ignored with a warning, as Theano
        did
    :returns: 4-d tensor ``(batch, n_filters, out_rows, out_cols)`` with
        ``out = (size + pads - ((k - 1) * dilation + 1)) // stride + 1``;
        float32 inputs give float32, float64 give float64 (mixed: the
        wider)
    :raises TypeError: when an input is not a 4-d float tensor
    :raises ValueError: for a bad border mode, stride, dilation or
        count of groups, shape hints that contradict the inputs' known
        shapes, or input and filters whose channel counts are known to
        differ (as Theano, at run time otherwise)
    """
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
                     border_mode, subsample, filter_flip, filter_dilation,
                     num_groups, unshared)


def conv3d(input, filters, input_shape=None, filter_shape=None,
           border_mode='valid', subsample=(1, 1, 1), filter_flip=True,
           filter_dilation=(1, 1, 1), num_groups=1):
    """Theano's 3-D convolution of a minibatch of multi-channel volumes.

    :param input: 5-d tensor ``(batch, channels, depth, rows, cols)``
    :param filters: 5-d tensor ``(n_filters, channels // num_groups,
        k_depth, k_rows, k_cols)``
    :param input_shape, filter_shape: shape hints, as :func:`conv2d`'s
    :param border_mode: ``'valid'``, ``'full'``, ``'half'``, an int, or a
        tuple of three (one per axis; each may be a ``(before, after)``
        pair)
    :param subsample: strides ``(depth, rows, cols)``
    :param filter_flip: True: convolution (filters flipped along the three
        axes); False: correlation
    :param filter_dilation: ``(depth, rows, cols)``
    :param num_groups: grouped convolution, as :func:`conv2d`'s
    :returns: 5-d tensor ``(batch, n_filters, out_depth, out_rows,
        out_cols)``, sizes as :func:`conv2d`'s along each axis
    :raises TypeError, ValueError: as :func:`conv2d`
    """
    return _convolve(3, input, filters, input_shape, filter_shape,
                     border_mode, subsample, filter_flip, filter_dilation,
                     num_groups)


def _spatial_hint(shape, name, who, convdim, length=None):
    """The spatial entries of a shape the gradient functions require:
    ints or symbolic int scalars (a vector of them for the op), after
    ``length - convdim`` leading entries (ints or None; ``length``: 2 +
    convdim unless given)."""
    length = 2 + convdim if length is None else length
    try:
        entries = list(shape)
    except TypeError:
        entries = None
    if entries is None or len(entries) != length:
        raise ValueError('%s: %s should have %d entries, not %r'
                         % (who, name, length, shape))
    spatial = []
    for item in entries[-convdim:]:
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
    lead = _shape_hint(entries[:-convdim], name, who, length - convdim)
    return lead, spatial


def _grad_wrt_inputs(convdim, output_grad, filters, input_shape,
                     filter_shape, border_mode, subsample, filter_flip,
                     filter_dilation, num_groups=1, unshared=False):
    who = '%s_grad_wrt_inputs' % _name(convdim)
    extras = _extras(who, convdim, num_groups, unshared)
    ndim, k_ndim = 2 + convdim, _kernel_ndim(convdim, unshared)
    output_grad, filters = _float_tensors(
        who, (ndim, k_ndim), ('the output gradient', output_grad),
        ('the filters', filters))
    lead, spatial = _spatial_hint(input_shape, 'input_shape', who, convdim)
    k_shape = _merge_shapes(_static_dims(filters),
                            _shape_hint(filter_shape, 'filter_shape', who,
                                        k_ndim),
                            'the filters', 'filter_shape', who)
    _check_channels(who, lead[1], k_shape, convdim, num_groups,
                    'input_shape')
    op = _CLASSES[AbstractConv_gradInputs, convdim](
        imshp=tuple(lead) + tuple(s if _is_int(s) else None
                                  for s in spatial),
        kshp=k_shape, border_mode=border_mode, subsample=subsample,
        filter_flip=filter_flip, filter_dilation=filter_dilation, **extras)
    return op(filters, output_grad, spatial)


def _grad_wrt_weights(convdim, input, output_grad, filter_shape,
                      input_shape, border_mode, subsample, filter_flip,
                      filter_dilation, num_groups=1, unshared=False):
    who = '%s_grad_wrt_weights' % _name(convdim)
    extras = _extras(who, convdim, num_groups, unshared)
    ndim = 2 + convdim
    input, output_grad = _float_tensors(
        who, ndim, ('the input', input), ('the output gradient',
                                          output_grad))
    lead, spatial = _spatial_hint(filter_shape, 'filter_shape', who, convdim,
                                  _kernel_ndim(convdim, unshared))
    in_shape = _merge_shapes(_static_dims(input),
                             _shape_hint(input_shape, 'input_shape', who,
                                         ndim),
                             'the input', 'input_shape', who)
    _check_channels(who, in_shape[1],
                    tuple(lead) + (None,) * convdim, convdim, num_groups,
                    'the input')
    op = _CLASSES[AbstractConv_gradWeights, convdim](
        imshp=in_shape,
        kshp=tuple(lead) + tuple(s if _is_int(s) else None for s in spatial),
        border_mode=border_mode, subsample=subsample,
        filter_flip=filter_flip, filter_dilation=filter_dilation, **extras)
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
    :param filters: 4-d tensor ``(n_filters, channels // num_groups,
        k_rows, k_cols)`` (6-d with ``unshared``, as :func:`conv2d`'s)
    :param input_shape: the convolution's input shape: 4 entries, the
        first two ints or None, the last two ints or symbolic int scalars
        (required: with a stride, several input sizes give one output size)
    :param filter_shape: the filters' shape if known (a hint)
    :param border_mode, subsample, filter_flip, filter_dilation: those of
        the forward :func:`conv2d`
    :param num_groups, unshared: those of the forward :func:`conv2d`
    :returns: 4-d tensor ``(batch, channels) + input_shape[2:]``
    """
    return _grad_wrt_inputs(2, output_grad, filters, input_shape,
                            filter_shape, border_mode, subsample,
                            filter_flip, filter_dilation, num_groups,
                            unshared)


def conv3d_grad_wrt_inputs(output_grad, filters, input_shape,
                           filter_shape=None, border_mode='valid',
                           subsample=(1, 1, 1), filter_flip=True,
                           filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of :func:`conv3d` with respect to its input (see
    :func:`conv2d_grad_wrt_inputs`; 5-d tensors, three spatial entries;
    ``num_groups`` as :func:`conv3d`'s)."""
    return _grad_wrt_inputs(3, output_grad, filters, input_shape,
                            filter_shape, border_mode, subsample,
                            filter_flip, filter_dilation, num_groups)


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
    :param filter_shape: the filters' shape: 4 entries (6 with
        ``unshared``), ints or None, the last two ints or symbolic int
        scalars (required)
    :param input_shape: the input's shape if known (a hint)
    :param border_mode, subsample, filter_flip, filter_dilation: those of
        the forward :func:`conv2d`
    :param num_groups, unshared: those of the forward :func:`conv2d`
    :returns: 4-d tensor ``(n_filters, channels // num_groups) +
        filter_shape[2:]``; with ``unshared``, 6-d ``(n_filters, out_rows,
        out_cols, channels // num_groups) + filter_shape[4:]``
    """
    return _grad_wrt_weights(2, input, output_grad, filter_shape,
                             input_shape, border_mode, subsample,
                             filter_flip, filter_dilation, num_groups,
                             unshared)


def conv3d_grad_wrt_weights(input, output_grad, filter_shape,
                            input_shape=None, border_mode='valid',
                            subsample=(1, 1, 1), filter_flip=True,
                            filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of :func:`conv3d` with respect to its filters (see
    :func:`conv2d_grad_wrt_weights`; 5-d tensors, three spatial entries;
    ``num_groups`` as :func:`conv3d`'s)."""
    return _grad_wrt_weights(3, input, output_grad, filter_shape,
                             input_shape, border_mode, subsample,
                             filter_flip, filter_dilation, num_groups)



# ----------------------------------------------------------------------------
# Shapes, one axis at a time, as Theano's helpers computed them.

def _axis_pads(border_mode, dilated_kernel):
    """``(before, after)`` along one axis for one entry of a border mode:
    ``'valid'``, ``'full'``, ``'half'``, an int or a pair of ints."""
    if isinstance(border_mode, str):
        if border_mode == 'half':
            return dilated_kernel // 2, dilated_kernel // 2
        if border_mode == 'full':
            return dilated_kernel - 1, dilated_kernel - 1
        if border_mode == 'valid':
            return 0, 0
        raise ValueError("invalid border_mode %r: use 'valid', 'full', "
                         "'half', an int or a pair of ints" % border_mode)
    if isinstance(border_mode, (tuple, list)):
        before, after = border_mode
    else:
        before = after = border_mode
    if _is_int(before) and _is_int(after) and (before < 0 or after < 0):
        raise ValueError('border_mode must be >= 0, not %r' % (border_mode,))
    return before, after


def _unknown(*values):
    return any(v is None for v in values)


def get_conv_shape_1axis(image_shape, kernel_shape, border_mode, subsample,
                         dilation=1):
    """The output size of a convolution along one axis.

    :param image_shape: the input's size along the axis (int, symbolic
        int scalar, or None if unknown)
    :param kernel_shape: the filters' size along it, likewise
    :param border_mode: ``'valid'``, ``'full'``, ``'half'``, an int (that
        many zeros on both sides) or a pair ``(before, after)``
    :param subsample: the stride along the axis
    :param dilation: the filters' dilation along the axis
    :returns: ``(image + before + after - dilated) // subsample + 1``
        where ``dilated = (kernel - 1) * dilation + 1``; None when an
        argument is None
    :raises ValueError: for a negative padding
    """
    if _unknown(image_shape, kernel_shape, border_mode, subsample, dilation):
        return None
    dilated = (kernel_shape - 1) * dilation + 1
    before, after = _axis_pads(border_mode, dilated)
    # the fewest operations, for symbolic sizes
    size = image_shape - dilated
    if not (_is_int(before) and before == 0):
        size = size + before
    if not (_is_int(after) and after == 0):
        size = size + after
    if not (_is_int(subsample) and subsample == 1):
        size = size // subsample
    return size + 1


def get_conv_gradweights_shape_1axis(image_shape, top_shape, border_mode,
                                     subsample, dilation):
    """The filters' size along one axis, from the sizes of the
    convolution's input and output there.

    Only with ``subsample`` 1 and a border mode other than ``'half'`` is
    the size determined; otherwise None.  As in Theano, a ``dilation``
    above 1 divides with ``/``, so the size is then a float (``3.0``).

    :param image_shape: the input's size (int, symbolic, or None)
    :param top_shape: the output's size, likewise
    :param border_mode, subsample, dilation: those of the convolution
    :returns: the filters' size, or None
    """
    if _unknown(image_shape, top_shape, border_mode, subsample, dilation):
        return None
    if subsample != 1 or (isinstance(border_mode, str)
                          and border_mode == 'half'):
        return None
    if isinstance(border_mode, str) and border_mode == 'full':
        span = top_shape - image_shape
    elif isinstance(border_mode, str) and border_mode == 'valid':
        span = image_shape - top_shape
    else:
        before, after = _axis_pads(border_mode, None)
        span = image_shape + before + after - top_shape
    if dilation > 1:
        span = span / dilation
    return span + 1


def get_conv_gradinputs_shape_1axis(kernel_shape, top_shape, border_mode,
                                    subsample, dilation):
    """The input's size along one axis, from the sizes of the filters and
    of the convolution's output there.

    Only with ``subsample`` 1 is it determined (a stride drops up to
    ``subsample - 1`` pixels at the end); otherwise None.

    :returns: ``top + dilated - 1 - before - after``, or None
    """
    if _unknown(kernel_shape, top_shape, border_mode, subsample, dilation):
        return None
    if subsample != 1:
        return None
    dilated = (kernel_shape - 1) * dilation + 1
    before, after = _axis_pads(border_mode, dilated)
    size = top_shape + dilated - 1
    if not (_is_int(before) and before <= 0):
        size = size - before
    if not (_is_int(after) and after <= 0):
        size = size - after
    return size


def _per_axis(border_mode, axis):
    return border_mode[axis] if isinstance(border_mode, tuple) \
        else border_mode


def get_conv_gradweights_shape(image_shape, top_shape, border_mode,
                               subsample, filter_dilation=None,
                               num_groups=1, unshared=False):
    """The filters' shape, from the shapes of a convolution's input and
    output (:func:`get_conv_gradweights_shape_1axis` on each axis).

    :param image_shape: ``(batch, channels) + spatial`` of the input
    :param top_shape: ``(batch, filters) + spatial`` of the output
    :param border_mode: as :func:`conv2d`'s (a tuple: one entry per axis)
    :param subsample, filter_dilation: one entry per axis
    :param num_groups: the output channels are divided by it
    :param unshared: True for the shape of unshared filters, ``(filters,)
        + top spatial + (channels,) + kernel``
    :returns: ``(filters, channels) + kernel``, None where undetermined
    """
    channels, filters = image_shape[1], top_shape[1]
    if filter_dilation is None:
        filter_dilation = (1,) * len(subsample)
    if num_groups > 1:
        filters = filters // num_groups
    kernel = tuple(get_conv_gradweights_shape_1axis(
        image_shape[2 + i], top_shape[2 + i], _per_axis(border_mode, i),
        subsample[i], filter_dilation[i]) for i in range(len(subsample)))
    if unshared:
        return (filters,) + tuple(top_shape[2:]) + (channels,) + kernel
    return (filters, channels) + kernel


def get_conv_gradinputs_shape(kernel_shape, top_shape, border_mode,
                              subsample, filter_dilation=None,
                              num_groups=1):
    """The input's shape, from the shapes of the filters and of a
    convolution's output (:func:`get_conv_gradinputs_shape_1axis` on each
    axis).

    :param kernel_shape: ``(filters, channels) + kernel``
    :param top_shape: ``(batch, filters) + spatial`` of the output
    :param border_mode, subsample, filter_dilation: as
        :func:`get_conv_gradweights_shape`'s
    :param num_groups: the channels are multiplied by it
    :returns: ``(batch, channels) + spatial``, None where undetermined
    """
    convdim = len(top_shape) - 2
    channels = kernel_shape[1]
    kernel = tuple(kernel_shape[-convdim:])
    if filter_dilation is None:
        filter_dilation = (1,) * len(subsample)
    if num_groups > 1:
        channels = channels * num_groups
    spatial = tuple(get_conv_gradinputs_shape_1axis(
        kernel[i], top_shape[2 + i], _per_axis(border_mode, i),
        subsample[i], filter_dilation[i]) for i in range(len(subsample)))
    return (top_shape[0], channels) + spatial


def _constant_int(value):
    """The int that ``value`` is known to be (int, constant, or a graph of
    constants), or None."""
    if _is_int(value):
        return int(value)
    try:
        return int(pt.get_scalar_constant_value(value))
    except (NotScalarConstantError, TypeError, ValueError):
        return None


def _get_conv_output_shape_1axes(image_shape, kernel_shape, border_mode,
                                 subsample, filter_dilation):
    """Theano's ``get_conv_output_shape``, axis by axis (Nones and
    symbolic sizes pass through)."""
    convdim = len(image_shape) - 2
    if filter_dilation is None:
        filter_dilation = (1,) * len(subsample)
    kernel = tuple(kernel_shape[-convdim:])
    return (image_shape[0], kernel_shape[0]) + tuple(get_conv_shape_1axis(
        image_shape[2 + i], kernel[i], _per_axis(border_mode, i),
        subsample[i], filter_dilation[i]) for i in range(len(subsample)))


def check_conv_gradinputs_shape(image_shape, kernel_shape, output_shape,
                                border_mode, subsample,
                                filter_dilation=None):
    """Whether a convolution of an input of ``image_shape`` by filters of
    ``kernel_shape`` can give an output of ``output_shape``.

    :returns: False when the lengths disagree (with each other, with
        ``subsample`` or ``filter_dilation``) or when a size known on both
        sides differs; True otherwise (entries that are None or symbolic
        are taken as matching)
    """
    image_shape = tuple(image_shape)
    kernel_shape = tuple(kernel_shape)
    output_shape = tuple(output_shape)
    if not len(image_shape) == len(kernel_shape) == len(output_shape):
        return False
    if len(image_shape) - 2 != len(subsample):
        return False
    if filter_dilation is not None and \
            len(image_shape) - 2 != len(filter_dilation):
        return False
    computed = _get_conv_output_shape_1axes(image_shape, kernel_shape,
                                            border_mode, subsample,
                                            filter_dilation)
    for given, predicted in zip(output_shape, computed):
        if given is None or predicted is None:
            continue
        given, predicted = _constant_int(given), _constant_int(predicted)
        if given is not None and predicted is not None and \
                given != predicted:
            return False
    return True


def assert_conv_shape(shape):
    """A convolution's shape, checked: the first two entries (batch and
    channels, or the filters' two counts) at least 0, the others at least
    1.

    :param shape: ints or symbolic int scalars
    :returns: a tuple of the same entries: the known ones as given (a
        ValueError now if one is out of range), the others wrapped in an
        ``Assert`` that raises AssertionError at run time if out of range
    """
    checked = []
    for axis, size in enumerate(shape):
        least = 0 if axis < 2 else 1
        known = _constant_int(size)
        if known is not None:
            if known < least:
                raise ValueError(
                    'assert_conv_shape: a convolution of shape %s has size '
                    '%d in dimension %d; it should be at least %d'
                    % (tuple(shape), known, axis, least))
            checked.append(size)
            continue
        check = Assert('assert_conv_shape: dimension %d of a convolution\'s '
                       'shape is below %d' % (axis, least))
        checked.append(check(size, pt.ge(size, least)))
    return tuple(checked)


def assert_shape(x, expected_shape, msg='Unexpected shape.'):
    """``x``, with a run-time check of its shape when the flag
    ``conv.assert_shape`` is on (``THEANO_FLAGS=conv.assert_shape=True``,
    or ``theano.config.conv.assert_shape = True`` before the graph is
    built).

    :param x: a tensor
    :param expected_shape: one entry per dimension of ``x``: an int (or
        symbolic int scalar) to check, or None to leave that dimension
        unchecked; or None
    :param msg: the message of the AssertionError raised at run time
    :returns: ``x`` itself when the flag is off, ``expected_shape`` is
        None or all its entries are None; else ``x`` through an
        ``Assert`` op
    """
    from theano_compat.configdefaults import config
    if expected_shape is None or not config.conv.assert_shape:
        return x
    x = pt.as_tensor_variable(x)
    tests = [pt.eq(x.shape[axis], expected_shape[axis])
             for axis in range(x.type.ndim)
             if expected_shape[axis] is not None]
    if not tests:
        return x
    return Assert(msg)(x, *tests)


def border_mode_to_pad(mode, convdim, kshp):
    """The zeros a border mode adds, as Theano's helper of this name.

    :param mode: ``'valid'``, ``'full'``, ``'half'``, or a tuple of
        ``convdim`` entries, each an int or a pair of ints (>= 0)
    :param convdim: the number of spatial axes
    :param kshp: the filters' spatial sizes (``'full'`` and ``'half'``
        take no dilation into account, as in Theano)
    :returns: a tuple of ``convdim`` pairs ``(before, after)``
    :raises ValueError: for another mode (a bare int too, as in Theano),
        a tuple of the wrong length or with other entries
    :raises NotImplementedError: for an entry of more than two ints
    """
    if isinstance(mode, tuple):
        if len(mode) != convdim:
            raise ValueError('border_mode_to_pad: the border mode %r should '
                             'have %d entries' % (mode, convdim))
        pads = []
        for item in mode:
            if _is_int(item) and item >= 0:
                pads.append((int(item), int(item)))
            elif isinstance(item, tuple) and item and \
                    all(_is_int(p) for p in item) and min(item) >= 0:
                if len(item) != 2:
                    raise NotImplementedError(
                        'border_mode_to_pad: a padding of %d numbers on one '
                        'axis (%r); give (before, after)' % (len(item), item))
                pads.append((int(item[0]), int(item[1])))
            else:
                raise ValueError(
                    'border_mode_to_pad: invalid border mode %r; its '
                    'entries should be ints >= 0 or pairs of them' % (mode,))
        return tuple(pads)
    if isinstance(mode, str) and mode in ('full', 'half', 'valid'):
        if mode == 'valid':
            return ((0, 0),) * convdim
        if mode == 'full':
            return tuple((kshp[i] - 1,) * 2 for i in range(convdim))
        return tuple((kshp[i] // 2,) * 2 for i in range(convdim))
    raise ValueError("border_mode_to_pad: invalid border mode %r; use "
                     "'valid', 'full', 'half' or a tuple of %d entries"
                     % (mode, convdim))


# ----------------------------------------------------------------------------
# Convolutions built of the ones above: separable (depthwise, then
# pointwise) and causal.

def _separable(convdim, input, depthwise_filters, pointwise_filters,
               num_channels, input_shape, depthwise_filter_shape,
               pointwise_filter_shape, border_mode, subsample, filter_flip,
               filter_dilation):
    who = 'separable_conv%dd' % convdim
    depthwise = _convolve(
        convdim, input, depthwise_filters, input_shape,
        depthwise_filter_shape, border_mode, subsample, filter_flip,
        filter_dilation, num_groups=num_channels, who=who)
    ones = (1,) * convdim
    return _convolve(convdim, depthwise, pointwise_filters, None,
                     pointwise_filter_shape, 'valid', ones, filter_flip,
                     ones)


def separable_conv2d(input, depthwise_filters, pointwise_filters,
                     num_channels, input_shape=None,
                     depthwise_filter_shape=None,
                     pointwise_filter_shape=None, border_mode='valid',
                     subsample=(1, 1), filter_flip=True,
                     filter_dilation=(1, 1)):
    """A depthwise convolution, each channel by filters of its own,
    followed by a pointwise (1 x 1) convolution that mixes the channels.

    :param input: 4-d tensor ``(batch, channels, rows, cols)``
    :param depthwise_filters: 4-d tensor ``(channels * multiplier, 1,
        k_rows, k_cols)``: filters ``c * multiplier`` to ``(c + 1) *
        multiplier - 1`` convolve channel ``c``
    :param pointwise_filters: 4-d tensor ``(n_out, channels * multiplier,
        1, 1)``
    :param num_channels: the input's channel count (an int)
    :param input_shape, depthwise_filter_shape, pointwise_filter_shape:
        shape hints (4 entries, None where unknown)
    :param border_mode, subsample, filter_dilation: those of the depthwise
        convolution, as :func:`conv2d`'s; the pointwise one is 'valid'
    :param filter_flip: for both convolutions
    :returns: 4-d tensor ``(batch, n_out, out_rows, out_cols)``, sized as
        the depthwise convolution's output
    """
    return _separable(2, input, depthwise_filters, pointwise_filters,
                      num_channels, input_shape, depthwise_filter_shape,
                      pointwise_filter_shape, border_mode, subsample,
                      filter_flip, filter_dilation)


def separable_conv3d(input, depthwise_filters, pointwise_filters,
                     num_channels, input_shape=None,
                     depthwise_filter_shape=None,
                     pointwise_filter_shape=None, border_mode='valid',
                     subsample=(1, 1, 1), filter_flip=True,
                     filter_dilation=(1, 1, 1)):
    """:func:`separable_conv2d` on 5-d tensors ``(batch, channels, depth,
    rows, cols)``: depthwise filters ``(channels * multiplier, 1, k_depth,
    k_rows, k_cols)``, pointwise ``(n_out, channels * multiplier, 1, 1,
    1)``; ``border_mode``, ``subsample`` and ``filter_dilation`` as
    :func:`conv3d`'s."""
    return _separable(3, input, depthwise_filters, pointwise_filters,
                      num_channels, input_shape, depthwise_filter_shape,
                      pointwise_filter_shape, border_mode, subsample,
                      filter_flip, filter_dilation)


def causal_conv1d(input, filters, filter_shape, input_shape=None,
                  subsample=1, filter_flip=True, filter_dilation=1,
                  num_groups=1, unshared=False):
    """A causal 1-D convolution (WaveNet's): output ``t`` reads the input
    at ``t`` and before only, as the input were preceded by
    ``filter_dilation * (length - 1)`` zeros.

    :param input: 3-d tensor ``(batch, channels, time)``
    :param filters: 3-d tensor ``(n_filters, channels // num_groups,
        length)``
    :param filter_shape: the filters' shape, 3 entries; the length must be
        an int (it gives the padding)
    :param input_shape: a hint, 3 entries, or None
    :param subsample: the stride (an int)
    :param filter_flip: True: convolution; False: correlation
    :param filter_dilation: the taps' spacing (an int)
    :param num_groups: channels and filters cut into that many groups, as
        :func:`conv2d`'s in Theano
    :param unshared: False (unshared convolution is not implemented)
    :returns: 3-d tensor ``(batch, n_filters, (time - 1) // subsample +
        1)``; computed by the 2-D convolution on a last axis of length 1
    """
    who = 'causal_conv1d'
    input = pt.as_tensor_variable(input)
    filters = pt.as_tensor_variable(filters)
    if input.type.ndim != 3:
        raise ValueError('%s: the input should be a 3-d tensor (batch, '
                         'channels, time), not %d-d' % (who,
                                                         input.type.ndim))
    if filters.type.ndim != 3:
        raise ValueError('%s: the filters should be a 3-d tensor, not %d-d'
                         % (who, filters.type.ndim))
    if unshared:
        raise NotImplementedError('%s: unshared (locally connected) '
                                  'convolution is not implemented' % who)
    filter_shape = tuple(filter_shape)
    if len(filter_shape) != 3:
        raise ValueError('%s: filter_shape should have 3 entries, not %r'
                         % (who, filter_shape))
    length = filter_shape[2]
    if isinstance(length, Constant):
        length = length.data.item()
    if not _is_int(length):
        raise TypeError('%s: the filters\' length (filter_shape[2]) should '
                        'be an int, not %r: it sets the padding' % (who,
                                                                    length))
    if input_shape is not None:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError('%s: input_shape should have 3 entries, not %r'
                             % (who, input_shape))
        input_shape += (1,)
    output = _convolve(
        2, input.dimshuffle(0, 1, 2, 'x'), filters.dimshuffle(0, 1, 2, 'x'),
        input_shape, filter_shape[:2] + (length, 1),
        ((filter_dilation * (length - 1), 0), 0), (subsample, 1),
        filter_flip, (filter_dilation, 1), num_groups=num_groups, who=who)
    return output[:, :, :, 0]


# ----------------------------------------------------------------------------
# Bilinear upsampling: the transposed convolution by a triangle.

def bilinear_kernel_1D(ratio, normalize=True):
    """The triangle that upsamples by ``ratio`` along one axis by linear
    interpolation: ``1, 2, ..., ratio, ..., 2, 1`` (divided by ``ratio``
    if ``normalize``).

    :param ratio: an int (or a symbolic int scalar)
    :returns: vector of ``2 * ratio - 1`` entries, in floatX
    """
    floatx = pytensor.config.floatX
    rising = pt.arange(1, ratio + 1, dtype=floatx)
    kernel = pt.concatenate([rising, rising[-2::-1]])
    if normalize:
        kernel = kernel / pt.cast(ratio, floatx)
    return kernel


def bilinear_kernel_2D(ratio, normalize=True):
    """The 2-D kernel of bilinear upsampling: the outer product of the
    1-D kernels (:func:`bilinear_kernel_1D`) of the rows and the columns.

    :param ratio: an int, or a pair ``(rows, cols)``
    :returns: matrix ``(2 * rows - 1, 2 * cols - 1)``, in floatX
    """
    if isinstance(ratio, tuple):
        rows, cols = ratio[0], ratio[1]
    else:
        rows = cols = ratio
    across = bilinear_kernel_1D(cols, normalize).dimshuffle('x', 0)
    down = bilinear_kernel_1D(rows, normalize).dimshuffle(0, 'x')
    return across * down


def _edges_repeated(maps):
    """``maps`` ``(n, 1, rows, cols)`` with its first and last rows and
    columns repeated once outside."""
    rows = pt.concatenate([maps[:, :, :1, :], maps, maps[:, :, -1:, :]],
                          axis=2)
    return pt.concatenate([rows[:, :, :, :1], rows, rows[:, :, :, -1:]],
                          axis=3)


def _sizes(maps):
    """The rows and columns of 4-d ``maps``: ints where the graph knows
    them (then mode JAX compiles the upsampling), else symbolic."""
    if maps.type.ndim != 4:
        raise TypeError('bilinear upsampling: the input should be a 4-d '
                        'tensor (batch, channels, rows, cols), not %s'
                        % maps.type)
    return tuple(maps.shape[axis] if maps.type.shape[axis] is None
                 else int(maps.type.shape[axis]) for axis in (2, 3))


def _reduced(fraction):
    numerator, denominator = (int(v) for v in fraction)
    common = math.gcd(numerator, denominator)
    return numerator // common, denominator // common


def frac_bilinear_upsampling(input, frac_ratio):
    """Bilinear upsampling by a fraction of the size.

    :param input: 4-d tensor ``(batch, channels, rows, cols)``
    :param frac_ratio: ``(p, q)``: both axes scaled by ``p / q``; or
        ``((p_rows, q_rows), (p_cols, q_cols))``
    :returns: 4-d tensor ``(batch, channels, out_rows, out_cols)``: the
        maps upsampled by ``p`` (after reducing the fraction), then one
        pixel in ``q`` kept
    :raises ValueError: when ``frac_ratio`` is not a tuple
    """
    if not isinstance(frac_ratio, tuple):
        raise ValueError('frac_bilinear_upsampling: frac_ratio should be a '
                         'tuple (p, q) or ((p, q), (p, q)), not %r'
                         % (frac_ratio,))
    if isinstance(frac_ratio[0], tuple):
        (p_rows, q_rows), (p_cols, q_cols) = (_reduced(f)
                                              for f in frac_ratio[:2])
    else:
        p_rows, q_rows = p_cols, q_cols = _reduced(frac_ratio)
    ratio, subsample = (p_rows, p_cols), (q_rows, q_cols)
    floatx = pytensor.config.floatX
    input = pt.as_tensor_variable(input)
    rows, cols = _sizes(input)
    edged = _edges_repeated(input.reshape((-1, 1, rows, cols)))
    # The kernel, inside zeros, is the image of the convolution and the
    # (edged) maps its filters, dilated by the ratio.
    span = (2 * pt.as_tensor_variable([rows, cols]) - 1) \
        * numpy.asarray(ratio) + 1
    before = span // 2
    kernel = bilinear_kernel_2D(ratio).astype(floatx)
    k_rows, k_cols = kernel.shape[0], kernel.shape[1]
    kernel = pt.concatenate([pt.zeros((before[0], k_cols), dtype=floatx),
                             kernel,
                             pt.zeros((span[0] - before[0], k_cols),
                                      dtype=floatx)], axis=0)
    kernel = pt.concatenate([pt.zeros((kernel.shape[0], before[1]),
                                      dtype=floatx),
                             kernel,
                             pt.zeros((kernel.shape[0], span[1] - before[1]),
                                      dtype=floatx)], axis=1)
    up = conv2d(kernel[None, None, :, :], edged, border_mode='valid',
                filter_dilation=ratio, subsample=subsample)
    return up.reshape((input.shape[0], input.shape[1], up.shape[2],
                       up.shape[3]))


def bilinear_upsampling(input, ratio=None, frac_ratio=None, batch_size=None,
                        num_input_channels=None, use_1D_kernel=True):
    """Bilinear upsampling of a minibatch of maps, as Theano's.

    The maps, their edges repeated once, go through the transpose of a
    strided convolution by the triangle kernel (the gradient of the
    convolution, :func:`conv2d_grad_wrt_inputs`), so each new pixel is
    the linear interpolation of its neighbours; the borders repeat the
    edge pixels.

    :param input: 4-d tensor ``(batch, channels, rows, cols)``
    :param ratio: an int: both axes scaled by it
    :param frac_ratio: instead of ``ratio``: ``(p, q)`` or ``((p_rows,
        q_rows), (p_cols, q_cols))``, fractions (needs
        ``use_1D_kernel=False``; :func:`frac_bilinear_upsampling`)
    :param batch_size, num_input_channels: ints if known (hints)
    :param use_1D_kernel: True: the rows, then the columns, each by the
        1-D kernel; False: both at once by the 2-D kernel (the same
        values, another speed)
    :returns: 4-d tensor ``(batch, channels, rows * ratio, cols * ratio)``
    :raises ValueError: with both ``ratio`` and ``frac_ratio``, with
        neither, or with ``frac_ratio`` and ``use_1D_kernel``
    """
    if ratio and frac_ratio:
        raise ValueError('bilinear_upsampling: give ratio or frac_ratio, '
                         'not both')
    if not (ratio or frac_ratio):
        raise ValueError('bilinear_upsampling: give ratio (an int) or '
                         'frac_ratio (a fraction (p, q))')
    if frac_ratio:
        if use_1D_kernel:
            raise ValueError('bilinear_upsampling: a fractional ratio works '
                             'with the 2-D kernel only; pass '
                             'use_1D_kernel=False')
        return frac_bilinear_upsampling(input, frac_ratio=frac_ratio)
    if isinstance(ratio, Constant):
        ratio = ratio.data.item()
    if not _is_int(ratio):
        raise TypeError('bilinear_upsampling: ratio should be an int, not '
                        '%r' % (ratio,))
    try:
        maps = batch_size * num_input_channels
    except TypeError:
        maps = None
    input = pt.as_tensor_variable(input)
    rows, cols = _sizes(input)
    edged = _edges_repeated(input.reshape((-1, 1, rows, cols)))
    pad = 2 * ratio - (ratio - 1) // 2 - 1
    if use_1D_kernel:
        kernel = bilinear_kernel_1D(ratio, normalize=True)
        by_rows = conv2d_grad_wrt_inputs(
            edged, kernel[None, None, :, None],
            input_shape=(maps, 1, rows * ratio, cols + 2),
            filter_shape=(1, 1, None, 1), border_mode=(pad, 0),
            subsample=(ratio, 1))
        up = conv2d_grad_wrt_inputs(
            by_rows, kernel[None, None, None, :],
            input_shape=(maps, 1, rows * ratio, cols * ratio),
            filter_shape=(1, 1, 1, None), border_mode=(0, pad),
            subsample=(1, ratio))
    else:
        kernel = bilinear_kernel_2D(ratio, normalize=True)
        up = conv2d_grad_wrt_inputs(
            edged, kernel[None, None, :, :],
            input_shape=(maps, 1, rows * ratio, cols * ratio),
            filter_shape=(1, 1, None, None), border_mode=(pad, pad),
            subsample=(ratio, ratio))
    return up.reshape((input.shape[0], input.shape[1], rows * ratio,
                       cols * ratio))


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
