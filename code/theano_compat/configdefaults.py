"""``theano.config``: every option of Theano 1.0.5, declared one by one.

Each option is declared with its kind, its values and its default as
Theano 1.0.5 had them (``tests/theano_names.json`` records Theano's, and
``tests/test_names.py`` holds these declarations to that record), and
with one of three meanings here (see ``theano_compat.configparser``):

* :func:`_wired`: PyTensor's setting of the same name and meaning;
  reading reads it, assigning assigns it;
* ``getter``/``setter``: a meaning of the port's own (``device``,
  ``mode``, ``optimizer_excluding``, ``numpy.seterr_*``);
* :func:`_inert`: no meaning here (the GPU libraries, ``dnn.*``,
  Theano's warnings about its old bugs, test values): the option keeps
  what it is given, so that programs that set it run unchanged, and its
  docstring says that it changes nothing.

Where the port takes fewer values than Theano (``floatX`` has no
``float16``; ``mode`` names the port's modes), the declaration says so.
After Theano 1.0.5's 140 options come five of its old GPU back end
(``lib.cnmem``, ``nvcc.*``, ``pycuda.init``), which Theano 1.0 ignored and
programs of that time still set.
"""

import numpy

from theano_compat.configparser import (
    BoolParam, ConfigParam, ConfigValueError, EnumStr, FloatParam, IntParam,
    StrParam, TheanoConfigParser)
from theano_compat.engine import flags as _flags
from theano_compat.names import module_getattr

__all__ = ['config']

config = TheanoConfigParser()

# Theano options that PyTensor fixes once it is imported.
FIXED_BY_PYTENSOR = frozenset((
    'optimizer', 'tensor.cmp_sloppy', 'warn.ignore_bug_before',
    'optimizer_including', 'optimizer_requiring', 'cmodule.preload_cache',
    'cmodule.age_thresh_use', 'scan.allow_output_prealloc', 'compile.wait',
    'compile.timeout', 'compiledir_format', 'base_compiledir',
    'compiledir'))

NOTHING = (' Changes nothing in this port: it takes assignments and the '
           'flags, so that programs that set it run unchanged.')
GPU = (' For Theano\'s GPU back ends, which are gone (device=cuda runs '
       'through JAX here).' + NOTHING)
OLD_BUG = (' Theano warned about a bug of one of its earlier versions; '
           'there is no such bug here.' + NOTHING)
TEST_VALUES = (' PyTensor computes no test values (it removed them).'
               + NOTHING)


def _wired(name, doc, param):
    """Declare an option that is PyTensor's setting of the same name."""
    config.add(name, doc, param, pytensor_name=name.replace('.', '__'),
               fixed_by_pytensor=name in FIXED_BY_PYTENSOR)


def _inert(name, doc, param, why=NOTHING):
    """Declare an option without a meaning here."""
    config.add(name, doc + why, param)


# --- the port's own kinds of values ---

class DeviceParam(ConfigParam):
    """``cpu``, or a GPU: ``cuda``, ``cudaN``, ``gpu``, ``gpuN``."""

    kind = 'DeviceParam'

    def convert(self, value):
        if isinstance(value, str) and (_flags.is_known_device(value)
                                       or (value == '' and self.default
                                           == '')):
            return value
        raise ConfigValueError('%r is not supported; use one of: %s'
                               % (value, ', '.join(_flags.DEVICE_VALUES)))

    def describe(self):
        return 'one of ' + ', '.join(_flags.DEVICE_VALUES)


class ModeParam(EnumStr):
    """A mode by name, or a PyTensor ``Mode`` (assigned in a program)."""

    def convert(self, value):
        from pytensor.compile.mode import Mode
        if isinstance(value, Mode):
            return value
        return super().convert(value)


class ExcludingParam(StrParam):
    """Names separated by ``:``; the value is the tuple of names."""

    def cast(self, value):
        if isinstance(value, (tuple, list)):
            return tuple(value)
        return tuple(part for part in str(value).split(':') if part)

    def describe(self):
        return 'names separated by :'


