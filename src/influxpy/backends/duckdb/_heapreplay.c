/* The compiled replay of influxd's merge heap (heap_order.py).
 *
 * ``HeapSegment(read, head, index, keys, finals, group, groups, last, sign)``
 * replays, for one group of one shard group, the heap influxd's sorted merge
 * keeps of a raw SELECT's series, with keys of (signed) times alone: the
 * rows come from ``read()`` (the row after ``head``), each a tuple of group
 * values, time, output values and the series key, which ``index`` maps to
 * the series' number; ``keys`` and ``finals`` are each series' first and
 * last signed time there, in tag-set order. ``run(out, room)`` appends up to
 * ``room`` rows (a list of the time and values) to ``out`` in the heap's order and
 * returns whether the segment is done; ``head`` is then the first row after
 * it. Go's container/heap is followed step for step: heap.Init, Pop (the
 * last item to the root, sifted down), Push (appended, sifted up), a child
 * or parent moving only when strictly smaller. ``_Segment`` in
 * heap_order.py is the same algorithm in Python, which the tests compare.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject **items;
    Py_ssize_t start, count, capacity;
} Queue;

typedef struct {
    PyObject_HEAD
    PyObject *read;
    PyObject *head;
    PyObject *index;
    PyObject *group;
    Py_ssize_t groups;
    long long last;
    long long sign;
    Py_ssize_t n;
    Py_ssize_t size;
    Py_ssize_t *h;
    long long *hk;
    long long *finals;
    Queue *pending;
} HeapSegment;

static int
queue_push(Queue *q, PyObject *row)
{
    if (q->count == q->capacity) {
        Py_ssize_t capacity = q->capacity ? q->capacity * 2 : 4;
        PyObject **items = PyMem_New(PyObject *, capacity);
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < q->count; i++) {
            items[i] = q->items[(q->start + i) % q->capacity];
        }
        PyMem_Free(q->items);
        q->items = items;
        q->start = 0;
        q->capacity = capacity;
    }
    Py_INCREF(row);
    q->items[(q->start + q->count) % q->capacity] = row;
    q->count++;
    return 0;
}

/* The oldest row of q (a new reference), taken out of it. */
static PyObject *
queue_pop(Queue *q)
{
    PyObject *row = q->items[q->start];
    q->start = (q->start + 1) % q->capacity;
    q->count--;
    return row;
}

/* Swap the heap's items at i and j. */
static inline void
swap(Py_ssize_t *h, long long *hk, Py_ssize_t i, Py_ssize_t j)
{
    Py_ssize_t s = h[i];
    h[i] = h[j];
    h[j] = s;
    long long k = hk[i];
    hk[i] = hk[j];
    hk[j] = k;
}

static void
sift_down(Py_ssize_t *h, long long *hk, Py_ssize_t i, Py_ssize_t n)
{
    for (;;) {
        Py_ssize_t j = 2 * i + 1;
        if (j >= n) {
            return;
        }
        if (j + 1 < n && hk[j + 1] < hk[j]) {
            j++;
        }
        if (!(hk[j] < hk[i])) {
            return;
        }
        swap(h, hk, i, j);
        i = j;
    }
}

static void
sift_up(Py_ssize_t *h, long long *hk, Py_ssize_t j)
{
    while (j > 0) {
        Py_ssize_t i = (j - 1) / 2;
        if (!(hk[j] < hk[i])) {
            return;
        }
        swap(h, hk, i, j);
        j = i;
    }
}

/* Move head to the next row (None after the last); -1 on an error. */
static int
take(HeapSegment *self)
{
    PyObject *row = PyObject_CallNoArgs(self->read);
    if (row == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
            return -1;
        }
        PyErr_Clear();
        row = Py_NewRef(Py_None);
    }
    else if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) < self->groups + 2) {
        Py_DECREF(row);
        PyErr_SetString(PyExc_TypeError,
                        "HeapSegment: rows are tuples of group values, time, "
                        "values and the series key");
        return -1;
    }
    Py_SETREF(self->head, row);
    return 0;
}

/* The signed time of a row; -1 with an error set when it is not an int. */
static int
signed_time(HeapSegment *self, PyObject *row, long long *time)
{
    long long t = PyLong_AsLongLong(PyTuple_GET_ITEM(row, self->groups));
    if (t == -1 && PyErr_Occurred()) {
        return -1;
    }
    *time = self->sign * t;
    return 0;
}

