"""The command line of logistic_sgd.py: options, predict, --dry-run, Ctrl-C.

(``code/logistic_sgd_cli.py``; ``python code/logistic_sgd.py`` runs it.)

Most tests call ``main`` in this process on the small slice of MNIST; the
dry run on the bundled data and the Ctrl-C test run the script as a user
would, in a subprocess.
"""

import functools
import glob
import os
import signal
import subprocess
import sys

import numpy
import pytest

import logistic_sgd
import logistic_sgd_cli as cli
import mnist_data
from conftest import CODE, ROOT, SMALL_RUN, child_environment

SCRIPT = os.path.join(CODE, 'logistic_sgd.py')


def run_script(args, cwd, **kwargs):
    """Run ``python code/logistic_sgd.py ARGS`` in ``cwd``."""
    return subprocess.run([sys.executable, SCRIPT] + list(args), cwd=str(cwd),
                          capture_output=True, text=True, timeout=300,
                          **kwargs)


def no_compiling(monkeypatch):
    """Make any compile through theano.function fail the test."""
    def refuse(*args, **kwargs):
        raise AssertionError('theano.function was called')
    monkeypatch.setattr(logistic_sgd.theano, 'function', refuse)


# --- defaults ---

# The tutorial's settings, as its page gives them (and README's table).
TUTORIAL = {'learning_rate': 0.13, 'n_epochs': 1000, 'batch_size': 600,
            'dataset': 'mnist.pkl.gz', 'model_path': 'best_model.pkl'}


def test_parser_defaults_are_the_tutorials():
    args = cli.build_parser().parse_args([])
    assert {'learning_rate': args.learning_rate, 'n_epochs': args.n_epochs,
            'batch_size': args.batch_size, 'dataset': args.dataset,
            'model_path': args.model} == TUTORIAL
    assert (args.plot, args.quiet, args.dry_run, args.command) == (
        None, False, False, None)
    args = cli.build_parser().parse_args(['predict'])
    assert (args.model, args.dataset, args.n) == (
        'best_model.pkl', 'mnist.pkl.gz', 10)


def test_readme_documents_the_defaults():
    readme = open(os.path.join(ROOT, 'README.md')).read()
    for option, value in (('--learning-rate RATE', '0.13'),
                          ('--n-epochs N', '1000'), ('--batch-size B', '600'),
                          ('--dataset FILE', '`mnist.pkl.gz`'),
                          ('--model FILE', '`best_model.pkl`')):
        assert '| `%s` | %s |' % (option, value) in readme


def test_bare_command_is_a_call_with_the_tutorial_defaults(monkeypatch):
    real = logistic_sgd.sgd_optimization_mnist
    calls = []

    @functools.wraps(real)  # keeps the signature the parser reads
    def record(**kwargs):
        calls.append(kwargs)
        return {}

    monkeypatch.setattr(logistic_sgd, 'sgd_optimization_mnist', record)
    assert cli.main([]) == 0
    (kwargs,) = calls
    history = kwargs.pop('history')
    assert history == []
    assert kwargs == {'learning_rate': 0.13, 'n_epochs': 1000,
                      'dataset': 'mnist.pkl.gz', 'batch_size': 600,
                      'model_path': 'best_model.pkl', 'verbose': True,
                      'max_train_batches': None}
    # ... which are the values a call without arguments gets.
    defaults = cli.keyword_defaults(real)
    assert all(defaults[name] == value for name, value in kwargs.items())


def test_options_reach_the_training_and_print_the_tutorial_lines(
        small_mnist, small_run, tmp_path, capsys):
    _, tutorial_out, _ = small_run
    model = str(tmp_path / 'model.pkl')
    status = cli.main(['--dataset', small_mnist, '--batch-size',
                                str(SMALL_RUN['batch_size']),
                                '--learning-rate',
                                str(SMALL_RUN['learning_rate']),
                                '--n-epochs', '3', '--model', model])
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    # The same lines as the tutorial's function prints on the same data,
    # for the three epochs asked for.
    assert lines[:10] == tutorial_out.splitlines()[:10]
    assert lines[9] == ('     epoch 3, minibatch 150/150, test error of best '
                        'model 12.600000 %')
    assert lines[10] == ('Optimization complete with best validation score '
                         'of 12.800000 %,with test performance 12.600000 %')
    assert lines[11].startswith('The code run for 3 epochs, with ')
    assert len(lines) == 12
    assert mnist_data.load_params(model)['W'].shape == (784, 10)


