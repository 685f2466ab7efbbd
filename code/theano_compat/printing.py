"""``theano.printing``: graphs as text and as pictures, and the ``Print`` op.

``debugprint`` and ``pp`` write Theano 1.0.5's text: the graph is
PyTensor's, spelled as Theano spelled it, so that what a Theano user (or
Theano's documentation) expects to read is what is printed:

``debugprint(obj, depth=-1, print_type=False, file=None, ids='CHAR', ...)``
    the graph of a compiled function (its outputs, then its updates), a
    variable, an ``Apply`` node, a ``FunctionGraph``, an ``In``/``Out``,
    a number, an array, or a list of them, one line a variable, as
    Theano wrote them::

        Elemwise{gt,no_inplace} [id A] ''
         |Elemwise{true_div,no_inplace} [id B] ''
         | |InplaceDimShuffle{x} [id C] ''
         | | |TensorConstant{1} [id D]

    `` |`` draws the tree; each op's line has its id (``ids``: ``'CHAR'``
    for ``[id A]``, ``'int'``, ``'id'`` for Python's ``id``, ``''`` for
    none), its variable's name in quotes and, for a compiled function,
    its position in the running order; an op printed before shows no
    inputs again.  ``print_type`` adds each type as Theano wrote it
    (``<TensorType(float64, vector)>``), ``print_clients`` the nodes that
    read a result several read (``clients:[('[id C]', 2), ('output',
    '')]``), ``print_storage`` the values a function holds.  Scan ops'
    inner graphs follow under ``Inner graphs of the scan ops:``.  Output
    goes to stdout (returning None), to ``file`` (returning it), or with
    ``file='str'`` comes back as a string.  PyTensor's own options
    (``print_shape``, ``print_op_info``...) give PyTensor's format.
``pp(var)`` (``pprint``)
    a variable as a formula, Theano's way: ``gt((TensorConstant{1} /
    (TensorConstant{1} + exp(((-(x \\dot w)) - b)))),
    TensorConstant{0.5})``.  Beyond Theano's, it also takes a compiled
    function (Theano's ``pprint.process_graph`` of its graph: ``return
    ...``, or ``out[i] = ...`` lines and a ``shared <- ...`` line per
    update) and lists, one item a line.
``pydotprint(fct, outfile=None, format='png', ...)``
    the graph as a picture drawn by Graphviz; needs ``pydot`` (``pip
    install -e '.[debug]'``) and Graphviz's ``dot`` program.  Without
    ``outfile``, it writes ``theano.pydotprint.<device>.<format>`` in
    PyTensor's compile folder, as Theano wrote it in its own.  Its labels
    are PyTensor's names of the ops.
``Print(message, attrs=('__str__',))``
    an op that passes its input through and prints it (or the named
    attributes of it, such as ``'shape'``) each time the function runs,
    in the C backend and in mode JAX alike.

Theano's spelling of an op is :func:`theano_op_str` (the table
``OP_SPELLINGS``; an op not in it keeps PyTensor's ``str``), of a
variable :func:`theano_variable_str`, of a type :func:`theano_type_str`.
What stays PyTensor's is the graph itself: PyTensor builds some
expressions with other ops (``T.dot`` of a matrix and a vector is a
``Dot`` of matrices between ``ExpandDims`` and ``Squeeze``) and its
rewrites compile some graphs otherwise; those print as they are.

The other names of Theano's module are PyTensor's (``min_informative_str``,
the printer classes...).
"""

import io
import os
import sys

import numpy
import pytensor
import pytensor.printing as _pt_printing
from pytensor.compile.executor import Function as _Function
from pytensor.compile.io import SymbolicInput, SymbolicOutput
from pytensor.graph.basic import Apply, Constant, Variable
from pytensor.graph.fg import FunctionGraph
from pytensor.printing import Print  # noqa: F401

from theano_compat.names import module_getattr

__all__ = ['debugprint', 'pp', 'pprint', 'PPrinter', 'pydotprint', 'Print',
           'theano_op_str', 'theano_variable_str', 'theano_type_str']


# ----------------------------------------------------------------------------
# Theano's spellings

# Theano's names of its broadcastable patterns
_PATTERN_NAMES = {(): 'scalar', (False,): 'vector', (False, True): 'col',
                  (True, False): 'row', (False, False): 'matrix'}


