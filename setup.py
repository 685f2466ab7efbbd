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
    install_requires=[
        'pytensor>=2.30,<4',
        'numpy>=1.24,<3',
        'six>=1.16,<2',
        'scipy>=1.10,<2',
        # The BLAS that PyTensor's C code links to (see theano_compat).
        # 0.3.33 and 0.3.34 are 15% slower on this model's x.T @ delta
        # product (bench/README.md).
        'scipy-openblas32>=0.3.31,<0.3.33',
    ],
    extras_require={
        # The tests run the JAX backend (THEANO_FLAGS device=cuda's code
        # path) on JAX's CPU device, so they need CPU JAX; they also build
        # the docs and draw the plots.
        'test': ['pytest>=7,<10', 'jax>=0.10.1,<0.11', 'sphinx>=7,<9',
                 'matplotlib>=3.7,<4'],
        # THEANO_FLAGS=device=cuda: JAX with its CUDA 12 plugin (NVIDIA).
        'gpu': ['jax[cuda12]>=0.10.1,<0.11'],
        'plot': ['matplotlib>=3.7,<4'],
        'doc': ['sphinx>=7,<9'],
    },
)