class LazyParam(ConfigParam):
    """None (``'None'``), True or False."""

    def convert(self, value):
        if value in (None, 'None'):
            return None
        try:
            return BoolParam(False).cast(value)
        except ValueError:
            raise ConfigValueError('%r is not None, True or False'
                                   % (value,)) from None

    def describe(self):
        return 'None, True or False'


def _function_module():
    from theano_compat.compile import function_module
    return function_module


def _get_mode():
    return _function_module().MODE


def _set_mode(value):
    if _flags.uses_gpu(_flags.FLAGS) and value != 'JAX':
        raise ConfigValueError(
            'device=%s runs through PyTensor\'s JAX backend; the mode can '
            'only be JAX' % _flags.FLAGS['device'])
    # the default mode of theano.function from now on, as in Theano
    _function_module().MODE = value


def _seterr(kind):
    def apply(value):
        if value != 'None':
            numpy.seterr(**{kind: value})
    return apply


SETERR_VALUES = ('ignore', 'warn', 'raise', 'call', 'print', 'log')

# --- basic ---

_wired('floatX',
       'The dtype of T.matrix() and the like, and of Python floats made '
       'into shared variables or constants. This port takes float64 and '
       'float32 (Theano also took float16).',
       EnumStr('float64', _flags.FLOATX_VALUES[1:]))
_wired('warn_float64',
       'What to do when a float64 variable is made: ignore, warn, raise or '
       'pdb.',
       EnumStr('ignore', ('warn', 'raise', 'pdb')))
_inert('pickle_test_value',
       'Whether pickling a graph keeps its test values.',
       BoolParam(True), TEST_VALUES)
_wired('cast_policy',
       'How operations cast their inputs: custom (Theano\'s rules) or '
       'numpy+floatX.',
       EnumStr('custom', ('numpy+floatX',)))
_inert('int_division',
       'What x / y of two integer tensors gives in Theano. PyTensor\'s / '
       'is always the true division, and // the integer one.',
       EnumStr('int', ('raise', 'floatX')))
_inert('deterministic',
       'Whether to prefer slower, deterministic GPU implementations. The '
       'CPU code of this port is deterministic.',
       EnumStr('default', ('more',)))
config.add('device',
           'Where compiled functions run: cpu, or a GPU (cuda, cuda0, gpu, '
           'gpu0...), through PyTensor\'s JAX backend with the shared '
           'variables kept on the GPU. Fixed once the package is imported, '
           'as in Theano.',
           DeviceParam('cpu', mutable=False),
           getter=lambda: _flags.FLAGS['device'])
_inert('init_gpu_device',
       'The GPU Theano initialised without running on it.',
       DeviceParam('', mutable=False), GPU)
_inert('force_device',
       'Whether Theano refused to start when the device was missing.',
       BoolParam(False, mutable=False), GPU)
config.add('conv.assert_shape',
           'Whether the convolutions check at run time that their inputs '
           'have the shapes their hints gave (input_shape, filter_shape), '
           'and whether theano.tensor.nnet.abstract_conv.assert_shape adds '
           'its check. Off: the hints are checked where the graph knows '
           'the shapes, when it is built. Read when a graph is built.',
           BoolParam(False))
_wired('print_global_stats',
       'Print statistics on the graphs compiled in this process at its '
       'end.',
       BoolParam(False))
_inert('contexts',
       'Theano\'s names for several GPUs (name->dev;...).',
       StrParam('', mutable=False), GPU)
_inert('print_active_device',
       'Whether Theano printed the GPU it used.',
       BoolParam(True, mutable=False), GPU)
_inert('gpuarray.sync',
       'Whether every GPU call waited for its end.',
       BoolParam(False, mutable=False), GPU)
_inert('gpuarray.preallocate',
       'How much GPU memory Theano took at start.',
       FloatParam(0, mutable=False), GPU)
_inert('gpuarray.sched',
       'The scheduling of the GPU\'s streams.',
       EnumStr('default', ('multi', 'single')), GPU)
_inert('gpuarray.single_stream',
       'Whether the GPU ran one stream.',
       BoolParam(True), GPU)
_inert('cuda.root',
       'Where the CUDA toolkit was.',
       StrParam(''), GPU)
