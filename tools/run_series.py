"""Run the other Deep Learning Tutorials, unchanged, on this port.

The series' files (``mlp.py``, ``convolutional_mlp.py``, ``dA.py``,
``SdA.py``, ``DBN.py``, ``rbm.py``, ``cA.py``, ``logistic_cg.py``, and
beyond MNIST ``hmc/``, ``lstm.py`` with ``imdb.py``, ``rnnslu.py``,
``rnnrbm.py``) are not part of this repository; point ``--tutorials`` at
a checkout of the original ``code/`` folder
(github.com/lisa-lab/DeepLearningTutorials).
Each tutorial runs through ``python -m theano_compat`` in a folder of its
own, with this repository's ``logistic_sgd.py`` in place of the original
(the other files import ``LogisticRegression`` and ``load_data`` from it,
as readers were told to copy it), on the bundled MNIST.

The chapters beyond MNIST run from a copy of their files in a temporary
folder laid out as the original repository (``code/``, ``data/``), on
small synthetic data written there in each one's own format by
``tests/theano_scripts/series_data.py`` (written by the interpreter that
runs the tutorial, so that its NumPy reads the pickles):

* ``hmc``: ``hmc/test_hmc.py``'s sampler on a 5-dimensional Gaussian
  (no data); an "epoch" is 1000 draws (500 of burn-in, 500 kept);
* ``lstm``: ``train_lstm(max_epochs=N, test_size=200, saveto='')`` on
  ``data/imdb.pkl`` (500 training and 200 test reviews of word ids);
* ``rnnslu``: ``main(...)`` with the series' test.py settings (fold 3,
  200 hidden units, ``nepochs=N``) on ``data/atis.fold3.pkl.gz`` (1000,
  200 and 200 sentences), scored by the original's ``conlleval.pl``
  (needs ``perl``);
* ``rnnrbm``: ``test_rnnrbm(num_epochs=N)`` on 20 MIDI files in
  ``data/Nottingham/train/``.  The modified Python MIDI package it
  imports (``midi.utils``) is in no package registry, so the stand-in of
  ``tools/midi_standin/`` (a small reader and writer of MIDI files) goes on
  its path, and writes the files.

For each tutorial its training function is called twice, with one epoch
and with two (of each phase: pretraining and fine-tuning for SdA and
DBN), and the difference of the two wall times is the time of one epoch,
compile and load times left out.  ``--check`` instead runs one epoch of
each and only reports whether it ran.  ``--theano VENV`` runs the chapters
beyond MNIST on real Theano in the side environment of
tools/theano_reference.py instead (the MNIST ones import this
repository's ``logistic_sgd``, written for the port), and ``--output DIR``
keeps what each run printed, to compare the two outside the repository.

    python tools/run_series.py --tutorials ~/DeepLearningTutorials/code
    python tools/run_series.py --tutorials DIR --only mlp lenet --check
    python tools/run_series.py --tutorials DIR --only lstm --output /tmp/port
    python tools/run_series.py --tutorials DIR --only lstm --theano \\
        /tmp/theano105 --output /tmp/theano

Bad input (no such folder, a tutorial missing from it) is one ``error:``
line and exit status 2.
"""

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = os.path.join(ROOT, 'code')
SERIES_DATA = os.path.join(ROOT, 'tests', 'theano_scripts')
MIDI_STANDIN = os.path.join(ROOT, 'tools', 'midi_standin')

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


