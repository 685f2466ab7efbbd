"""``theano.scan`` and its relatives: loops as graphs, returning Theano's
pair.

Theano's ``scan`` always returned ``(outputs, updates)``: the updates
that random streams used inside the loop need, which ``theano.function``
must be given.  PyTensor 3 still returns the pair when asked, and warns
that its default will change; this asks, so scripts written for Theano
get the pair whatever PyTensor's default becomes.  ``map``, ``reduce``,
``foldl``, ``foldr`` and ``scan_checkpoints`` (PyTensor's
``pytensor.scan``) are given the same way; ``until`` is PyTensor's, and
``clone`` takes Theano's arguments.
"""

import functools
import inspect
import warnings

from pytensor import scan as _pytensor_scan_function
from pytensor.graph.replace import clone_replace as _clone_replace
from pytensor.scan import checkpoints as _checkpoints, views as _views

from theano_compat.names import module_getattr

__all__ = ['scan', 'map', 'reduce', 'foldl', 'foldr', 'scan_checkpoints',
           'clone']

_ASKS_FOR_UPDATES = 'return_updates' in inspect.signature(
    _pytensor_scan_function).parameters
# PyTensor's notes on its own future interface: the pair asked for, and
# the default updates (what carries random streams' states out of the
# loop, as in Theano)
_NOTES = '(Scan return signature|Setting default_update)'


def _as_theano(loop):
    """PyTensor's ``loop``, returning Theano's pair, without PyTensor's
    notes on its future interface."""
    asks = 'return_updates' in inspect.signature(loop).parameters

    @functools.wraps(loop)
    def theano_loop(*args, **kwargs):
        if asks:
            kwargs['return_updates'] = True
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', message=_NOTES,
                                    category=DeprecationWarning)
            return loop(*args, **kwargs)
    theano_loop.__doc__ = ('``theano.%s``: PyTensor\'s, returning the pair '
                           '``(outputs, updates)``.' % loop.__name__)
    return theano_loop


map = _as_theano(_views.map)
reduce = _as_theano(_views.reduce)
foldl = _as_theano(_views.foldl)
foldr = _as_theano(_views.foldr)
scan_checkpoints = _as_theano(_checkpoints.scan_checkpoints)


def clone(output, replace=None, strict=True, share_inputs=True,
          copy_inputs=None):
    """A copy of the graph of ``output`` with the variables of ``replace``
    (a dict or pairs) put in place of their keys.

    :param share_inputs: True: the copy uses the same input variables;
        False: copies of them
    :param copy_inputs: Theano's older name of ``share_inputs`` (it warns,
        as Theano did)
    """
    if copy_inputs is not None:
        warnings.warn('clone: copy_inputs is the old name of share_inputs',
                      stacklevel=2)
        share_inputs = copy_inputs
    return _clone_replace(output, replace=replace, rebuild_strict=strict,
                          copy_inputs_over=share_inputs)


def scan(fn, sequences=None, outputs_info=None, non_sequences=None,
         n_steps=None, truncate_gradient=-1, go_backwards=False, mode=None,
         name=None, profile=False, allow_gc=None, strict=False,
         return_list=False):
    """``theano.scan``; see ``pytensor.scan`` for the arguments.

    :rtype: pair ``(outputs, updates)``: the outputs as PyTensor gives
        them, and an ordered dict of the updates of shared variables
    """
    kwargs = dict(sequences=sequences, outputs_info=outputs_info,
                  non_sequences=non_sequences, n_steps=n_steps,
                  truncate_gradient=truncate_gradient,
                  go_backwards=go_backwards, mode=mode, name=name,
                  profile=profile, allow_gc=allow_gc, strict=strict,
                  return_list=return_list)
    if _ASKS_FOR_UPDATES:
        kwargs['return_updates'] = True
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message=_NOTES,
                                category=DeprecationWarning)
        return _pytensor_scan_function(fn, **kwargs)


__getattr__ = module_getattr(__name__)