_inert('cuda.include_path',
       'Where the CUDA headers were.',
       StrParam(''), GPU)
_inert('dnn.conv.workmem',
       'Theano\'s old name of dnn.conv.algo_fwd.',
       StrParam('', mutable=False), GPU)
_inert('dnn.conv.workmem_bwd',
       'Theano\'s old name of dnn.conv.algo_bwd_filter and _data.',
       StrParam('', mutable=False), GPU)
_inert('dnn.conv.algo_bwd',
       'Theano\'s old name of dnn.conv.algo_bwd_filter and _data.',
       StrParam('', mutable=False), GPU)
_inert('dnn.conv.algo_fwd',
       'The cuDNN algorithm of the forward convolution.',
       EnumStr('small', ('none', 'large', 'fft', 'fft_tiling', 'winograd',
                         'winograd_non_fused', 'guess_once',
                         'guess_on_shape_change', 'time_once',
                         'time_on_shape_change')), GPU)
_inert('dnn.conv.algo_bwd_data',
       'The cuDNN algorithm of the convolution\'s gradient on its input.',
       EnumStr('none', ('deterministic', 'fft', 'fft_tiling', 'winograd',
                        'winograd_non_fused', 'guess_once',
                        'guess_on_shape_change', 'time_once',
                        'time_on_shape_change')), GPU)
_inert('dnn.conv.algo_bwd_filter',
       'The cuDNN algorithm of the convolution\'s gradient on its filters.',
       EnumStr('none', ('deterministic', 'fft', 'small',
                        'winograd_non_fused', 'fft_tiling', 'guess_once',
                        'guess_on_shape_change', 'time_once',
                        'time_on_shape_change')), GPU)
_inert('dnn.conv.precision',
       'The precision of cuDNN\'s convolutions.',
       EnumStr('as_input_f32', ('as_input', 'float16', 'float32',
                                'float64')), GPU)
_inert('dnn.base_path', 'Where cuDNN was.', StrParam(''), GPU)
_inert('dnn.include_path', 'Where cuDNN\'s headers were.', StrParam(''),
       GPU)
_inert('dnn.library_path', 'Where cuDNN\'s library was.', StrParam(''),
       GPU)
_inert('dnn.bin_path', 'Where cuDNN\'s DLL was (Windows).', StrParam(''),
       GPU)
_inert('dnn.enabled',
       'Whether Theano used cuDNN.',
       EnumStr('auto', ('True', 'False', 'no_check')), GPU)
_inert('magma.include_path', 'Where MAGMA\'s headers were.', StrParam(''),
       GPU)
_inert('magma.library_path', 'Where MAGMA\'s library was.', StrParam(''),
       GPU)
_inert('magma.enabled', 'Whether Theano used MAGMA.', BoolParam(False),
       GPU)
_inert('assert_no_cpu_op',
       'What Theano did when an op of a GPU graph ran on the CPU.',
       EnumStr('ignore', ('warn', 'raise', 'pdb')), GPU)

# --- compiling ---

config.add('mode',
           'The mode theano.function compiles in when given none: FAST_RUN '
           '(the C backend with this port\'s rewrites; CVM is the same), '
           'FAST_COMPILE, or PyTensor\'s JAX, NUMBA, C and PYTORCH; or a '
           'Mode. Assigned in a program, it is the default of the '
           'functions compiled after, as in Theano.',
           ModeParam('FAST_RUN', _flags.MODE_VALUES[1:]),
           getter=_get_mode, setter=_set_mode)
_wired('cxx',
       'The C++ compiler of the C backend; empty: no C code.',
       StrParam('g++'))
_wired('linker',
       'The linker of Mode() and of FAST_RUN in PyTensor\'s own modes.',
       EnumStr('cvm', ('c|py', 'py', 'c', 'c|py_nogc', 'vm', 'vm_nogc',
                       'cvm_nogc')))
_wired('allow_gc',
       'Whether the virtual machine frees intermediate results as it '
       'goes.',
       BoolParam(True))
