"""mnist_plots and ``--plot DIR``: the PNG files, their size, their content.

The weights picture is checked pixel by pixel against the trained W: each
28x28 tile is the column of one digit, scaled to black..white on its own.
"""

import os

import matplotlib.image
import numpy
import pytest

import logistic_sgd_cli
import mnist_data
import mnist_plots
from conftest import run_python

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
# Two rows of five 28x28 tiles with one pixel between them, zoomed 4x.
WEIGHTS_PIXELS = ((2 * 28 + 1) * 4, (5 * 28 + 4) * 4)  # (228, 576)
ERRORS_PIXELS = (480, 640)


def read_png(path):
    """The image in ``path`` as floats in [0, 1], after checking it is a
    PNG: array of shape (rows, columns, channels)."""
    with open(path, 'rb') as f:
        assert f.read(8) == PNG_SIGNATURE
    return matplotlib.image.imread(path)


def tile_of_digit(image, digit, zoom=4):
    """The 28x28 gray values of ``digit``'s tile in weights.png."""
    row, column = divmod(digit, 5)
    top, left = row * 29 * zoom, column * 29 * zoom
    return image[top:top + 28 * zoom:zoom, left:left + 28 * zoom:zoom, 0]


@pytest.fixture(scope='module')
def plots(small_run, tmp_path_factory):
    """Plots of the small run's best model and history, and that W."""
    result, _, model = small_run
    W = mnist_data.load_params(model)['W']
    folder = tmp_path_factory.mktemp('plots')
    written = mnist_plots.write_plots(str(folder), W, result['history'])
    return folder, written, W, result['history']


def test_both_files_are_written_and_nothing_else(plots):
    folder, written, _, _ = plots
    assert written == [str(folder / 'weights.png'), str(folder / 'errors.png')]
    assert sorted(os.listdir(str(folder))) == ['errors.png', 'weights.png']


def test_weights_png_has_the_expected_size_and_is_gray(plots):
    folder, _, _, _ = plots
    image = read_png(str(folder / 'weights.png'))
    assert image.shape[:2] == WEIGHTS_PIXELS
    assert image.shape[2] in (3, 4)
    numpy.testing.assert_array_equal(image[..., 0], image[..., 1])
    numpy.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_weight_tiles_are_the_scaled_columns_of_w(plots):
    folder, _, W, _ = plots
    image = read_png(str(folder / 'weights.png'))
    for digit in range(10):
        column = W[:, digit].reshape(28, 28)
        scaled = (column - column.min()) / (column.max() - column.min())
        tile = tile_of_digit(image, digit)
        # 8-bit pixels: equal to the scaled weights up to rounding.
        numpy.testing.assert_allclose(tile, scaled, atol=0.5 / 255 + 1e-7)
        assert tile.min() == 0 and tile.max() == 1  # not blank
        # ... and unlike the other digits' weights.
        for other in range(10):
            if other != digit:
                assert numpy.abs(tile - tile_of_digit(image, other)).max() > .3
    # Each zoomed pixel is a uniform 4x4 square; the spacing is white.
    assert (image[28 * 4:29 * 4, :, :3] == 1).all()
    assert (image[:, 28 * 4:29 * 4, :3] == 1).all()
    numpy.testing.assert_array_equal(image[0:4, 4:8], image[3:4, 7:8].repeat(
        4, 0).repeat(4, 1))


def test_errors_png_has_the_expected_size_and_both_curves(plots):
    folder, _, _, history = plots
    image = read_png(str(folder / 'errors.png'))
    assert image.shape[:2] == ERRORS_PIXELS
    rgb = numpy.round(image[..., :3] * 255).astype(int)
    # Both lines are drawn in matplotlib's first two colours.
    for colour in ((0x1f, 0x77, 0xb4), (0xff, 0x7f, 0x0e)):
        assert (rgb == colour).all(axis=-1).sum() > 200
    figure = mnist_plots.errors_figure(history)
    validation, test = figure.axes[0].get_lines()
    assert list(validation.get_xdata()) == list(range(1, 38))
    assert list(validation.get_ydata()) == [100 * v for _, v, _ in history]
    assert list(test.get_ydata()) == [100 * t for _, _, t in history]
    assert test.get_ydata()[-1] == pytest.approx(12.5)


