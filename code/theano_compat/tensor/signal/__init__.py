"""``theano.tensor.signal``: ``pool`` (``pool_2d``), as in Theano."""

import pytensor.tensor.signal as _pytensor_signal

from theano_compat.names import missing_name as _missing_name
from theano_compat.tensor.signal import pool  # noqa: F401
from theano_compat.tensor.signal import conv  # noqa: F401


def __getattr__(name):
    return _missing_name(__name__, 'theano.tensor.signal', _pytensor_signal,
                         name)