_wired('optimizer',
       'The rewrites of Mode(): o4 (all of FAST_RUN) to o1, fast_compile, '
       'merge, None.',
       EnumStr('o4', ('o3', 'o2', 'o1', 'unsafe', 'fast_run', 'fast_compile',
                      'merge', 'None')))
_wired('optimizer_verbose',
       'Print every rewrite applied.',
       BoolParam(False))
_wired('on_opt_error',
       'What to do when a rewrite fails: warn, raise, pdb or ignore.',
       EnumStr('warn', ('raise', 'pdb', 'ignore')))
_wired('nocleanup',
       'Keep the temporary files of the C compiler.',
       BoolParam(False))
_wired('on_unused_input',
       'What theano.function does with an input its outputs do not use: '
       'raise, warn or ignore.',
       EnumStr('raise', ('warn', 'ignore')))
_wired('tensor.cmp_sloppy',
       'How loosely floating-point results are compared in checks (0, 1 '
       'or 2).',
       IntParam(0, mutable=False))
_inert('tensor.local_elemwise_fusion',
       'Whether Theano fused elementwise operations. PyTensor fuses '
       'them in FAST_RUN; THEANO_FLAGS=optimizer_excluding=fusion leaves '
       'that out.',
       BoolParam(True))
_inert('gpu.local_elemwise_fusion',
       'Whether Theano fused elementwise operations on the GPU.',
       BoolParam(True), GPU)
_wired('lib.amdlibm',
       'Use AMD\'s libm for the elementwise functions.',
       BoolParam(False))
_inert('gpuelemwise.sync',
       'Whether GPU elementwise calls waited for their end.',
       BoolParam(True), GPU)
_wired('traceback.limit',
       'How many frames the trace of where each variable was made keeps.',
       IntParam(8))
_wired('traceback.compile_limit',
       'How many frames of the trace are kept while compiling.',
       IntParam(0))
_inert('experimental.unpickle_gpu_on_cpu',
       'Whether GPU arrays were unpickled on the CPU.',
       BoolParam(False), GPU)
config.add('numpy.seterr_all',
           'NumPy\'s error handling (numpy.seterr(all=...)), applied once '
           'as the package is imported when THEANO_FLAGS or a '
           'configuration file gives it. Theano applied its default, '
           'ignore, on every import; this port leaves NumPy\'s own setting '
           'alone unless told (None).',
           EnumStr('None', SETERR_VALUES, mutable=False),
           setter=_seterr('all'))
config.add('numpy.seterr_divide',
           'numpy.seterr(divide=...), as numpy.seterr_all.',
           EnumStr('None', SETERR_VALUES, mutable=False),
           setter=_seterr('divide'))
config.add('numpy.seterr_over',
           'numpy.seterr(over=...), as numpy.seterr_all.',
           EnumStr('None', SETERR_VALUES, mutable=False),
           setter=_seterr('over'))
config.add('numpy.seterr_under',
           'numpy.seterr(under=...), as numpy.seterr_all.',
           EnumStr('None', SETERR_VALUES, mutable=False),
           setter=_seterr('under'))
config.add('numpy.seterr_invalid',
           'numpy.seterr(invalid=...), as numpy.seterr_all.',
           EnumStr('None', SETERR_VALUES, mutable=False),
           setter=_seterr('invalid'))

# --- warnings about Theano's old bugs ---

_wired('warn.ignore_bug_before',
       'Warn about the bugs of Theano versions after this one; all or '
       'None.',
       EnumStr('0.9', ('None', 'all', '0.3', '0.4', '0.4.1', '0.5', '0.6',
                       '0.7', '0.8', '0.8.1', '0.8.2', '0.9', '0.10', '1.0',
                       '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5'),
               mutable=False))
_inert('warn.argmax_pushdown_bug',
       'Warn about the argmax rewrite bug of Theano before 0.3.',
       BoolParam(False), OLD_BUG)
_inert('warn.gpusum_01_011_0111_bug',
       'Warn about the GPU sum bug of Theano before 0.3.',
       BoolParam(False), OLD_BUG)
_inert('warn.sum_sum_bug',
       'Warn about the sum-of-sum rewrite bug of Theano before 0.3.',
       BoolParam(False), OLD_BUG)
