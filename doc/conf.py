"""Sphinx configuration for the logistic regression tutorial pages."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'code'))

project = 'Deep Learning Tutorials: logistic regression'
author = 'the contributors'
copyright = '2026, the contributors; MNIST by Y. LeCun and C. Cortes (CC BY-SA 3.0)'

extensions = ['sphinx.ext.mathjax']
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
pygments_style = 'sphinx'
# Every include names a file of this repository; a missing marker must stop
# the build (run with -W), not leave an empty code block.
nitpicky = False
