"""Pictures of a trained model: its weights, and its errors while training.

``python code/logistic_sgd.py --plot DIR`` writes two PNG files into DIR:

``weights.png``  the ten columns of ``W``, one 28x28 image per digit, digits
                 0-4 on the top row and 5-9 below; each image is scaled on
                 its own so that its smallest weight is black and its
                 largest white.  Light pixels are evidence for the digit,
                 dark ones against it.
``errors.png``   the validation error at each check and the test error of
                 the best model so far, against the epoch.

Only matplotlib's Agg canvas is used (no window, no global backend switch),
and each file is written whole or not at all.
"""

import io
import os

import numpy
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
import matplotlib.image

import mnist_data

IMAGE_SHAPE = (28, 28)  # one MNIST image, rows x columns
WEIGHT_GRID = (2, 5)  # ten digits as two rows of five
TILE_SPACING = 1  # pixels of white between two tiles
WEIGHTS_ZOOM = 4  # each weight becomes a square of this many pixels a side
WEIGHTS_FILE = 'weights.png'
ERRORS_FILE = 'errors.png'
ERRORS_SIZE_INCHES = (6.4, 4.8)
ERRORS_DPI = 100  # so errors.png is 640 x 480 pixels


def scale_to_unit_interval(values):
    """``values`` shifted and scaled to span [0, 1] (all zeros if flat)."""
    values = numpy.asarray(values, dtype='float64')
    low, high = values.min(), values.max()
    if high == low:
        return numpy.zeros_like(values)
    return (values - low) / (high - low)


def tile_images(images, image_shape=IMAGE_SHAPE, grid_shape=WEIGHT_GRID,
                spacing=TILE_SPACING):
    """Lay flattened images out on a grid, row by row, as one image.

    :type images: numpy array of shape (n_images, rows * columns)
    :param images: one flattened image per row; ``n_images`` is at most
        the number of places in the grid (the rest stay white)
    :type image_shape: (rows, columns) of one image
    :type grid_shape: (rows, columns) of the grid
    :type spacing: int, pixels between neighbouring tiles
    :rtype: float64 array of shape
        (grid rows * (rows + spacing) - spacing,
        grid columns * (columns + spacing) - spacing), values in [0, 1];
        each tile is scaled on its own by :func:`scale_to_unit_interval`
        and the spacing is 1 (white)
    """
    images = numpy.asarray(images)
    rows, columns = image_shape
    grid_rows, grid_columns = grid_shape
    if images.ndim != 2 or images.shape[1] != rows * columns:
        raise ValueError('images should have shape (n, %d), one flattened '
                         '%dx%d image per row; got %s'
                         % (rows * columns, rows, columns, images.shape))
    if len(images) > grid_rows * grid_columns:
        raise ValueError('%d images do not fit a %dx%d grid'
                         % (len(images), grid_rows, grid_columns))
    step_down, step_across = rows + spacing, columns + spacing
    canvas = numpy.ones((grid_rows * step_down - spacing,
                         grid_columns * step_across - spacing))
    for number, image in enumerate(images):
        top = (number // grid_columns) * step_down
        left = (number % grid_columns) * step_across
        canvas[top:top + rows, left:left + columns] = scale_to_unit_interval(
            image.reshape(image_shape))
    return canvas


def to_gray_pixels(canvas, zoom=WEIGHTS_ZOOM):
    """A [0, 1] image as 8-bit gray RGB pixels, each value a zoom x zoom
    square: uint8 array of shape (rows * zoom, columns * zoom, 3)."""
    gray = numpy.round(numpy.asarray(canvas) * 255).astype(numpy.uint8)
    gray = gray.repeat(zoom, axis=0).repeat(zoom, axis=1)
    return numpy.stack([gray] * 3, axis=-1)


def weights_png(W):
    """PNG bytes showing each column of ``W`` (shape (784, 10)) as a digit."""
    W = numpy.asarray(W)
    expected = (IMAGE_SHAPE[0] * IMAGE_SHAPE[1],
                WEIGHT_GRID[0] * WEIGHT_GRID[1])
    if W.shape != expected:
        raise ValueError('W should have shape %s (one column per digit), '
                         'not %s' % (expected, W.shape))
    pixels = to_gray_pixels(tile_images(W.T))
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, pixels, format='png')
    return buffer.getvalue()


def errors_figure(history):
    """A matplotlib Figure of the errors recorded during training.

    :type history: list of ``(epoch, validation error, test error of the
        best model)`` tuples, errors as fractions, as
        :func:`logistic_sgd.sgd_optimization_mnist` records them
    """
    figure = Figure(figsize=ERRORS_SIZE_INCHES, dpi=ERRORS_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    epochs = [epoch for epoch, _, _ in history]
    axes.plot(epochs, [100. * valid for _, valid, _ in history],
              label='validation error')
    axes.plot(epochs, [100. * test for _, _, test in history],
              drawstyle='steps-post', label='test error of the best model')
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel('epoch')
    axes.set_ylabel('error (%)')
    axes.set_title('Logistic regression on MNIST')
    axes.grid(True, alpha=0.3)
    axes.legend()
    return figure


def errors_png(history):
    """PNG bytes of :func:`errors_figure`, 640 x 480 pixels."""
    buffer = io.BytesIO()
    errors_figure(history).savefig(buffer, format='png', dpi=ERRORS_DPI)
    return buffer.getvalue()


def write_plots(folder, W, history):
    """Write ``weights.png`` and ``errors.png`` into ``folder``.

    :rtype: list of the two paths written
    """
    written = []
    for name, data in ((WEIGHTS_FILE, weights_png(W)),
                       (ERRORS_FILE, errors_png(history))):
        path = os.path.join(folder, name)
        mnist_data.atomic_write_bytes(path, data)
        written.append(path)
    return written