_inert('warn.sum_div_dimshuffle_bug',
       'Warn about the sum/dimshuffle rewrite bug of Theano before 0.3.',
       BoolParam(False), OLD_BUG)
_inert('warn.subtensor_merge_bug',
       'Warn about the subtensor merge bug of Theano before 0.5.',
       BoolParam(False), OLD_BUG)
_inert('warn.gpu_set_subtensor1',
       'Warn about the GPU set_subtensor bug of Theano before 0.6.',
       BoolParam(False), OLD_BUG)
_inert('warn.vm_gc_bug',
       'Warn about the garbage-collection bug of Theano\'s VM.',
       BoolParam(False), OLD_BUG)
_inert('warn.signal_conv2d_interface',
       'Warn about the change of signal.conv2d\'s interface in Theano 0.7.',
       BoolParam(False), OLD_BUG)
_inert('warn.reduce_join',
       'Warn about the reduce-of-join rewrite bug of Theano before 0.7.',
       BoolParam(False), OLD_BUG)
_inert('warn.inc_set_subtensor1',
       'Warn about the inc_subtensor bug of Theano before 0.7.',
       BoolParam(False), OLD_BUG)
_inert('warn.round',
       'Warn that T.round\'s default mode changed in Theano 0.9 (it '
       'rounds half to even).',
       BoolParam(False), OLD_BUG)
_inert('warn.inc_subtensor1_opt',
       'Warn about the inc_subtensor1 rewrite bug of Theano 0.10.',
       BoolParam(True), OLD_BUG)

# --- test values and checks ---

_inert('compute_test_value',
       'Whether Theano computed a test value for every variable made.',
       EnumStr('off', ('ignore', 'warn', 'raise', 'pdb')), TEST_VALUES)
_inert('print_test_value',
       'Whether Theano printed test values with variables.',
       BoolParam(False), TEST_VALUES)
_inert('compute_test_value_opt',
       'compute_test_value during Theano\'s rewrites.',
       EnumStr('off', ('ignore', 'warn', 'raise', 'pdb')), TEST_VALUES)
_wired('unpickle_function',
       'Whether unpickling a compiled function compiles it again (else '
       'its pickled form stays a stub).',
       BoolParam(True))
_inert('reoptimize_unpickled_function',
       'Whether Theano rewrote an unpickled function\'s graph again. '
       'Here loading a compiled function compiles its graph again.',
       BoolParam(False))
_wired('exception_verbosity',
       'How much an error raised by a compiled function says: low or '
       'high.',
       EnumStr('low', ('high',)))
_wired('openmp',
       'Let the ops that can use OpenMP threads do so.',
       BoolParam(False))
_wired('openmp_elemwise_minsize',
       'The smallest elementwise operation OpenMP threads take on.',
       IntParam(200000))
_wired('check_input',
       'Whether C ops check their inputs.',
       BoolParam(True))
_inert('cache_optimizations',
       'Whether Theano cached its rewritten graphs on disk.',
       BoolParam(False))
_inert('unittests.rseed',
       'The seed of Theano\'s own unit tests.',
       StrParam(666))

# --- the debugging modes (issue 16, item 4 makes them modes) ---

_wired('NanGuardMode.nan_is_error',
       'NanGuardMode stops on a NaN.',
       BoolParam(True))
_wired('NanGuardMode.inf_is_error',
       'NanGuardMode stops on an infinity.',
       BoolParam(True))
_wired('NanGuardMode.big_is_error',
       'NanGuardMode stops on a value above 1e10 in magnitude.',
       BoolParam(True))
_wired('NanGuardMode.action',
       'What NanGuardMode does: raise, warn or pdb.',
       EnumStr('raise', ('warn', 'pdb')))
config.add('optimizer_excluding',
           'Rewrites to leave out of every mode, by name or tag, separated '
           'by ":": this port\'s own (fused_softmax_regression, '
           'argmax_of_scores, inline_softmax, index_pairs_as_positions, '
           'merge_after_inlining) or PyTensor\'s. Fixed once the package is '
           'imported, as in Theano.',
           ExcludingParam('', mutable=False),
           getter=lambda: ':'.join(_flags.FLAGS['optimizer_excluding']))
