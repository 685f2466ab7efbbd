"""Where every Theano name comes from: the one table of the port.

Theano 1.0.5 laid its names out in a tree of modules (``theano``,
``theano.tensor``, ``theano.tensor.nnet``...).  This package keeps the
tree, and :data:`TABLE` says, for each Theano module path, where its names
come from:

``home``
    the module that stands for the path: one of this package's
    (``theano_compat.tensor.nnet``), or, where PyTensor's module of the
    same meaning serves as it is, PyTensor's
    (``pytensor.compile.sharedvalue``).
    A path whose home is None is left out altogether, with its advice.
``sources``
    modules searched, in order, for a name the home does not define
    itself (``theano.tensor.X`` is ``pytensor.tensor.X``).
``moved``
    names that live elsewhere, one by one: ``'module'`` (the same name
    there) or ``'module:name'``.  This is how PyTensor's own
    ``graph/basic.py`` serves its ``_MOVED_FUNCTIONS``, without its
    warning: a Theano name used as Theano documented it is not
    deprecated here (``theano.tensor.xlogx.xlogy0``).
``left_out``
    names that this port does not provide, each with its category (see
    :data:`CATEGORIES`) and a one-line advice saying what to use.

Lookups go: the home module's own names; then the submodules the table
lists under the path; then ``moved``; then ``left_out``; then
``sources``; then the rules of :data:`RULES` (patterns that hold in every
module, such as Theano's graph rewrites); then :class:`TheanoNameError`.
Every module of this package takes its ``__getattr__`` from
:func:`module_getattr`, and ``python -m theano_compat`` resolves
``import theano.X`` with :func:`import_theano_module`, so the two cannot
disagree.  A name found once is kept on its module, so the lookup runs
once per name.
"""

import importlib
import re
import sys

__all__ = ['TheanoNameError', 'TABLE', 'CATEGORIES', 'RULES', 'Path',
           'module_getattr', 'import_theano_module', 'resolve',
           'left_out_reason', 'theano_path', 'message']


class TheanoNameError(AttributeError):
    """A name of Theano's that this port does not provide.

    An ``AttributeError``, so that ``hasattr`` and ``getattr(...,
    default)`` work as usual; its message is one line saying what to use.
    """


ALIAS = 'theano'
PACKAGE = 'theano_compat'

# Why a name is left out.
UNTIL_17 = 'until #17'
INTERNALS = 'internals'
GPU = 'gpu'
GONE = 'gone'
CATEGORIES = {
    UNTIL_17: 'an operation PyTensor dropped, which issue #17 brings back '
              'with Theano\'s meaning',
    INTERNALS: 'Theano\'s graph, optimizer, linker or C-code internals, '
               'which PyTensor does its own way',
    GPU: 'Theano\'s old GPU back ends; THEANO_FLAGS=device=cuda runs on a '
         'GPU through JAX instead',
    GONE: 'needs a library or a tool that is gone (warp-ctc, MPI, '
          'Theano\'s own test runner)',
}

GENERIC = ('this port of Theano over PyTensor does not provide it, and '
           'PyTensor has no such name either')


class Path(object):
    """What the table says about one Theano module path."""

    __slots__ = ('home', 'sources', 'moved', 'left_out', 'whole')

    def __init__(self, home=None, sources=(), moved=None, left_out=None,
                 whole=None):
        self.home = home
        self.sources = tuple(sources)
        self.moved = dict(moved or {})
        self.left_out = dict(left_out or {})
        # (category, advice) when the whole module is left out
        self.whole = whole


def _gone(category, advice):
    """A module path left out for good (or until #17)."""
    return Path(whole=(category, advice))


def _each(category, advice, *names):
    """``left_out`` entries: the same category and advice for ``names``."""
    return {name: (category, advice) for name in names}


# --- advice shared by several modules ---------------------------------

GPU_ADVICE = ('Theano\'s GPU back end is gone; run on a GPU with '
              'THEANO_FLAGS=device=cuda (through JAX)')
OLD_GPU_ADVICE = ('Theano\'s old GPU back end is gone; run on a GPU with '
                  'THEANO_FLAGS=device=cuda (through JAX)')
GRAPH_ADVICE = ('Theano\'s graph machinery is PyTensor\'s pytensor.graph '
                'now (Apply, Variable, Op are theano.Apply, ...)')