def theano_type_str(type_):
    """A type as Theano wrote it: ``TensorType(float64, vector)``
    (broadcastable axes: those of static length 1), ``RandomStateType``;
    other types as PyTensor writes them."""
    shape = getattr(type_, 'shape', None)
    dtype = getattr(type_, 'dtype', None)
    if type(type_).__name__ == 'TensorType' and shape is not None:
        pattern = tuple(length == 1 for length in shape)
        if pattern in _PATTERN_NAMES:
            kind = _PATTERN_NAMES[pattern]
        elif any(pattern):
            kind = str(pattern)
        else:
            kind = '%iD' % len(pattern)
        return 'TensorType(%s, %s)' % (dtype, kind)
    if type(type_).__name__ == 'ScalarType':
        return str(dtype)
    return str(type_)


def _shortened(text, cut='...'):
    """Theano's cut of a long constant: 10 characters, ``cut``, 10."""
    return text[:10] + cut + text[-10:] if len(text) > 20 else text


def theano_variable_str(var):
    """A variable as Theano's ``str`` wrote it: for a tensor constant
    (named or not) ``TensorConstant{1}``, ``TensorConstant{(2,) of 2}``
    (an array of one repeated value) or its values, cut to 22
    characters; else its name; for another constant ``Constant{1}``; for
    another leaf ``<type>``; for an op's output ``op.index``."""
    if isinstance(var, Constant) and type(var.type).__name__ == 'TensorType':
        data = numpy.asarray(var.data)
        flat = data.ravel()
        if data.ndim > 0 and flat.size and (flat == flat[0]).all():
            text = '%s of %s' % (data.shape, flat[0])
        else:
            text = '%s' % (data,)
        return 'TensorConstant{%s}' % _shortened(text, '..')
    if var.name is not None:
        return var.name
    if isinstance(var, Constant):
        return 'Constant{%s}' % _shortened(str(var.data))
    if var.owner is not None:
        op = theano_op_str(var.owner.op, var.owner)
        if len(var.owner.outputs) == 1:
            return op + '.out'
        return '%s.%d' % (op, var.owner.outputs.index(var))
    return '<%s>' % theano_type_str(var.type)


# Theano's scalar ops: tensor-level names that are not PyTensor's scalar
# op name (or its class name in lower case)...
_TENSOR_NAMES = {'AND': 'and_', 'OR': 'or_', 'XOR': 'xor', 'Abs': 'abs_',
                 'RoundHalfAwayFromZero': 'round_half_away_from_zero',
                 'RoundHalfToEven': 'round_half_to_even', 'Sign': 'sgn',
                 'Reciprocal': 'inv'}
# ...the nnet ops Theano named without Elemwise{}...
_BARE_NAMES = {'Sigmoid': 'sigmoid', 'Softplus': 'softplus',
               'Softsign': 'softsign', 'UltraFastSigmoid':
               'ultra_fast_sigmoid'}
# ...their class names where Theano's differ (an op made by a rewrite,
# such as an inplace one, is printed by its class)...
_CLASS_NAMES = {'Sigmoid': 'ScalarSigmoid', 'Softplus': 'ScalarSoftplus',
                'Softsign': 'ScalarSoftsign', 'Reciprocal': 'Inv',
                'Sign': 'Sgn'}
# ...and the names inside Composite{...}: the comparisons and logic by
# class, the nnet ones by Theano's scalar name
_COMPOSITE_CLASSES = {'AND', 'OR', 'XOR', 'Abs', 'EQ', 'NEQ', 'GE', 'GT',
                      'LE', 'LT', 'Invert', 'IsInf', 'IsNan', 'Switch',
                      'RoundHalfAwayFromZero', 'RoundHalfToEven'}
_COMPOSITE_NAMES = {'Sigmoid': 'scalar_sigmoid',
                    'Softplus': 'scalar_softplus',
                    'Softsign': 'scalar_softsign', 'Reciprocal': 'inv',
                    'Sign': 'sgn'}
# Scalar ops written as operators, in Theano's pprint and Composite
_OPERATORS = {'Add': '+', 'Mul': '*', 'Sub': '-', 'Neg': '-',
              'TrueDiv': '/', 'IntDiv': '//', 'Pow': '**', 'Mod': '%'}


def _scalar_class(scalar_op):
    return type(scalar_op).__name__


def _cast_str(scalar_op):
    return 'Cast{%s}' % scalar_op.o_type.dtype


def _tensor_name(scalar_op):
    """The name of Theano's tensor function of a scalar op (``gt``,
    ``true_div``, ``abs_``)."""
    cls = _scalar_class(scalar_op)
    if cls in _TENSOR_NAMES:
        return _TENSOR_NAMES[cls]
    return (getattr(scalar_op, 'name', None) or cls).lower()


