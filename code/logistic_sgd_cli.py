"""The command line of ``logistic_sgd.py``: options, ``predict``, clean errors.

``python code/logistic_sgd.py [options]`` runs :func:`main`.  With no
options it is the tutorial's own run, a call of
``sgd_optimization_mnist()`` with its defaults: every option's default is
read from that function's signature.  What can go wrong with the user's
input (a bad option, a minibatch that does not fit, a bad
``THEANO_FLAGS``, a missing or damaged data file) ends the script with
one line on stderr and exit status 2; Ctrl-C with 130, after saying
where the best model so far is.
"""

import argparse
import importlib
import inspect
import math
import os
import sys


# --dry-run trains one epoch on this many minibatches: enough to compile
# and run every function once.
DRY_RUN_BATCHES = 5
# Exit status after Ctrl-C, as a shell reports a program ended by SIGINT.
EXIT_INTERRUPTED = 130


def keyword_defaults(function):
    """``{name: default}`` for the parameters of ``function`` that have one.

    The command line takes its defaults from here, so that running the
    script with no options is exactly a call with no arguments.
    """
    return {name: parameter.default for name, parameter in
            inspect.signature(function).parameters.items()
            if parameter.default is not parameter.empty}


def positive_int(text):
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            '%r is not allowed: give a whole number of 1 or more' % text)
    return value


def positive_float(text):
    """argparse type: a finite number greater than 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            '%r is not allowed: give a number greater than 0' % text)
    return value


def import_tutorial(name='logistic_sgd'):
    """The tutorial module ``name``, imported once its settings are checked.

    ``theano_compat`` reads ``THEANO_FLAGS`` when it is imported, and
    refuses a flag it cannot honour (:class:`TheanoFlagsError`) or a GPU
    that is not there (:class:`DeviceError`); here that refusal is one
    line on stderr and exit status 2.  (``logistic_cg.py`` runs its
    command line through this too.)
    """
    try:
        return importlib.import_module(name)
    except (ValueError, RuntimeError) as error:
        if type(error).__module__.split('.')[0] == 'theano_compat':
            print('error: %s' % error, file=sys.stderr)
            raise SystemExit(2)
        raise


def build_parser():
    """The argument parser: training options, and the ``predict`` command."""
    tutorial = import_tutorial()
    train = keyword_defaults(tutorial.sgd_optimization_mnist)
    test = keyword_defaults(tutorial.predict)
    parser = argparse.ArgumentParser(
        description='Train logistic regression on MNIST by minibatch SGD '
                    'with early stopping.  With no options this is the '
                    'tutorial\'s own run.',
        epilog='See python %(prog)s predict --help for predicting with a '
               'saved model.')
    parser.add_argument('--learning-rate', type=positive_float, metavar='RATE',
                        default=train['learning_rate'],
                        help='step size of the gradient descent '
                             '(default: %(default)s)')
    parser.add_argument('--n-epochs', type=positive_int, metavar='N',
                        default=train['n_epochs'],
                        help='most passes over the training set '
                             '(default: %(default)s)')
    parser.add_argument('--batch-size', type=positive_int, metavar='B',
                        default=train['batch_size'],
                        help='examples per minibatch (default: %(default)s)')
    parser.add_argument('--dataset', default=train['dataset'],
                        metavar='FILE',
                        help='the MNIST file; a bare name is looked up in '
                             'data/ (default: %(default)s)')
    parser.add_argument('--model', default=train['model_path'],
                        metavar='FILE',
                        help='where the best model is saved '
                             '(default: %(default)s)')
    parser.add_argument('--plot', metavar='DIR',
                        help='after training, write weights.png and '
                             'errors.png into DIR (needs matplotlib)')
    parser.add_argument('--quiet', action='store_true',
                        help='leave out the line of each validation check')
    parser.add_argument('--dry-run', action='store_true',
                        help='train one epoch on %d minibatches only, to '
                             'check that everything runs' % DRY_RUN_BATCHES)
    commands = parser.add_subparsers(
        dest='command', metavar='predict', title='command',
        description='without one, the script trains')
    predictor = commands.add_parser(
        'predict', help='predict the first test images with a saved model',
        description='Print the predictions of a saved model for the first '
                    'test images, their true labels and the accuracy.')
    predictor.add_argument('--model', default=test['model_path'],
                           metavar='FILE',
                           help='the saved model (default: %(default)s)')
    predictor.add_argument('--n', type=positive_int, default=test['n'],
                           metavar='N',
                           help='how many test images (default: %(default)s)')
    predictor.add_argument('--dataset', default=test['dataset'],
                           metavar='FILE',
                           help='the MNIST file (default: %(default)s)')
    return parser


def file_identity(path):
    """What tells two versions of a file apart (None if there is none).

    Saving replaces the model file with a new one, so a file saved since
    an earlier call has a different inode and modification time.
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def train_from_args(parser, args):
    """Train as the parsed options say; return the exit status."""
    tutorial = import_tutorial()
    if args.plot:
        try:
            import mnist_plots
        except ImportError as err:
            parser.error('--plot needs matplotlib (%s); install it with '
                         'python3 -m pip install -e \'.[plot]\'' % err)
        try:
            os.makedirs(args.plot, exist_ok=True)
        except OSError as err:
            parser.error('--plot %s: cannot create that folder (%s)'
                         % (args.plot, err.strerror or err))
    model_before = file_identity(args.model)
    history = []
    try:
        tutorial.sgd_optimization_mnist(
            learning_rate=args.learning_rate,
            n_epochs=1 if args.dry_run else args.n_epochs,
            dataset=args.dataset, batch_size=args.batch_size,
            model_path=args.model, verbose=not args.quiet,
            max_train_batches=DRY_RUN_BATCHES if args.dry_run else None,
            history=history)
    except tutorial.SettingError as err:
        parser.error(str(err))
    except KeyboardInterrupt:
        # The model file is only ever replaced whole, so whatever the
        # interrupt cut short, it holds the best model saved so far.
        if file_identity(args.model) not in (None, model_before):
            print('interrupted: the best model so far is saved in %s'
                  % args.model, file=sys.stderr)
        else:
            print('interrupted before the first model was saved; %s was '
                  'not written' % args.model, file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.plot:
        params = tutorial.mnist_data.load_params(args.model)
        written = mnist_plots.write_plots(args.plot, params['W'], history)
        print('... plots written: ' + ', '.join(written))
    return 0


def main(argv=None):
    """Command line; with no arguments, the tutorial's run.

    :type argv: list of str or None
    :param argv: the arguments (``sys.argv[1:]`` when None)
    :rtype: int, the exit status (130 after Ctrl-C)
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    tutorial = import_tutorial()
    try:
        if args.command == 'predict':
            try:
                tutorial.predict(model_path=args.model, dataset=args.dataset,
                                 n=args.n)
            except tutorial.SettingError as err:
                parser.error(str(err))
            return 0
        return train_from_args(parser, args)
    except tutorial.mnist_data.DataError as err:
        # a missing or damaged file: say what is wrong, not a traceback
        print('error: %s' % err, file=sys.stderr)
        return 2
