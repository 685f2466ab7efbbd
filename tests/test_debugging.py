"""Theano's debugging tools: debugprint, pp, pydotprint, Print, and the
NanGuardMode and DebugMode modes.

tests/theano_scripts/printing.py ran on Theano 1.0.5 (its output is in
tests/theano_reference.json) and runs here through ``python -m
theano_compat``.  PyTensor names its ops differently (``Tanh`` for
``Elemwise{tanh,no_inplace}``), so a printed graph is compared by its
shape: each line's depth, the op or leaf it shows (lower case, without
parameters), its name, its type's dtype and rank, which lines share an
id, and for a compiled function the clients noted on each line.  What
is not a graph is compared as it is (the errors of the debug modes, the
``Print`` op's lines).
"""

import ast
import io
import re

import numpy
import pytest

import theano_compat.printing as printing
from theano_compat import theano, T
from theano_compat.compile.debugmode import DebugMode, InvalidValueError
from theano_compat.compile.nanguardmode import NanGuardMode
from conftest import run_python, run_theano_script


# --- Theano's record ---

def sections(text):
    """{name: [lines]} of the script's output, split at ``== NAME``."""
    found, name = {}, None
    for line in text.splitlines():
        if line.startswith('== '):
            name = line[3:]
            found[name] = []
        else:
            found[name].append(line.rstrip())
    return found


# Theano draws a level of the tree as " |" or "  "; PyTensor as " │ " or
# "   " and the last one as " ├─ " or " └─ ".
THEANO_PREFIX = re.compile(r'^((?: \||  )*)')
PYTENSOR_PREFIX = re.compile(r'^((?: │ |   )*(?: ├─ | └─ )?)')
LABEL = re.compile(r"^(?P<label>[^\[<']+?)\s*(?P<id>\[id [^\]]*\])?\s*"
                   r"(?P<type><[^>]*>)?\s*(?:'(?P<name>[^']*)')?\s*"
                   r"(?P<index>\d+)?(?: clients:(?P<clients>.*))?$")
RANKS = {'scalar': 0, 'vector': 1, 'matrix': 2}


def op_or_leaf(label):
    """``Elemwise{tanh,no_inplace}`` and ``Tanh`` are both ``tanh``."""
    elemwise = re.match(r'Elemwise\{(\w+)', label)
    if elemwise:
        return elemwise.group(1).lower()
    return re.sub(r'\{.*', '', label).strip().lower()


def type_key(text):
    """``<TensorType(float64, vector)>`` and ``<Vector(float64,
    shape=(?,))>`` are both ``('float64', 1)``."""
    if not text:
        return None
    dtype = re.search(r'(float|int|uint|complex)\d+|bool', text).group(0)
    kind = re.match(r'<(\w+)\(', text).group(1).lower()
    if kind == 'tensortype':
        kind = re.search(r', (\w+)\)', text).group(1)
    return dtype, RANKS[kind]