def _composite_str(composite):
    """``Composite{...}`` as Theano named it: each output as a formula of
    its inputs ``i0``, ``i1``..., operators in parentheses."""
    fgraph = composite.fgraph
    names = {var: 'i%d' % i for i, var in enumerate(fgraph.inputs)}

    def formula(var):
        if var in names:
            return names[var]
        if var.owner is None:
            return theano_variable_str(var)
        op = var.owner.op
        args = [formula(inp) for inp in var.owner.inputs]
        cls = _scalar_class(op)
        if cls in _OPERATORS:
            if len(args) == 1:
                return '(%s%s)' % (_OPERATORS[cls], args[0])
            return '(%s)' % (' %s ' % _OPERATORS[cls]).join(args)
        return '%s(%s)' % (_scalar_str(op), ', '.join(args))
    return 'Composite{%s}' % ', '.join(formula(out) for out in fgraph.outputs)


def _scalar_str(scalar_op):
    """A scalar op inside Theano's ``Composite{...}``."""
    cls = _scalar_class(scalar_op)
    if cls == 'Composite':
        return _composite_str(scalar_op)
    if cls == 'Cast':
        return _cast_str(scalar_op)
    if cls in _COMPOSITE_CLASSES:
        return cls
    if cls in _COMPOSITE_NAMES:
        return _COMPOSITE_NAMES[cls]
    return (getattr(scalar_op, 'name', None) or cls).lower()


def _elemwise_str(op, node):
    scalar_op = op.scalar_op
    cls = _scalar_class(scalar_op)
    if op.inplace_pattern:
        if cls == 'Composite':
            inner = _composite_str(scalar_op)
        elif cls == 'Cast':
            inner = _cast_str(scalar_op)
        else:
            inner = _CLASS_NAMES.get(cls, cls)
        return 'Elemwise{%s}%s' % (inner, sorted(op.inplace_pattern.items()))
    if cls == 'Composite':
        return 'Elemwise{%s}' % _composite_str(scalar_op)
    if cls == 'Cast':
        return 'Elemwise{%s}' % _cast_str(scalar_op)
    if cls == 'Identity':
        return 'Elemwise{identity}'
    if cls in _BARE_NAMES:
        return _BARE_NAMES[cls]
    return 'Elemwise{%s,no_inplace}' % _tensor_name(scalar_op)


def _index_dtype(node, position):
    """The dtype of the index input at ``position`` of an idx_list."""
    return str(node.inputs[position + (2 if _is_inc(node.op) else 1)]
               .type.dtype)


def _is_inc(op):
    return hasattr(op, 'set_instead_of_inc')


def _indices_str(op, node):
    """Theano's ``int64:int64:``, ``::, int64``: each index by its
    dtype."""
    def part(entry):
        if entry is None:
            return ''
        if isinstance(entry, int) and node is not None:
            return _index_dtype(node, entry)
        return str(entry)
    written = []
    for entry in op.idx_list:
        if isinstance(entry, slice):
            written.append(':'.join(part(p) for p in (entry.start, entry.stop,
                                                      entry.step)))
        else:
            written.append(part(entry))
    return ', '.join(written)


def _subtensor_str(op, node):
    return 'Subtensor{%s}' % _indices_str(op, node)


def _inc_subtensor_str(op, node):
    return 'IncSubtensor{%s%s;%s}' % (
        'Inplace' if op.destroy_map else '',
        'Set' if op.set_instead_of_inc else 'Inc', _indices_str(op, node))


def _one_vector_index(op, node):
    """Whether an advanced (inc)subtensor indexes the first axis with one
    integer vector: Theano's AdvancedSubtensor1 and AdvancedIncSubtensor1
    (PyTensor has one op for every advanced index)."""
    index = node.inputs[-1] if node is not None else None
    return (tuple(op.idx_list) == (0,) and index is not None
            and getattr(index.type, 'ndim', None) == 1
            and str(index.type.dtype).startswith(('int', 'uint')))


def _advanced_str(op, node):
    if _one_vector_index(op, node):
        return 'AdvancedSubtensor1'
    return 'AdvancedSubtensor'


def _advanced_inc_str(op, node):
    if _one_vector_index(op, node):
        return 'AdvancedIncSubtensor1{%s,%s}' % (
            'inplace' if op.inplace else 'no_inplace',
            'set' if op.set_instead_of_inc else 'inc')
    return 'AdvancedIncSubtensor{inplace=%s,  set_instead_of_inc=%s}' % (
        op.inplace, op.set_instead_of_inc)


def _sum_str(op, node):
    axis = ''
    if op.axis is not None:
        axis = 'axis=[%s], ' % ', '.join(str(a) for a in op.axis)
    return 'Sum{%sacc_dtype=%s}' % (axis, op.acc_dtype)