REWRITE_ADVICE = ('a graph rewrite of Theano\'s optimizer; PyTensor '
                  'rewrites graphs its own way (leave one of its rewrites '
                  'out with THEANO_FLAGS=optimizer_excluding=NAME)')
LINKER_ADVICE = ('Theano\'s linkers are gone; choose how a function runs '
                 'with its mode (mode=\'FAST_RUN\', \'FAST_COMPILE\', ...)')
C_CODE_ADVICE = ('registers C code for one of Theano\'s ops; PyTensor\'s '
                 'ops carry their own')
OP_ADVICE = ('an op class of Theano\'s graph that PyTensor does not have; '
             'build graphs with the functions of theano.tensor')
COMPILE_ADVICE = ('an internal step of Theano\'s theano.function; call '
                  'theano.function')
MPI_ADVICE = ('Theano\'s MPI and load-from-disk ops are gone; move data '
              'with mpi4py or numpy.load and theano.shared')


def _until_17(what, instead):
    return ('not provided yet: PyTensor dropped %s, which issue #17 brings '
            'back with Theano\'s meaning; until then, %s' % (what, instead))


CONV_17 = _until_17('this part of Theano\'s convolution module',
                    'the convolutions here are theano.tensor.nnet.conv2d, '
                    'conv3d and conv2d_transpose, and abstract_conv\'s '
                    'gradient functions and ops')
# (Theano 1.0.5's conv3d2d.conv3d(s, f) is conv3d(s.dimshuffle(0, 2, 1, 3,
# 4), f.dimshuffle(0, 2, 1, 3, 4)).dimshuffle(0, 2, 1, 3, 4): checked on
# Theano itself, border_mode='valid')
CONV3D2D_17 = _until_17(
    'the 3-D convolution of theano.tensor.nnet.conv3d2d, whose signals and '
    'filters have the time axis before the channels',
    'use theano.tensor.nnet.conv3d, which takes the channels first: '
    'dimshuffle(0, 2, 1, 3, 4) the signals, the filters and the result')
POOL_17 = _until_17('this part of Theano\'s pooling module',
                    'pooling is here as theano.tensor.signal.pool.pool_2d '
                    'and pool_3d, and the Pool ops behind them')
OLD_CONV_OP_ADVICE = ('the op behind Theano\'s old conv2d; use '
                      'theano.tensor.nnet.conv.conv2d, or '
                      'theano.tensor.nnet.conv2d')
BN_OP_ADVICE = ('an op class of Theano\'s batch normalization; the '
                'functions of theano.tensor.nnet.bn build the graph')

NNET_OPS = dict(
    _each(INTERNALS, OP_ADVICE, 'SoftmaxWithBias',
          'Prepend_scalar_constant_to_each_row',
          'Prepend_scalar_to_each_row', 'CrossentropyCategorical1Hot',
          'CrossentropyCategorical1HotGrad',
          'CrossentropySoftmax1HotWithBiasDx',
          'CrossentropySoftmaxArgmax1HotWithBias'),
    **_each(INTERNALS, 'the scalar op behind softsign; use '
                       'theano.tensor.nnet.softsign', 'ScalarSoftsign',
            'scalar_softsign'),
    SoftmaxGrad=(INTERNALS, 'the op of softmax\'s gradient, which T.grad '
                            'builds (theano.tensor.nnet.softmax_grad '
                            'computes it)'))
NNET_REWRITES = _each(INTERNALS, REWRITE_ADVICE,
                      'crossentropy_to_crossentropy_with_softmax',
                      'crossentropy_to_crossentropy_with_softmax_with_bias',
                      'graph_merge_softmax_with_crossentropy_softmax',
                      'softmax_simplifier')
# nnet.nnet's functions, wherever Theano re-exported them
NNET_NNET = {name: 'theano_compat.tensor.nnet.nnet' for name in (
    'softsign', 'softmax_op', 'logsoftmax_op', 'softmax_graph',
    'softmax_with_bias', 'sigmoid_binary_crossentropy', 'confusion_matrix',
    'prepend_0_to_each_row', 'prepend_1_to_each_row',
    'prepend_scalar_to_each_row', 'Softmax', 'LogSoftmax')}