# The chapters beyond MNIST.  files: copied from the tutorials' folder
# into code/; imports and call: the driver's, with {epochs}; data: the
# series_data code that writes code/../data/ (run in that folder).
Chapter = collections.namedtuple('Chapter', 'files imports call data')
CHAPTERS = {
    'hmc': Chapter(
        ('hmc/__init__.py', 'hmc/hmc.py', 'hmc/test_hmc.py'),
        'from hmc.hmc import HMC_sampler\n'
        'from hmc.test_hmc import sampler_on_nd_gaussian',
        'sampler_on_nd_gaussian(HMC_sampler.new_from_shared_positions, '
        'burnin=500 * {epochs}, n_samples=500 * {epochs}, dim=5)', None),
    'lstm': Chapter(
        ('lstm.py', 'imdb.py'), 'import lstm',
        "lstm.train_lstm(max_epochs={epochs}, test_size=200, saveto='')",
        "series_data.write_imdb_pkl('imdb.pkl', n_train=500, n_test=200)"),
    'rnnslu': Chapter(
        ('rnnslu.py', 'conlleval.pl'), 'import rnnslu',
        "rnnslu.main(dict(fold=3, data='atis', lr=0.0970806646812754, "
        "verbose=1, decay=True, win=7, nhidden=200, seed=345, "
        "emb_dimension=50, nepochs={epochs}, savemodel=False))",
        "series_data.write_atis_fold('atis.fold3.pkl.gz', "
        "sizes=(1000, 200, 200))"),
    'rnnrbm': Chapter(
        ('rnnrbm.py',), 'import rnnrbm',
        'rnnrbm.test_rnnrbm(num_epochs={epochs})',
        "import os\n"
        "from midi.utils import midiwrite\n"
        "os.makedirs(os.path.join('Nottingham', 'train'))\n"
        "for i, roll in enumerate(series_data.piano_rolls(\n"
        "        n_sequences=20, lengths=(100, 200))):\n"
        "    midiwrite(os.path.join('Nottingham', 'train', '%02d.mid' % i),\n"
        "              roll, (21, 109), 0.3)"),
}
ALL = list(TUTORIALS) + list(CHAPTERS)

# What the runner (or Theano's interpreter) runs for a chapter, in code/.
CHAPTER_DRIVER = '''\
{imports}
{call}
'''

# Writes a chapter's data in data/, with series_data (and the MIDI
# stand-in) on the path.
DATA_WRITER = '''\
import sys
sys.path[:0] = [{series_data!r}, {midi!r}]
import series_data
{data}
'''


class ToolError(Exception):
    """Bad input: reported as one line."""


def interpreter(theano_venv):
    """The command that runs a driver: this port's runner, or the side
    venv's Python with real Theano."""
    if theano_venv is None:
        return [sys.executable, '-m', 'theano_compat']
    python = os.path.join(theano_venv, 'bin', 'python')
    if not os.path.isfile(python):
        raise ToolError('no Theano virtual environment at %s; create it '
                        'with: python3 tools/theano_reference.py setup '
                        '--venv %s' % (theano_venv, theano_venv))
    return [python]


def environment(theano_venv):
    """The runs' environment: code/ importable for the port; for Theano
    the settings tools/theano_reference.py records with (no ~/.theanorc,
    blas.ldflags=, its compile folder), the user's THEANO_FLAGS after."""
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    if theano_venv is None:
        env['PYTHONPATH'] = os.pathsep.join(
            [CODE] + [p for p in [env.get('PYTHONPATH')] if p])
        return env
    env.pop('PYTHONPATH', None)
    env['THEANORC'] = os.devnull
    env['THEANO_FLAGS'] = ','.join(
        ['blas.ldflags=', 'base_compiledir=' + os.path.join(theano_venv,
                                                            'compiledir')]
        + [f for f in [os.environ.get('THEANO_FLAGS')] if f])
    return env


def prepare_chapter(name, folder, workdir, command, env, timeout):
    """Copy chapter ``name``'s files into workdir/code and write its data
    into workdir/data; return the code folder."""
    chapter = CHAPTERS[name]
    code = os.path.join(workdir, 'code')
    data = os.path.join(workdir, 'data')
    os.makedirs(data)
    for filename in chapter.files:
        target = os.path.join(code, filename)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy(os.path.join(folder, filename), target)
    if name == 'rnnrbm':
        shutil.copytree(os.path.join(MIDI_STANDIN, 'midi'),
                        os.path.join(code, 'midi'))
    if chapter.data:
        writer = DATA_WRITER.format(series_data=SERIES_DATA,
                                    midi=MIDI_STANDIN, data=chapter.data)
        run = subprocess.run(command[:1] + ['-c', writer], cwd=data, env=env,
                             capture_output=True, text=True, timeout=timeout)
        if run.returncode != 0:
            raise ToolError('writing the data of %s failed:\n%s'
                            % (name, run.stderr[-3000:]))
    return code