def _prod_str(op, node):
    return 'Prod{axis=%r, dtype=%r, acc_dtype=%r}' % (
        None if op.axis is None else tuple(op.axis), op.dtype, op.acc_dtype)


def _dimshuffle_str(op, node):
    # PyTensor's DimShuffle (and ExpandDims, Squeeze, Transpose) is a view
    # of its input: Theano's InplaceDimShuffle
    return 'InplaceDimShuffle{%s}' % ','.join(str(a) for a in op.new_order)


def _blas_str(name):
    def spell(op, node):
        return '%s{%s}' % (name, 'inplace' if op.destroy_map
                           else 'no_inplace')
    return spell


def _ger_str(op, node):
    return 'Ger{%s}' % ('destructive' if op.destroy_map
                        else 'non-destructive')


def _unbroadcast_str(op, node):
    pattern = ['?'] * (1 + max(op.axes)) if op.axes else []
    for axis in op.axes:
        pattern[axis] = '0'
    return 'Rebroadcast{%s}' % ','.join(pattern)


def _scan_str(op, node):
    kind = 'do_while' if op.info.as_while else 'for'
    if op.destroy_map:
        # Theano's spelling, its missing brace included
        return '%sall_inplace,cpu,%s}' % (kind, op.name)
    return '%s{cpu,%s}' % (kind, op.name)


def _constant(text):
    return lambda op, node: text


# {PyTensor op class name: its Theano spelling, a function (op, node)}.
# An op's class and its bases are looked up in turn; an op none of whose
# classes is here keeps PyTensor's str.  (Gemv and Ger: Theano's names
# without its C BLAS, as recorded with blas.ldflags=.)
OP_SPELLINGS = {
    'Elemwise': _elemwise_str,
    'DimShuffle': _dimshuffle_str,
    'Sum': _sum_str,
    'Prod': _prod_str,
    'Dot': _constant('dot'),
    'Dot22': _constant('Dot22'),
    'Dot22Scalar': _constant('Dot22Scalar'),
    'Gemv': _blas_str('Gemv'),
    'CGemv': _blas_str('Gemv'),
    'Gemm': _blas_str('Gemm'),
    'Ger': _ger_str,
    'CGer': _ger_str,
    'Softmax': _constant('Softmax'),
    'LogSoftmax': _constant('LogSoftmax'),
    'SoftmaxGrad': _constant('SoftmaxGrad'),
    'Subtensor': _subtensor_str,
    'IncSubtensor': _inc_subtensor_str,
    'AdvancedSubtensor1': _constant('AdvancedSubtensor1'),
    'AdvancedSubtensor': _advanced_str,
    'AdvancedIncSubtensor': _advanced_inc_str,
    'Unbroadcast': _unbroadcast_str,
    'Scan': _scan_str,
}


def theano_op_str(op, node=None):
    """An op as Theano 1.0.5 wrote it (see ``OP_SPELLINGS``); ``node``
    (its ``Apply``) gives the dtypes of a subtensor's indices."""
    for cls in type(op).__mro__:
        spell = OP_SPELLINGS.get(cls.__name__)
        if spell is not None:
            try:
                return spell(op, node)
            except (AttributeError, IndexError, TypeError):
                break  # not the op Theano had under that name
    return str(op)


# ----------------------------------------------------------------------------
# debugprint

# PyTensor's options that only its own format shows
_PYTENSOR_OPTIONS = ('print_shape', 'print_op_info', 'print_fgraph_inputs',
                     'print_memory_map')


def _letters(number):
    """Theano's ids: A, B, ... Z, BA, BB... (the number in base 26)."""
    text = ''
    while True:
        number, digit = divmod(number, 26)
        text = chr(ord('A') + digit) + text
        if number == 0:
            return text


def _is_scan(var):
    return (var.owner is not None
            and type(var.owner.op).__name__ == 'Scan')