NNET_SIGM = {name: 'theano_compat.tensor.nnet.sigm' for name in (
    'scalar_sigmoid', 'sigmoid_inplace', 'ultra_fast_sigmoid_inplace',
    'ultra_fast_scalar_sigmoid', 'scalar_softplus', 'ScalarSigmoid',
    'ScalarSoftplus')}

# theano.tensor's names that live in theano.gradient
GRADIENT_NAMES = {name: 'theano_compat.gradient' for name in (
    'Rop', 'Lop', 'consider_constant', 'grad_not_implemented',
    'grad_undefined', 'numeric_grad', 'verify_grad')}


# --- the table ---------------------------------------------------------

TABLE = {
    'theano': Path(
        home='theano_compat', sources=('pytensor',),
        moved={
            'Apply': 'pytensor.graph.basic',
            'Constant': 'pytensor.graph.basic',
            'Variable': 'pytensor.graph.basic',
            'Op': 'pytensor.graph.op',
            'Type': 'pytensor.graph.type',
            'Generic': 'pytensor.link.c.type',
            'generic': 'pytensor.link.c.type',
            'Container': 'pytensor.link.basic',
            'FunctionGraph': 'pytensor.graph.fg',
            'InconsistencyError': 'pytensor.graph.utils',
            'OpenMPOp': 'pytensor.link.c.op',
            'FunctionMaker': 'pytensor.compile.maker',
            'ProfileStats': 'pytensor.compile.debug.profiling',
            'SymbolicInput': 'pytensor.compile.io',
            'SymbolicOutput': 'pytensor.compile.io',
            'OpFromGraph': 'pytensor.compile.builders',
            'Param': 'theano_compat.compile.io',
            'as_op': 'pytensor.compile.ops',
            'function_dump': 'pytensor.compile.debug.dump',
            'change_flags': 'theano_compat.configparser',
            'clone': 'theano_compat.scan_module',
            'map': 'theano_compat.scan_module',
            'reduce': 'theano_compat.scan_module',
            'foldl': 'theano_compat.scan_module',
            'foldr': 'theano_compat.scan_module',
            'scan_checkpoints': 'theano_compat.scan_module',
            'Rop': 'theano_compat.gradient',
            'Lop': 'theano_compat.gradient',
            'subgraph_grad': 'theano_compat.gradient',
            'OrderedUpdates': 'theano_compat.updates',
            'pp': 'theano_compat.printing',
            'pprint': 'theano_compat.printing',
            'sparse_grad': 'pytensor.sparse',
        },
        left_out=dict(
            _each(INTERNALS, LINKER_ADVICE, 'CLinker', 'OpWiseCLinker',
                  'DualLinker', 'Linker', 'LocalLinker', 'PerformLinker'),
            object2=(GONE, 'a Python 2 base class of Theano\'s; use object'),
            **_each(GONE, 'Theano\'s own logging set-up; configure the '
                          '\'pytensor\' logger with the logging module',
                    'disable_log_handler', 'has_handlers'),
            test=(GONE, 'runs Theano\'s own test suite, which stays with '
                        'Theano'))),
    'theano.configparser': Path(home='theano_compat.configparser'),
    'theano.configdefaults': Path(home='theano_compat.configdefaults'),
    'theano.updates': Path(home='theano_compat.updates'),
    'theano.scan_module': Path(
        home='theano_compat.scan_module', sources=('pytensor.scan',)),
    'theano.ifelse': Path(home='theano_compat.ifelse',
                          sources=('pytensor.ifelse',)),
    'theano.gradient': Path(
        home='theano_compat.gradient', sources=('pytensor.gradient',),
        left_out=dict(
            _each(INTERNALS, 'the op class behind consider_constant; use '
                             'theano.gradient.consider_constant',
                  'ConsiderConstant', 'consider_constant_'),
            format_as=(INTERNALS, 'a helper of Theano\'s grad for the '
                                  'shape of its result; build the list or '
                                  'tuple yourself'))),
    'theano.printing': Path(home='theano_compat.printing',
                            sources=('pytensor.printing',)),
    'theano.sparse': Path(
        home='theano_compat.sparse',
        sources=('pytensor.sparse', 'pytensor.sparse.variable',
                 'pytensor.sparse.basic', 'pytensor.sparse.math'),
        moved={
            'SparseType': 'pytensor.sparse.type:SparseTensorType',
            'hash_from_sparse': 'pytensor.sparse.utils',
            'sgn': 'pytensor.sparse.math:sign',
        },
        left_out=dict(
            _each(INTERNALS, 'an op class of Theano\'s sparse module that '
                             'PyTensor does not have; use theano.sparse\'s '
                             'functions (mul, neg, square_diagonal)',
                  'MulSD', 'MulSS', 'MulSV', 'Neg', 'SquareDiagonal'),
            structured_monoid=(INTERNALS, 'a decorator that built Theano\'s '
                                          'structured sparse ops; use '
                                          'theano.sparse\'s functions'))),

    # --- theano.compile ---
    'theano.compile': Path(
        home='theano_compat.compile', sources=('pytensor.compile',),
        moved={
            'DebugMode': 'theano_compat.compile.debugmode',
            'DisconnectedType': 'pytensor.gradient',
            'NullType': 'pytensor.graph.null_type',
            'OpFromGraph': 'pytensor.compile.builders',
            'Param': 'theano_compat.compile.io',
            'ScanProfileStats': 'pytensor.scan.utils',
            'Shape': 'pytensor.tensor.shape',
            'Shape_i': 'pytensor.tensor.shape',
            'SpecifyShape': 'pytensor.tensor.shape',
            'shape': 'pytensor.tensor.shape',
            'specify_shape': 'pytensor.tensor.shape',
            'Variable': 'pytensor.graph.basic',
            'config': 'theano_compat.configdefaults',
            'io_connection_pattern': 'pytensor.graph.op',
            'is_same_graph': 'pytensor.graph.rewriting.utils',
            'register_shape_c_code': 'pytensor.tensor.shape',
            'register_shape_i_c_code': 'pytensor.tensor.shape',
        },
        left_out=dict(
            _each(INTERNALS, COMPILE_ADVICE, 'check_equal',
                  'convert_function_input', 'fgraph_updated_vars',
                  'get_info_on_inputs', 'orig_function', 'register_checker',
                  'std_fgraph', 'pfunc'),
            shared_constructor=(INTERNALS, 'registers a constructor of '
                                           'theano.shared; PyTensor\'s is '
                                           'pytensor.compile.sharedvalue.'
                                           'shared_constructor.register('
                                           'TYPE)'),
            view_tree_set=(INTERNALS, 'a helper of Theano\'s in-place '
                                      'checks'),
            Rebroadcast=(INTERNALS, 'PyTensor has no Rebroadcast op; use '
                                    'T.addbroadcast, T.unbroadcast or '
                                    'T.patternbroadcast'),
            inline_ofg_expansion=(INTERNALS, REWRITE_ADVICE),
            FAST_RUN=(INTERNALS, 'Theano\'s Mode object of that name; name '
                                 'the mode instead: theano.function(..., '
                                 'mode=\'FAST_RUN\')'))),
    'theano.compile.io': Path(home='theano_compat.compile.io',
                              sources=('pytensor.compile.io',)),
    'theano.compile.ops': Path(
        home='theano_compat.compile.ops',
        sources=('pytensor.compile.ops', 'pytensor.tensor.shape'),
        left_out=dict(
            Rebroadcast=(INTERNALS, 'PyTensor has no Rebroadcast op; use '
                                    'T.addbroadcast, T.unbroadcast or '
                                    'T.patternbroadcast'),
            OutputGuard=(INTERNALS, 'an op of Theano\'s DebugMode '
                                    'internals'),
            shape_i_op=(INTERNALS, 'caches the Shape_i op of each axis; use '
                                   'theano.compile.ops.shape_i'))),
    'theano.compile.function_module': Path(
        home='theano_compat.compile.function_module',
        sources=('pytensor.compile.function.types',
                 'pytensor.compile.maker')),
    'theano.compile.sharedvalue': Path(
        home='pytensor.compile.sharedvalue'),
    'theano.compile.builders': Path(home='pytensor.compile.builders'),
    'theano.compile.profiling': Path(
        home='pytensor.compile.debug.profiling'),
    'theano.compile.mode': Path(home='theano_compat.compile.mode',
                                sources=('pytensor.compile.mode',)),
    'theano.compile.nanguardmode': Path(
        home='theano_compat.compile.nanguardmode',
        sources=('pytensor.compile.debug.nanguardmode',),
        left_out=dict(
            f_compute=(GPU, 'builds the GPU reductions of Theano\'s '
                            'NanGuardMode; ' + GPU_ADVICE),
            **_each(GPU, 'a GPU reduction of Theano\'s NanGuardMode; '
                         + GPU_ADVICE,
                    'f_gpua_absmax', 'f_gpua_max', 'f_gpua_min'))),
    'theano.compile.debugmode': Path(
        home='theano_compat.compile.debugmode',
        sources=('pytensor.compile.debug.debugmode',),
        left_out=_each(INTERNALS, 'the recursive step of Theano\'s '
                                  'debugprint, and how it named nodes; use '
                                  'theano.printing.debugprint(..., '
                                  'ids=\'CHAR\')',
                       'debugprint', 'char_from_number')),

    # --- theano.tensor ---
    'theano.tensor': Path(
        home='theano_compat.tensor',
        sources=('theano_compat.tensor.basic', 'pytensor.tensor'),
        moved=dict(
            GRADIENT_NAMES,
            config='theano_compat.configdefaults',
            pprint='theano_compat.printing',
            min_informative_str='pytensor.printing'),
        left_out=dict(
            _each(GONE, MPI_ADVICE, 'LoadFromDisk', 'MPIRecv', 'MPIRecvWait',
                  'MPISend', 'MPISendWait', 'load', 'send', 'recv', 'isend',
                  'irecv', 'mpi_send_wait_cmp', 'mpi_send_wait_key',
                  'mpi_tag_cmp', 'mpi_tag_key', 'key_to_cmp'))),
    'theano.tensor.basic': Path(
        home='theano_compat.tensor.basic',
        sources=('pytensor.tensor', 'pytensor.tensor.basic',
                 'pytensor.tensor.math', 'pytensor.tensor.shape',
                 'pytensor.tensor.subtensor', 'pytensor.tensor.type',
                 'pytensor.tensor.type_other',
                 'pytensor.tensor.exceptions'),
        moved={
            'Apply': 'pytensor.graph.basic',
            'Type': 'pytensor.graph.type',
            'Generic': 'pytensor.link.c.type',
            'ParamsType': 'pytensor.link.c.params_type',
            'MethodNotDefined': 'pytensor.graph.utils',
            'CAReduce': 'pytensor.tensor.elemwise',
            'DimShuffle': 'pytensor.tensor.elemwise',
            'Elemwise': 'pytensor.tensor.elemwise',
            'DisconnectedType': 'pytensor.gradient',
            'TensorConstantSignature': 'pytensor.tensor.variable',
            'Tensor': 'pytensor.tensor.type:TensorType',
            'int32': 'pytensor.scalar.basic',
            'int32_t': 'pytensor.scalar.basic:int32',
            'abs_': 'pytensor.tensor.math:abs',
            # Theano's T.inv is the reciprocal, not the matrix inverse
            'inv': 'pytensor.tensor.math:reciprocal',
            'isinf_': 'pytensor.tensor.math',
            'isnan_': 'pytensor.tensor.math',
            'advanced_boolean_subtensor':
                'pytensor.tensor.subtensor:advanced_subtensor',
            'advanced_boolean_inc_subtensor':
                'pytensor.tensor.subtensor:advanced_inc_subtensor',
            'advanced_boolean_set_subtensor':
                'pytensor.tensor.subtensor:advanced_set_subtensor',
            # Theano's exceptions that PyTensor raises as their bases
            'AsTensorError': 'builtins:TypeError',
            'EmptyConstantError':
                'pytensor.tensor.exceptions:NotScalarConstantError',
        },
        left_out=dict(
            _each(INTERNALS, OP_ADVICE, 'AdvancedBooleanIncSubtensor',
                  'AdvancedBooleanSubtensor', 'BaseAdvancedIncSubtensor',
                  'BaseAdvancedSubtensor', 'Default', 'DiffOp', 'Flatten',
                  'MaxAndArgmax', 'Mean', 'Rebroadcast', 'Tile', 'Tri',
                  'default', 'setdefault', 'join_'),
            AdvancedBooleanIndexingError=(
                INTERNALS, 'PyTensor indexes with booleans through its '
                           'AdvancedSubtensor and raises IndexError'),
            **_each(INTERNALS, 'a helper of Theano\'s tensor module '
                               'internals', 'adv_index_broadcastable_pattern',
                    'alloc_validate_shape', 'as_index_variable',
                    'check_advanced_indexing_dimensions',
                    'check_and_normalize_axes', 'check_and_reject_bool',
                    'check_equal_numpy', 'constructor', 'div_proxy',
                    'hashtype', 'make_constant', 'numpy_scalar',
                    'get_idx_list'),
            inc_code=(INTERNALS, C_CODE_ADVICE))),
    'theano.tensor.var': Path(home='theano_compat.tensor.var',
                              sources=('pytensor.tensor.variable',)),
    'theano.tensor.type': Path(home='pytensor.tensor.type'),
    'theano.tensor.elemwise': Path(home='pytensor.tensor.elemwise'),
    'theano.tensor.subtensor': Path(home='pytensor.tensor.subtensor'),
    'theano.tensor.sharedvar': Path(home='pytensor.tensor.sharedvar'),
    'theano.tensor.xlogx': Path(
        home='theano_compat.tensor.xlogx',
        left_out=_each(INTERNALS, 'the scalar op behind Theano\'s xlogx and '
                                  'xlogy0; use theano.tensor.xlogx\'s '
                                  'functions', 'XlogX', 'XlogY0',
                       'scalar_xlogx', 'scalar_xlogy0')),
    'theano.tensor.extra_ops': Path(
        home='theano_compat.tensor.extra_ops',
        sources=('pytensor.tensor.extra_ops',),
        left_out=_each(INTERNALS, OP_ADVICE, 'CumprodOp', 'CumsumOp',
                       'DiffOp', 'RepeatOp')),
    'theano.tensor.nlinalg': Path(
        home='theano_compat.tensor.nlinalg',
        sources=('pytensor.tensor.linalg',),
        moved={
            'AllocDiag': 'pytensor.tensor.basic',
            'alloc_diag': 'pytensor.tensor.basic',
            'extract_diag': 'pytensor.tensor.basic',
        },
        left_out=_each(INTERNALS, OP_ADVICE, 'EighGrad', 'QRFull',
                       'QRIncomplete')),
    'theano.tensor.slinalg': Path(
        home='theano_compat.tensor.slinalg',
        sources=('pytensor.tensor.linalg',),
        left_out=_each(INTERNALS, 'an op of the gradient of a Theano '
                                  'decomposition; use T.grad',
                       'CholeskyGrad', 'EigvalshGrad', 'ExpmGrad')),
    'theano.tensor.sort': Path(
        home='theano_compat.tensor.sort', sources=('pytensor.tensor.sort',)),
    'theano.tensor.raw_random': Path(
        home='theano_compat.tensor.raw_random',
        # the draws' in-place rewrite, registered with the package's others
        moved={'random_make_inplace': 'theano_compat.engine.rewrites'}),
    'theano.tensor.shared_randomstreams': Path(
        home='theano_compat.tensor.shared_randomstreams'),
    'theano.tensor.signal': Path(home='theano_compat.tensor.signal'),
    'theano.tensor.signal.pool': Path(
        home='theano_compat.tensor.signal.pool',
        left_out=_each(UNTIL_17, POOL_17, 'MaxPoolRop',
                       'max_pool_2d_same_size', 'PoolingMode_t')),
    'theano.tensor.signal.conv': Path(
        home='theano_compat.tensor.signal.conv'),
    'theano.tensor.signal.downsample': _gone(
        GONE, 'removed before Theano 1.0; use '
              'theano.tensor.signal.pool.pool_2d(input, ws, '
              'ignore_border=True)'),
    'theano.tensor.nnet': Path(
        home='theano_compat.tensor.nnet', sources=('pytensor.tensor',),
        moved=dict(
            NNET_NNET, **NNET_SIGM,
            abstract_conv2d='theano_compat.tensor.nnet.abstract_conv:conv2d'),
        left_out=dict(
            NNET_OPS, **NNET_REWRITES,
            **_each(UNTIL_17, CONV_17, 'separable_conv2d'),
            ConvOp=(INTERNALS, OLD_CONV_OP_ADVICE))),
    'theano.tensor.nnet.nnet': Path(
        home='theano_compat.tensor.nnet.nnet',
        left_out=dict(NNET_OPS, **NNET_REWRITES)),
    'theano.tensor.nnet.sigm': Path(
        home='theano_compat.tensor.nnet.sigm',
        moved={name: 'theano_compat.tensor.nnet' for name in (
            'sigmoid', 'softplus')},
        left_out=dict(
            _each(INTERNALS, 'a helper of Theano\'s sigmoid rewrites',
                  'compute_mul', 'is_1pexp', 'is_exp', 'is_mul', 'is_neg',
                  'parse_mul_tree', 'partition_num_or_denom',
                  'perform_sigm_times_exp', 'replace_leaf', 'simplify_mul'),
            **_each(INTERNALS, REWRITE_ADVICE, 'log1msigm_to_softplus',
                    'log1p_neg_sigmoid', 'log1pexp_to_softplus',
                    'logsigm_to_softplus'),
            UltraFastScalarSigmoid=(INTERNALS, OP_ADVICE))),
    'theano.tensor.nnet.abstract_conv': Path(
        home='theano_compat.tensor.nnet.abstract_conv',
        left_out=_each(UNTIL_17, CONV_17, 'assert_conv_shape',
                       'assert_shape', 'bilinear_kernel_1D',
                       'bilinear_kernel_2D', 'bilinear_upsampling',
                       'frac_bilinear_upsampling', 'border_mode_to_pad',
                       'causal_conv1d', 'check_conv_gradinputs_shape',
                       'get_conv_gradinputs_shape',
                       'get_conv_gradinputs_shape_1axis',
                       'get_conv_gradweights_shape',
                       'get_conv_gradweights_shape_1axis',
                       'get_conv_shape_1axis', 'separable_conv2d',
                       'separable_conv3d')),
    'theano.tensor.nnet.conv': Path(
        home='theano_compat.tensor.nnet.conv',
        left_out=dict(
            ConvOp=(INTERNALS, OLD_CONV_OP_ADVICE),
            gen_conv_code_unroll_batch_kern=(INTERNALS, C_CODE_ADVICE))),
    'theano.tensor.nnet.bn': Path(
        home='theano_compat.tensor.nnet.bn',
        left_out=dict(
            _each(INTERNALS, BN_OP_ADVICE, 'AbstractBatchNormInference',
                  'AbstractBatchNormTrain', 'AbstractBatchNormTrainGrad',
                  'BNComposite'),
            bn_groupopt=(INTERNALS, REWRITE_ADVICE))),
    'theano.tensor.nnet.neighbours': Path(
        home='theano_compat.tensor.nnet.neighbours'),
    'theano.tensor.nnet.conv3d2d': _gone(UNTIL_17, CONV3D2D_17),
    'theano.tensor.nnet.ctc': _gone(
        GONE, 'needs the warp-ctc library, which is gone; write the CTC '
              'loss with theano.scan'),
    'theano.tensor.opt': _gone(INTERNALS, REWRITE_ADVICE),
    'theano.tensor.blas': _gone(
        INTERNALS, 'Theano\'s BLAS ops and rewrites; T.dot is compiled to '
                   'BLAS by PyTensor'),
    'theano.tensor.io': _gone(GONE, MPI_ADVICE),

    # --- theano.sandbox ---
    'theano.sandbox': Path(home='theano_compat.sandbox'),
    'theano.sandbox.rng_mrg': Path(
        home='theano_compat.sandbox.rng_mrg',
        # the draws' in-place rewrite, registered with the package's others
        moved={'mrg_random_make_inplace': 'theano_compat.engine.rewrites'},
        left_out=dict(
            _each(INTERNALS, 'a helper of the MRG generator\'s internals; '
                             'MRG_RandomStreams draws the numbers',
                  'DotModulo', 'matVecModM', 'multMatVect', 'mrg_next_value',
                  'mrg_uniform_base'))),
    'theano.sandbox.multinomial': Path(
        home='theano_compat.sandbox.multinomial'),
    'theano.sandbox.cuda': _gone(GPU, OLD_GPU_ADVICE),
    'theano.sandbox.gpuarray': _gone(GPU, GPU_ADVICE),
    'theano.gpuarray': _gone(GPU, GPU_ADVICE),

    # --- left out whole ---
    'theano.gof': _gone(INTERNALS, GRAPH_ADVICE),
    'theano.tests': _gone(GONE, 'Theano\'s own test suite stays with '
                                'Theano; use numpy.testing'),
}

