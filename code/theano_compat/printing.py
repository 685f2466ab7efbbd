"""``theano.printing``: graphs as text and as pictures, and the ``Print`` op.

PyTensor kept Theano's printing tools (``pytensor.printing``) and renamed
a few of their arguments; here they take Theano's:

``debugprint(obj, depth=-1, print_type=False, file=None, ids='CHAR', ...)``
    the graph of a compiled function, a variable, an ``Apply`` node, a
    ``FunctionGraph``, an ``In``/``Out`` or a list of them, as indented
    text: to stdout (returning None), to a file (returning it) or, with
    ``file='str'``, as the returned string.  ``ids`` is Theano's name for
    PyTensor's ``id_type`` (``'CHAR'``, ``'int'``, ``'id'`` or ``''``);
    ``print_clients`` (which PyTensor dropped) notes, on the nodes of a
    compiled graph whose result several nodes read, who reads it.  The
    ops are PyTensor's, so their names differ from Theano's.
``pp(var)`` (``pprint``)
    a variable as a formula.  Beyond Theano's, it also takes a compiled
    function (Theano's ``pprint.process_graph`` of its graph: ``return
    ...``, or ``out[i] = ...`` lines and a ``shared <- ...`` line per
    update) and lists, one item a line.
``pydotprint(fct, outfile=None, format='png', ...)``
    the graph as a picture drawn by Graphviz; needs ``pydot`` (``pip
    install -e '.[debug]'``) and Graphviz's ``dot`` program.  Without
    ``outfile``, it writes ``theano.pydotprint.<device>.<format>`` in
    PyTensor's compile folder, as Theano wrote it in its own.
``Print(message, attrs=('__str__',))``
    an op that passes its input through and prints it (or the named
    attributes of it, such as ``'shape'``) each time the function runs,
    in the C backend and in mode JAX alike.

The other names of Theano's module are PyTensor's (``min_informative_str``,
the printer classes...).
"""

import os
import re
import sys

import numpy
import pytensor
import pytensor.printing as _pt_printing
from pytensor.compile.executor import Function as _Function
from pytensor.graph.basic import Apply, Variable
from pytensor.graph.fg import FunctionGraph
from pytensor.printing import Print  # noqa: F401

from theano_compat.names import module_getattr

__all__ = ['debugprint', 'pp', 'pprint', 'PPrinter', 'pydotprint', 'Print']


# ----------------------------------------------------------------------------
# debugprint

def debugprint(obj, depth=-1, print_type=False, file=None, ids='CHAR',
               stop_on_name=False, done=None, print_storage=False,
               print_clients=False, used_ids=None, **options):
    """Print a graph as text, as Theano's ``debugprint`` did.

    :param obj: a compiled function, a variable, an ``Apply``, a
        ``FunctionGraph``, an ``In``/``Out``, a number or an array, or a
        list or tuple of them
    :param depth: how deep to go (-1: all the way)
    :param print_type: print each variable's type too
    :param file: None (stdout), ``'str'`` (return the text) or a file
    :param ids: ``'CHAR'`` (``[id A]``), ``'int'`` (``[id 0]``), ``'id'``
        (Python's ``id``) or ``''`` (none)
    :param stop_on_name: print nothing below a named variable
    :param done: a dict of ids already printed, shared between calls
    :param print_storage: print the values a function's storage holds
    :param print_clients: on the nodes of a compiled graph whose output
        several nodes read, note ``clients:[(id, position), ...]``
    :param used_ids: a dict of the ids given so far
    :param options: PyTensor's own options (``print_shape``,
        ``print_destroy_map``, ``print_view_map``...)
    :returns: the text for ``file='str'``, ``file`` for a file, else None
    """
    if 'id_type' in options:  # PyTensor's name for ids
        ids = options.pop('id_type')
    if not print_clients:
        text = _pt_printing.debugprint(
            obj, depth=depth, print_type=print_type, file=file, id_type=ids,
            stop_on_name=stop_on_name, done=done,
            print_storage=print_storage, used_ids=used_ids, **options)
        return None if file is None else text
    # The lines are found again by their ids: with ids='' the text is
    # printed with letters, which are taken out afterwards.
    if ids == '':
        done, used_ids = {}, {}
    elif used_ids is None:
        used_ids = {}
    text = _pt_printing.debugprint(
        obj, depth=depth, print_type=print_type, file='str',
        id_type=ids or 'CHAR', stop_on_name=stop_on_name, done=done,
        print_storage=print_storage, used_ids=used_ids, **options)
    text = _add_clients(text, _graphs_of(obj), used_ids, ids != '')
    if ids == '':
        text = re.sub(r' \[id [^\]]*\]', '', text)
    if file == 'str':
        return text
    out = sys.stdout if file is None else file
    out.write(text)
    out.flush()
    return None if file is None else file


def _graphs_of(obj):
    """The function graphs among ``obj`` (a compiled function, a graph or
    a list of them): those whose clients Theano could print."""
    items = obj if isinstance(obj, (list, tuple, set)) else [obj]
    graphs = []
    for item in items:
        if isinstance(item, _Function):
            graphs.append(item.maker.fgraph)
        elif isinstance(item, FunctionGraph):
            graphs.append(item)
    return graphs


# A printed line: its prefix (tree drawing), the op, the output number of
# a node with several (".1"), then the id.
_LINE = re.compile(r'^(?P<head>.*?)(?:\.(?P<out>\d+))? (?P<id>\[id [^\]]+\])')


def _add_clients(text, graphs, used_ids, show_ids=True):
    """``text`` with Theano's ``clients:[...]`` note on the lines of the
    nodes whose output has more than one client in ``graphs`` (each
    client by its id, or ``''`` without ``show_ids``, as Theano wrote
    it, and its position in the running order)."""
    notes = {}
    for fgraph in graphs:
        order = fgraph.toposort()
        position = {node: i for i, node in enumerate(order)}
        for node in order:
            for number, output in enumerate(node.outputs):
                clients = fgraph.clients.get(output, [])
                if len(clients) < 2:
                    continue
                listed = []
                for client, _ in clients:
                    if client in position:
                        listed.append((used_ids.get(client, '') if show_ids
                                       else '', position[client]))
                    else:  # PyTensor's marker of a graph output
                        listed.append(('output', ''))
                key = (used_ids.get(node),
                       number if len(node.outputs) > 1 else None)
                notes[key] = ' clients:%s' % (listed,)
    if not notes:
        return text
    lines = text.split('\n')
    for i, line in enumerate(lines):
        match = _LINE.match(line)
        if match is None:
            continue
        out = match.group('out')
        key = (match.group('id'), int(out) if out is not None else None)
        if key in notes:
            lines[i] = line + notes[key]
    return '\n'.join(lines)


# ----------------------------------------------------------------------------
# pp

class PPrinter(_pt_printing.PPrinter):
    """PyTensor's formula printer, also taking compiled functions and lists.

    ``pp(var)`` and Theano's other forms (``pp(var, pstate)``,
    ``pp(inputs, outputs, updates)``) are PyTensor's.
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
