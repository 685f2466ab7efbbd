#section support_code

// The C++ side of theano_compat.tensor.nnet.neighbours: images2neibs
// (Images2Neibs) and its gradient (Images2NeibsGrad).
//
// An input of shape (n, s, rows, cols) is n * s planes.  Along each axis,
// patch a starts at a * step - offset of the image (offset: 0 for valid
// and ignore_borders, size // 2 for half and wrap_centered, size - 1 for
// full); a pixel outside the image reads a zero, except in wrap_centered,
// where it wraps around.  The pixels each patch reads are worked out
// once per call, for rows and columns, in two small tables; then the
// planes are cut (or, for the gradient, their pixels summed back) on the
// threads of engine/parallel_for.cpp, one plane at a time, so no two
// threads ever write the same memory.
//
// The checks and their messages are Theano 1.0.5's (and the op's NumPy
// code's).

#include <new>

namespace neibs {

// The modes, in the order of neighbours.MODES.
enum Mode { VALID = 0, IGNORE_BORDERS = 1, HALF = 2, FULL = 3,
            WRAP_CENTERED = 4 };

// Patches along one axis: `grid` patches of `size` pixels; source[a * size
// + i] is the pixel that offset i of patch a reads, or -1 for a zero.
struct Axis {
    npy_intp grid, size;
    npy_intp* source;
    Axis() : source(NULL) {}
    ~Axis() { delete[] source; }
};

// Fills `out` for an axis of `length` pixels; false, with a Python error
// set, for the shapes Theano refused.
inline bool make_axis(npy_intp length, npy_intp size, npy_intp step,
                      int mode, int axis, Axis* out) {
    if (step <= 0) {
        PyErr_Format(PyExc_ValueError,
                     "neib_step wrong step ; values <= 0. Got %ld",
                     (long)step);
        return false;
    }
    if (size <= 0) {
        PyErr_Format(PyExc_ValueError, "neib_shape values <=0. Got %ld",
                     (long)size);
        return false;
    }
    npy_intp grid, offset = 0;
    if (mode == WRAP_CENTERED) {
        if (size % 2 != 1) {
            PyErr_SetString(PyExc_TypeError, "Images2Neibs: in mode "
                            "wrap_centered need patch with odd shapes");
            return false;
        }
        if (length < size) {
            PyErr_Format(PyExc_TypeError,
                "Images2Neibs: in wrap_centered mode, don't support image "
                "shapes smaller then the patch shapes: neib_shape[%d]=%ld, "
                "image size %ld", axis, (long)size, (long)length);
            return false;
        }
        grid = (length + step - 1) / step;
        offset = size / 2;
    } else {
        // the extent of the (padded) image less one patch
        npy_intp span = length - size;
        if (mode == HALF) {
            span = length - size % 2;
            offset = size / 2;
        } else if (mode == FULL) {
            span = length + size - 2;
            offset = size - 1;
        }
        if (mode != IGNORE_BORDERS && (length < size || span % step != 0)) {
            PyErr_Format(PyExc_TypeError,
                "neib_shape[%d]=%ld, neib_step[%d]=%ld and "
                "ten4.shape[%d]=%ld not consistent", axis, (long)size, axis,
                (long)step, axis + 2, (long)length);
            return false;
        }
        // (floor division, as Python's, for a patch larger than the image)
        const npy_intp floor = span >= 0 ? span / step
                                         : -((-span + step - 1) / step);
        grid = 1 + floor;
        if (grid < 0) {
            PyErr_Format(PyExc_ValueError, "images2neibs: the patch (%ld) "
                         "is larger than the image (%ld)", (long)size,
                         (long)length);
            return false;
        }
    }
    out->grid = grid;
    out->size = size;
    out->source = new (std::nothrow) npy_intp[grid * size + 1];
    if (!out->source) {
        PyErr_NoMemory();
        return false;
    }
    for (npy_intp a = 0; a < grid; ++a) {
        for (npy_intp i = 0; i < size; ++i) {
            npy_intp pixel = a * step + i - offset;
            if (mode == WRAP_CENTERED) {
                pixel %= length;
                if (pixel < 0) pixel += length;
            } else if (pixel < 0 || pixel >= length) {
                pixel = -1;
            }
            out->source[a * size + i] = pixel;
        }
    }
    return true;
}

// The two ints of neib_shape or neib_step (an int64 vector).
inline bool read_pair(PyArrayObject* pair, const char* name,
                      npy_intp* first, npy_intp* second) {
    if (PyArray_NDIM(pair) != 1 || PyArray_DIMS(pair)[0] != 2) {
        PyErr_Format(PyExc_TypeError, "%s wrong shape ; has to contain 2 "
                     "elements", name);
        return false;
    }
    *first = (npy_intp)*(npy_int64*)PyArray_GETPTR1(pair, 0);
    *second = (npy_intp)*(npy_int64*)PyArray_GETPTR1(pair, 1);
    return true;
}

// What a call needs: the images' sizes, both axes' tables, and the images
// as C-contiguous data (a reference the caller releases).
struct Plan {
    npy_intp planes, rows, cols;
    Axis down, across;
    PyArrayObject* images;
    Plan() : images(NULL) {}
    ~Plan() { Py_XDECREF(images); }
};

inline bool make_plan(PyArrayObject* ten4, PyArrayObject* shape,
                      PyArrayObject* step, int mode, Plan* plan) {
    if (PyArray_NDIM(ten4) != 4) {
        PyErr_SetString(PyExc_TypeError, "images2neibs: ten4 wrong rank");
        return false;
    }
    npy_intp c, d, step_r, step_c;
    if (!read_pair(shape, "neib_shape", &c, &d)
            || !read_pair(step, "neib_step", &step_r, &step_c))
        return false;
    const npy_intp* dims = PyArray_DIMS(ten4);
    plan->planes = dims[0] * dims[1];
    plan->rows = dims[2];
    plan->cols = dims[3];
    if (!make_axis(dims[2], c, step_r, mode, 0, &plan->down)
            || !make_axis(dims[3], d, step_c, mode, 1, &plan->across))
        return false;
    plan->images = PyArray_GETCONTIGUOUS(ten4);
    return plan->images != NULL;
}

// *out as a C-contiguous array of `dims` and `typenum`: the one there if it
// fits, else a new one.
inline bool prepare_output(PyArrayObject** out, int nd, const npy_intp* dims,
                           int typenum) {
    if (*out && PyArray_NDIM(*out) == nd && PyArray_TYPE(*out) == typenum
            && PyArray_IS_C_CONTIGUOUS(*out)) {
        bool same = true;
        for (int i = 0; i < nd; ++i) same = same && PyArray_DIMS(*out)[i]
                                                    == dims[i];
        if (same) return true;
    }
    Py_XDECREF(*out);
    *out = (PyArrayObject*)PyArray_EMPTY(nd, const_cast<npy_intp*>(dims),
                                         typenum, 0);
    return *out != NULL;
}

// Cutting planes b0 to b1 into rows of patches.
template <typename T>
struct Cut {
    const Plan* p;
    const T* images;
    T* patches;