class _GraphText(object):
    """One ``debugprint`` call: the ids given so far, the nodes printed,
    the scan ops met, and where the lines go."""

    def __init__(self, out, ids, done, print_type, stop_on_name,
                 print_clients, print_destroy_map, print_view_map):
        self.out = out
        self.ids = ids
        self.done = done
        self.used_ids = {}
        self.print_type = print_type
        self.stop_on_name = stop_on_name
        self.print_clients = print_clients
        self.print_destroy_map = print_destroy_map
        self.print_view_map = print_view_map
        self.scan_ops = []

    def id_of(self, obj, var, printed=True):
        """``obj``'s id, given at its first mention (``var``: the
        variable of the line, whose ``id()`` ``ids='id'`` shows)."""
        if obj in self.used_ids:
            text = self.used_ids[obj]
        elif isinstance(obj, str):  # Theano's 'output' takes an id too
            text = obj
        elif self.ids == 'id':
            text = '[id %s]' % id(var)
        elif self.ids == 'int':
            text = '[id %d]' % len(self.used_ids)
        elif self.ids == 'CHAR':
            text = '[id %s]' % _letters(len(self.used_ids))
        elif self.ids == '':
            text = ''
        else:
            raise ValueError("ids must be 'CHAR', 'int', 'id' or '', not %r"
                             % (self.ids,))
        if printed:
            self.done[obj] = text
        self.used_ids[obj] = text
        return text

    def write(self, var, prefix='', depth=-1, order=None, smap=None,
              fgraph=None, prefix_child=None, inner_to_outer=None):
        """The lines of ``var`` and (the first time) of its inputs."""
        if depth == 0:
            return
        if prefix_child is None:
            prefix_child = prefix
        type_str = ' <%s>' % theano_type_str(var.type) if self.print_type \
            else ''
        node = var.owner
        if node is None:
            self.write_leaf(var, prefix, type_str, smap, inner_to_outer)
            return
        destroy = view = ''
        if self.print_destroy_map and node.op.destroy_map:
            destroy = 'd=%s' % (node.op.destroy_map,)
        if self.print_view_map and node.op.view_map:
            view = 'v=%s' % (node.op.view_map,)
        position = str(order.index(node)) if order else ''
        already_printed = node in self.done
        id_text = self.id_of(node, var)
        index = '' if len(node.outputs) == 1 else \
            '.%d' % node.outputs.index(var)
        data = ' %s' % (smap.get(node.outputs[0], ''),) if smap else ''
        clients = ''
        if self.print_clients and fgraph is not None:
            readers = fgraph.clients.get(var, [])
            if len(readers) > 1:
                listed = []
                for client, _ in readers:
                    if order is not None and client in order:
                        listed.append((self.id_of(client, var, False),
                                       order.index(client)))
                    else:  # PyTensor's mark of a graph output
                        listed.append((self.id_of('output', var, False), ''))
                clients = ' clients:%s' % (listed,)
        self.out.write("%s%s%s %s%s '%s' %s %s %s%s%s\n" % (
            prefix, theano_op_str(node.op, node), index, id_text, type_str,
            var.name or '', destroy, view, position, data, clients))
        if already_printed or (self.stop_on_name and var.name is not None):
            return
        last = len(node.inputs) - 1
        for i, inp in enumerate(node.inputs):
            child = prefix_child + ('  ' if i == last else ' |')
            if _is_scan(inp):
                self.scan_ops.append(inp)
            self.write(inp, prefix_child + ' |', depth - 1, order, smap,
                       fgraph, child, inner_to_outer)

    def write_leaf(self, var, prefix, type_str, smap, inner_to_outer):
        if inner_to_outer is not None and var in inner_to_outer:
            id_text = self.id_of(var, var)
            outer = inner_to_outer[var]
            outer_id = self.id_of(outer.owner if outer.owner is not None
                                  else outer, outer)
            self.out.write('%s%s %s%s -> %s\n' % (
                prefix, theano_variable_str(var), id_text, type_str,
                outer_id))
            return
        data = ' %s' % (smap.get(var, ''),) if smap else ''
        self.out.write('%s%s %s%s%s\n' % (prefix, theano_variable_str(var),
                                         self.id_of(var, var), type_str,
                                         data))

    def write_scan_inner_graphs(self, depth):
        """Theano's section after the graphs: each scan op met, then its
        inner graph's outputs, their lines marked `` >``, the inner
        inputs with the id of the outer input they stand for."""
        self.out.write('\nInner graphs of the scan ops:\n')
        for scan_var in self.scan_ops:  # grows as nested scans are met
            op = scan_var.owner.op
            compiled = getattr(op, '_fn', None)
            inner = compiled.maker.fgraph if compiled is not None \
                else op.fgraph
            mapping = op.get_oinp_iinp_iout_oout_mappings()[
                'outer_inp_from_inner_inp']
            outer_inputs = scan_var.owner.inputs
            inner_to_outer = {inner.inputs[i]: outer_inputs[o]
                              for i, o in mapping.items()
                              if i < len(inner.inputs)}
            self.out.write('\n')
            self.write(scan_var, depth=depth, inner_to_outer=inner_to_outer)
            for out in inner.outputs:
                if _is_scan(out):
                    self.scan_ops.append(out)
                self.write(out, ' >', depth, prefix_child=' >',
                           inner_to_outer=inner_to_outer)