/* Whether head is of this group at or before the signed time bound: 1, 0,
 * or -1 on an error. */
static int
inside(HeapSegment *self, long long bound)
{
    PyObject *row = self->head;
    if (row == Py_None) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < self->groups; i++) {
        int equal = PyObject_RichCompareBool(PyTuple_GET_ITEM(row, i),
                                             PyTuple_GET_ITEM(self->group, i), Py_EQ);
        if (equal <= 0) {
            return equal;
        }
    }
    long long t;
    if (signed_time(self, row, &t) < 0) {
        return -1;
    }
    return t <= bound;
}

/* Queue head under its series and move to the next row; -1 on an error,
 * else the series' number. */
static Py_ssize_t
read_head(HeapSegment *self)
{
    PyObject *row = self->head;
    PyObject *key = PyTuple_GET_ITEM(row, PyTuple_GET_SIZE(row) - 1);
    PyObject *number = PyDict_GetItemWithError(self->index, key);
    if (number == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_KeyError,
                         "HeapSegment: a row of the series %R, which the "
                         "segment's first points do not list", key);
        }
        return -1;
    }
    Py_ssize_t s = PyLong_AsSsize_t(number);
    if (s < 0 || s >= self->n) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "HeapSegment: series number out of range");
        }
        return -1;
    }
    if (queue_push(&self->pending[s], row) < 0 || take(self) < 0) {
        return -1;
    }
    return s;
}

/* Append a list of row's time and values (no group values, no series key)
 * to out; -1 on an error. */
static int
emit(HeapSegment *self, PyObject *out, PyObject *row)
{
    Py_ssize_t n = PyTuple_GET_SIZE(row) - 1 - self->groups;
    PyObject *values = PyList_New(n);
    if (values == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyList_SET_ITEM(values, i, Py_NewRef(PyTuple_GET_ITEM(row, self->groups + i)));
    }
    int failed = PyList_Append(out, values);
    Py_DECREF(values);
    return failed;
}

static PyObject *
HeapSegment_run(HeapSegment *self, PyObject *args)
{
    PyObject *out;
    Py_ssize_t room;
    if (!PyArg_ParseTuple(args, "O!n:run", &PyList_Type, &out, &room)) {
        return NULL;
    }
    if (self->n == 0) {
        /* No series listed: the group's rows as read. */
        while (room > 0) {
            int in = inside(self, self->last);
            if (in < 0) {
                return NULL;
            }
            if (!in) {
                break;
            }
            if (emit(self, out, self->head) < 0 || take(self) < 0) {
                return NULL;
            }
            room--;
        }
        return PyBool_FromLong(room > 0);
    }
    Py_ssize_t *h = self->h;
    long long *hk = self->hk;
    while (self->size > 0 && room > 0) {
        Py_ssize_t s = h[0];
        long long due = hk[0];
        /* Read every row up to the root's time: its row is among them. */
        for (;;) {
            int in = inside(self, due);
            if (in < 0) {
                return NULL;
            }
            if (!in) {
                break;
            }
            if (read_head(self) < 0) {
                return NULL;
            }
        }
        Queue *waiting = &self->pending[s];
        if (waiting->count == 0) {
            PyErr_SetString(PyExc_RuntimeError,
                            "HeapSegment: a series' point is missing from the rows");
            return NULL;
        }
        /* Go's heap.Pop: the last item to the root, sifted down. */
        Py_ssize_t n = --self->size;
        h[0] = h[n];
        hk[0] = hk[n];
        if (n > 1) {
            sift_down(h, hk, 0, n);
        }
        PyObject *row = queue_pop(waiting);
        long long t;
        int failed = signed_time(self, row, &t) < 0 || emit(self, out, row) < 0;
        Py_DECREF(row);
        if (failed) {
            return NULL;
        }
        room--;
        if (t == self->finals[s]) {
            continue; /* the series' last point here */
        }
        /* Read ahead to the series' next point. */
        while (waiting->count == 0) {
            int in = inside(self, self->last);
            if (in < 0) {
                return NULL;
            }
            if (!in) {
                PyErr_SetString(PyExc_RuntimeError,
                                "HeapSegment: a series ended before its last point");
                return NULL;
            }
            if (read_head(self) < 0) {
                return NULL;
            }
        }
        long long key;
        if (signed_time(self, waiting->items[waiting->start], &key) < 0) {
            return NULL;
        }
        /* Go's heap.Push: appended, sifted up. */
        h[self->size] = s;
        hk[self->size] = key;
        sift_up(h, hk, self->size);
        self->size++;
    }
    return PyBool_FromLong(self->size == 0);
}

