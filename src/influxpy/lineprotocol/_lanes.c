/* RowEncoder.lanes(objs, count): the lines of a list of objects routed to
 * *count* lanes by series key, for parallel writes (backends/http/lanes.py).
 *
 * Each line goes to the lane hash(series key) % count, as Python computes
 * it, so every line of one series lands in one lane and keeps its order
 * there. A line written here has its series key from the encoder's cache; a
 * line of the Python encoder (a new series, a value off the fast path) looks
 * its key up in the cache the Python encoder has just filled, else reads it
 * off the line (all before the first unescaped space). Each lane's lines
 * are joined as RowEncoder.body() joins them: the body, None or each line's
 * start offset (native int64s) when a line holds a newline, and the count.
 */

#include "_speedups.h"

/* One lane's lines: a body and each line's start offset. */
typedef struct {
    buffer body;
    long long *starts;
    Py_ssize_t count;
    Py_ssize_t room;
    int embedded;
} lane;

/* The series key of a line (UTF-8): all before its first space that no
 * backslash escapes, as a new str. */
static PyObject *
key_of_line(const char *data, Py_ssize_t size)
{
    Py_ssize_t end = 0;
    while (end < size && data[end] != ' ') {
        end += (data[end] == '\\' && end + 1 < size) ? 2 : 1;
    }
    if (end > size) {
        end = size;
    }
    return PyUnicode_DecodeUTF8(data, end, "surrogatepass");
}

/* Append *line* to *into*; -1 on error. */
static int
add_line(lane *into, buffer *line)
{
    if (into->count == into->room) {
        Py_ssize_t room = into->room ? into->room * 2 : 256;
        long long *starts = PyMem_Realloc(into->starts, sizeof(long long) * room);
        if (starts == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        into->starts = starts;
        into->room = room;
    }
    if (into->count && put(&into->body, "\n", 1) < 0) {
        return -1;
    }
    into->starts[into->count++] = into->body.size;
    if (memchr(line->data, '\n', line->size) != NULL) {
        into->embedded = 1;
    }
    return put(&into->body, line->data, line->size);
}

/* The lane of *obj*, whose line is in *line*; *found* is the series key of
 * a line written in C (borrowed), else NULL. -1 on error. */
static Py_ssize_t
lane_of(RowEncoder *self, PyObject *obj, buffer *line, PyObject *found,
        Py_ssize_t count)
{
    PyObject *series = found;
    if (series != NULL) {
        Py_INCREF(series);
    }
    else {
        series = cached_series(self, obj);
        if (series == NULL) {
            if (PyErr_Occurred()) {
                return -1;
            }
            series = key_of_line(line->data, line->size);
            if (series == NULL) {
                return -1;
            }
        }
    }
    Py_hash_t hash = PyObject_Hash(series);
    Py_DECREF(series);
    if (hash == -1 && PyErr_Occurred()) {
        return -1;
    }
    Py_ssize_t index = (Py_ssize_t)(hash % count);
    return index < 0 ? index + count : index;
}

/* The lanes' results: a list of (body, starts or None, count). */
static PyObject *
lanes_result(lane *lanes, Py_ssize_t count)
{
    PyObject *result = PyList_New(count);
    if (result == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        lane *one = &lanes[i];
        PyObject *body = PyBytes_FromStringAndSize(one->body.data, one->body.size);
        PyObject *starts = NULL;
        if (body != NULL && one->embedded) {
            starts = PyBytes_FromStringAndSize(
                (const char *)one->starts,
                (Py_ssize_t)(sizeof(long long) * one->count));
        }
        else if (body != NULL) {
            starts = Py_NewRef(Py_None);
        }
        PyObject *item = NULL;
        if (starts != NULL) {
            item = Py_BuildValue("(OOn)", body, starts, one->count);
        }
        Py_XDECREF(body);
        Py_XDECREF(starts);
        if (item == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyList_SET_ITEM(result, i, item);
    }
    return result;
}

PyObject *
RowEncoder_lanes(RowEncoder *self, PyObject *args)
{
    PyObject *objs;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "O!n:lanes", &PyList_Type, &objs, &count)) {
        return NULL;
    }
    if (count < 1) {
        PyErr_SetString(PyExc_ValueError, "lanes() takes a count of at least 1");
        return NULL;
    }
    buffer line;
    if (ready(self, &line) < 0) {
        return NULL;
    }
    PyObject *result = NULL;
    lane *lanes = PyMem_Calloc(count, sizeof(lane));
    if (lanes == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (ready(self, &lanes[i].body) < 0) {
            goto done;
        }
    }
    for (Py_ssize_t index = 0; index < PyList_GET_SIZE(objs); index++) {
        PyObject *obj = PyList_GET_ITEM(objs, index);
        Py_INCREF(obj);
        PyObject *found = NULL;
        line.size = 0;
        int written = write_object_found(self, &line, obj, &found);
        if (written == 0) {
            found = NULL;
            written = write_fallback(self, &line, obj) < 0 ? -1 : 1;
        }
        Py_ssize_t which = written < 0 ? -1 : lane_of(self, obj, &line, found, count);
        Py_DECREF(obj);
        if (which < 0 || add_line(&lanes[which], &line) < 0) {
            goto done;
        }
    }
    result = lanes_result(lanes, count);
done:
    if (lanes != NULL) {
        for (Py_ssize_t i = 0; i < count; i++) {
            PyMem_Free(lanes[i].body.data);
            PyMem_Free(lanes[i].starts);
        }
        PyMem_Free(lanes);
    }
    PyMem_Free(line.data);
    return result;
}
