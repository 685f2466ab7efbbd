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
        assert fused.FusedSoftmaxRegression.source_sections()[
            'support_code'].count(old) == 1, name
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


# ----------------------------------------------------------------------------
# bench/series_steps.py

def test_series_counts_are_the_hand_counted_ones():
    import series_steps
    count = {model: series_steps.COUNTS[model](**settings)
             for model, settings in series_steps.MODELS.items()}
    # LeNet, forward: 500*20*24^2*25 = 144 M multiply-adds (layer 0),
    # 500*50*8^2*20*25 = 800 M (layer 1), 500*800*500 = 200 M (hidden),
    # 500*500*10 = 2.5 M (regression); backward 144 M + 2 * 1002.5 M
    assert count['lenet'] == {'flops': 2 * (1146.5e6 + 2149e6)}
    # mlp: 20*784*500 = 7.84 M twice, 20*500*10 = 0.1 M three times
    assert count['mlp'] == {'flops': 2 * (15.68e6 + 0.3e6)}
    # dA: five products of 20 x 784 x 500; cA: five of 10 x 784 x 500
    # and 3 operations on each of the Jacobian's 3.92 M entries
    assert count['dA'] == {'flops': 2 * 5 * 7.84e6}
    assert count['cA'] == {'flops': 2 * 5 * 3.92e6 + 3 * 3.92e6}
    # SdA, B = 1: 5 * 784,000 (layer 0), 784,000 + 5 M (layer 1),
    # 784,000 + 1 M + 5 M (layer 2) multiply-adds, as many float64 reads
    assert count['SdA'] == {'flops': 2 * 16.488e6, 'bytes': 8 * 16.488e6}
    # RBM, PCD-15: 36 products of 20 x 784 x 500
    assert count['RBM'] == {'flops': 2 * 36 * 7.84e6}
    # DBN, CD-1, B = 10: 10 * (6 * 784,000 + 784,000 + 6 M
    # + 1.784 M + 6 M) multiply-adds
    assert count['DBN'] == {'flops': 2 * 192.72e6}


def test_series_table_takes_rates_and_shares_from_the_medians():
    import series_steps
    result = {'theano_compat': 10., 'pytorch': 20., 'flops': 1e9,
              'gemm_gflops': 200., 'bytes': 1e8, 'copy_gbs': 20.}
    row, ratio = series_steps.table_row('SdA', {}, result)
    # 1 GFLOP in 10 ms: 100 GFLOP/s, half the product's 200; 100 MB in
    # 10 ms: 10 GB/s, half the copy's 20
    assert row['theano_compat'] == (10., 100., 0.5, 0.5)
    assert row['pytorch'] == (20., 50., 0.25, 0.25)
    assert ratio == 0.5
    lines = series_steps.format_table(
        [('SdA', {'dtype': 'float64', 'batch': 1}, result)])
    assert lines[2].split() == [
        'SdA', 'float64', '1', '1.0000', '200.0', '|', '10.000', '100.00',
        '50.0%', '|', '20.000', '50.00', '25.0%', '|', '0.50']
    assert lines[3].endswith('share of it: port 50.0%, PyTorch 25.0%')
    del result['pytorch']
    assert series_steps.format_table(
        [('SdA', {'dtype': 'float64', 'batch': 1}, result)])[2].split()[-5:] \
        == ['-', '-', '-', '|', '-']


def test_series_steps_dry_run_prints_every_step(capsys):
    import series_steps
    results = series_steps.main(['--dry-run'])
    assert list(results) == list(series_steps.MODELS)
    printed = capsys.readouterr().out.splitlines()
    try:
        import torch  # noqa: F401
        assert 'PyTorch %s;' % torch.__version__ in printed[0]
    except ImportError:
        assert 'PyTorch not installed (pip install torch): its side ' \
               'skipped' in printed[0]
    rows = {line.split()[0]: line.split() for line in printed
            if line.split() and line.split()[0] in results}
    for model, result in results.items():
        settings = series_steps.DRY[model]
        assert result['theano_compat'] > 0 and result['gemm'] > 0
        assert result['flops'] == series_steps.COUNTS[model](
            **settings)['flops']
        cells = rows[model]
        assert cells[1:3] == [settings['dtype'], str(settings['batch'])]
        assert float(cells[6]) == round(result['theano_compat'], 3)
        assert float(cells[7]) == round(
            result['flops'] / result['theano_compat'] / 1e6, 2)
    assert 'copy' in results['SdA'] and 'copy' not in results['lenet']


# ----------------------------------------------------------------------------
# bench/nnet_ops.py

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


# ----------------------------------------------------------------------------
# bench/conv_pool_3d.py

def test_conv_pool_3d_dry_run_prints_each_row(capsys):
    """bench/conv_pool_3d.py runs (a tiny problem, one round); its speeds
    are the work over the measured times."""
    import conv_pool_3d
    results = conv_pool_3d.main(['--dry-run'])
    assert list(results) == ['conv3d forward', 'conv3d forward+backward',
                             'pool_3d forward', 'pool_3d forward+backward']
    printed = capsys.readouterr().out
    machine = re.search(r'float32 GEMM ([\d.]+) GFLOP/s .* copy ([\d.]+) '
                        r'GB/s', printed)
    assert machine, printed
    flops = conv_pool_3d.conv_flops(conv_pool_3d.DRY)
    assert flops == 2 * 2 * 3 * 2 * 8 * (3 * 5 * 5)
    ms = results['conv3d forward']['theano_compat']
    speed = flops / (ms / 1e3) / 1e9
    assert re.search(r'conv3d forward +%.2f ms .* %.1f GFLOP/s = %.0f %%'
                     % (ms, speed, 100 * speed / float(machine.group(1))),
                     printed), printed
