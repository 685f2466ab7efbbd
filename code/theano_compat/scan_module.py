"""``theano.scan``: loops as graphs, returning Theano's pair.

Theano's ``scan`` always returned ``(outputs, updates)``: the updates
that random streams used inside the loop need, which ``theano.function``
must be given.  PyTensor 3 still returns the pair when asked, and warns
that its default will change; this asks, so scripts written for Theano
get the pair whatever PyTensor's default becomes.
"""

import inspect
import warnings

import pytensor

__all__ = ['scan']

_ASKS_FOR_UPDATES = 'return_updates' in inspect.signature(
    pytensor.scan).parameters


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
        # PyTensor's notes on its own future interface: the pair asked for
        # above, and the default updates (what carries random streams'
        # states out of the loop, as in Theano)
        warnings.filterwarnings('ignore', message='(Scan return signature|'
                                'Setting default_update)',
                                category=DeprecationWarning)
        return pytensor.scan(fn, **kwargs)
