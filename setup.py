"""Install the tutorial's modules (those in code/) so they import anywhere."""

import os

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(HERE, 'code'))
                 if name.endswith('.py'))

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
    python_requires='>=3.9',
    install_requires=[
        'pytensor>=2.30,<4',
        'numpy>=1.24,<3',
        'six>=1.16,<2',
        # The BLAS that PyTensor's C code links to (see theano_compat).
        # 0.3.33 and 0.3.34 are 15% slower on this model's x.T @ delta
        # product (bench/README.md).
        'scipy-openblas32>=0.3.31,<0.3.33',
    ],
    extras_require={
        'test': ['pytest>=7,<10'],
    },
)
