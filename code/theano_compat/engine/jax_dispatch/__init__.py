"""The JAX implementations of the package's own ops, for mode JAX and
``device=cuda``.

Each module here imports the ops it implements and registers functions
for them with PyTensor's ``jax_funcify``, as PyTensor's own
``pytensor/link/jax/dispatch/`` does for its ops.  Nothing imports these
modules but the one hook of :mod:`theano_compat.engine.jax_device`
(:func:`~theano_compat.engine.jax_device.install_jax_dispatch`), when
PyTensor loads its JAX backend, so the C backend never imports JAX; the
ops' own modules know nothing of JAX.

============== ================================================================
``conv``       the convolutions (``abstract_conv``): ``conv_general_dilated``
``pool``       the pooling ops (``signal.pool``)
``neighbours`` ``images2neibs`` and its gradient (``nnet.neighbours``)
``sort``       ``topk`` (``tensor.sort``): ``jax.lax.top_k``
``rng_mrg``    MRG31k3p (``sandbox.rng_mrg``), Theano's draws bit for bit,
               and the categories of ``multinomial`` and ``choice``
``raw_random`` Theano's RandomState draws (``tensor.raw_random``), on the
               host, the generator's state carried as arrays
``sigm``       Theano's scalar sigmoid (``tensor.nnet.sigm``): SciPy's expit
``printing``   ``theano.printing.Print`` (PyTensor's op), printed on the host
============== ================================================================
"""

from theano_compat.engine.jax_dispatch import (  # noqa: F401
    conv, neighbours, pool, printing, raw_random, rng_mrg, sigm, sort)