_wired('optimizer_including',
       'Rewrites to add to the modes PyTensor makes by name, separated by '
       '":".',
       StrParam('', mutable=False))
_wired('optimizer_requiring',
       'Rewrites the modes PyTensor makes by name must have, separated by '
       '":".',
       StrParam('', mutable=False))
_wired('DebugMode.patience',
       'How many times DebugMode runs each op\'s code to check it.',
       IntParam(10))
_wired('DebugMode.check_c',
       'DebugMode runs the C code of the ops.',
       BoolParam(True))
_wired('DebugMode.check_py',
       'DebugMode runs the Python code of the ops.',
       BoolParam(True))
_wired('DebugMode.check_finite',
       'DebugMode stops on NaN and infinity.',
       BoolParam(True))
_wired('DebugMode.check_strides',
       'What DebugMode does with unusual strides: 0 nothing, 1 warn, 2 '
       'raise.',
       IntParam(0))
_wired('DebugMode.warn_input_not_reused',
       'DebugMode warns when an in-place op does not reuse its input.',
       BoolParam(True))
_wired('DebugMode.check_preallocated_output',
       'The kinds of preallocated outputs DebugMode tries, separated by '
       '":".',
       StrParam(''))
_wired('DebugMode.check_preallocated_output_ndim',
       'The number of dimensions DebugMode tries strides on.',
       IntParam(4))

# --- profiling ---

_wired('profiling.time_thunks',
       'Time each op when profiling.',
       BoolParam(True))
_wired('profiling.n_apply',
       'How many nodes the profile lists.',
       IntParam(20))
_wired('profiling.n_ops',
       'How many ops the profile lists.',
       IntParam(20))
_wired('profiling.output_line_width',
       'The width of the profile\'s lines.',
       IntParam(512))
_wired('profiling.min_memory_size',
       'The smallest output, in bytes, the memory profile lists.',
       IntParam(1024))
_wired('profiling.min_peak_memory',
       'Profile the smallest peak memory of the graph\'s orders.',
       BoolParam(False))
_wired('profiling.destination',
       'Where the profile goes: stderr, stdout or a file.',
       StrParam('stderr'))
_wired('profiling.debugprint',
       'Add the graph to the profile.',
       BoolParam(False))
_wired('profiling.ignore_first_call',
       'Leave each function\'s first call out of the profile.',
       BoolParam(False))
_wired('optdb.position_cutoff',
       'Apply only the rewrites before this position.',
       FloatParam(float('inf')))
_wired('optdb.max_use_ratio',
       'How many times a rewrite may be applied, per node of the graph.',
       FloatParam(8))
_wired('gcc.cxxflags',
       'Flags added to the C++ compiler\'s command.',
       StrParam(''))
_wired('cmodule.warn_no_version',
       'Warn when an op\'s C code has no version (and is not cached).',
       BoolParam(False))
_wired('cmodule.remove_gxx_opt',
       'Compile C code without -O3.',
       BoolParam(False))
_wired('cmodule.compilation_warning',
       'Print the C++ compiler\'s warnings.',
       BoolParam(False))
_wired('cmodule.preload_cache',
       'Load the whole cache of compiled modules at start.',
       BoolParam(False, mutable=False))
_wired('cmodule.age_thresh_use',
       'Seconds after which a compiled module is not used again.',
       IntParam(60 * 60 * 24 * 24, mutable=False))
_wired('cmodule.debug',
       'Compile C code with debugging information.',
       BoolParam(False))
_wired('blas.ldflags',
       'The link flags of the BLAS the C code uses; empty: none (NumPy\'s '
       'C API instead). Unset, this port links the OpenBLAS it installs.',
       StrParam(''))
_wired('blas.check_openmp',
       'Check that the BLAS and OpenMP thread settings agree.',
       BoolParam(True))
_inert('metaopt.verbose',
       'How much Theano\'s meta-rewriter (which picked among several '
       'implementations of an op) printed.',
       IntParam(0))
