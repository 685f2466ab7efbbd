"""List Theano 1.0.5's user-level names and options into ``tests/``.

``python3 tools/theano_names.py record [--venv DIR]`` runs real Theano
1.0.5 in the side virtual environment (``tools/theano_reference.py
setup`` makes it; the same clean environment as that tool's runs:
``blas.ldflags=``, ``THEANORC`` pointing nowhere, one BLAS thread) and
writes ``tests/theano_names.json``:

``modules``
    for each module of :data:`MODULES`, the names a program calls from
    it, each with its kind (``function``, ``class``, ``object``: an
    instance of one of Theano's classes, such as the op ``T.exp`` or the
    type ``T.dmatrix``), the module that defines it and, for a function,
    its parameters' names.
``config``
    every option of ``theano.config``: its dotted name, its kind
    (``EnumStr`` with its values, or the type of a ``TypedParam``), its
    default when that is a plain value, and whether it may change after
    import.
``values``
    a sample of meanings: short expressions (:data:`SAMPLES`) written with
    ``theano`` and ``T`` and the arrays Theano computed for them, for the
    tests to compute again through ``theano_compat``.

Which names count (the rule the test suite holds the port to):

* a name of the module's namespace that does not start with ``_``;
* not a module (``T.basic``, ``numpy`` imported by the module) and not a
  ``__future__`` feature (``print_function``...);
* a function or class counts when Theano defines it (its ``__module__``
  is ``theano`` or below): helpers a module imported from the standard
  library, ``six`` or NumPy (``OrderedDict``, ``xrange``, ``izip``,
  ``reduce``) do not;
* any other object counts when its class is Theano's (ops such as
  ``T.exp``, tensor types such as ``T.dmatrix``, ``theano.config``), or
  when it is a ``functools.partial`` of a Theano function (``T.dmatrices``);
* plain data (numbers, strings, containers, NumPy arrays, loggers) does
  not: it is module state (``T.constant_cache``, ``rng_mrg.M1``, flags
  such as ``imported_scipy``), not something a program calls;
* in a module that is not a package (``theano.tensor.nnet.sigm``,
  ``theano.gradient``...), only the names its own source binds (``def``,
  ``class`` or an assignment at module level, not an ``import``) count:
  ``theano.tensor.signal.pool.Apply`` is an import of Theano's graph
  class, not a name of the pooling module.  A package (``theano``,
  ``theano.tensor``, ``theano.compile``...) counts every name it gathers,
  as ``T.grad`` is ``theano.gradient.grad``.

The test suite only reads the JSON file; it never runs Theano.  Bad input
(no venv, Theano failing) is one ``error: ...`` line, exit status 2.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import theano_reference  # noqa: E402  (the venv and its clean runs)
OUTPUT = os.path.join(ROOT, 'tests', 'theano_names.json')

# Theano 1.0.5's user modules: the ones issue 16 lists, and the packages
# between them.
MODULES = (
    'theano',
    'theano.tensor',
    'theano.tensor.nnet',
    'theano.tensor.nnet.conv',
    'theano.tensor.nnet.abstract_conv',
    'theano.tensor.nnet.bn',
    'theano.tensor.nnet.neighbours',
    'theano.tensor.nnet.sigm',
    'theano.tensor.nnet.nnet',
    'theano.tensor.signal',
    'theano.tensor.signal.pool',
    'theano.tensor.signal.conv',
    'theano.tensor.extra_ops',
    'theano.tensor.nlinalg',
    'theano.tensor.slinalg',
    'theano.tensor.sort',
    'theano.tensor.raw_random',
    'theano.tensor.shared_randomstreams',
    'theano.tensor.xlogx',
    'theano.sandbox',
    'theano.sandbox.rng_mrg',
    'theano.scan_module',
    'theano.ifelse',
    'theano.gradient',
    'theano.printing',
    'theano.sparse',
    'theano.compile',
    'theano.compile.nanguardmode',
    'theano.compile.debugmode',
    'theano.compile.ops',
    'theano.compile.io',
    'theano.compile.mode',
)

# Expressions whose values Theano computes here and the port again in the
# tests: each is evaluated with ``theano``, ``T`` and ``numpy`` (as
# ``np``) in its namespace and must give an array.  ``f`` compiles a
# graph of symbolic inputs ``x`` (float64 vector), ``m`` (float64 matrix)
# and ``i`` (int64 vector) fed with the arrays of INPUTS.
INPUTS = {
    'x': [-2.5, -1.0, -0.5, 0.0, 0.5, 1.5, 3.0],
    'm': [[4.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]],
    'i': [2, 0, 1],
}
SAMPLES = (
    # theano.tensor.xlogx and nnet's elementwise functions
    'f(T.xlogx.xlogx(abs(x)))',
    'f(T.xlogx.xlogy0(abs(x), abs(x) + 1))',
    'f(T.nnet.sigmoid(x))',
    'f(T.nnet.sigm.sigmoid(x))',
    'f(T.nnet.softplus(x))',
    'f(T.nnet.sigm.softplus(x))',
    'f(T.nnet.softsign(x))',
    'f(T.nnet.relu(x))',
    'f(T.nnet.relu(x, 0.1))',
    'f(T.nnet.hard_sigmoid(x))',
    'f(T.nnet.binary_crossentropy(T.nnet.sigmoid(x), T.nnet.sigmoid(x)))',
    'f(T.nnet.softmax(m))',
    'f(T.nnet.softmax(x))',
    'f(T.nnet.logsoftmax(m))',
    'f(T.nnet.nnet.softmax(m))',
    'f(T.nnet.categorical_crossentropy(T.nnet.softmax(m), i))',
    'f(T.nnet.categorical_crossentropy(T.nnet.softmax(m), T.nnet.softmax(m)))',
    'f(T.inv(x + 3))',
    'f(T.nnet.softsign(x))',
    'f(T.nnet.nnet.confusion_matrix(i, i[::-1])[0])',
    'f(T.nnet.nnet.sigmoid_binary_crossentropy(x, T.nnet.sigmoid(x)))',
    'f(T.nnet.nnet.prepend_1_to_each_row(m))',
    'f(T.nnet.nnet.softmax_with_bias(m, x[:3]))',
    'f(T.nlinalg.qr(m)[1])',
    'f(T.nlinalg.eigh(m, "U")[1] ** 2)',
    'f(T.slinalg.solve_lower_triangular(m, x[:3]))',
    'f(T.slinalg.solve_symmetric(m, x[:3]))',
    'f(T.tile(x[:2], (2, 2), ndim=3))',
    'f(T.patternbroadcast(T.shape_padleft(x), (False, False)).shape)',
    'f(theano.clone(x * 2, replace={x: x + 1}))',
    # theano.tensor's functions whose arguments or defaults PyTensor changed
    'f(T.round(x))',
    'f(T.round(x, mode="half_to_even"))',
    'f(T.flatten(T.ones((2, 3, 4)), outdim=2))',
    'f(T.flatten(m))',
    'f(T.var(m, axis=0))',
    'f(T.std(m, axis=1))',
    'f(T.mean(m, axis=0))',
    'f(T.max(m, axis=0))',
    'f(T.argmax(m, axis=1))',
    'f(T.max_and_argmax(m, axis=1)[1])',
    'f(T.sort(x[::-1]))',
    'f(T.argsort(x[::-1]))',
    'f(T.tensordot(m, m, axes=1))',
    'f(T.batched_dot(T.stack([m, m]), T.stack([m, m])))',
    'f(T.outer(x, x))',
    'f(T.arange(5) // 2)',
    'f(T.iscalar() // 2, 7)',
    'f(T.mod(T.arange(-3, 4), 3))',
    'f(T.clip(x, -1, 1))',
    'f(T.switch(T.gt(x, 0), x, 0))',
    'f(T.shape_padaxis(x, 1).shape)',
    'f(T.concatenate([x, x]))',
    'f(T.stack([x, x], axis=1))',
    'f(T.tile(T.arange(3), (2,)))',
    'f(T.roll(x, 2))',
    'f(T.set_subtensor(x[1:3], 0.))',
    'f(T.inc_subtensor(x[1:3], 1.))',
    'f(T.eye(3, k=1))',
    'f(T.zeros_like(m) + T.ones_like(m))',
    'f(T.nonzero(x)[0])',
    'f(T.cast(x, "int32"))',
    'f(T.maximum(x, 0) + T.minimum(x, 0))',
    'f(T.log1p(abs(x)) + T.expm1(x))',
    'f(T.gammaln(abs(x) + 1))',
    'f(T.erf(x))',
    'f(T.prod(m, axis=0))',
    'f(T.cumsum(x))',
    'f(T.cumprod(x))',
    'f(T.dot(m, x[:3]))',
    'f(theano.dot(m, m))',
    'f(T.diag(m))',
    'f(T.fill_diagonal(m, 0.))',
    'f(T.extra_ops.cumsum(m, axis=0))',
    'f(T.extra_ops.diff(x))',
    'f(T.extra_ops.repeat(i, 2))',
    'f(T.extra_ops.bincount(i))',
    'f(T.extra_ops.squeeze(T.shape_padleft(x)))',
    'f(T.extra_ops.to_one_hot(i, 4))',
    'f(T.extra_ops.fill_diagonal_offset(m, 0., 1))',
    'f(T.extra_ops.compress(T.gt(x, 0), x))',
    'f(T.extra_ops.ravel_multi_index((i, i), (3, 3)))',
    'f(T.nlinalg.matrix_inverse(m))',
    'f(T.nlinalg.det(m))',
    'f(T.nlinalg.trace(m))',
    'f(T.nlinalg.matrix_dot(m, m, m))',
    'f(T.nlinalg.eigh(m)[0])',
    'f(T.nlinalg.pinv(m))',
    'f(T.nlinalg.diag(m))',
    'f(T.nlinalg.alloc_diag(x))',
    'f(T.slinalg.cholesky(m))',
    'f(T.slinalg.solve(m, x[:3]))',
    'f(T.slinalg.expm(m / 10))',
    'f(theano.gradient.grad_clip(x, -1, 1))',
    'f(T.grad(T.sum(theano.gradient.grad_clip(x, -0.5, 0.5) ** 2), x))',
    'f(T.grad(T.sum(theano.gradient.disconnected_grad(x) * x), x))',
    'f(T.grad(T.sum(theano.gradient.zero_grad(x) * x), x))',
    'f(T.grad(T.sum(theano.gradient.consider_constant(x) * x), x))',
    'f(theano.ifelse.ifelse(T.gt(x[0], 0), x, -x))',
    'f(theano.foldl(lambda v, acc: acc + v, x, T.zeros(()))[0])',
    'f(theano.foldr(lambda v, acc: acc * 2 + v, x, T.zeros(()))[0])',
    'f(theano.reduce(lambda v, acc: acc + v * v, x, T.zeros(()))[0])',
    'f(theano.map(lambda v: v * 2, x)[0])',
    'f(theano.scan(lambda v, acc: acc + v, sequences=x, '
    'outputs_info=T.zeros(()))[0])',
    'f(theano.scan(lambda v: (2 * v, theano.scan_module.until(T.gt(v, 0))), '
    'sequences=x)[0])',
)


#########################
# INSIDE THE THEANO VENV #
#########################

def _theano_side(part):
    """Print one part of the record as JSON (run by Theano's Python):
    ``names`` (the names and the options) or ``values``."""
    import __future__
    import ast
    import functools
    import importlib
    import inspect
    import types

    import numpy
    import theano
    import theano.tensor as T
    from theano import configparser

    def defined_by_theano(name_of_module):
        return (name_of_module or '').split('.')[0] == 'theano'

    def kind_of(value):
        if isinstance(value, (types.ModuleType, __future__._Feature)):
            return None, None
        if isinstance(value, type):
            return 'class', value.__module__
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType,
                              types.MethodType)):
            return 'function', getattr(value, '__module__', None)
        if isinstance(value, functools.partial):
            return 'function', getattr(value.func, '__module__', None)
        return 'object', type(value).__module__

    def bound_by_source(module):
        """The names a module's own source binds at module level."""
        with open(module.__file__) as source:
            tree = ast.parse(source.read())
        bound = set()
        pending = list(tree.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                bound.add(node.name)
                continue
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = getattr(node, 'targets', None) or [node.target]
                for target in targets:
                    for leaf in ast.walk(target):
                        if isinstance(leaf, ast.Name):
                            bound.add(leaf.id)
            for field in ('body', 'orelse', 'finalbody', 'handlers'):
                pending.extend(getattr(node, field, None) or [])
        return bound

    def parameters(function):
        """A function's parameter names, ``*args`` and ``**kwargs`` marked."""
        marks = {inspect.Parameter.VAR_POSITIONAL: '*',
                 inspect.Parameter.VAR_KEYWORD: '**'}
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError):
            return None
        return [marks.get(p.kind, '') + p.name
                for p in signature.parameters.values()]

    modules = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        is_package = hasattr(module, '__path__')
        own = None if is_package else bound_by_source(module)
        names = {}
        for name in sorted(vars(module)):
            if name.startswith('_') or (own is not None and name not in own):
                continue
            value = getattr(module, name)
            kind, where = kind_of(value)
            if kind is not None and defined_by_theano(where):
                names[name] = {'kind': kind, 'defined_in': where}
                if isinstance(value, types.FunctionType):
                    names[name]['params'] = parameters(value)
        modules[module_name] = names

    if part == 'values':
        print(json.dumps({'values': sample_values(theano, T, numpy),
                          'inputs': INPUTS}))
        return

    options = []
    for param in configparser._config_var_list:
        option = {'name': param.fullname, 'kind': type(param).__name__,
                  'mutable': bool(param.allow_override)}
        if isinstance(param, configparser.EnumStr):
            option['values'] = list(param.all)
        if isinstance(param, configparser.TypedParam):
            option['type'] = {'booltype': 'bool'}.get(
                param.mytype.__name__, param.mytype.__name__)
        if not callable(param.default):
            option['default'] = param.default
        options.append(option)

    print(json.dumps({'modules': modules, 'config': options,
                      'theano_version': theano.__version__,
                      'numpy_version': numpy.__version__}))


def sample_values(theano, T, numpy):
    """Theano's value of each expression of SAMPLES."""
    x = T.dvector('x')
    m = T.dmatrix('m')
    i = T.lvector('i')
    feeds = {x: numpy.array(INPUTS['x']), m: numpy.array(INPUTS['m']),
             i: numpy.array(INPUTS['i'])}

    def f(output, *extra):
        inputs = [v for v in (x, m, i) if v in theano.gof.graph.inputs(
            [output])]
        others = [v for v in theano.gof.graph.inputs([output])
                  if v.owner is None and v.name is None
                  and not isinstance(v, theano.gof.Constant)
                  and not hasattr(v, 'get_value')]
        fn = theano.function(inputs + others, output,
                             on_unused_input='ignore')
        return fn(*([feeds[v] for v in inputs] + list(extra)))

    values = []
    for code in SAMPLES:
        try:
            got = eval(code, {'theano': theano, 'T': T, 'np': numpy, 'f': f,
                              'x': x, 'm': m, 'i': i})
        except Exception as error:
            raise SystemExit('%s: %s: %s' % (code, type(error).__name__,
                                             str(error).splitlines()[0]))
        got = numpy.asarray(got)
        values.append({'code': code, 'dtype': str(got.dtype),
                       'value': got.tolist()})
    return values


########################
# OUTSIDE: THE RECORD  #
########################

ToolError = theano_reference.ToolError


def run_inside(venv, part, flags):
    """Run one part in the Theano venv under ``flags``; its JSON."""
    python = theano_reference.venv_python(venv)
    env = theano_reference.run_env(flags, os.path.join(venv, 'compiledir'))
    with tempfile.TemporaryDirectory(prefix='theano_names.') as workdir:
        try:
            done = subprocess.run(
                [python, os.path.abspath(__file__), 'inside', part],
                cwd=workdir, capture_output=True, text=True, env=env,
                timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ToolError('cannot run %s: %s' % (python, error)) from None
    if done.returncode != 0:
        raise ToolError('Theano failed: %s' % theano_reference.last_line(
            done.stderr))
    try:
        return json.loads(theano_reference.last_line(done.stdout))
    except ValueError:
        raise ToolError('unexpected output: %r' % done.stdout[-200:]) \
            from None


def record(venv, output):
    # The names and options as a user's Theano has them (with its C
    # compiler); the values with cxx= (each op's Python code: the same
    # numbers, without minutes of compiling).
    found = run_inside(venv, 'names', 'floatX=float64')
    found.update(run_inside(venv, 'values', 'floatX=float64,cxx='))
    found['about'] = ('Theano 1.0.5\'s user-level names, config options and '
                      'a sample of values, written by tools/theano_names.py '
                      'record (the rule for which names count is in its '
                      'docstring)')
    theano_reference.write_json_atomically(output, found)
    count = sum(len(names) for names in found['modules'].values())
    print('wrote %s: %d names in %d modules, %d options, %d values'
          % (output, count, len(found['modules']), len(found['config']),
             len(found['values'])))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['inside']:
        _theano_side(argv[1])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    rec = commands.add_parser('record', help='write tests/theano_names.json')
    rec.add_argument('--venv', default=os.path.join(tempfile.gettempdir(),
                                                    'theano105'),
                     help='the Theano venv (default %(default)s)')
    rec.add_argument('--output', default=OUTPUT,
                     help='the record (default %(default)s)')
    args = parser.parse_args(argv)
    try:
        record(args.venv, args.output)
    except ToolError as error:
        print('error: %s' % error, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
