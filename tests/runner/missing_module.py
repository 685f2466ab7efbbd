"""A Theano program that imports what the port does not have."""

import theano.sandbox.cuda  # noqa: F401