static int
read_times(PyObject *list, Py_ssize_t n, long long *into, const char *what)
{
    if (!PyList_Check(list) || PyList_GET_SIZE(list) != n) {
        PyErr_Format(PyExc_ValueError, "HeapSegment: %s needs one time per series",
                     what);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        into[i] = PyLong_AsLongLong(PyList_GET_ITEM(list, i));
        if (into[i] == -1 && PyErr_Occurred()) {
            return -1;
        }
    }
    return 0;
}

static int
HeapSegment_init(HeapSegment *self, PyObject *args, PyObject *kwargs)
{
    PyObject *read, *head, *index, *keys, *finals, *group;
    Py_ssize_t groups;
    long long last, sign;
    if (!PyArg_ParseTuple(args, "OOO!O!O!O!nLL:HeapSegment", &read, &head,
                          &PyDict_Type, &index, &PyList_Type, &keys, &PyList_Type,
                          &finals, &PyTuple_Type, &group, &groups, &last, &sign)) {
        return -1;
    }
    if (self->h != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "HeapSegment is initialised once");
        return -1;
    }
    if (PyTuple_GET_SIZE(group) != groups || (head != Py_None && !PyTuple_Check(head))) {
        PyErr_SetString(PyExc_ValueError, "HeapSegment: group values and rows disagree");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(keys);
    self->h = PyMem_New(Py_ssize_t, n + 1);
    self->hk = PyMem_New(long long, n + 1);
    self->finals = PyMem_New(long long, n + 1);
    self->pending = PyMem_New(Queue, n + 1);
    if (!self->h || !self->hk || !self->finals || !self->pending) {
        PyErr_NoMemory();
        return -1;
    }
    memset(self->pending, 0, sizeof(Queue) * (n + 1));
    self->n = n;
    if (read_times(keys, n, self->hk, "keys") < 0 ||
        read_times(finals, n, self->finals, "finals") < 0) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        self->h[i] = i;
    }
    self->size = n;
    /* Go's heap.Init. */
    for (Py_ssize_t i = n / 2 - 1; i >= 0; i--) {
        sift_down(self->h, self->hk, i, n);
    }
    self->read = Py_NewRef(read);
    self->head = Py_NewRef(head);
    self->index = Py_NewRef(index);
    self->group = Py_NewRef(group);
    self->groups = groups;
    self->last = last;
    self->sign = sign;
    return 0;
}

static void
HeapSegment_dealloc(HeapSegment *self)
{
    if (self->pending != NULL) {
        for (Py_ssize_t s = 0; s < self->n; s++) {
            Queue *q = &self->pending[s];
            while (q->count > 0) {
                Py_DECREF(queue_pop(q));
            }
            PyMem_Free(q->items);
        }
    }
    PyMem_Free(self->pending);
    PyMem_Free(self->h);
    PyMem_Free(self->hk);
    PyMem_Free(self->finals);
    Py_XDECREF(self->read);
    Py_XDECREF(self->head);
    Py_XDECREF(self->index);
    Py_XDECREF(self->group);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
HeapSegment_get_head(HeapSegment *self, void *closure)
{
    return Py_NewRef(self->head ? self->head : Py_None);
}

static PyMethodDef HeapSegment_methods[] = {
    {"run", (PyCFunction)HeapSegment_run, METH_VARARGS,
     "Append up to room rows to out in the heap's order; return whether done."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef HeapSegment_getset[] = {
    {"head", (getter)HeapSegment_get_head, NULL, "The row after the last one read.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject HeapSegmentType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "influxpy.backends.duckdb._heapreplay.HeapSegment",
    .tp_basicsize = sizeof(HeapSegment),
    .tp_dealloc = (destructor)HeapSegment_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "influxd's merge heap replayed over one group's rows in one shard group.",
    .tp_methods = HeapSegment_methods,
    .tp_getset = HeapSegment_getset,
    .tp_init = (initproc)HeapSegment_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "influxpy.backends.duckdb._heapreplay",
    .m_doc = "influxd's merge heap replayed over a raw SELECT's rows.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__heapreplay(void)
{
    if (PyType_Ready(&HeapSegmentType) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "HeapSegment", (PyObject *)&HeapSegmentType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
