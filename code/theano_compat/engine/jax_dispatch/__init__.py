"""The JAX implementations of the package's own ops, for mode JAX and
``device=cuda``.

Each module here imports the ops it implements and registers functions
for them with PyTensor's ``jax_funcify``, as PyTensor's own
``pytensor/link/jax/dispatch/`` does for its ops.  Nothing imports these
modules but the one hook of :mod:`theano_compat.engine.jax_device`
(:func:`~theano_compat.engine.jax_device.install_jax_dispatch`), when
PyTensor loads its JAX backend, so the C backend never imports JAX; the
ops' own modules know nothing of JAX.

============ ==========================================================
``conv``     the convolutions (``abstract_conv``): ``lax.conv_general_dilated``
``pool``     the pooling ops (``signal.pool``)
``rng_mrg``  MRG31k3p (``sandbox.rng_mrg``), Theano's draws bit for bit,
             and the categories of ``multinomial`` and ``choice``
``printing`` ``theano.printing.Print`` (PyTensor's op), printed on the host
``sigm``     Theano's scalar sigmoid (``tensor.nnet.sigm``): SciPy's expit
============ ==========================================================
"""

from theano_compat.engine.jax_dispatch import (  # noqa: F401
    conv, pool, printing, rng_mrg, sigm)