    void operator()(parallel::index_t b0, parallel::index_t b1) const {
        const Axis& R = p->down;
        const Axis& C = p->across;
        const npy_intp row_length = R.size * C.size;
        for (npy_intp b = b0; b < b1; ++b) {
            const T* plane = images + b * p->rows * p->cols;
            T* out = patches + b * R.grid * C.grid * row_length;
            for (npy_intp a = 0; a < R.grid; ++a) {
                for (npy_intp e = 0; e < C.grid; ++e, out += row_length) {
                    const npy_intp* cols = C.source + e * C.size;
                    for (npy_intp i = 0; i < R.size; ++i) {
                        const npy_intp y = R.source[a * R.size + i];
                        T* dst = out + i * C.size;
                        if (y < 0) {
                            for (npy_intp j = 0; j < C.size; ++j) dst[j] = 0;
                            continue;
                        }
                        const T* line = plane + y * p->cols;
                        for (npy_intp j = 0; j < C.size; ++j)
                            dst[j] = cols[j] < 0 ? T(0) : line[cols[j]];
                    }
                }
            }
        }
    }
};

// The gradient: the entries of the patches of planes b0 to b1 added back
// at the pixels they came from.
template <typename T>
struct AddBack {
    const Plan* p;
    const T* patches;
    T* images;

