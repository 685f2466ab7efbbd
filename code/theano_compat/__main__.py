"""``python -m theano_compat [-m MODULE | -c CODE | SCRIPT] [ARGS...]``: see
``theano_compat.runner``."""

import sys

from theano_compat.runner import main

sys.exit(main())