def run_once(name, folder, epochs, workdir, timeout, theano_venv=None):
    """Run tutorial ``name`` for ``epochs`` epochs; return (seconds,
    stdout)."""
    command = interpreter(theano_venv)
    env = environment(theano_venv)
    if name in CHAPTERS:
        chapter = CHAPTERS[name]
        rundir = os.path.join(workdir, 'code')
        if not os.path.isdir(rundir):
            rundir = prepare_chapter(name, folder, workdir, command, env,
                                     timeout)
        driver = os.path.join(rundir, 'run_%s.py' % name)
        text = CHAPTER_DRIVER.format(imports=chapter.imports,
                                     call=chapter.call.format(epochs=epochs))
    else:
        filename, call = TUTORIALS[name]
        rundir = workdir
        driver = os.path.join(workdir, 'run_%s.py' % name)
        text = DRIVER.format(folder=folder,
                             path=os.path.join(folder, filename),
                             call=call.format(epochs=epochs))
    with open(driver, 'w') as f:
        f.write(text)
    start = time.perf_counter()
    run = subprocess.run(command + [driver], cwd=rundir, env=env,
                         capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise ToolError('%s failed (exit status %d):\n%s'
                        % (name, run.returncode, run.stderr[-3000:]))
    return seconds, run.stdout


def keep_output(output, name, epochs, stdout):
    """Write a run's stdout to OUTPUT/NAME-EPOCHS.txt (if asked)."""
    if output:
        path = os.path.join(output, '%s-%d.txt' % (name, epochs))
        with open(path + '.part', 'w') as f:
            f.write(stdout)
        os.replace(path + '.part', path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tutorials', required=True, metavar='DIR',
                        help='the original tutorials\' code/ folder')
    parser.add_argument('--only', nargs='+', choices=ALL,
                        metavar='NAME', help='these tutorials only (%s)'
                        % ', '.join(ALL))
    parser.add_argument('--check', action='store_true',
                        help='one epoch each: does it run?')
    parser.add_argument('--timeout', type=float, default=3600,
                        help='seconds a run may take (default 3600)')
    parser.add_argument('--theano', metavar='VENV',
                        help='run on real Theano in this side environment '
                             '(the chapters beyond MNIST only)')
    parser.add_argument('--output', metavar='DIR',
                        help='keep each run\'s output as DIR/NAME-EPOCHS.txt')
    args = parser.parse_args(argv)
    try:
        folder = os.path.abspath(os.path.expanduser(args.tutorials))
        names = args.only or (list(CHAPTERS) if args.theano else ALL)
        if args.theano and set(names) - set(CHAPTERS):
            raise ToolError('--theano runs only %s (the MNIST tutorials '
                            'import this repository\'s logistic_sgd)'
                            % ', '.join(CHAPTERS))
        files = [f for n in names for f in (
            CHAPTERS[n].files if n in CHAPTERS else TUTORIALS[n][:1])]
        missing = [f for f in files
                   if not os.path.isfile(os.path.join(folder, f))]
        if missing:
            raise ToolError('%s has no %s: give the original tutorials\' '
                            'code/ folder' % (folder, ', '.join(missing)))
        if args.output:
            os.makedirs(args.output, exist_ok=True)
        venv = os.path.abspath(args.theano) if args.theano else None
        print('%-12s %12s %12s %14s' % ('tutorial', '1 epoch (s)',
                                        '2 epochs (s)', 'an epoch (s)'))
        for name in names:
            with tempfile.TemporaryDirectory() as workdir:
                one, out = run_once(name, folder, 1, workdir, args.timeout,
                                    venv)
                keep_output(args.output, name, 1, out)
                if args.check:
                    print('%-12s %12.1f %12s %14s' % (name, one, '-', 'runs'))
                    continue
                two, out = run_once(name, folder, 2, workdir, args.timeout,
                                    venv)
                keep_output(args.output, name, 2, out)
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