def debugprint(obj, depth=-1, print_type=False, file=None, ids='CHAR',
               stop_on_name=False, done=None, print_storage=False,
               print_clients=False, used_ids=None, **options):
    """Print a graph as text, as Theano's ``debugprint`` did (see the
    module's docstring for the format).

    :param obj: a compiled function, a variable, an ``Apply``, a
        ``FunctionGraph``, an ``In``/``Out``, a number or an array, or a
        list, tuple or set of them
    :param depth: how deep to go (-1: all the way)
    :param print_type: print each variable's type too
    :param file: None (stdout), ``'str'`` (return the text) or a file
    :param ids: ``'CHAR'`` (``[id A]``), ``'int'`` (``[id 0]``), ``'id'``
        (Python's ``id``) or ``''`` (none)
    :param stop_on_name: print nothing below a named variable
    :param done: a dict of the nodes printed, shared between calls: a
        node printed by an earlier call shows no inputs again (each call
        gives its ids afresh, as Theano's did)
    :param print_storage: print the values a function's storage holds
    :param print_clients: on the lines of a compiled graph's results that
        several nodes read, the readers: ``clients:[(id, position), ...]``
        (``('output', '')`` for the function's output)
    :param used_ids: taken for Theano's signature; Theano ignored it too
    :param options: ``print_destroy_map``, ``print_view_map`` (Theano's
        ``d=...``, ``v=...``), or PyTensor's own options (``print_shape``,
        ``print_op_info``...), which print PyTensor's format
    :returns: the text for ``file='str'``, ``file`` for a file, else None
    """
    if 'id_type' in options:  # PyTensor's name for ids
        ids = options.pop('id_type')
    if set(options) & set(_PYTENSOR_OPTIONS):
        text = _pt_printing.debugprint(
            obj, depth=depth, print_type=print_type, file=file, id_type=ids,
            stop_on_name=stop_on_name, done=done,
            print_storage=print_storage, **options)
        return None if file is None else text
    unknown = set(options) - {'print_destroy_map', 'print_view_map'}
    if unknown:
        raise TypeError('debugprint() got an unexpected keyword argument %r'
                        % sorted(unknown)[0])
    if not isinstance(depth, int):
        raise Exception('depth parameter must be an int')
    out = io.StringIO() if file == 'str' else (
        sys.stdout if file is None else file)
    text = _GraphText(out, ids, {} if done is None else done, print_type,
                      stop_on_name, print_clients,
                      options.get('print_destroy_map', False),
                      options.get('print_view_map', False))
    roots = []  # (variable, running order, storage, graph)
    items = obj if isinstance(obj, (list, tuple, set)) else [obj]
    for item in items:
        if isinstance(item, Variable):
            roots.append((item, None, None, None))
        elif isinstance(item, Apply):
            roots.extend((var, None, None, None) for var in item.outputs)
        elif isinstance(item, _Function):
            fgraph = item.maker.fgraph
            order = fgraph.toposort()
            storage = item.vm.storage_map if print_storage else None
            roots.extend((var, order, storage, fgraph)
                         for var in fgraph.outputs)
        elif isinstance(item, FunctionGraph):
            order = item.toposort()
            roots.extend((var, order, getattr(item, 'storage_map', None),
                          item) for var in item.outputs)
        elif isinstance(item, (int, float, numpy.ndarray)):
            print(item, file=out)
        elif isinstance(item, (SymbolicInput, SymbolicOutput)):
            roots.append((item.variable, None, None, None))
        else:
            raise TypeError('debugprint cannot print an object of this type',
                            item)
    for var, order, storage, fgraph in roots:
        if _is_scan(var):
            text.scan_ops.append(var)
        text.write(var, depth=depth, order=order, smap=storage,
                   fgraph=fgraph)
    if text.scan_ops:
        text.write_scan_inner_graphs(depth)
    if file == 'str':
        return out.getvalue()
    if file is None:
        out.flush()
        return None
    return file


# ----------------------------------------------------------------------------
# pp

# Theano's greek leaves
_GREEK = {name: '\\' + name
          for name in ('alpha', 'beta', 'gamma', 'delta', 'epsilon')}
# PyTensor's printers of ops that Theano wrote otherwise (Subtensor) or
# as any op, by its spelling and inputs
_NOT_THEANOS = ('Sum', 'Subtensor', 'IncSubtensor', 'AdvancedSubtensor',
                'AdvancedIncSubtensor')


