"""Sphinx configuration for the logistic regression tutorial pages."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'code'))

project = 'Deep Learning Tutorials: logistic regression'
author = 'the contributors'
copyright = '2026, the contributors; MNIST by Y. LeCun and C. Cortes (CC BY-SA 3.0)'

# Formulas: MathJax, served from the built site, never from a CDN, so that the
# pages read offline.  The package sphinx-mathjax-offline (the doc extra
# installs it) holds MathJax 3.2.2 (Apache 2.0) and copies it into
# _build/html/_static/mathjax; sphinx.ext.mathjax then points at that copy.
# Why MathJax and not the other ways:
#  * a reader gets the same typesetting as any Sphinx site online, in
#    MathJax's own fonts whatever the machine has, can zoom or copy a
#    formula, and a screen reader can speak it (MathJax's assistive MathML);
#  * for a maintainer it is a pip package and two words in this file: the
#    pages keep plain :math: markup and need no other tool to build;
#  * formulas rendered to SVG at build time (sphinx.ext.imgmath) need LaTeX
#    and dvisvgm on every machine that builds the pages (hundreds of MB of
#    TeX, out of pip's reach), and give pictures, not text;
#  * KaTeX (sphinxcontrib-katex) loads KaTeX from a CDN unless its files
#    are vendored here, and renders at build time only through Node.js;
#  * MathML written at build time needs no script, but how it looks depends
#    on the math fonts of the reader's machine.
# What it costs: 24 MB of MathJax in the built site, and JavaScript on.
extensions = ['sphinx.ext.mathjax', 'sphinx-mathjax-offline']
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
# Wide enough for the tutorial's code: 79-character lines (PEP 8's limit,
# which code/ keeps) show whole, without a scroll bar, on a window 1280
# pixels wide; alabaster's defaults (a 940-pixel page, a body at most 800)
# cut them at 65.  The body is the page less the 220-pixel sidebar, and a
# code block's box is the body's width, 840 pixels, less 60 of padding:
# about 84 characters of DejaVu Sans Mono at the code's 15.3 pixels.
# tests/test_docs.py measures it in Chromium.  (Prose lines get longer too.)
html_theme_options = {'page_width': '1120px', 'body_max_width': 'none'}
# custom.css: printed output wraps at the box's edge, as in a terminal.
html_static_path = ['_static']
pygments_style = 'sphinx'
# Every include names a file of this repository; a missing marker must stop
# the build (run with -W), not leave an empty code block.
nitpicky = False
