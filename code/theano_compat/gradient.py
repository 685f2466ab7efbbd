"""``theano.gradient``: symbolic differentiation.

PyTensor's ``pytensor.gradient`` is Theano's module (``grad``, ``Rop``,
``Lop``, ``jacobian``, ``hessian``, ``grad_clip``, ``zero_grad``,
``disconnected_grad``, ``verify_grad``...), served by the table of
``theano_compat.names``.  Here are what PyTensor changed:

* ``consider_constant``, which PyTensor dropped: the gradient through it
  is zero;
* ``Rop`` and ``Lop`` with Theano's signatures and meanings (PyTensor
  renamed them ``pushforward`` and ``pullback``, and computes its
  ``pushforward`` through two pullbacks by default, which gives another
  graph than Theano's).
"""

from pytensor import gradient as _pt_gradient
from pytensor.gradient import zero_grad as _zero_grad

from theano_compat.names import module_getattr

__all__ = ['consider_constant', 'Rop', 'Lop']


def consider_constant(x):
    """``x``, taken as a constant by ``T.grad``: the gradient flowing back
    through it is zero (``theano.gradient.zero_grad``)."""
    return _zero_grad(x)


def Rop(f, wrt, eval_points, disconnected_outputs='raise',
        return_disconnected='zero'):
    """The R operator, as Theano's: the Jacobian of ``f`` with respect to
    ``wrt``, multiplied on the right by ``eval_points``.

    As Theano did, it asks each op of the graph for its own R operator,
    with zeros as the evaluation points of the inputs not in ``wrt``; so
    the graph is Theano's (the product with ``T.dot(x, W)``'s ``W`` reads
    ``W``, and a function of ``[W, V, x]`` takes it).  Where an op has
    no R operator of its own, the product is computed through two
    gradients (PyTensor's way), which is the same value.

    :param f: a variable, or a list or tuple of them
    :param wrt: a variable or a list of them
    :param eval_points: one for each of ``wrt``, of its shape
    :param disconnected_outputs: ``'raise'``, ``'warn'`` or ``'ignore'``
        when an output of ``f`` does not depend on ``wrt``
    :param return_disconnected: ``'zero'``, ``'None'`` or
        ``'Disconnected'``: what is returned for such an output
    :returns: a variable, or a list or tuple as ``f`` was
    """
    return_disconnected = return_disconnected.lower()
    try:
        return _pt_gradient.pushforward(
            f, wrt, eval_points, disconnected_outputs=disconnected_outputs,
            return_disconnected=return_disconnected, use_op_pushforward=True)
    except NotImplementedError:
        return _pt_gradient.pushforward(
            f, wrt, eval_points, disconnected_outputs=disconnected_outputs,
            return_disconnected=return_disconnected)


def Lop(f, wrt, eval_points, consider_constant=None,
        disconnected_inputs='raise'):
    """The L operator, as Theano's: ``eval_points`` (one for each output
    of ``f``, of its shape) multiplied on the right by the Jacobian of
    ``f`` with respect to ``wrt``.

    :returns: a variable of ``wrt``'s shape, or a list or tuple of them
        as ``wrt`` was
    """
    return _pt_gradient.pullback(
        f, wrt, eval_points, consider_constant=consider_constant,
        disconnected_inputs=disconnected_inputs)


__getattr__ = module_getattr(__name__)
