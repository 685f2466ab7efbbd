#section support_code

// What the package's C++ ops share for handling NumPy arrays; loaded
// after engine/parallel_for.cpp by the ops that use it (their
// source_files).

#ifndef THEANO_COMPAT_ARRAYS
#define THEANO_COMPAT_ARRAYS

#include <Python.h>
#include <numpy/arrayobject.h>

namespace arrays {

// C-contiguous versions of a call's arrays, held (and released) for the
// length of the call.
struct Contiguous {
    PyArrayObject* a[4];
    int n;
    Contiguous() : n(0) {}
    ~Contiguous() { for (int i = 0; i < n; ++i) Py_DECREF(a[i]); }
    // A C-contiguous version of x (x itself if it is), or NULL with a
    // Python error set.  At most four a call.
    template <typename T> const T* data(PyArrayObject* x) {
        PyArrayObject* c = PyArray_GETCONTIGUOUS(x);
        if (!c) return NULL;
        a[n++] = c;
        return (const T*)PyArray_DATA(c);
    }
};

}  // namespace arrays

#endif  // THEANO_COMPAT_ARRAYS
