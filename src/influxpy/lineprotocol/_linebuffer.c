/* A batch writer's buffer of lines (the compiled side of line_buffer.py).
 *
 * ``LineBuffer(encoder, model, batch_size, attention, refused, pause,
 * pause_every)`` holds the lines of the points a batch writer accepted as
 * one growing body, joined by newlines as UTF-8. ``add(point)`` writes the
 * line of *point* with the RowEncoder (or its Python fallback) straight into
 * it, without a str per line, then calls ``attention()`` for the first line
 * since the buffer was empty or once it holds ``batch_size`` lines,
 * ``pause()`` every ``pause_every`` lines, and ``refused(point)`` instead
 * when *point* is not of ``model`` or the buffer is not ``open``.
 * ``push(point)`` does the same and returns which of them is due (see
 * ``PUSHED`` and the others) for a caller that must await instead.
 * ``cut(count)`` takes the first *count* lines as a request body.
 *
 * A line is encoded apart first (that may run Python code, and so let
 * another thread in), and only then copied in, with no Python code between
 * the last check of ``open`` and the copy: threads may add while another
 * cuts or closes, and no line goes in after the buffer was closed.
 */

#include "_speedups.h"
#include <structmember.h>

enum { PUSHED = 0, ATTENTION = 1, PAUSE = 2, REFUSED = 3 };

typedef struct {
    PyObject_HEAD
    RowEncoder *encoder;
    PyObject *model;     /* the class whose instances are taken */
    PyObject *attention; /* callable(): first line since empty, or a full batch */
    PyObject *refused;   /* callable(point): not taken */
    PyObject *pause;     /* callable(): every pause_every lines */
    Py_ssize_t batch_size;
    Py_ssize_t pause_every;
    buffer body;
    long long *starts; /* each line's first byte in body */
    Py_ssize_t count;
    Py_ssize_t starts_capacity;
    int embedded; /* a line holds a newline of its own (in a string value) */
    char open;
} LineBuffer;

static int
LineBuffer_traverse(LineBuffer *self, visitproc visit, void *arg)
{
    Py_VISIT(self->encoder);
    Py_VISIT(self->model);
    Py_VISIT(self->attention);
    Py_VISIT(self->refused);
    Py_VISIT(self->pause);
    return 0;
}

static int
LineBuffer_clear(LineBuffer *self)
{
    Py_CLEAR(self->encoder);
    Py_CLEAR(self->model);
    Py_CLEAR(self->attention);
    Py_CLEAR(self->refused);
    Py_CLEAR(self->pause);
    return 0;
}

