/* The compiled line-protocol encoder of model instances.
 *
 * ``RowEncoder(tag_names, cache, field_names, prefixes, kinds, time_name,
 * fallback)`` is called with a list of objects and returns their lines, the
 * lines ``Encoder`` (encoder.py) writes: an object whose values all take the
 * fast path (exact float, int, bool or ASCII str values or None, a series
 * already in ``cache``, an integer time in range) is written here, any other
 * by ``fallback(obj)``, the generated Python encoder, which also raises every
 * error. So this file decides nothing the Python encoder does not: it only
 * writes the common case without the interpreter. Floats are written as
 * repr() writes them (format_float() in _speedups.h); _columns.c joins the
 * body of a DataFrame's batch.
 */

#include "_speedups.h"

static PyObject *DICT_NAME; /* "__dict__" */

static void
RowEncoder_dealloc(RowEncoder *self)
{
    Py_XDECREF(self->tag_names);
    Py_XDECREF(self->cache);
    Py_XDECREF(self->field_names);
    Py_XDECREF(self->prefixes);
    Py_XDECREF(self->time_name);
    Py_XDECREF(self->fallback);
    Py_XDECREF(self->key);
    PyMem_Free(self->kinds);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
RowEncoder_init(RowEncoder *self, PyObject *args, PyObject *kwargs)
{
    PyObject *tag_names, *cache, *field_names, *prefixes, *time_name, *fallback;
    Py_buffer kinds;
    if (!PyArg_ParseTuple(args, "O!O!O!O!y*UO:RowEncoder", &PyTuple_Type,
                          &tag_names, &PyDict_Type, &cache, &PyTuple_Type,
                          &field_names, &PyTuple_Type, &prefixes, &kinds,
                          &time_name, &fallback)) {
        return -1;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(field_names);
    if (PyTuple_GET_SIZE(prefixes) != count || kinds.len != count) {
        PyBuffer_Release(&kinds);
        PyErr_SetString(PyExc_ValueError,
                        "RowEncoder: one prefix and one kind per field");
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        unsigned char kind = ((unsigned char *)kinds.buf)[i];
        if (!PyBytes_Check(PyTuple_GET_ITEM(prefixes, i)) || kind > K_STRING) {
            PyBuffer_Release(&kinds);
            PyErr_SetString(PyExc_ValueError,
                            "RowEncoder: prefixes are bytes and kinds 0 to 4");
            return -1;
        }
    }
    PyMem_Free(self->kinds);
    self->kinds = PyMem_Malloc(count ? count : 1);
    if (self->kinds == NULL) {
        PyBuffer_Release(&kinds);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(self->kinds, kinds.buf, count);
    PyBuffer_Release(&kinds);
    self->tag_count = PyTuple_GET_SIZE(tag_names);
    self->field_count = count;
    Py_INCREF(tag_names);
    Py_XSETREF(self->tag_names, tag_names);
    Py_INCREF(cache);
    Py_XSETREF(self->cache, cache);
    Py_INCREF(field_names);
    Py_XSETREF(self->field_names, field_names);
    Py_INCREF(prefixes);
    Py_XSETREF(self->prefixes, prefixes);
    Py_INCREF(time_name);
    Py_XSETREF(self->time_name, time_name);
    Py_INCREF(fallback);
    Py_XSETREF(self->fallback, fallback);
    return 0;
}

/* The value of *name* in *dict*, borrowed, or NULL when absent (then None). */
static inline PyObject *
lookup(PyObject *dict, PyObject *name)
{
    return PyDict_GetItemWithError(dict, name);
}

/* Write a string field value quoted, backslash and quote escaped; 1 when it
 * takes the fast path, 0 when not (not ASCII, too long), -1 on error. */
static int
put_string(buffer *buf, PyObject *value)
{
    if (!PyUnicode_IS_ASCII(value)) {
        return 0;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    if (length >= MAX_FAST_STRING) {
        return 0;
    }
    const char *text = (const char *)PyUnicode_DATA(value);
    if (reserve(buf, 2 * length + 2) < 0) {
        return -1;
    }
    char *out = buf->data + buf->size;
    *out++ = '"';
    for (Py_ssize_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == '\\' || c == '"') {
            *out++ = '\\';
        }
        *out++ = c;
    }
    *out++ = '"';
    buf->size = out - buf->data;
    return 1;
}

/* Write one field value after its prefix; 1 written, 0 not on the fast path,
 * -1 on error. */
static int
put_value(buffer *buf, unsigned char kind, PyObject *value)
{
    char text[32];
    int length;
    switch (kind) {
    case K_FLOAT:
    case K_ANY: {
        if (!PyFloat_CheckExact(value)) {
            return 0;
        }
        double number = PyFloat_AS_DOUBLE(value);
        if (!isfinite(number)) {
            return 0;
        }
        length = format_float(number, text);
        if (length < 0) {
            return -1;
        }
        break;
    }
    case K_INTEGER: {
        if (!PyLong_CheckExact(value)) {
            return 0;
        }
        int overflow = 0;
        long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow) {
            return 0;
        }
        if (number == -1 && PyErr_Occurred()) {
            return -1;
        }
        length = format_int(number, text);
        text[length++] = 'i';
        break;
    }
    case K_BOOLEAN:
        if (value == Py_True) {
            return put(buf, "true", 4) < 0 ? -1 : 1;
        }
        if (value == Py_False) {
            return put(buf, "false", 5) < 0 ? -1 : 1;
        }
        return 0;
    default:
        if (!PyUnicode_CheckExact(value)) {
            return 0;
        }
        return put_string(buf, value);
    }
    return put(buf, text, length) < 0 ? -1 : 1;
}

/* Write the line of *dict* into *buf*; 1 written, 0 when the object is left
 * to the Python encoder, -1 on error. *found*, when given, gets the series
 * key found in the cache (borrowed), or NULL. */
static int
put_line(RowEncoder *self, buffer *buf, PyObject *dict, PyObject **found)
{
    PyObject *series;
    /* The tuple of tag values is reused while nothing else holds it: a new
     * tuple per object would also start the garbage collector every 700. */
    PyObject *key = self->key;
    if (key == NULL || Py_REFCNT(key) != 1 || !REUSE_KEY) {
        key = PyTuple_New(self->tag_count);
        if (key == NULL) {
            return -1;
        }
        for (Py_ssize_t i = 0; i < self->tag_count; i++) {
            Py_INCREF(Py_None);
            PyTuple_SET_ITEM(key, i, Py_None);
        }
        Py_XSETREF(self->key, key);
    }
    for (Py_ssize_t i = 0; i < self->tag_count; i++) {
        PyObject *value = lookup(dict, PyTuple_GET_ITEM(self->tag_names, i));
        if (value == NULL) {
            if (PyErr_Occurred()) {
                return -1;
            }
            value = Py_None;
        }
        Py_INCREF(value);
        Py_SETREF(PyTuple_GET_ITEM(key, i), value);
    }
    Py_INCREF(key);
    series = PyDict_GetItemWithError(self->cache, key);
    Py_DECREF(key);
    if (series == NULL) {
        return PyErr_Occurred() ? -1 : 0; /* a new series: checked in Python */
    }
    if (found != NULL) {
        *found = series;
    }
    Py_ssize_t length;
    const char *text = PyUnicode_AsUTF8AndSize(series, &length);
    if (text == NULL || put(buf, text, length) < 0) {
        return -1;
    }
    int written = 0;
    for (Py_ssize_t i = 0; i < self->field_count; i++) {
        PyObject *value = lookup(dict, PyTuple_GET_ITEM(self->field_names, i));
        if (value == NULL) {
            if (PyErr_Occurred()) {
                return -1;
            }
            continue;
        }
        if (value == Py_None) {
            continue;
        }
        PyObject *prefix = PyTuple_GET_ITEM(self->prefixes, i);
        if (put(buf, written ? "," : " ", 1) < 0 ||
            put(buf, PyBytes_AS_STRING(prefix), PyBytes_GET_SIZE(prefix)) < 0) {
            return -1;
        }
        int done = put_value(buf, self->kinds[i], value);
        if (done <= 0) {
            return done;
        }
        written++;
    }
    if (!written) {
        return 0; /* no field value: the Python encoder raises */
    }
    PyObject *time = lookup(dict, self->time_name);
    if (time == NULL || !PyLong_CheckExact(time)) {
        return PyErr_Occurred() ? -1 : 0;
    }
    int overflow = 0;
    long long stamp = PyLong_AsLongLongAndOverflow(time, &overflow);
    if (overflow || stamp < MIN_TIME_NS || stamp > MAX_TIME_NS) {
        return 0;
    }
    char digits[24];
    digits[0] = ' ';
    int count = format_int(stamp, digits + 1) + 1;
    return put(buf, digits, count) < 0 ? -1 : 1;
}

/* The str of the UTF-8 in *buf*: copied straight when it is ASCII. */
static PyObject *
make_str(buffer *buf)
{
    const unsigned char *data = (const unsigned char *)buf->data;
    Py_ssize_t size = buf->size;
    for (Py_ssize_t i = 0; i < size; i++) {
        if (data[i] & 0x80) {
            return PyUnicode_DecodeUTF8(buf->data, size, "strict");
        }
    }
    PyObject *text = PyUnicode_New(size, 127);
    if (text != NULL) {
        memcpy(PyUnicode_DATA(text), data, size);
    }
    return text;
}

/* Append the line of *obj* to *buf*: 1 when written here, 0 when the object
 * is left to the Python encoder (*buf* as it was), -1 on error. *found*, when
 * given, gets the series key of a line written here (borrowed from the
 * cache; NULL otherwise). */
int
write_object_found(RowEncoder *self, buffer *buf, PyObject *obj, PyObject **found)
{
    PyObject *dict = PyObject_GetAttr(obj, DICT_NAME);
    if (dict == NULL) {
        PyErr_Clear(); /* no __dict__: the Python encoder says so */
        return 0;
    }
    int done = 0;
    if (PyDict_Check(dict)) {
        Py_ssize_t start = buf->size;
        done = put_line(self, buf, dict, found);
        if (done == 0) {
            buf->size = start;
        }
    }
    Py_DECREF(dict);
    return done;
}

int
write_object(RowEncoder *self, buffer *buf, PyObject *obj)
{
    return write_object_found(self, buf, obj, NULL);
}

/* The series key the cache holds for the tag values of *obj*, a new
 * reference, or NULL (with an exception only on error). */
PyObject *
cached_series(RowEncoder *self, PyObject *obj)
{
    PyObject *dict = PyObject_GetAttr(obj, DICT_NAME);
    if (dict == NULL) {
        PyErr_Clear();
        return NULL;
    }
    PyObject *series = NULL;
    PyObject *key = PyTuple_New(self->tag_count);
    if (key == NULL || !PyDict_Check(dict)) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < self->tag_count; i++) {
        PyObject *value = lookup(dict, PyTuple_GET_ITEM(self->tag_names, i));
        if (value == NULL) {
            if (PyErr_Occurred()) {
                goto done;
            }
            value = Py_None;
        }
        Py_INCREF(value);
        PyTuple_SET_ITEM(key, i, value);
    }
    series = PyDict_GetItemWithError(self->cache, key);
    Py_XINCREF(series);
done:
    Py_XDECREF(key);
    Py_DECREF(dict);
    return series;
}

/* The line of *obj* as a new str, or NULL with an exception. */
static PyObject *
encode_object(RowEncoder *self, buffer *buf, PyObject *obj)
{
    buf->size = 0;
    int done = write_object(self, buf, obj);
    if (done < 0) {
        return NULL;
    }
    if (done) {
        return make_str(buf);
    }
    return PyObject_CallOneArg(self->fallback, obj);
}

int
ready(RowEncoder *self, buffer *buf)
{
    if (self->fallback == NULL) {
        PyErr_SetString(PyExc_TypeError, "RowEncoder was not initialised");
        return -1;
    }
    buf->data = PyMem_Malloc(256);
    buf->size = 0;
    buf->capacity = 256;
    if (buf->data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static PyObject *
RowEncoder_call(RowEncoder *self, PyObject *args, PyObject *kwargs)
{
    PyObject *objs;
    buffer buf;
    if (!PyArg_ParseTuple(args, "O!:RowEncoder", &PyList_Type, &objs) ||
        ready(self, &buf) < 0) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(objs);
    PyObject *lines = PyList_New(count);
    if (lines == NULL) {
        PyMem_Free(buf.data);
        return NULL;
    }
    for (Py_ssize_t index = 0; index < count; index++) {
        /* The list may change under a fallback call: read it each time. */
        if (index >= PyList_GET_SIZE(objs)) {
            PyErr_SetString(PyExc_RuntimeError, "the list changed while encoding");
            goto error;
        }
        PyObject *obj = PyList_GET_ITEM(objs, index);
        Py_INCREF(obj);
        PyObject *line = encode_object(self, &buf, obj);
        Py_DECREF(obj);
        if (line == NULL) {
            goto error;
        }
        PyList_SET_ITEM(lines, index, line);
    }
    PyMem_Free(buf.data);
    return lines;
error:
    PyMem_Free(buf.data);
    Py_DECREF(lines);
    return NULL;
}

/* Append the Python encoder's line of *obj* to *buf*, as UTF-8 with lone
 * surrogates passed (as the writer encodes lines). */
int
write_fallback(RowEncoder *self, buffer *buf, PyObject *obj)
{
    PyObject *line = PyObject_CallOneArg(self->fallback, obj);
    if (line == NULL) {
        return -1;
    }
    PyObject *data = PyUnicode_AsEncodedString(line, "utf-8", "surrogatepass");
    Py_DECREF(line);
    if (data == NULL) {
        return -1;
    }
    int done = put(buf, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data));
    Py_DECREF(data);
    return done;
}

static PyObject *
RowEncoder_body(RowEncoder *self, PyObject *objs)
{
    buffer buf;
    if (!PyList_Check(objs)) {
        PyErr_SetString(PyExc_TypeError, "body() takes a list");
        return NULL;
    }
    if (ready(self, &buf) < 0) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(objs);
    long long *starts = PyMem_Malloc(sizeof(long long) * (count ? count : 1));
    int embedded = 0; /* a line holds a newline (in a string value) */
    PyObject *result = NULL;
    if (starts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t index = 0; index < count; index++) {
        if (index >= PyList_GET_SIZE(objs)) {
            PyErr_SetString(PyExc_RuntimeError, "the list changed while encoding");
            goto done;
        }
        if (index && put(&buf, "\n", 1) < 0) {
            goto done;
        }
        Py_ssize_t start = buf.size;
        starts[index] = start;
        PyObject *obj = PyList_GET_ITEM(objs, index);
        Py_INCREF(obj);
        int done = write_object(self, &buf, obj);
        if (done == 0) {
            done = write_fallback(self, &buf, obj);
        }
        Py_DECREF(obj);
        if (done < 0) {
            goto done;
        }
        if (memchr(buf.data + start, '\n', buf.size - start) != NULL) {
            embedded = 1;
        }
    }
    PyObject *body = PyBytes_FromStringAndSize(buf.data, buf.size);
    if (body == NULL) {
        goto done;
    }
    if (!embedded) {
        result = PyTuple_Pack(2, body, Py_None);
    }
    else {
        PyObject *offsets = PyBytes_FromStringAndSize(
            (const char *)starts, (Py_ssize_t)(sizeof(long long) * count));
        if (offsets != NULL) {
            result = PyTuple_Pack(2, body, offsets);
            Py_DECREF(offsets);
        }
    }
    Py_DECREF(body);
done:
    PyMem_Free(starts);
    PyMem_Free(buf.data);
    return result;
}

static PyObject *
RowEncoder_one(RowEncoder *self, PyObject *obj)
{
    buffer buf;
    if (ready(self, &buf) < 0) {
        return NULL;
    }
    PyObject *line = encode_object(self, &buf, obj);
    PyMem_Free(buf.data);
    return line;
}

static PyMethodDef RowEncoder_methods[] = {
    {"one", (PyCFunction)RowEncoder_one, METH_O,
     "one(obj)\n--\n\nThe line of one object."},
    {"body", (PyCFunction)RowEncoder_body, METH_O,
     "body(objs)\n--\n\nThe lines of a list of objects joined by newlines, as "
     "UTF-8, and None, or each line's start offset (native int64) when a "
     "line holds a newline."},
    {"lanes", (PyCFunction)RowEncoder_lanes, METH_VARARGS,
     "lanes(objs, count)\n--\n\nThe lines of a list of objects routed to "
     "*count* lanes by series key: for each lane the body() of its lines and "
     "their count (see _lanes.c)."},
    {NULL, NULL, 0, NULL},
};

static PyObject *
py_format_float(PyObject *module, PyObject *value)
{
    double number = PyFloat_AsDouble(value);
    if (number == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    if (!isfinite(number)) {
        PyErr_SetString(PyExc_ValueError, "format_float() takes a finite float");
        return NULL;
    }
    char text[32];
    int length = format_float(number, text);
    if (length < 0) {
        return NULL;
    }
    return PyUnicode_FromStringAndSize(text, length);
}

static PyMethodDef module_methods[] = {
    {"join_columns", join_columns, METH_VARARGS,
     "join_columns(index, keys, columns, times)\n--\n\nThe body of a batch of "
     "columns, or None (see _columns.c)."},
    {"format_float", py_format_float, METH_O,
     "format_float(value)\n--\n\nA finite float as repr() writes it."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject RowEncoderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name =
        "influxpy.lineprotocol._speedups.RowEncoder",
    .tp_basicsize = sizeof(RowEncoder),
    .tp_dealloc = (destructor)RowEncoder_dealloc,
    .tp_call = (ternaryfunc)RowEncoder_call,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "RowEncoder(tag_names, cache, field_names, prefixes, kinds, "
              "time_name, fallback)\n--\n\nThe lines of a list of objects "
              "(see encoder.py).",
    .tp_init = (initproc)RowEncoder_init,
    .tp_methods = RowEncoder_methods,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "influxpy.lineprotocol._speedups",
    .m_doc = "The compiled line-protocol encoder of model instances.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&RowEncoderType) < 0 || PyType_Ready(&LineBufferType) < 0) {
        return NULL;
    }
    DICT_NAME = PyUnicode_InternFromString("__dict__");
    if (DICT_NAME == NULL) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    Py_INCREF(&RowEncoderType);
    if (PyModule_AddObject(m, "RowEncoder", (PyObject *)&RowEncoderType) < 0) {
        Py_DECREF(&RowEncoderType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&LineBufferType);
    if (PyModule_AddObject(m, "LineBuffer", (PyObject *)&LineBufferType) < 0) {
        Py_DECREF(&LineBufferType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