    void operator()(parallel::index_t b0, parallel::index_t b1) const {
        const Axis& R = p->down;
        const Axis& C = p->across;
        const npy_intp row_length = R.size * C.size;
        for (npy_intp b = b0; b < b1; ++b) {
            T* plane = images + b * p->rows * p->cols;
            for (npy_intp k = 0; k < p->rows * p->cols; ++k) plane[k] = 0;
            const T* in = patches + b * R.grid * C.grid * row_length;
            for (npy_intp a = 0; a < R.grid; ++a) {
                for (npy_intp e = 0; e < C.grid; ++e, in += row_length) {
                    const npy_intp* cols = C.source + e * C.size;
                    for (npy_intp i = 0; i < R.size; ++i) {
                        const npy_intp y = R.source[a * R.size + i];
                        if (y < 0) continue;
                        T* line = plane + y * p->cols;
                        const T* src = in + i * C.size;
                        for (npy_intp j = 0; j < C.size; ++j)
                            if (cols[j] >= 0) line[cols[j]] += src[j];
                    }
                }
            }
        }
    }
};

// images2neibs(ten4, neib_shape, neib_step) into *out; 0, or -1 with a
// Python error set.
template <typename T>
int forward(PyArrayObject* ten4, PyArrayObject* shape, PyArrayObject* step,
            int mode, int threads, int typenum, PyArrayObject** out) {
    Plan plan;
    if (!make_plan(ten4, shape, step, mode, &plan)) return -1;
    const npy_intp dims[2] = {
        plan.planes * plan.down.grid * plan.across.grid,
        plan.down.size * plan.across.size};
    if (!prepare_output(out, 2, dims, typenum)) return -1;
    Cut<T> body = {&plan, (const T*)PyArray_DATA(plan.images),
                   (T*)PyArray_DATA(*out)};
    parallel::parallel_for(plan.planes, dims[0] / (plan.planes ? plan.planes
                                                               : 1)
                                        * dims[1], threads, body);
    return 0;
}

// The gradient of images2neibs: gz (the patches' gradient) added back
// into an array of ten4's shape, *out.
template <typename T>
int grad(PyArrayObject* ten4, PyArrayObject* gz, PyArrayObject* shape,
         PyArrayObject* step, int mode, int threads, int typenum,
         PyArrayObject** out) {
    Plan plan;
    if (!make_plan(ten4, shape, step, mode, &plan)) return -1;
    const npy_intp rows = plan.planes * plan.down.grid * plan.across.grid;
    const npy_intp columns = plan.down.size * plan.across.size;
    if (PyArray_NDIM(gz) != 2 || PyArray_DIMS(gz)[0] != rows
            || PyArray_DIMS(gz)[1] != columns) {
        PyErr_Format(PyExc_ValueError, "images2neibs gradient: the gradient "
                     "should have shape (%ld, %ld), the patches' shape",
                     (long)rows, (long)columns);
        return -1;
    }
    PyArrayObject* patches = PyArray_GETCONTIGUOUS(gz);
    if (!patches) return -1;
    if (!prepare_output(out, 4, PyArray_DIMS(ten4), typenum)) {
        Py_DECREF(patches);
        return -1;
    }
    AddBack<T> body = {&plan, (const T*)PyArray_DATA(patches),
                       (T*)PyArray_DATA(*out)};
    parallel::parallel_for(plan.planes, plan.rows * plan.cols
                                        + (plan.planes ? rows / plan.planes
                                                       : 0) * columns,
                           threads, body);
    Py_DECREF(patches);
    return 0;
}

}  // namespace neibs

#section code

// NEIBS_CALL (the op's call of forward or grad, with its arrays) comes
// from the op; the mode and the threads from its params.
{
    const int mode = PARAMS->mode_code;
    const int threads = PARAMS->threads;
    if (NEIBS_CALL != 0) {
        FAIL
    }
}
