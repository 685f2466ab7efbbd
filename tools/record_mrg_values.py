"""Record Theano 1.0.5's MRG_RandomStreams draws for tests/test_rng_mrg.py.

Runs ``tests/mrg_cases.py`` under a real Theano 1.0.5 (its own Python,
e.g. a virtual environment with ``theano==1.0.5`` and ``numpy<1.24``),
once per part and floatX, and writes what it prints to
``tests/mrg_theano_record.json``::

    python3 tools/record_mrg_values.py --python /tmp/theano105/bin/python

Theano's C code is used for every part but ``scan``, whose C code does
not build on Python 3.11; that part runs with ``cxx=`` (Python code),
which draws the same numbers.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, 'tests', 'mrg_cases.py')
OUTPUT = os.path.join(ROOT, 'tests', 'mrg_theano_record.json')
PARTS = ('main', 'streams', 'minibatch', 'truncate', 'categories', 'scan')
FLOATX = ('float64', 'float32')


def theano_flags(floatx, part, compiledir):
    # blas.ldflags= : Theano 1.0.5's BLAS detection fails on recent NumPy
    flags = ['floatX=%s' % floatx, 'blas.ldflags=',
             'base_compiledir=%s' % compiledir]
    if part == 'scan':
        flags.append('cxx=')
    return ','.join(flags)


def record_part(python, floatx, part, compiledir):
    """The JSON records one part prints under Theano, as a list."""
    env = dict(os.environ, THEANO_FLAGS=theano_flags(floatx, part,
                                                     compiledir))
    env.pop('PYTHONPATH', None)
    done = subprocess.run([python, CASES, part], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit('%s %s (floatX=%s) failed:\n%s' % (python, part, floatx,
                                                     done.stderr[-3000:]))
    return [json.loads(line) for line in done.stdout.splitlines()
            if line.startswith('{')]


def version(python):
    done = subprocess.run(
        [python, '-c', 'import theano, numpy, sys; print(theano.__version__,'
         ' numpy.__version__, sys.version.split()[0])'],
        capture_output=True, text=True,
        env=dict(os.environ, THEANO_FLAGS='blas.ldflags='))
    return done.stdout.strip().splitlines()[-1] if done.stdout else '?'


def dumps(record):
    """The record as JSON, one draw a line (readable diffs)."""
    lines = ['{"recorded_with": %s,' % json.dumps(record['recorded_with']),
             ' "script": %s,' % json.dumps(record['script']),
             ' "draws": {']
    for i, (floatx, draws) in enumerate(record['draws'].items()):
        lines.append('  %s: [' % json.dumps(floatx))
        lines += ['   %s%s' % (json.dumps(d), ',' if j < len(draws) - 1
                                else '') for j, d in enumerate(draws)]
        lines.append('  ]%s' % (',' if i < len(record['draws']) - 1
                                 else ''))
    lines.append(' }}')
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--python', required=True,
                        help='the Python that has Theano 1.0.5')
    parser.add_argument('--output', default=OUTPUT)
    parser.add_argument('--compiledir', default=os.path.join(
        tempfile.gettempdir(), 'theano105_mrg_record'))
    args = parser.parse_args(argv)
    theano_version, numpy_version, python_version = version(
        args.python).split()
    if theano_version != '1.0.5':
        sys.exit('%s has Theano %s, not 1.0.5' % (args.python,
                                                  theano_version))
    record = OrderedDict([
        ('recorded_with', 'Theano %s, NumPy %s, Python %s' % (
            theano_version, numpy_version, python_version)),
        ('script', 'tests/mrg_cases.py'),
        ('draws', OrderedDict())])
    for floatx in FLOATX:
        lines = []
        for part in PARTS:
            lines += record_part(args.python, floatx, part, args.compiledir)
            print('%s %s: %d draws' % (floatx, part, len(lines)))
        record['draws'][floatx] = lines
    with open(args.output, 'w') as f:
        f.write(dumps(record))
    print('wrote', args.output)


if __name__ == '__main__':
    main()