def test_tile_images_places_and_scales_each_image():
    images = numpy.arange(3 * 4, dtype=float).reshape(3, 4) ** 2
    canvas = mnist_plots.tile_images(images, image_shape=(2, 2),
                                     grid_shape=(2, 2), spacing=1)
    expected = numpy.ones((5, 5))
    for number, (top, left) in enumerate([(0, 0), (0, 3), (3, 0)]):
        values = images[number].reshape(2, 2)
        expected[top:top + 2, left:left + 2] = (
            (values - values.min()) / (values.max() - values.min()))
    numpy.testing.assert_allclose(canvas, expected)
    flat = mnist_plots.tile_images(numpy.full((1, 4), 7.), (2, 2), (1, 1))
    numpy.testing.assert_array_equal(flat, numpy.zeros((2, 2)))


def test_wrong_shapes_are_refused_with_the_shape_named():
    with pytest.raises(ValueError, match=r'shape \(784, 10\).*\(784, 9\)'):
        mnist_plots.weights_png(numpy.zeros((784, 9)))
    with pytest.raises(ValueError, match='11 images do not fit a 2x5 grid'):
        mnist_plots.tile_images(numpy.zeros((11, 784)))


def test_plot_option_writes_the_trained_models_pictures(small_mnist, tmp_path,
                                                        capsys):
    folder, model = tmp_path / 'pictures', str(tmp_path / 'm.pkl')
    status = logistic_sgd_cli.main(['--dataset', small_mnist, '--batch-size',
                                '20', '--n-epochs', '2', '--model', model,
                                '--plot', str(folder)])
    assert status == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        '... plots written: %s, %s' % (folder / 'weights.png',
                                       folder / 'errors.png'))
    W = mnist_data.load_params(model)['W']
    image = read_png(str(folder / 'weights.png'))
    expected = mnist_plots.tile_images(W.T)
    numpy.testing.assert_allclose(image[::4, ::4, 0], expected,
                                  atol=0.5 / 255 + 1e-7)
    assert read_png(str(folder / 'errors.png')).shape[:2] == ERRORS_PIXELS


def test_plot_into_a_file_is_refused_before_training(small_mnist, tmp_path,
                                                     capsys):
    not_a_folder = tmp_path / 'file'
    not_a_folder.write_text('')
    model = tmp_path / 'm.pkl'
    with pytest.raises(SystemExit) as info:
        logistic_sgd_cli.main(['--dataset', small_mnist, '--model', str(model),
                           '--plot', str(not_a_folder)])
    assert info.value.code == 2
    assert ('error: --plot %s: cannot create that folder' % not_a_folder
            in capsys.readouterr().err)
    assert not model.exists()


PERMISSIONS = '''
import os, stat, sys
import logistic_sgd_cli
os.umask(int(sys.argv[2], 8))
folder = sys.argv[1]
status = logistic_sgd_cli.main(['--dataset', sys.argv[3], '--batch-size',
                                '20', '--n-epochs', '1', '--quiet',
                                '--model', os.path.join(folder, 'm.pkl'),
                                '--plot', folder])
with open(os.path.join(folder, 'plain.txt'), 'w') as f:
    f.write('as open() makes a file')
for name in ('plain.txt', 'm.pkl', 'weights.png', 'errors.png'):
    print(name, oct(stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode)))
'''


@pytest.mark.parametrize('umask', ['022', '077'])
def test_written_files_get_the_permissions_open_would_give(
        small_mnist, tmp_path, umask):
    run = run_python(PERMISSIONS, args=[str(tmp_path), umask, small_mnist])
    modes = dict(line.split() for line in run.stdout.splitlines()
                 if line.split()[0] in ('plain.txt', 'm.pkl', 'weights.png',
                                        'errors.png'))
    assert modes['plain.txt'] == {'022': '0o644', '077': '0o600'}[umask]
    assert set(modes.values()) == {modes['plain.txt']}
