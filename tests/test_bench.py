"""bench/bench.py: the table's numbers come from what it measured."""

import json
import os
import re
import subprocess
import sys

import numpy

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, 'bench'))
import bench  # noqa: E402  (needs the path above)

ROW = re.compile(r'^(?P<label>.+?)\s{2,}(?P<dtype>float\d\d)\s+(?P<threads>.+?)'
                 r'\s+(?P<eps>\d+\.\d\d)\s+(?P<ratio>\d+\.\d\d)'
                 r'\s+(?P<run>\d+\.\d\d)\s+(?P<err>\d+\.\d\d)%$')


def test_time_rows_takes_medians_and_ratios_from_the_clock():
    now = [0.]
    # Each turn runs two epochs and times the second.
    durations = {'slow': [9, 0.30, 9, 0.10, 9, 0.20],
                 'fast': [9, 0.05, 9, 0.04, 9, 0.06]}

    def builder(name):
        def build(sets, dtype):
            times = iter(durations[name])

            def epoch():
                now[0] += next(times)
                return 0.25
            return epoch, '1'
        return build

    rows = [(bench.PROJECT + ' (PyTensor C)', 'float32', builder('slow')),
            ('peer', 'float32', builder('fast'))]
    project, peer = bench.time_rows(rows, None, warmup=0, repeats=3,
                                    clock=lambda: now[0],
                                    pause=lambda seconds: None)
    assert abs(project['seconds_per_epoch'] - 0.2) < 1e-9  # .3, .1, .2
    assert abs(project['epochs_per_s'] - 5.) < 1e-9
    assert project['ratio'] == 1.
    assert abs(peer['epochs_per_s'] - 20.) < 1e-9
    assert abs(peer['ratio'] - 4.) < 1e-9
    assert abs(peer['published_run_s'] - 74 / 20.) < 1e-9
    table = bench.format_table([project, peer]).splitlines()
    assert table[0].split()[:4] == ['row', 'dtype', 'threads', 'epochs/s']
    assert ROW.match(table[3]).group('ratio') == '4.00'


def test_quick_run_prints_the_measured_table(tmp_path):
    out = tmp_path / 'bench.json'
    run = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'bench', 'bench.py'), '--quick',
         '--peers', 'numpy', '--dtypes', 'float64', '--json', str(out)],
        capture_output=True, text=True, cwd=str(tmp_path), timeout=600)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith('row '))
    assert re.split(r'\s{2,}', lines[header].strip()) == [
        'row', 'dtype', 'threads', 'epochs/s', 'ratio', '74 epochs (s)',
        'valid err']
    printed = [ROW.match(line) for line in lines[header + 2:header + 4]]
    assert [m.group('label') for m in printed] == [
        'this project (PyTensor C)', 'NumPy by hand']
    report = json.loads(out.read_text())
    project, numpy_row = report['rows']
    for row, match in zip(report['rows'], printed):
        assert match.group('eps') == '%.2f' % row['epochs_per_s']
        assert match.group('ratio') == '%.2f' % (
            row['epochs_per_s'] / project['epochs_per_s'])
        assert match.group('run') == '%.2f' % (74 / row['epochs_per_s'])
    # Same algorithm, same data, same number of epochs: same model.
    assert printed[0].group('err') == printed[1].group('err')
    assert project['epochs'] == numpy_row['epochs'] == 7  # 1 + 3 x 2
    # The script's own run: first epoch reached, memory stated.
    warm = report['start']['warm']
    assert 0 < warm['first_epoch_s'] < warm['wall_s']
    assert re.search(r'warm start \(compile cache filled\): +%.1f s'
                     % warm['first_epoch_s'], run.stdout)
    memory = report['runs']['float64']
    assert re.search(r'float64: %.0f MiB = %.2fx the data \(419\.2 MiB'
                     % (memory['peak_rss_mb'],
                        memory['peak_rss_mb'] / memory['data_mb']),
                     run.stdout)


def test_fused_calls_variants_still_find_their_code():
    # Each variant of bench/fused_calls.py leaves one phase out of the
    # C++ loop by replacing a piece of its text, which must still be there.
    import fused_calls
    from theano_compat.engine import fused
    for name, old, new in fused_calls.PHASES:
        assert fused.kernel_source().count(old) == 1, name
        assert new != old


def test_fused_calls_compares_with_the_graph_without_the_loop(small_sets):
    import fused_calls
    import pytensor
    from theano_compat.engine.fused import FusedSoftmaxRegression
    dtype = pytensor.config.floatX  # the function sets it: leave it as is

    def fused(fn):
        return [n.op.task for n in fn.maker.fgraph.apply_nodes
                if isinstance(n.op, FusedSoftmaxRegression)]
    (_, with_loop), (_, without) = fused_calls.modes()
    fused_pair = fused_calls.tutorial_functions(with_loop, small_sets, dtype)
    unfused_pair = fused_calls.tutorial_functions(without, small_sets, dtype)
    assert [fused(fn) for fn in fused_pair] == [['grad'], ['errors']]
    assert [fused(fn) for fn in unfused_pair] == [[], []]
    # Zero weights: every score ties and class 0 wins; the cost is log 10.
    labels = small_sets[1][1][:600]
    for train, validate in (fused_pair, unfused_pair):
        assert float(validate(0)) == float(numpy.mean(labels != 0))
        assert abs(float(train(0)) - numpy.log(10)) < 1e-5


def test_nnet_ops_bench_rows_compute_the_same(capsys):
    # Each row checks that its two sides agree before timing them.
    import nnet_ops
    assert nnet_ops.main(['--dry-run', '--rows', 'topk,neibs']) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('copy bandwidth: ')
    assert [line.split()[0] for line in lines[2:]] == ['topk', 'neibs']
    for line in lines[2:]:
        package, other, ratio = (float(v) for v in line.split()[1:4])
        assert package > 0 and other > 0
        # (the times are printed to the microsecond, the ratio to 0.01)
        assert abs(ratio - package / other) < 0.05 * ratio + 0.01