# Patterns that hold in every module: (regular expression, category,
# advice).  Tried after a module's sources.
RULES = (
    (re.compile(r'local_'), INTERNALS, REWRITE_ADVICE),
    (re.compile(r'register_\w+_c_code$'), INTERNALS, C_CODE_ADVICE),
)

# Under a module left out whole, every module is left out with it.
_WHOLE = {path: entry.whole for path, entry in TABLE.items() if entry.whole}


def theano_path(module_name):
    """``theano_compat.tensor`` -> ``theano.tensor`` (other names as
    they are)."""
    if module_name == PACKAGE or module_name.startswith(PACKAGE + '.'):
        return ALIAS + module_name[len(PACKAGE):]
    return module_name


def message(theano_name, advice=GENERIC):
    """The one-line error for ``theano_name``."""
    return '%s: %s' % (theano_name, advice)


def _whole_module_advice(path):
    """(category, advice) when ``path`` is or is under a module left out
    whole, else None."""
    parts = path.split('.')
    for end in range(len(parts), 0, -1):
        entry = _WHOLE.get('.'.join(parts[:end]))
        if entry is not None:
            return entry
    return None


def left_out_reason(theano_name):
    """(category, advice) of a Theano name or module the table leaves out,
    or None when the table does not leave it out.

    A name is left out by its module's ``left_out``, by the module it
    would come from when that is one of this package's (``theano.tensor``
    names from ``theano.tensor.basic``), or by a rule of :data:`RULES`.
    """
    whole = _whole_module_advice(theano_name)
    if whole is not None:
        return whole
    module, _, name = theano_name.rpartition('.')
    entry = TABLE.get(module)
    if entry is None:
        return None
    if name in entry.left_out:
        return entry.left_out[name]
    for source in entry.sources:
        if source == PACKAGE or source.startswith(PACKAGE + '.'):
            reason = left_out_reason('%s.%s' % (theano_path(source), name))
            if reason is not None:
                return reason
    for pattern, category, advice in RULES:
        if pattern.match(name):
            return category, advice
    return None