def _subtensor_formula(printer, node, pstate):
    """``x[...]`` as Theano's pp wrote a subtensor: each scalar index by
    the formula of the *last* index input not yet written (Theano's
    order), each slice by its bounds' dtypes (``x[int64:int64]``; a
    start of 0 is blank)."""
    inputs = list(node.inputs[1:])
    written = []
    for entry in node.op.idx_list:
        if isinstance(entry, slice):
            parts = [_index_dtype(node, part) if part is not None else ''
                     for part in (entry.start, entry.stop)]
            step = (':%s' % _index_dtype(node, entry.step)
                    if entry.step is not None else '')
            written.append('%s:%s%s' % (parts[0], parts[1], step))
        else:
            written.append(printer.process(inputs.pop(), pstate))
    old = getattr(pstate, 'precedence', None)
    pstate.precedence = 1000
    try:
        base = printer.process(node.inputs[0], pstate)
    finally:
        pstate.precedence = old
    return '%s[%s]' % (base, ', '.join(written))


class PPrinter(_pt_printing.PPrinter):
    """Formulas as Theano's ``pp`` wrote them.

    PyTensor's printers of operators, subtensors and the like are
    Theano's (they share PyTensor's registry, so what either learns by
    ``pprint.assign`` the other prints too); the leaves are Theano's
    (``TensorConstant{1}``, ``<TensorType(float64, vector)>``), an
    elementwise op without a printer of its own is written as Theano's
    function of its name (``gt(x, y)``, ``exp(x)``, ``sigmoid(x)``),
    ``T.dot`` of a vector (in PyTensor a ``Dot`` of matrices between
    ``ExpandDims`` and ``Squeeze``) is Theano's ``(x \\dot w)``, and any
    other op is Theano's spelling of it followed by its inputs.  Beyond
    Theano's ``pp(var)``, ``pp(var, pstate)`` and ``pp(inputs, outputs,
    updates)``, it takes compiled functions and lists.
    """

    def __call__(self, *args):
        if len(args) == 1:
            (obj,) = args
            if isinstance(obj, (list, tuple)):
                return '\n'.join(self(item) for item in obj)
            if isinstance(obj, _Function):
                return self.process_function(obj)
            if isinstance(obj, FunctionGraph):
                return self.process_graph(obj.inputs, obj.outputs)
        return super().__call__(*args)

    def process(self, r, pstate=None):
        if pstate is None:
            pstate = _pt_printing.PrinterState(pprinter=self)
        elif isinstance(pstate, dict):
            pstate = _pt_printing.PrinterState(pprinter=self, **pstate)
        if r in pstate.memo:
            return pstate.memo[r]
        node = getattr(r, 'owner', None)
        if node is not None:
            dot = self._vector_dot(r, pstate)
            if dot is not None:
                return dot
            if type(node.op).__name__ == 'Subtensor':
                text = _subtensor_formula(self, node, pstate)
                pstate.memo[r] = text
                return text
            if type(node.op).__name__ not in _NOT_THEANOS:
                for key in (node.op, type(node.op)):
                    if key in self.printers_dict:
                        return self.printers_dict[key].process(r, pstate)
        for condition, printer in self.printers:
            if printer in (_pt_printing.default_printer,
                           _pt_printing.constant_printer):
                continue  # PyTensor's spelling: Theano's follows
            if condition(pstate, r):
                return printer.process(r, pstate)
        if node is None:
            text = _GREEK.get(r.name) or theano_variable_str(r)
        else:
            text = '%s(%s)' % (self._function_name(node),
                               self._inputs(node.inputs, pstate))
        pstate.memo[r] = text
        return text

    def _inputs(self, inputs, pstate):
        old = getattr(pstate, 'precedence', None)
        pstate.precedence = -1000
        try:
            return ', '.join(self.process(inp, pstate) for inp in inputs)
        finally:
            pstate.precedence = old

    @staticmethod
    def _function_name(node):
        """Theano's name of the function an op prints as: an elementwise
        op's tensor function (``gt``, ``exp``), else Theano's spelling of
        the op."""
        op = node.op
        cls = type(op).__name__
        if cls == 'Elemwise' and not op.inplace_pattern:
            scalar_cls = _scalar_class(op.scalar_op)
            if scalar_cls not in ('Composite', 'Cast', 'Identity'):
                return _BARE_NAMES.get(scalar_cls) or _tensor_name(
                    op.scalar_op)
        return theano_op_str(op, node)

    def _vector_dot(self, r, pstate):
        """``(a \\dot b)`` for PyTensor's ``T.dot`` of a matrix and a
        vector (or a vector and a matrix, or two vectors): a ``Squeeze``
        of a ``Dot`` whose vector inputs were expanded to matrices."""
        node = r.owner
        if type(node.op).__name__ != 'DimShuffle' or 'x' in node.op.new_order:
            return None
        inner = node.inputs[0].owner
        if inner is None or type(inner.op).__name__ != 'Dot':
            return None
        kept = [a for a in node.op.new_order]
        dropped = sorted(set(range(node.inputs[0].ndim)) - set(kept))
        operands = []
        for axis, operand in zip((0, 1), inner.inputs):
            expand = operand.owner
            if (expand is not None
                    and type(expand.op).__name__ == 'DimShuffle'
                    and expand.op.new_order in (('x', 0), (0, 'x'))
                    and expand.op.new_order.index('x') == axis
                    and axis in dropped):
                operands.append(expand.inputs[0])
                dropped.remove(axis)
            else:
                operands.append(operand)
        if dropped or operands == inner.inputs:
            return None
        old = getattr(pstate, 'precedence', None)
        pstate.precedence = -1
        try:
            text = '(%s)' % (' %s ' % _pt_printing.special['middle_dot']).join(
                self.process(operand, pstate) for operand in operands)
        finally:
            pstate.precedence = old
        pstate.memo[r] = text
        return text

    def process_function(self, fn):
        """A compiled function's graph: its outputs, then its updates."""
        fgraph = fn.maker.fgraph
        updated = fgraph.update_mapping or {}  # {output: input position}
        returned = [out for i, out in enumerate(fgraph.outputs)
                    if i not in updated]
        updates = {fgraph.inputs[i]: fgraph.outputs[o]
                   for o, i in updated.items()}
        inputs = [v for v in fgraph.inputs if v not in updates]
        return self.process_graph(inputs, returned, updates)