def graph_shape(lines, theano_style):
    """The lines of a printed graph as comparable tuples, and a check of
    the running positions and clients of a compiled function's lines."""
    prefix_re = THEANO_PREFIX if theano_style else PYTENSOR_PREFIX
    rows, ids, positions, notes = [], {}, {}, []
    for line in lines:
        if line.endswith('···'):  # PyTensor's mark of a repeated node
            continue
        prefix = prefix_re.match(line).group(1)
        depth = (len(prefix) // 2 if theano_style
                 else max(0, (len(prefix) - 1) // 3))
        match = LABEL.match(line[len(prefix):])
        if match is None:  # not a graph: a number or an array
            rows.append(('text', line))
            continue
        id_token = match.group('id')
        if id_token is not None and id_token not in ids:
            ids[id_token] = len(ids)
        if match.group('index') is not None:
            positions[id_token] = int(match.group('index'))
        if match.group('clients'):
            notes.append(ast.literal_eval(match.group('clients')))
        rows.append((depth, op_or_leaf(match.group('label')),
                     ids.get(id_token), match.group('name') or '',
                     type_key(match.group('type')),
                     match.group('index') is not None))
    # a compiled function's positions are its running order...
    if positions:
        assert sorted(positions.values()) == list(range(len(positions)))
    # ...and each client is noted with its own line's position
    clients = []
    for note in notes:
        for client, position in note:
            if client == 'output':
                assert position == ''
                clients.append('output')
            else:
                assert positions[client] == position
                clients.append(ids[client])
    return rows, sorted(clients, key=str)


GRAPH_SECTIONS = ('variable', 'list', 'ids int', 'ids none', 'print_type',
                  'depth 2', 'stop_on_name', 'done shared', 'apply',
                  'in and numbers', 'function clients')


@pytest.fixture(scope='module')
def printed(theano_slice, theano_record):
    """(ours, Theano's) output of tests/theano_scripts/printing.py."""
    ours = run_theano_script('printing/float64', theano_slice, theano_record)
    theirs = theano_record['runs']['printing/float64']['stdout']
    return sections(ours), sections(theirs)


def test_the_record_has_every_section(printed):
    ours, theirs = printed
    assert list(ours) == list(theirs)
    assert set(GRAPH_SECTIONS) | {'returns', 'pp', 'Print', 'NanGuardMode',
                                  'DebugMode'} == set(theirs)


@pytest.mark.parametrize('name', GRAPH_SECTIONS)
def test_debugprint_draws_the_graph_theano_drew(printed, name):
    ours, theirs = printed
    assert graph_shape(ours[name], False) == graph_shape(theirs[name], True)


def test_debugprint_ids_are_theanos(printed):
    ours, theirs = printed
    for style, token in (('ids int', '[id 3]'), ('variable', '[id D]')):
        assert [token in line for line in ours[style]] == [
            token in line for line in theirs[style]]
    assert not any('[id' in line for line in ours['ids none'])


def test_debugprint_returns_what_theanos_returned(printed):
    """A string for file='str', the file given, and None for stdout (the
    graph in between is the one printed to stdout)."""
    ours, theirs = printed
    answers = [line for line in theirs['returns']
               if line.startswith(('str ', 'file ', 'same text ',
                                   'stdout '))]
    assert answers == ['str str', 'file True', 'same text True',
                       'stdout None']
    assert [line for line in ours['returns'] if line in answers] == answers
    graph = [line for line in theirs['returns'] if line not in answers]
    assert graph_shape([line for line in ours['returns']
                        if line not in answers], False) == graph_shape(
                            graph, True)


def test_pp_writes_theanos_formula(printed):
    ours, theirs = printed
    assert [line.lower() for line in ours['pp']] == theirs['pp']


def test_print_op_prints_what_theanos_printed(printed):
    """The two Print ops do not depend on each other: either may run
    first."""
    ours, theirs = printed
    assert sorted(ours['Print']) == sorted(theirs['Print'])
    assert any(line == 'hello shape = (3,)' for line in ours['Print'])


def test_debug_modes_raise_theanos_errors(printed):
    ours, theirs = printed
    assert ours['NanGuardMode'] == theirs['NanGuardMode']
    assert ours['DebugMode'] == theirs['DebugMode']


# --- what the record does not show ---

@pytest.fixture(scope='module')
def trained():
    """A compiled step with an update, and its pieces."""
    x = T.dmatrix('x')
    w = theano.shared(numpy.ones(3), name='w')
    cost = T.tanh(T.dot(x, w)).sum()
    step = theano.function([x], cost,
                           updates=[(w, w - 0.1 * T.grad(cost, w))])
    return step, cost, w


def test_debugprint_takes_functions_variables_and_lists_of_them(trained,
                                                                 capsys):
    step, cost, w = trained
    alone = printing.debugprint(step, file='str')
    # the update's graph is printed after the output's
    fgraph = step.maker.fgraph
    assert len(fgraph.outputs) == 2
    roots = [line for line in alone.split('\nInner graphs:')[0].splitlines()
             if line and not line.startswith(' ')]
    assert len(roots) == 2 and 'inplace' in roots[1]
    both = printing.debugprint([step, cost], file='str')
    assert both.startswith(alone.split('\nInner graphs:')[0])
    assert 'Tanh' in both  # the variable's own graph, not optimised
    stream = io.StringIO()
    assert printing.debugprint(cost, file=stream) is stream
    assert printing.debugprint(cost) is None
    assert capsys.readouterr().out == stream.getvalue()
    # ids='id' is Python's id of each variable printed
    assert '[id %d]' % id(cost) in printing.debugprint(cost, ids='id',
                                                       file='str')
    # PyTensor's own options pass through
    assert 'shape=' in printing.debugprint(cost, print_shape=True,
                                           file='str')


def test_print_type_shows_each_variables_type(trained):
    step, cost, w = trained
    text = printing.debugprint(cost, print_type=True, file='str')
    for line in text.splitlines():
        name = re.search(r'\] <([^>]*)>', line)
        assert name, line
    assert '<%s>' % w.type in text


def test_pp_takes_functions_and_lists(trained):
    step, cost, w = trained
    lines = printing.pp(step).splitlines()
    assert lines[-1].startswith('return ')
    assert [line for line in lines if line.startswith('w <- ')]
    assert printing.pp([cost, w]) == '%s\n%s' % (printing.pp(cost),
                                                 printing.pp(w))
    assert printing.pp(cost) == printing.pprint(cost)


def test_print_op_prints_in_mode_jax(capsys):
    x = T.dvector('x')
    shown = printing.Print('jax', attrs=('shape', 'sum'))(x)
    f = theano.function([x], shown * 2, mode='JAX')
    numpy.testing.assert_allclose(numpy.asarray(f([1., 2., 4.])), [2, 4, 8])
    assert capsys.readouterr().out.splitlines() == ['jax shape = (3,)',
                                                    'jax sum = 7.0']


def test_debugmode_catches_a_nan_and_leaves_pytensor_as_it_was():
    from pytensor.tensor.type import TensorType
    plain_filter = TensorType.filter
    v = T.dvector('v')
    checked = theano.function([v], T.log(v), mode=DebugMode())
    numpy.testing.assert_allclose(checked([1., numpy.e]), [0., 1.])
    with pytest.raises(InvalidValueError,
                       match='non-finite elements not allowed'):
        checked([-1., 1.])
    assert TensorType.filter is plain_filter
    unchecked = theano.function([v], T.log(v),
                                mode=DebugMode(check_isfinite=False))
    assert numpy.isnan(unchecked([-1., 1.])[0])


@pytest.mark.filterwarnings('ignore:All-NaN slice:RuntimeWarning')
def test_nanguardmode_given_as_a_mode_object():
    v = T.dvector('v')
    guarded = theano.function([v], T.log(v) * 2,
                              mode=NanGuardMode(nan_is_error=True,
                                                inf_is_error=True,
                                                big_is_error=True))
    assert float(guarded([numpy.e])[0]) == 2.
    with pytest.raises(AssertionError, match='^NaN detected'):
        guarded([-1.])


def test_nanguardmode_by_theano_flags():
    code = '\n'.join([
        'import numpy',
        'from theano_compat import theano, T',
        'v = T.dvector("v")',
        'f = theano.function([v], T.log(v) * 2)',
        'print(type(f.maker.mode).__name__)',
        'try:',
        '    f(numpy.array([-1.]))',
        'except AssertionError as e:',
        '    print(str(e).splitlines()[0])'])
    done = run_python(code, THEANO_FLAGS='mode=NanGuardMode')
    assert done.stdout.splitlines() == ['NanGuardMode', 'NaN detected']


@pytest.mark.parametrize('name', ['DebugMode', 'DEBUG_MODE'])
def test_debugmode_by_theano_flags(name, monkeypatch):
    """What THEANO_FLAGS=mode=... sets (test_compat follows a flag there),
    then a function compiled without a mode."""
    from theano_compat.compile import function_module
    monkeypatch.setattr(function_module, 'MODE', name)
    v = T.dvector('v')
    f = theano.function([v], T.log(v) * 2)
    assert type(f.maker.mode) is DebugMode
    with pytest.raises(InvalidValueError, match='non-finite elements'):
        f([-1.])


def test_theano_flags_take_the_debug_modes_names():
    from theano_compat.engine.flags import parse_theano_flags
    from theano_compat.compile import mode as modes
    for name in ('NanGuardMode', 'DebugMode', 'DEBUG_MODE'):
        assert parse_theano_flags('mode=%s' % name)['mode'] == name
    assert type(modes.get_mode('DEBUG_MODE')) is DebugMode
    assert type(modes.get_mode('NanGuardMode')) is NanGuardMode
    assert modes.get_mode('FAST_RUN') is modes.get_default_mode()


# --- pydotprint ---

def test_pydotprint_draws_a_png_of_the_compiled_graph(trained, tmp_path):
    import matplotlib.image
    step, cost, w = trained
    path = tmp_path / 'step.png'
    printing.pydotprint(step, outfile=str(path), print_output_file=False)
    with open(str(path), 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    image = matplotlib.image.imread(str(path))
    height, width = image.shape[:2]
    assert height > 100 and width > 100
    rgb = image[..., :3]
    # white paper, black lines and text, and the colours of the boxes:
    # cyan for the shared variable w, green for the input x
    assert (rgb.min(axis=2) > 0.99).mean() > 0.5
    assert (rgb.max(axis=2) < 0.2).any()
    cyan = (rgb[..., 0] < 0.1) & (rgb[..., 1] > 0.9) & (rgb[..., 2] > 0.9)
    green = (rgb[..., 0] < 0.1) & (rgb[..., 1] > 0.9) & (rgb[..., 2] < 0.1)
    assert cyan.sum() > 100 and green.sum() > 100


def test_pydotprint_draws_each_node_of_the_graph(trained):
    step, cost, w = trained
    plain = printing.pydotprint(step, format='plain', return_image=True)
    plain = plain.decode() if isinstance(plain, bytes) else plain
    nodes = [line for line in plain.splitlines() if line.startswith('node')]
    ops = [line for line in nodes if 'ellipse' in line]
    assert len(ops) == len(step.maker.fgraph.apply_nodes)
    for node in step.maker.fgraph.apply_nodes:
        assert any(str(node.op) in line for line in ops), node.op
    labels = ' '.join(nodes)
    assert 'name=x ' in labels and 'name=w ' in labels
    # variables and lists of them, as Theano took
    for graph in (cost, [cost, w * 2]):
        drawn = printing.pydotprint(graph, format='plain',
                                    return_image=True)
        assert b'Tanh' in drawn or 'Tanh' in drawn


def test_pydotprint_default_file_and_bad_arguments(trained, capsys):
    import pytensor
    step, cost, w = trained
    printing.pydotprint(cost, format='svg')
    where = capsys.readouterr().out
    expected = str(pytensor.config.compiledir / 'theano.pydotprint.cpu.svg')
    assert where.strip() == 'The output file is available at %s' % expected
    with open(expected) as f:
        assert '<svg' in f.read()
    with pytest.raises(TypeError, match='not a list holding Function'):
        printing.pydotprint([step, cost])
    with pytest.raises(TypeError, match='not str'):
        printing.pydotprint('graph')


def test_printing_names_theano_had_and_pytensor_keeps():
    import pytensor.printing
    assert printing.min_informative_str is (
        pytensor.printing.min_informative_str)
    with pytest.raises(AttributeError, match='theano.printing.no_such'):
        printing.no_such