def _import(name):
    return importlib.import_module(name)


def _target(spec, name):
    """The object a ``moved`` entry names."""
    module, _, attribute = spec.partition(':')
    return getattr(_import(module), attribute or name)


def import_theano_module(path):
    """The module that stands for the Theano module ``path``.

    :raises ModuleNotFoundError: with the table's advice, for a module
        left out or unknown to the table
    """
    whole = _whole_module_advice(path)
    entry = TABLE.get(path)
    if whole is not None or entry is None or entry.home is None:
        advice = whole[1] if whole else (
            'not a module this port of Theano provides (the table of '
            'theano_compat.names lists those it does)')
        raise ModuleNotFoundError('No module named %r (%s)'
                                  % (path, message(path, advice)), name=path)
    return _import(entry.home)


def resolve(path, name, module_globals=None):
    """The object Theano's ``path.name`` means here (see the module's
    docstring for the order of the lookup).

    :raises TheanoNameError: for a name left out, or unknown
    """
    theano_name = '%s.%s' % (path, name)
    if theano_name in TABLE:
        whole = _whole_module_advice(theano_name)
        if whole is not None:
            raise TheanoNameError(message(theano_name, whole[1]))
        return import_theano_module(theano_name)
    entry = TABLE.get(path)
    if entry is None:
        raise TheanoNameError(message(theano_name))
    if name in entry.moved:
        return _target(entry.moved[name], name)
    if name in entry.left_out:
        raise TheanoNameError(message(theano_name, entry.left_out[name][1]))
    for source in entry.sources:
        module = _import(source)
        if module_globals is not None and vars(module) is module_globals:
            continue
        try:
            return getattr(module, name)
        except AttributeError:
            continue
    reason = left_out_reason(theano_name)
    raise TheanoNameError(message(theano_name, reason[1] if reason
                                  else GENERIC))


def module_getattr(module_name):
    """The module-level ``__getattr__`` of this package's module
    ``module_name``: Theano's other names of its path, from the table.

    Use as ``__getattr__ = module_getattr(__name__)``.
    """
    path = theano_path(module_name)

    def __getattr__(name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError('module %r has no attribute %r'
                                 % (module_name, name))
        module = sys.modules[module_name]
        value = resolve(path, name, vars(module))
        # found once: kept on the module, as an import would
        setattr(module, name, value)
        return value

    __getattr__.__qualname__ = __getattr__.__name__ = '__getattr__'
    return __getattr__
