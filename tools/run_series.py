"""Run the other Deep Learning Tutorials, unchanged, on this port.

The series' files (``mlp.py``, ``convolutional_mlp.py``, ``dA.py``,
``SdA.py``, ``DBN.py``, ``rbm.py``, ``cA.py``, ``logistic_cg.py``) are not
part of this repository; point ``--tutorials`` at a checkout of the
original ``code/`` folder (github.com/lisa-lab/DeepLearningTutorials).
Each tutorial runs through ``python -m theano_compat`` in a folder of its
own, with this repository's ``logistic_sgd.py`` in place of the original
(the other files import ``LogisticRegression`` and ``load_data`` from it,
as readers were told to copy it), on the bundled MNIST.

For each tutorial its training function is called twice, with one epoch
and with two (of each phase: pretraining and fine-tuning for SdA and
DBN), and the difference of the two wall times is the time of one epoch,
compile and load times left out.  ``--check`` instead runs one epoch of
each and only reports whether it ran.

    python tools/run_series.py --tutorials ~/DeepLearningTutorials/code
    python tools/run_series.py --tutorials DIR --only mlp lenet --check

Bad input (no such folder, a tutorial missing from it) is one ``error:``
line and exit status 2.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = os.path.join(ROOT, 'code')

# name: (file, the call with {epochs} epochs of each phase)
TUTORIALS = {
    'logistic_cg': ('logistic_cg.py',
                    'cg_optimization_mnist(n_epochs={epochs})'),
    'mlp': ('mlp.py', 'test_mlp(n_epochs={epochs})'),
    'lenet': ('convolutional_mlp.py', 'evaluate_lenet5(n_epochs={epochs})'),
    'dA': ('dA.py', 'test_dA(training_epochs={epochs})'),
    'cA': ('cA.py', 'test_cA(training_epochs={epochs})'),
    'SdA': ('SdA.py', 'test_SdA(pretraining_epochs={epochs}, '
                      'training_epochs={epochs})'),
    'rbm': ('rbm.py', 'test_rbm(training_epochs={epochs}, n_samples=1)'),
    'DBN': ('DBN.py', 'test_DBN(pretraining_epochs={epochs}, '
                      'training_epochs={epochs})'),
}

# What the runner runs: the tutorial's file loaded by its path (this
# repository has a logistic_cg.py of its own), its folder on the path
# after code/ (so that logistic_sgd is this port's), then the call.
DRIVER = '''\
import importlib.util, sys
sys.path.append({folder!r})
spec = importlib.util.spec_from_file_location('tutorial', {path!r})
tutorial = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tutorial)
tutorial.{call}
'''


class ToolError(Exception):
    """Bad input: reported as one line."""


def run_once(name, folder, epochs, workdir, timeout):
    """Run tutorial ``name`` for ``epochs`` epochs; return (seconds,
    stdout)."""
    filename, call = TUTORIALS[name]
    path = os.path.join(folder, filename)
    driver = os.path.join(workdir, 'run_%s.py' % name)
    with open(driver, 'w') as f:
        f.write(DRIVER.format(folder=folder, path=path,
                              call=call.format(epochs=epochs)))
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    env['PYTHONPATH'] = os.pathsep.join(
        [CODE] + [p for p in [env.get('PYTHONPATH')] if p])
    start = time.perf_counter()
    run = subprocess.run([sys.executable, '-m', 'theano_compat', driver],
                         cwd=workdir, env=env, capture_output=True,
                         text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise ToolError('%s failed (exit status %d):\n%s'
                        % (name, run.returncode, run.stderr[-3000:]))
    return seconds, run.stdout


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tutorials', required=True, metavar='DIR',
                        help='the original tutorials\' code/ folder')
    parser.add_argument('--only', nargs='+', choices=sorted(TUTORIALS),
                        metavar='NAME', help='these tutorials only (%s)'
                        % ', '.join(TUTORIALS))
    parser.add_argument('--check', action='store_true',
                        help='one epoch each: does it run?')
    parser.add_argument('--timeout', type=float, default=3600,
                        help='seconds a run may take (default 3600)')
    args = parser.parse_args(argv)
    try:
        folder = os.path.abspath(os.path.expanduser(args.tutorials))
        names = args.only or list(TUTORIALS)
        missing = [TUTORIALS[n][0] for n in names
                   if not os.path.isfile(os.path.join(folder,
                                                      TUTORIALS[n][0]))]
        if missing:
            raise ToolError('%s has no %s: give the original tutorials\' '
                            'code/ folder' % (folder, ', '.join(missing)))
        print('%-12s %12s %12s %14s' % ('tutorial', '1 epoch (s)',
                                        '2 epochs (s)', 'an epoch (s)'))
        for name in names:
            with tempfile.TemporaryDirectory() as workdir:
                one, _ = run_once(name, folder, 1, workdir, args.timeout)
                if args.check:
                    print('%-12s %12.1f %12s %14s' % (name, one, '-', 'runs'))
                    continue
                two, _ = run_once(name, folder, 2, workdir, args.timeout)
            print('%-12s %12.1f %12.1f %14.1f' % (name, one, two, two - one))
    except ToolError as error:
        print('error: %s' % error, file=sys.stderr)
        return 2
    except subprocess.TimeoutExpired as error:
        print('error: a run took longer than %.0f s (%s)'
              % (error.timeout, ' '.join(error.cmd[-1:])), file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