static void
LineBuffer_dealloc(LineBuffer *self)
{
    PyObject_GC_UnTrack(self);
    LineBuffer_clear(self);
    PyMem_Free(self->body.data);
    PyMem_Free(self->starts);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
LineBuffer_init(LineBuffer *self, PyObject *args, PyObject *kwargs)
{
    PyObject *encoder, *model, *attention, *refused, *pause;
    Py_ssize_t batch_size, pause_every;
    if (!PyArg_ParseTuple(args, "O!O!nOOOn:LineBuffer", &RowEncoderType, &encoder,
                          &PyType_Type, &model, &batch_size, &attention, &refused,
                          &pause, &pause_every)) {
        return -1;
    }
    if (batch_size < 1 || pause_every < 1) {
        PyErr_SetString(PyExc_ValueError,
                        "LineBuffer: batch_size and pause_every are at least 1");
        return -1;
    }
    if (self->body.data == NULL) {
        self->body.data = PyMem_Malloc(4096);
        self->starts = PyMem_Malloc(sizeof(long long) * 64);
        if (self->body.data == NULL || self->starts == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        self->body.capacity = 4096;
        self->starts_capacity = 64;
    }
    self->body.size = 0;
    self->count = 0;
    self->embedded = 0;
    self->open = 1;
    self->batch_size = batch_size;
    self->pause_every = pause_every;
    Py_INCREF(encoder);
    Py_XSETREF(self->encoder, (RowEncoder *)encoder);
    Py_INCREF(model);
    Py_XSETREF(self->model, model);
    Py_INCREF(attention);
    Py_XSETREF(self->attention, attention);
    Py_INCREF(refused);
    Py_XSETREF(self->refused, refused);
    Py_INCREF(pause);
    Py_XSETREF(self->pause, pause);
    return 0;
}

/* Room for one more line start; -1 on error. */
static int
grow_starts(LineBuffer *self)
{
    if (self->count < self->starts_capacity) {
        return 0;
    }
    Py_ssize_t capacity = self->starts_capacity * 2;
    long long *starts = PyMem_Realloc(self->starts, sizeof(long long) * capacity);
    if (starts == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->starts = starts;
    self->starts_capacity = capacity;
    return 0;
}

/* Take *point* in: which call is due (PUSHED, ATTENTION, PAUSE), REFUSED
 * when it is not taken, -1 on error (nothing taken). */
static int
push(LineBuffer *self, PyObject *point)
{
    if (self->encoder == NULL) {
        PyErr_SetString(PyExc_TypeError, "LineBuffer was not initialised");
        return -1;
    }
    if ((PyObject *)Py_TYPE(point) != self->model || !self->open) {
        return REFUSED;
    }
    buffer line;
    if (ready(self->encoder, &line) < 0) {
        return -1;
    }
    Py_INCREF(point);
    int done = write_object(self->encoder, &line, point);
    if (done == 0) {
        done = write_fallback(self->encoder, &line, point);
    }
    Py_DECREF(point);
    if (done < 0) {
        PyMem_Free(line.data);
        return -1;
    }
    /* No Python code runs from here until the line is in. */
    if (!self->open) {
        PyMem_Free(line.data);
        return REFUSED;
    }
    if (grow_starts(self) < 0 || reserve(&self->body, line.size + 1) < 0) {
        PyMem_Free(line.data);
        return -1;
    }
    if (self->count) {
        self->body.data[self->body.size++] = '\n';
    }
    self->starts[self->count++] = self->body.size;
    memcpy(self->body.data + self->body.size, line.data, line.size);
    self->body.size += line.size;
    if (memchr(line.data, '\n', line.size) != NULL) {
        self->embedded = 1;
    }
    PyMem_Free(line.data);
    if (self->count == 1 || self->count >= self->batch_size) {
        return ATTENTION;
    }
    return self->count % self->pause_every ? PUSHED : PAUSE;
}

static PyObject *
LineBuffer_add(LineBuffer *self, PyObject *point)
{
    PyObject *result;
    switch (push(self, point)) {
    case -1:
        return NULL;
    case ATTENTION:
        result = PyObject_CallNoArgs(self->attention);
        break;
    case PAUSE:
        result = PyObject_CallNoArgs(self->pause);
        break;
    case REFUSED:
        result = PyObject_CallOneArg(self->refused, point);
        break;
    default:
        Py_RETURN_NONE;
    }
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    Py_RETURN_NONE;
}

static PyObject *
LineBuffer_push(LineBuffer *self, PyObject *point)
{
    int code = push(self, point);
    return code < 0 ? NULL : PyLong_FromLong(code);
}

static PyObject *
LineBuffer_cut(LineBuffer *self, PyObject *arg)
{
    Py_ssize_t count = PyLong_AsSsize_t(arg);
    if (count == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (count > self->count) {
        count = self->count;
    }
    if (count < 0) {
        count = 0;
    }
    /* The lines cut end before the newline ahead of the next line. */
    Py_ssize_t next = count < self->count ? self->starts[count] : self->body.size;
    Py_ssize_t end = count == 0 ? 0 : (count < self->count ? next - 1 : next);
    PyObject *body = PyBytes_FromStringAndSize(self->body.data, end);
    if (body == NULL) {
        return NULL;
    }
    PyObject *starts = Py_None;
    Py_INCREF(starts);
    if (self->embedded && count) {
        Py_SETREF(starts, PyBytes_FromStringAndSize((const char *)self->starts,
                                                    sizeof(long long) * count));
        if (starts == NULL) {
            Py_DECREF(body);
            return NULL;
        }
    }
    memmove(self->body.data, self->body.data + next, self->body.size - next);
    self->body.size -= next;
    for (Py_ssize_t i = count; i < self->count; i++) {
        self->starts[i - count] = self->starts[i] - next;
    }
    self->count -= count;
    if (self->count == 0) {
        self->embedded = 0;
    }
    return Py_BuildValue("(NnN)", body, count, starts);
}

static Py_ssize_t
LineBuffer_len(LineBuffer *self)
{
    return self->count;
}

static PyMethodDef LineBuffer_methods[] = {
    {"add", (PyCFunction)LineBuffer_add, METH_O,
     "add(point)\n--\n\nTake *point*'s line in, then call attention(), pause() "
     "or refused(point) when due."},
    {"push", (PyCFunction)LineBuffer_push, METH_O,
     "push(point)\n--\n\nTake *point*'s line in and return which call is due: "
     "0 none, 1 attention, 2 pause, 3 refused (not taken)."},
    {"cut", (PyCFunction)LineBuffer_cut, METH_O,
     "cut(count)\n--\n\nTake the first *count* lines out: their body, their "
     "number, and each line's start (native int64s) when a line holds a "
     "newline, else None."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef LineBuffer_members[] = {
    {"open", T_BOOL, offsetof(LineBuffer, open), 0,
     "Whether points are taken; refused(point) is called for each one when not."},
    {NULL, 0, 0, 0, NULL},
};

static PySequenceMethods LineBuffer_sequence = {
    .sq_length = (lenfunc)LineBuffer_len,
};

PyTypeObject LineBufferType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name =
        "influxpy.lineprotocol._speedups.LineBuffer",
    .tp_basicsize = sizeof(LineBuffer),
    .tp_dealloc = (destructor)LineBuffer_dealloc,
    .tp_free = PyObject_GC_Del,
    .tp_traverse = (traverseproc)LineBuffer_traverse,
    .tp_clear = (inquiry)LineBuffer_clear,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "LineBuffer(encoder, model, batch_size, attention, refused, pause, "
              "pause_every)\n--\n\nA batch writer's buffer of lines (see "
              "line_buffer.py).",
    .tp_init = (initproc)LineBuffer_init,
    .tp_methods = LineBuffer_methods,
    .tp_members = LineBuffer_members,
    .tp_as_sequence = &LineBuffer_sequence,
    .tp_new = PyType_GenericNew,
};