def test_history_records_each_check(small_run):
    result, _, _ = small_run
    history = result['history']
    # One check per epoch; patience runs out in epoch 38 before its check.
    assert result['epochs'] == 38
    assert [epoch for epoch, _, _ in history] == list(range(1, 38))
    assert history[0] == pytest.approx((1, 0.149, 0.151), abs=1e-12)
    assert history[2] == pytest.approx((3, 0.128, 0.126), abs=1e-12)
    assert min(valid for _, valid, _ in history) == pytest.approx(
        result['best_validation_loss'], abs=1e-12)
    assert history[-1][2] == result['test_score']


def test_quiet_leaves_out_the_check_lines(small_mnist, tmp_path, capsys):
    status = cli.main(['--quiet', '--dataset', small_mnist,
                                '--batch-size', '20', '--n-epochs', '2',
                                '--model', str(tmp_path / 'm.pkl')])
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith('epoch')]
    assert lines[-2] == ('Optimization complete with best validation score '
                         'of 13.400000 %,with test performance 13.200000 %')
    assert lines[-1].startswith('The code run for 2 epochs')


# --- --dry-run ---

def test_dry_run_on_the_small_slice(small_mnist, tmp_path, capsys):
    model = str(tmp_path / 'm.pkl')
    assert cli.main(['--dry-run', '--dataset', small_mnist,
                              '--model', model]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == '... loading data'
    assert lines[3] == '... training the model'
    # 3000 rows make 5 minibatches of 600: all of them are used.
    assert lines[4:7] == [
        'epoch 1, minibatch 5/5, validation error 32.000000 %',
        '     epoch 1, minibatch 5/5, test error of best model 33.000000 %',
        'Optimization complete with best validation score of 32.000000 %,'
        'with test performance 33.000000 %']
    assert lines[7].startswith('The code run for 1 epochs, with ')
    assert os.path.isfile(model)


def test_dry_run_of_the_script_on_the_bundled_data(tmp_path):
    """What CI can run: the real script and data, one short epoch."""
    run = run_script(['--dry-run'], cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:2] == ['... loading data', '... building the model']
    assert lines[2].startswith('... using PyTensor')
    assert lines[3] == '... training the model'
    # Five minibatches of 600, then the whole validation and test sets;
    # the same numbers as five steps of the NumPy loop of logistic_numpy.
    assert lines[4] == 'epoch 1, minibatch 5/5, validation error 26.729167 %'
    assert lines[5] == ('     epoch 1, minibatch 5/5, test error of best '
                        'model 28.291667 %')
    assert lines[6] == ('Optimization complete with best validation score '
                        'of 26.729167 %,with test performance 28.291667 %')
    assert lines[7].startswith('The code run for 1 epochs')
    assert len(lines) == 8
    # The model went where the tutorial puts it: best_model.pkl, here.
    assert mnist_data.load_params(str(tmp_path / 'best_model.pkl'))[
        'W'].shape == (784, 10)


# --- bad values ---

@pytest.mark.parametrize('argv, message', [
    (['--batch-size', '0'], "argument --batch-size: '0' is not allowed: "
                            "give a whole number of 1 or more"),
    (['--batch-size', '-5'], "argument --batch-size: '-5' is not allowed"),
    (['--batch-size', 'ten'], "argument --batch-size: 'ten' is not allowed"),
    (['--n-epochs', '0'], "argument --n-epochs: '0' is not allowed: "
                          "give a whole number of 1 or more"),
    (['--learning-rate', '-0.1'], "argument --learning-rate: '-0.1' is not "
                                  "allowed: give a number greater than 0"),
    (['--learning-rate', '0'], "argument --learning-rate: '0' is not"),
    (['--learning-rate', 'nan'], "argument --learning-rate: 'nan' is not"),
    (['predict', '--n', '0'], "argument --n: '0' is not allowed: give a "
                              "whole number of 1 or more"),
    (['predict', '--n', '-1'], "argument --n: '-1' is not allowed"),
    (['train'], "invalid choice: 'train'"),
])
def test_bad_values_are_refused_by_the_parser(argv, message, monkeypatch,
                                              capsys):
    no_compiling(monkeypatch)
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert 'usage:' in err and message in err


@pytest.mark.parametrize('batch_size, set_name, n_rows', [
    (3001, 'training', 3000), (1001, 'validation', 1000)])
def test_batch_larger_than_a_set_is_refused_before_compiling(
        batch_size, set_name, n_rows, small_mnist, tmp_path, monkeypatch,
        capsys):
    no_compiling(monkeypatch)
    model = tmp_path / 'm.pkl'
    with pytest.raises(SystemExit) as info:
        cli.main(['--dataset', small_mnist, '--batch-size',
                           str(batch_size), '--model', str(model)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert ('error: batch size %d does not fit the %s set of %d examples; '
            'use a batch size from 1 to 1000' % (batch_size, set_name, n_rows)
            in err)
    assert not model.exists()


@pytest.mark.parametrize('flags, message', [
    ('device=tpu9', "error: THEANO_FLAGS: device='tpu9' is not supported; "
                    "use one of: cpu, cuda, cuda0, gpu, gpu0 (any GPU "
                    "number)"),
    ('floatX=float16', "error: THEANO_FLAGS: floatX='float16' is not "
                       "supported; use one of: float64, float32"),
    ('mode=NOPE', "error: THEANO_FLAGS: mode='NOPE' is not supported; use "
                  "one of: FAST_RUN, CVM, FAST_COMPILE, JAX, NUMBA, C, "
                  "PYTORCH, NanGuardMode, DebugMode, DEBUG_MODE"),
    ('speed=max', "error: THEANO_FLAGS: unknown flag 'speed'; Theano 1.0.5 "
                  "has no option of that name (other PyTensor settings go "
                  "in PYTENSOR_FLAGS)"),
    ('floatx=float32', "error: THEANO_FLAGS: unknown flag 'floatx' (did you "
                       "mean floatX?); Theano 1.0.5 has no option of that "
                       "name (other PyTensor settings go in PYTENSOR_FLAGS)"),
    ('traceback.limit=many', "error: THEANO_FLAGS: traceback.limit='many' "
                             "is not an integer"),
])
def test_bad_theano_flags_are_one_clear_line(flags, message, tmp_path):
    run = run_script(['--dry-run'], cwd=tmp_path,
                     env=child_environment(THEANO_FLAGS=flags))
    assert run.returncode == 2
    assert run.stderr == message + '\n'
    assert run.stdout == ''


def test_missing_data_file_is_one_clear_line(tmp_path, capsys):
    # (a name without download mirrors, so nothing is fetched)
    missing = str(tmp_path / 'nowhere' / 'digits.pkl.gz')
    assert cli.main(['--dataset', missing]) == 2
    assert capsys.readouterr().err == 'error: %s does not exist\n' % missing


# --- predict ---

def test_predict_prints_predictions_labels_and_accuracy(
        small_run, small_mnist, small_sets, capsys):
    _, _, model = small_run
    status = cli.main(['predict', '--model', model, '--n', '12',
                                '--dataset', small_mnist])
    assert status == 0
    params = mnist_data.load_params(model)
    test_x, test_y = small_sets[2]
    expected = numpy.argmax(test_x[:12].dot(params['W']) + params['b'], 1)
    # The slice's 9th test image (a 5) is the one this model gets wrong.
    assert list(expected != test_y[:12]) == [False] * 8 + [True] + [False] * 3
    assert capsys.readouterr().out.splitlines() == [
        '... loading data',
        'Predicted values for the first 12 examples in test set:',
        str(expected),
        'True labels:',
        str(test_y[:12].astype('int32')),
        'Accuracy on these 12 examples: 91.666667 %']


def test_predict_more_than_the_test_set_is_refused(small_run, small_mnist,
                                                   monkeypatch, capsys):
    _, _, model = small_run
    no_compiling(monkeypatch)
    with pytest.raises(SystemExit) as info:
        cli.main(['predict', '--model', model, '--n', '1001',
                           '--dataset', small_mnist])
    assert info.value.code == 2
    assert ('error: cannot predict 1001 examples: the test set has 1000; ask '
            'for 1 to 1000' in capsys.readouterr().err)


def test_predict_without_a_model_says_how_to_get_one(tmp_path, capsys):
    model = str(tmp_path / 'none.pkl')
    assert cli.main(['predict', '--model', model]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: no saved model at %s' % model)
    assert 'python code/logistic_sgd.py' in err


# --- Ctrl-C ---

def interrupt_at_save(monkeypatch, number):
    """Make the ``number``-th model save raise KeyboardInterrupt before it
    writes anything; return the list of (W, b) of the saves that ran."""
    real_save = logistic_sgd.save_model
    saved = []

    def save_or_interrupt(classifier, path):
        if len(saved) + 1 == number:
            raise KeyboardInterrupt
        real_save(classifier, path)
        saved.append((classifier.W.get_value().copy(),
                      classifier.b.get_value().copy()))

    monkeypatch.setattr(logistic_sgd, 'save_model', save_or_interrupt)
    return saved


def test_ctrl_c_keeps_the_best_model_so_far(small_mnist, tmp_path,
                                            monkeypatch, capsys):
    saved = interrupt_at_save(monkeypatch, 3)
    model = str(tmp_path / 'best.pkl')
    status = cli.main(['--dataset', small_mnist, '--batch-size',
                                '20', '--model', model])
    assert status == cli.EXIT_INTERRUPTED == 130
    captured = capsys.readouterr()
    assert captured.err == ('interrupted: the best model so far is saved in '
                            '%s\n' % model)
    # Interrupted while saving the third check's model: the file holds
    # the second one's.
    assert captured.out.splitlines()[-1] == (
        '     epoch 3, minibatch 150/150, test error of best model '
        '12.600000 %')
    assert len(saved) == 2
    params = mnist_data.load_params(model)
    numpy.testing.assert_array_equal(params['W'], saved[1][0])
    numpy.testing.assert_array_equal(params['b'], saved[1][1])
    assert os.listdir(str(tmp_path)) == ['best.pkl']


def test_ctrl_c_before_any_save_says_so(small_mnist, tmp_path, monkeypatch,
                                        capsys):
    interrupt_at_save(monkeypatch, 1)
    model = str(tmp_path / 'best.pkl')
    status = cli.main(['--dataset', small_mnist, '--batch-size',
                                '20', '--model', model])
    assert status == 130
    assert capsys.readouterr().err == (
        'interrupted before the first model was saved; %s was not '
        'written\n' % model)
    assert os.listdir(str(tmp_path)) == []


def test_ctrl_c_does_not_claim_an_older_file(small_mnist, tmp_path,
                                             monkeypatch, capsys):
    """A model left by an earlier run is not this run's best."""
    interrupt_at_save(monkeypatch, 1)
    model = tmp_path / 'best.pkl'
    model.write_bytes(b'from an earlier run')
    assert cli.main(['--dataset', small_mnist, '--batch-size',
                              '20', '--model', str(model)]) == 130
    assert 'was not written' in capsys.readouterr().err
    assert model.read_bytes() == b'from an earlier run'


def test_sigint_to_the_running_script(small_mnist, tmp_path):
    """A real Ctrl-C: SIGINT once the second epoch's line is out."""
    model = tmp_path / 'best_model.pkl'
    process = subprocess.Popen(
        [sys.executable, '-u', SCRIPT, '--dataset', small_mnist,
         '--batch-size', '20', '--model', str(model)],
        cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        for line in process.stdout:
            if line.startswith('epoch 2,'):
                process.send_signal(signal.SIGINT)
                break
        rest, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == (
        'interrupted: the best model so far is saved in %s' % model), err
    assert 'Traceback' not in err
    assert 'Optimization complete' not in rest
    params = mnist_data.load_params(str(model))
    assert params['W'].shape == (784, 10) and params['W'].any()
    assert glob.glob(str(tmp_path / '.*part')) == []
