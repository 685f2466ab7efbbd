"""Theano's debugging tools: debugprint, pp, pydotprint, Print, and the
NanGuardMode and DebugMode modes.

tests/theano_scripts/printing.py ran on Theano 1.0.5 (its output is in
tests/theano_reference.json) and runs here through ``python -m
theano_compat``.  debugprint and pp print Theano's text (Theano's
spellings of PyTensor's ops, `` |`` trees, ``TensorConstant{...}``), so
each printed graph is compared line for line; in the compiled function's
graph PyTensor runs two independent nodes in the other order, so there
the running positions are masked and checked for what they must be (a
running order: each node after its inputs; each client noted with its own
line's position).  What is not a graph is compared as it is (the errors
of the debug modes, the ``Print`` op's lines).
"""

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
            found[name].append(line)
    return found


# the graphs printed the same, line for line
GRAPH_SECTIONS = ('variable', 'list', 'ids int', 'ids none', 'print_type',
                  'depth 2', 'stop_on_name', 'done shared', 'apply',
                  'in and numbers', 'returns', 'pp', 'spellings')

# a compiled function's line: its depth, id, position, clients
COMPILED_LINE = re.compile(r"^(?P<tree>(?: \||  )*)(?P<label>.*?) "
                           r"(?P<id>\[id \w+\]) ''   (?P<position>\d+)"
                           r"(?: clients:(?P<clients>.*))?$")


@pytest.fixture(scope='module')
def printed(theano_record):
    """(ours, Theano's) output of tests/theano_scripts/printing.py."""
    ours = run_theano_script('printing/float64', 'unread.npz',
                             theano_record)
    theirs = theano_record['runs']['printing/float64']['stdout']
    return sections(ours), sections(theirs)


def test_the_record_has_every_section(printed):
    ours, theirs = printed
    assert list(ours) == list(theirs)
    assert set(GRAPH_SECTIONS) | {'function clients', 'Print',
                                  'NanGuardMode', 'DebugMode'} == set(theirs)


@pytest.mark.parametrize('name', GRAPH_SECTIONS)
def test_debugprint_and_pp_print_theanos_text(printed, name):
    ours, theirs = printed
    assert ours[name] == theirs[name]


def running_positions(lines):
    """Check that the positions of a compiled function's printed lines
    are a running order (each node after its inputs, each client noted
    with its line's position); return the lines with them masked."""
    import ast
    rows = [COMPILED_LINE.match(line) for line in lines]
    positions = {row.group('id'): int(row.group('position'))
                 for row in rows if row}
    assert sorted(set(positions.values())) == list(range(len(positions)))
    for i, row in enumerate(rows):
        if row is None:
            continue
        depth = len(row.group('tree')) // 2
        for below in rows[i + 1:]:
            if below is None or len(below.group('tree')) // 2 <= depth:
                break
            if len(below.group('tree')) // 2 == depth + 1:
                assert positions[below.group('id')] < positions[
                    row.group('id')]
        for client, position in ast.literal_eval(row.group('clients')
                                                 or '[]'):
            assert position == ('' if client == 'output'
                                else positions[client])
    return [re.sub(r"(''   )\d+", r"\1#", re.sub(r", \d+\)", ", #)", line))
            for line in lines]


def test_debugprint_of_a_compiled_function_with_its_clients(printed):
    ours, theirs = printed
    assert running_positions(ours['function clients']) == running_positions(
        theirs['function clients'])


def test_debugprint_ids_are_theanos(printed):
    ours, theirs = printed
    for style, token in (('ids int', '[id 3]'), ('variable', '[id D]')):
        assert [token in line for line in ours[style]] == [
            token in line for line in theirs[style]]
    assert not any('[id' in line for line in ours['ids none'])


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
    roots = [line for line in alone.splitlines() if not line.startswith(' ')]
    # the update w - 0.1 * g, in place in w: Gemv{inplace} (or an Elemwise
    # writing into its first input, Theano's Elemwise{...}[(0, 0)])
    assert len(roots) == 2 and re.match(
        r"(Gemv\{inplace\}|Elemwise\{.*\}\[\(0, 0\)\]) \[id \w+\] ''   \d+$",
        roots[1]), roots
    both = printing.debugprint([step, cost], file='str')
    assert both.startswith(alone)
    # the variable's own graph, not optimised
    assert " |Elemwise{tanh,no_inplace} [id" in both[len(alone):]
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
    assert text.splitlines()[0] == (
        "Sum{acc_dtype=float64} [id A] <TensorType(float64, scalar)> ''   ")
    assert text.splitlines()[-1].endswith(
        ' |w [id G] <TensorType(float64, vector)>')


def test_debugprint_destroy_and_view_maps_and_bad_ids(trained):
    step, cost, w = trained
    text = printing.debugprint(step, print_destroy_map=True,
                               print_view_map=True, file='str')
    assert re.search(r"^Gemv\{inplace\} \[id \w+\] '' d=\{0: \[0\]\}  \d+$",
                     text, re.M)
    assert re.search(r"InplaceDimShuffle\{1,0\} \[id \w+\] 'x.T'  "
                     r"v=\{0: \[0\]\} \d+$", text, re.M)
    with pytest.raises(ValueError, match="ids must be 'CHAR', 'int'"):
        printing.debugprint(cost, ids='letters', file='str')
    with pytest.raises(TypeError, match='cannot print an object'):
        printing.debugprint('cost')


def test_debugprint_of_scan_shows_its_inner_graph():
    """Theano's section after the graphs: the scan op, then its inner
    graph's lines marked ' >', each inner input with the id of the outer
    input it stands for."""
    v = T.dvector('v')
    total, _ = theano.scan(lambda a, acc: acc + a, sequences=v,
                           outputs_info=T.zeros_like(v[0]))
    text = printing.debugprint(total, file='str')
    graph, inner = text.split('\nInner graphs of the scan ops:\n\n')
    scan_line = [line for line in graph.splitlines()
                 if 'for{cpu,scan_fn}' in line]
    assert len(scan_line) == 1
    scan_id = re.search(r'\[id \w+\]', scan_line[0]).group(0)
    lines = inner.splitlines()
    assert lines[0] == "for{cpu,scan_fn} %s ''   " % scan_id
    assert lines[1].startswith(' >Elemwise{add,no_inplace} [id ')
    ids_above = set(re.findall(r'\[id \w+\]', graph))
    mapped = [re.search(r'-> (\[id \w+\])$', line) for line in lines[2:]]
    assert len(mapped) == 2 and all(m and m.group(1) in ids_above
                                    for m in mapped)


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