pprint = PPrinter()
# the same registry of printers as PyTensor's pprint, so that what either
# learns (pprint.assign) the other prints too
pprint.printers = _pt_printing.pprint.printers
pprint.printers_dict = _pt_printing.pprint.printers_dict
pp = pprint


# ----------------------------------------------------------------------------
# pydotprint

def pydotprint(fct, outfile=None, compact=True, format='png', with_ids=False,
               high_contrast=True, cond_highlight=None, colorCodes=None,
               max_label_size=70, scan_graphs=False,
               var_with_name_simple=False, print_output_file=True,
               return_image=False):
    """Draw a graph with Graphviz into ``outfile``, as Theano's did.

    :param fct: a compiled function, a ``FunctionGraph``, a variable, an
        ``Apply`` or a list of variables
    :param outfile: the file to write; by default
        ``theano.pydotprint.<device>.<format>`` in the compile folder
    :param format: any format of Graphviz's (``png``, ``svg``, ``pdf``...)
    :param return_image: return the picture's bytes instead of writing it
    The other arguments are PyTensor's (see ``pytensor.printing``).
    """
    items = fct if isinstance(fct, (list, tuple)) else None
    if items is not None and not all(isinstance(v, Variable) for v in items):
        raise TypeError(
            'pydotprint takes a compiled function, a FunctionGraph, a '
            'variable, an Apply node or a list of variables, not a list '
            'holding %s; draw each function by itself'
            % ', '.join(sorted({type(v).__name__ for v in items
                                if not isinstance(v, Variable)})))
    if items is None and not isinstance(
            fct, (_Function, FunctionGraph, Variable, Apply)):
        raise TypeError(
            'pydotprint takes a compiled function, a FunctionGraph, a '
            'variable, an Apply node or a list of variables, not %s'
            % type(fct).__name__)
    try:
        import pydot  # noqa: F401
    except ImportError:
        raise ImportError(
            "theano.printing.pydotprint needs pydot: pip install -e "
            "'.[debug]' (and Graphviz's dot program, e.g. apt-get install "
            "graphviz)") from None
    if outfile is None:
        from theano_compat.engine.flags import FLAGS
        outfile = os.path.join(str(pytensor.config.compiledir),
                               'theano.pydotprint.%s.%s'
                               % (FLAGS['device'], format))
    if items is not None:
        fct = list(items)
    return _pt_printing.pydotprint(
        fct, outfile=outfile, compact=compact, format=format,
        with_ids=with_ids, high_contrast=high_contrast,
        cond_highlight=cond_highlight, colorCodes=colorCodes,
        max_label_size=max_label_size, scan_graphs=scan_graphs,
        var_with_name_simple=var_with_name_simple,
        print_output_file=print_output_file, return_image=return_image)


__getattr__ = module_getattr(__name__)
