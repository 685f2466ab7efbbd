"""Install the tutorial's modules (those in code/) so they import anywhere."""

import os

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))
# The tutorial modules, side by side in code/ (others import them by name),
# and the engine package theano_compat.
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(HERE, 'code'))
                 if name.endswith('.py'))
PACKAGES = find_packages('code')

setup(
    name='deep-learning-tutorials-logreg',
    version='0.1.0',
    description='The Theano Deep Learning Tutorials logistic regression, '
                'running again on PyTensor',
    long_description=open(os.path.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='BSD-3-Clause',
    package_dir={'': 'code'},
    py_modules=MODULES,
    packages=PACKAGES,
    # the C++ sources that the engine's ops compile at run time
    package_data={'theano_compat': ['*/*.cpp', '*/*/*.cpp', '*/*/*/*.cpp']},
    python_requires='>=3.11',
    # Each range is tested at both ends by .ci/run: the newest releases in
    # it, and the lowest, pinned in .ci/lowest-constraints.txt (which
    # tests/test_versions.py keeps equal to the lower bounds here).
    install_requires=[
        # 3.0.1: Softmax and LogSoftmax became symbolic ops (OpFromGraph)
        # that the engine's rewrites inline; 3.0.0's C Softmax fails them.
        # PyTensor brings numba (its own range).
        'pytensor>=3.0.1,<3.1',
        # PyTensor 3 needs NumPy 2.
        'numpy>=2.0.0,<3',
        # 1.13.0: the first SciPy that installs beside NumPy 2.
        'scipy>=1.13.0,<2',
        # The BLAS that PyTensor's C code links to (see theano_compat).
        # 0.3.33 and 0.3.34 are 15% slower on this model's x.T @ delta
        # product (bench/README.md).  0.3.31.22.0: the first 0.3.31 build.
        'scipy-openblas32>=0.3.31.22.0,<0.3.33',
    ],
    extras_require={
        # The tests run the JAX backend (THEANO_FLAGS device=cuda's code
        # path) on JAX's CPU device, so they need CPU JAX; they also build
        # the docs and draw the plots.  The lower bounds are the first
        # releases that pass the suite beside NumPy 2.0 on Python 3.11:
        # pytest 6.2.4 (6.2.3 cannot rewrite asserts on Python 3.11), JAX
        # 0.4.30 (the first to install jaxlib itself; 0.4.25 and older fail
        # on NumPy 2), Sphinx 5.0.0 (the sphinxcontrib packages need 5),
        # matplotlib 3.8.4 (the first built for NumPy 2).  setuptools
        # 70.1.0: the first that builds wheels by itself (bdist_wheel),
        # which tests/test_install.py's plain install needs.
        # sphinx-mathjax-offline: MathJax inside the built pages, so that
        # formulas render offline (doc/conf.py says why); 0.0.2 holds
        # MathJax 3.2.2 (0.0.1 the older 3.1.2), and is its newest release.
        # pydot 1.2.4: the oldest that installs on Python 3.11 (1.1.0 does
        # not build) and draws theano.printing.pydotprint's pictures.
        # six 1.16.0: Theano's tutorial pages, which the tests run, import
        # it (Theano depended on it); 1.16.0 is the first release with the
        # import hooks Python 3.10 and later ask for (find_spec).
        'test': ['pytest>=6.2.4,<10', 'jax>=0.4.30,<0.11',
                 'sphinx>=5.0.0,<9', 'sphinx-mathjax-offline>=0.0.2,<0.1',
                 'matplotlib>=3.8.4,<4', 'setuptools>=70.1.0,<85',
                 'pydot>=1.2.4,<5', 'six>=1.16.0,<2'],
        # The other extras' ranges are the test extra's, which CI tests.
        # THEANO_FLAGS=device=cuda: JAX with its CUDA 12 plugin (NVIDIA).
        'gpu': ['jax[cuda12]>=0.4.30,<0.11'],
        'plot': ['matplotlib>=3.8.4,<4'],
        'doc': ['sphinx>=5.0.0,<9', 'sphinx-mathjax-offline>=0.0.2,<0.1'],
        # theano.printing.pydotprint (it also needs Graphviz's dot program)
        'debug': ['pydot>=1.2.4,<5'],
    },
)