_inert('metaopt.optimizer_excluding',
       'The implementations Theano\'s meta-rewriter left out.',
       StrParam(''))
_inert('metaopt.optimizer_including',
       'The implementations Theano\'s meta-rewriter added.',
       StrParam(''))
_wired('profile',
       'Profile every compiled function and print the profiles at exit.',
       BoolParam(False))
_wired('profile_optimizer',
       'Profile the rewrites too.',
       BoolParam(False))
_wired('profile_memory',
       'Profile the memory too.',
       BoolParam(False))
_wired('vm.lazy',
       'Whether the virtual machine evaluates lazily (ifelse): None to '
       'let it decide, True or False.',
       LazyParam('None'))
_inert('warn.identify_1pexp_bug',
       'Warn about the bug of Theano before 0.8.2 in rewriting 1 + exp(x).',
       BoolParam(False), OLD_BUG)
_wired('on_shape_error',
       'What to do when a shape cannot be inferred: warn or raise.',
       EnumStr('warn', ('raise',)))
_wired('tensor.insert_inplace_optimizer_validate_nb',
       'How many in-place rewrites are validated at a time (-1: '
       'PyTensor chooses).',
       IntParam(-1))
_inert('experimental.local_alloc_elemwise',
       'Whether Theano removed allocations feeding elementwise ops (an '
       'experimental rewrite of Theano\'s).',
       BoolParam(True))
_inert('experimental.local_alloc_elemwise_assert',
       'Whether that rewrite kept a check of the shapes.',
       BoolParam(True))
_wired('scan.allow_gc',
       'Whether scan frees its inner results between steps.',
       BoolParam(False))
_wired('scan.allow_output_prealloc',
       'Whether scan reuses its outputs\' memory between calls.',
       BoolParam(True))
_inert('scan.debug',
       'Whether Theano\'s scan printed what it did.',
       BoolParam(False))
_wired('compile.wait',
       'Seconds to wait for the lock of the compile cache.',
       IntParam(5, mutable=False))
_wired('cycle_detection',
       'How in-place rewrites look for cycles: regular or fast.',
       EnumStr('regular', ('fast',)))
_wired('check_stack_trace',
       'Check that rewrites keep the trace of where variables were made: '
       'off, log, warn or raise.',
       EnumStr('off', ('log', 'warn', 'raise')))
_wired('compile.timeout',
       'Seconds after which another process\'s lock of the compile cache '
       'may be taken over.',
       IntParam(120, mutable=False))
_wired('compiledir_format',
       'The name of the compile cache\'s folder under base_compiledir.',
       StrParam('compiledir_%(short_platform)s-%(processor)s-'
                '%(python_version)s-%(python_bitwidth)s', mutable=False))
_wired('base_compiledir',
       'The folder of the compile caches (PyTensor\'s own by default: '
       'Theano\'s compiled code is of no use to it).',
       StrParam('', mutable=False))
_wired('compiledir',
       'The compile cache\'s folder.',
       StrParam('', mutable=False))
_inert('gpuarray.cache_path',
       'Where the GPU kernels were cached.',
       StrParam('', mutable=False), GPU)
_inert('ctc.root',
       'Where the warp-ctc library was, which is gone.',
       StrParam('', mutable=False))

# --- the old GPU back end's options (before Theano 1.0, which ignored them
# with a warning); programs and flags of that time still give them ---

OLD_GPU = (' An option of Theano\'s old GPU back end, which Theano 1.0 '
           'dropped.' + GPU)
_inert('lib.cnmem', 'How much GPU memory CNMeM took at start.',
       FloatParam(0), OLD_GPU)
_inert('nvcc.fastmath', 'Whether nvcc compiled with -use_fast_math.',
       BoolParam(False), OLD_GPU)
_inert('nvcc.flags', 'Extra flags of nvcc.', StrParam(''), OLD_GPU)
_inert('nvcc.compiler_bindir', 'The host compiler of nvcc.', StrParam(''),
       OLD_GPU)
_inert('pycuda.init', 'Whether PyCUDA was initialised with the GPU.',
       BoolParam(False), OLD_GPU)


__getattr__ = module_getattr(__name__)
