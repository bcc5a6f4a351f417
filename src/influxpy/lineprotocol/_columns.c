/* The request body of a batch of columns (a DataFrame's), joined in C.
 *
 * join_columns(index, keys, columns, times) -> bytes | None
 *
 *   index    int64 buffer: each row's position in *keys*
 *   keys     list of bytes: the escaped series keys
 *   columns  list of (prefix, kind, values, valid): prefix the escaped field
 *            key and "=" as bytes, kind 0 (float) or 2 (integer), values a
 *            buffer of 8-byte doubles or int64s, valid None (every row has a
 *            value) or a buffer of one byte per row, 0 for no value
 *   times    int64 buffer: nanoseconds
 *
 * The body is each row's line, in order, joined by newlines: the bytes of
 * bodies.py's columns_body() and of "\n".join(encode_columns(...)). None
 * when a row needs the Python path, which formats it or raises its error:
 * a float that is not finite, a row without a field value, a time outside
 * InfluxDB's range.
 */

#include "_speedups.h"

typedef struct {
    const char *prefix;
    Py_ssize_t prefix_size;
    int kind;
    Py_buffer values;
    Py_buffer valid; /* .buf NULL when every row has a value */
} column;

static void
release(column *columns, Py_ssize_t count)
{
    for (Py_ssize_t i = 0; i < count; i++) {
        if (columns[i].values.obj != NULL) {
            PyBuffer_Release(&columns[i].values);
        }
        if (columns[i].valid.obj != NULL) {
            PyBuffer_Release(&columns[i].valid);
        }
    }
    PyMem_Free(columns);
}

static int
get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t size, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) {
        return -1;
    }
    if (view->len != size) {
        PyErr_Format(PyExc_ValueError, "join_columns: %s holds %zd bytes, not %zd",
                     what, view->len, size);
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

/* Read *specs* into *out*; returns the widest a row's fields can be, or -1. */
static Py_ssize_t
read_columns(PyObject *specs, column *out, Py_ssize_t rows)
{
    Py_ssize_t width = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(specs); i++) {
        PyObject *spec = PyList_GET_ITEM(specs, i);
        PyObject *prefix, *values, *valid;
        int kind;
        if (!PyArg_ParseTuple(spec, "O!iOO:join_columns", &PyBytes_Type, &prefix,
                              &kind, &values, &valid)) {
            return -1;
        }
        if (kind != K_FLOAT && kind != K_INTEGER) {
            PyErr_SetString(PyExc_ValueError, "join_columns: kinds are 0 or 2");
            return -1;
        }
        column *c = &out[i];
        c->prefix = PyBytes_AS_STRING(prefix);
        c->prefix_size = PyBytes_GET_SIZE(prefix);
        c->kind = kind;
        if (get_buffer(values, &c->values, rows * 8, "a column") < 0) {
            return -1;
        }
        if (valid != Py_None &&
            get_buffer(valid, &c->valid, rows, "a column's validity") < 0) {
            return -1;
        }
        width += 1 + c->prefix_size + 32;
    }
    return width;
}

/* Write row *row*'s fields at *out*; returns the end, or NULL when the row
 * needs the Python path (with no exception) or on error (with one). */
static char *
put_fields(column *columns, Py_ssize_t count, Py_ssize_t row, char *out)
{
    char *start = out;
    for (Py_ssize_t i = 0; i < count; i++) {
        column *c = &columns[i];
        if (c->valid.buf != NULL && !((const char *)c->valid.buf)[row]) {
            continue;
        }
        char separator = out == start ? ' ' : ',';
        *out++ = separator;
        memcpy(out, c->prefix, c->prefix_size);
        out += c->prefix_size;
        if (c->kind == K_FLOAT) {
            double value = ((const double *)c->values.buf)[row];
            if (!isfinite(value)) {
                return NULL;
            }
            int length = format_float(value, out);
            if (length < 0) {
                return NULL;
            }
            out += length;
        }
        else {
            out += format_int(((const long long *)c->values.buf)[row], out);
            *out++ = 'i';
        }
    }
    return out == start ? NULL : out;
}

PyObject *
join_columns(PyObject *module, PyObject *args)
{
    PyObject *index_obj, *keys, *specs, *times_obj;
    if (!PyArg_ParseTuple(args, "OO!O!O:join_columns", &index_obj, &PyList_Type,
                          &keys, &PyList_Type, &specs, &times_obj)) {
        return NULL;
    }
    Py_buffer index = {0}, times = {0};
    buffer buf = {NULL, 0, 0};
    PyObject *result = NULL;
    Py_ssize_t count = PyList_GET_SIZE(specs);
    column *columns = PyMem_Calloc(count ? count : 1, sizeof(column));
    if (columns == NULL) {
        return PyErr_NoMemory();
    }
    if (PyObject_GetBuffer(times_obj, &times, PyBUF_C_CONTIGUOUS) < 0) {
        goto done;
    }
    Py_ssize_t rows = times.len / 8;
    if (get_buffer(index_obj, &index, rows * 8, "the index") < 0) {
        goto done;
    }
    Py_ssize_t width = read_columns(specs, columns, rows);
    if (width < 0) {
        goto done;
    }
    Py_ssize_t key_count = PyList_GET_SIZE(keys);
    Py_ssize_t widest_key = 0;
    for (Py_ssize_t k = 0; k < key_count; k++) {
        PyObject *key = PyList_GET_ITEM(keys, k);
        if (!PyBytes_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "join_columns: keys are bytes");
            goto done;
        }
        if (PyBytes_GET_SIZE(key) > widest_key) {
            widest_key = PyBytes_GET_SIZE(key);
        }
    }
    const long long *positions = (const long long *)index.buf;
    const long long *stamps = (const long long *)times.buf;
    Py_ssize_t row_width = widest_key + width + 24;
    for (Py_ssize_t row = 0; row < rows; row++) {
        long long position = positions[row];
        long long stamp = stamps[row];
        if (position < 0 || position >= key_count) {
            PyErr_SetString(PyExc_IndexError, "join_columns: a key out of range");
            goto done;
        }
        if (stamp < MIN_TIME_NS || stamp > MAX_TIME_NS) {
            result = Py_None; /* the Python path refuses it */
            goto done;
        }
        if (reserve(&buf, row_width) < 0) {
            goto done;
        }
        char *out = buf.data + buf.size;
        if (row) {
            *out++ = '\n';
        }
        PyObject *key = PyList_GET_ITEM(keys, position);
        memcpy(out, PyBytes_AS_STRING(key), PyBytes_GET_SIZE(key));
        out += PyBytes_GET_SIZE(key);
        out = put_fields(columns, count, row, out);
        if (out == NULL) {
            if (!PyErr_Occurred()) {
                result = Py_None;
            }
            goto done;
        }
        *out++ = ' ';
        out += format_int(stamp, out);
        buf.size = out - buf.data;
    }
    result = PyBytes_FromStringAndSize(buf.data ? buf.data : "", buf.size);
done:
    if (index.obj != NULL) {
        PyBuffer_Release(&index);
    }
    if (times.obj != NULL) {
        PyBuffer_Release(&times);
    }
    release(columns, count);
    PyMem_Free(buf.data);
    if (result == Py_None) {
        Py_INCREF(Py_None);
    }
    return result;
}
