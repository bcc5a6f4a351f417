/* The compiled replay of influxd's merge heap (heap_order.py).
 *
 * ``HeapSegment(read, head, index, keys, finals, group, groups, last, sign,
 * ties=None, cut=False)`` replays, for one group of one shard group, the heap influxd's
 * sorted merge keeps of a raw SELECT's series: the rows come from ``read()``
 * (the row after ``head``), each a tuple of group values, time, output
 * values and the series key, which ``index`` maps to the series' number;
 * ``keys`` and ``finals`` are each series' first and last signed time there,
 * in tag-set order. Keys are the (signed) times alone, or with ``ties``
 * (each series' first ``TIE``) the times and the text values the select
 * list reads: a row's last item is then its ``TIE``, a list of those texts
 * and the series key, and two points of one time compare their texts in
 * order as ``heap_order.HeapKey`` does (neither less at the first missing
 * value or when all are equal; the larger first when ``sign`` is -1).
 * ``run(out, room)`` appends up to ``room`` rows (a list of the time and
 * values) to ``out`` in the heap's order and returns whether the segment
 * is done; ``head`` is then the first row after it. With ``cut``, the rows
 * stop at a time before the series' last points (a LIMIT's bound, which
 * every row the LIMIT takes is at or before): a series whose next point
 * is not read is pushed as beyond every row read (the heap's order of the
 * points read does not depend on the times beyond), and the segment is
 * done once the root is such a point. Go's container/heap
 * is followed step for step: heap.Init, Pop (the last item to the root,
 * sifted down), Push (appended, sifted up), a child or parent moving only
 * when strictly smaller. ``_Segment`` in heap_order.py is the same
 * algorithm in Python, which the tests compare.
 *
 * ``merge_order(members, slots, windows, descending, parallelism)`` replays
 * influxd's parallel merge of the series' parts of a SUM or MEAN for one tag
 * set in one shard group, as ``functions/merge_order.py`` does in Python
 * (which it stands in for where built): the place of each part in the merge.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    PyObject **items;
    Py_ssize_t start, count, capacity;
} Queue;

/* Go's container/heap over parallel arrays: the items h, their keys hk (a
 * signed time) and, where texts are compared after the time, each item's
 * TIE ht (owned; NULL for keys of times alone). */
typedef struct {
    Py_ssize_t *h;
    long long *hk;
    PyObject **ht;
    /* The larger text first (a descending merge). */
    int descending;
    /* Set when comparing two texts failed (an error is set). */
    int failed;
} Heap;

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
    /* The heap; its TIEs are owned for the items in it. */
    Heap heap;
    long long *finals;
    Queue *pending;
    /* The rows stop before the series' last points (``cut``). */
    int cut;
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

/* The values a TIE holds (a list or a tuple): its length, its items. */
static inline Py_ssize_t
tie_size(PyObject *tie)
{
    return PyList_Check(tie) ? PyList_GET_SIZE(tie) : PyTuple_GET_SIZE(tie);
}

static inline PyObject *
tie_item(PyObject *tie, Py_ssize_t i)
{
    return PyList_Check(tie) ? PyList_GET_ITEM(tie, i) : PyTuple_GET_ITEM(tie, i);
}

/* influxd's Less of two points of one time, from their TIEs (the texts
 * before the series key): 1 when a comes first, 0 when not, -1 on an
 * error. At the first missing value neither is less; else the first two
 * texts that differ decide, the larger first in a descending merge. */
static int
texts_less(PyObject *a, PyObject *b, int descending)
{
    Py_ssize_t n = tie_size(a) - 1;
    Py_ssize_t m = tie_size(b) - 1;
    if (m < n) {
        n = m;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = tie_item(a, i), *y = tie_item(b, i);
        if (x == Py_None || y == Py_None) {
            return 0;
        }
        if (PyUnicode_CheckExact(x) && PyUnicode_CheckExact(y)) {
            int c = PyUnicode_Compare(x, y);
            if (c == -1 && PyErr_Occurred()) {
                return -1;
            }
            if (c != 0) {
                return descending ? c > 0 : c < 0;
            }
            continue;
        }
        int equal = PyObject_RichCompareBool(x, y, Py_EQ);
        if (equal < 0) {
            return -1;
        }
        if (!equal) {
            return PyObject_RichCompareBool(x, y, descending ? Py_GT : Py_LT);
        }
    }
    return 0;
}

/* Whether the heap's item i comes before item j (Go's h.Less(i, j)). */
static inline int
less(Heap *heap, Py_ssize_t i, Py_ssize_t j)
{
    long long a = heap->hk[i], b = heap->hk[j];
    if (a != b || heap->ht == NULL) {
        return a < b;
    }
    int r = texts_less(heap->ht[i], heap->ht[j], heap->descending);
    if (r < 0) {
        heap->failed = 1;
        return 0;
    }
    return r;
}

/* Swap the heap's items at i and j. */
static inline void
swap(Heap *heap, Py_ssize_t i, Py_ssize_t j)
{
    Py_ssize_t s = heap->h[i];
    heap->h[i] = heap->h[j];
    heap->h[j] = s;
    long long k = heap->hk[i];
    heap->hk[i] = heap->hk[j];
    heap->hk[j] = k;
    if (heap->ht != NULL) {
        PyObject *t = heap->ht[i];
        heap->ht[i] = heap->ht[j];
        heap->ht[j] = t;
    }
}

static void
sift_down(Heap *heap, Py_ssize_t i, Py_ssize_t n)
{
    for (;;) {
        Py_ssize_t j = 2 * i + 1;
        if (j >= n) {
            return;
        }
        if (j + 1 < n && less(heap, j + 1, j)) {
            j++;
        }
        if (!less(heap, j, i)) {
            return;
        }
        swap(heap, i, j);
        i = j;
    }
}

static void
sift_up(Heap *heap, Py_ssize_t j)
{
    while (j > 0) {
        Py_ssize_t i = (j - 1) / 2;
        if (!less(heap, j, i)) {
            return;
        }
        swap(heap, i, j);
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
    if (self->heap.ht != NULL) {
        if (!(PyList_Check(key) || PyTuple_Check(key)) || tie_size(key) < 1) {
            PyErr_SetString(PyExc_TypeError,
                            "HeapSegment: with ties, a row ends with its TIE, "
                            "the texts compared and the series key");
            return -1;
        }
        key = tie_item(key, tie_size(key) - 1);
    }
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

/* Append a tuple of row's time and values (no group values, no series key)
 * to out; -1 on an error. A tuple, not a list: the collector stops
 * tracking a tuple of plain values at its first pass (the reader makes
 * each piece's rows lists). */
static int
emit(HeapSegment *self, PyObject *out, PyObject *row)
{
    Py_ssize_t n = PyTuple_GET_SIZE(row) - 1 - self->groups;
    PyObject *values = PyTuple_GetSlice(row, self->groups, self->groups + n);
    if (values == NULL) {
        return -1;
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
    Py_ssize_t *h = self->heap.h;
    long long *hk = self->heap.hk;
    PyObject **ht = self->heap.ht;
    while (self->size > 0 && room > 0) {
        Py_ssize_t s = h[0];
        long long due = hk[0];
        if (self->cut && due > self->last) {
            /* The root is beyond the rows read: so is every item left. */
            return PyBool_FromLong(1);
        }
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
        if (waiting->count == 0 && self->cut) {
            /* The root is beyond the rows read: so is every item left. */
            return PyBool_FromLong(1);
        }
        if (waiting->count == 0) {
            PyErr_SetString(PyExc_RuntimeError,
                            "HeapSegment: a series' point is missing from the rows");
            return NULL;
        }
        /* Go's heap.Pop: the last item to the root, sifted down. */
        Py_ssize_t n = --self->size;
        h[0] = h[n];
        hk[0] = hk[n];
        if (ht != NULL) {
            /* The root's TIE is let go; the last item's moves to the root. */
            PyObject *popped = ht[0];
            ht[0] = ht[n];
            Py_DECREF(popped);
        }
        if (n > 1) {
            sift_down(&self->heap, 0, n);
            if (self->heap.failed) {
                return NULL;
            }
        }
        PyObject *row = queue_pop(waiting);
        long long t;
        if (signed_time(self, row, &t) < 0 || emit(self, out, row) < 0) {
            Py_DECREF(row);
            return NULL;
        }
        room--;
        if (t == self->finals[s]) {
            Py_DECREF(row);
            continue; /* the series' last point here */
        }
        /* Read ahead to the series' next point. */
        while (waiting->count == 0) {
            int in = inside(self, self->last);
            if (in < 0) {
                Py_DECREF(row);
                return NULL;
            }
            if (!in && self->cut) {
                break;
            }
            if (!in) {
                PyErr_SetString(PyExc_RuntimeError,
                                "HeapSegment: a series ended before its last point");
                Py_DECREF(row);
                return NULL;
            }
            if (read_head(self) < 0) {
                Py_DECREF(row);
                return NULL;
            }
        }
        /* Not read (``cut``): beyond every row read, its TIE the last's. */
        PyObject *next = waiting->count ? waiting->items[waiting->start] : row;
        long long key = LLONG_MAX;
        if (waiting->count && signed_time(self, next, &key) < 0) {
            Py_DECREF(row);
            return NULL;
        }
        /* Go's heap.Push: appended, sifted up. */
        h[self->size] = s;
        hk[self->size] = key;
        if (ht != NULL) {
            ht[self->size] = Py_NewRef(PyTuple_GET_ITEM(next, PyTuple_GET_SIZE(next) - 1));
        }
        Py_DECREF(row);
        sift_up(&self->heap, self->size);
        self->size++;
        if (self->heap.failed) {
            return NULL;
        }
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
    PyObject *read, *head, *index, *keys, *finals, *group, *ties = Py_None;
    Py_ssize_t groups;
    long long last, sign;
    int cut = 0;
    if (!PyArg_ParseTuple(args, "OOO!O!O!O!nLL|Op:HeapSegment", &read, &head,
                          &PyDict_Type, &index, &PyList_Type, &keys, &PyList_Type,
                          &finals, &PyTuple_Type, &group, &groups, &last, &sign,
                          &ties, &cut)) {
        return -1;
    }
    if (self->heap.h != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "HeapSegment is initialised once");
        return -1;
    }
    if (PyTuple_GET_SIZE(group) != groups || (head != Py_None && !PyTuple_Check(head))) {
        PyErr_SetString(PyExc_ValueError, "HeapSegment: group values and rows disagree");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(keys);
    self->heap.h = PyMem_New(Py_ssize_t, n + 1);
    self->heap.hk = PyMem_New(long long, n + 1);
    self->finals = PyMem_New(long long, n + 1);
    self->pending = PyMem_New(Queue, n + 1);
    if (!self->heap.h || !self->heap.hk || !self->finals || !self->pending) {
        PyErr_NoMemory();
        return -1;
    }
    memset(self->pending, 0, sizeof(Queue) * (n + 1));
    self->n = n;
    if (read_times(keys, n, self->heap.hk, "keys") < 0 ||
        read_times(finals, n, self->finals, "finals") < 0) {
        return -1;
    }
    if (ties != Py_None) {
        if (!PyList_Check(ties) || PyList_GET_SIZE(ties) != n) {
            PyErr_SetString(PyExc_ValueError, "HeapSegment: ties needs one TIE per series");
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *tie = PyList_GET_ITEM(ties, i);
            if (!(PyList_Check(tie) || PyTuple_Check(tie)) || tie_size(tie) < 1) {
                PyErr_SetString(PyExc_TypeError,
                                "HeapSegment: a TIE is a list of the texts compared "
                                "and the series key");
                return -1;
            }
        }
        self->heap.ht = PyMem_New(PyObject *, n + 1);
        if (self->heap.ht == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            self->heap.ht[i] = Py_NewRef(PyList_GET_ITEM(ties, i));
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        self->heap.h[i] = i;
    }
    self->size = n;
    self->heap.descending = sign < 0;
    /* Go's heap.Init. */
    for (Py_ssize_t i = n / 2 - 1; i >= 0; i--) {
        sift_down(&self->heap, i, n);
    }
    if (self->heap.failed) {
        return -1;
    }
    self->read = Py_NewRef(read);
    self->head = Py_NewRef(head);
    self->index = Py_NewRef(index);
    self->group = Py_NewRef(group);
    self->groups = groups;
    self->last = last;
    self->sign = sign;
    self->cut = cut;
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
    if (self->heap.ht != NULL) {
        for (Py_ssize_t i = 0; i < self->size; i++) {
            Py_DECREF(self->heap.ht[i]);
        }
        PyMem_Free(self->heap.ht);
    }
    PyMem_Free(self->pending);
    PyMem_Free(self->heap.h);
    PyMem_Free(self->heap.hk);
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


/* ---- merge_order: influxd's NewParallelMergeIterator over series' parts ---- */

typedef struct {
    long long slot;
    long long key;
    Py_ssize_t index;
} Part;

static int
part_cmp(const void *a, const void *b)
{
    const Part *x = a, *y = b;
    if (x->slot != y->slot) {
        return x->slot < y->slot ? -1 : 1;
    }
    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return x->index < y->index ? -1 : (x->index > y->index);
}

typedef struct {
    Py_ssize_t *parts; /* part indices in merge order */
    Py_ssize_t count;
    int owned;
} Stream;

/* influxd's merge iterator over streams[0..k): the live streams' heap,
 * Init, then Pop the one whose next part has the earliest window, take all
 * its parts of that window, Push it back with its next window. */
static int
merge_streams(Stream *streams, Py_ssize_t k, const long long *keys, Stream *out)
{
    if (k == 1) {
        *out = streams[0];
        out->owned = 0;
        return 0;
    }
    Py_ssize_t total = 0, live = 0;
    for (Py_ssize_t i = 0; i < k; i++) {
        total += streams[i].count;
        live += streams[i].count > 0;
    }
    out->parts = PyMem_Malloc(sizeof(Py_ssize_t) * (total ? total : 1));
    Py_ssize_t *h = PyMem_Malloc(sizeof(Py_ssize_t) * (live ? live : 1));
    Py_ssize_t *heads = PyMem_Calloc(k ? k : 1, sizeof(Py_ssize_t));
    long long *hk = PyMem_Malloc(sizeof(long long) * (live ? live : 1));
    if (!out->parts || !h || !heads || !hk) {
        PyMem_Free(out->parts); PyMem_Free(h); PyMem_Free(heads); PyMem_Free(hk);
        PyErr_NoMemory();
        return -1;
    }
    out->owned = 1;
    Heap heap = {h, hk, NULL, 0, 0};
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; i < k; i++) {
        if (streams[i].count > 0) {
            h[n] = i;
            hk[n] = keys[streams[i].parts[0]];
            n++;
        }
    }
    for (Py_ssize_t i = n / 2 - 1; i >= 0; i--) {
        sift_down(&heap, i, n);
    }
    Py_ssize_t emitted = 0;
    while (n > 0) {
        Py_ssize_t last = n - 1;
        swap(&heap, 0, last);
        sift_down(&heap, 0, last);
        n = last;
        Py_ssize_t s = h[n];
        long long window = hk[n];
        Stream *stream = &streams[s];
        Py_ssize_t at = heads[s];
        while (at < stream->count && keys[stream->parts[at]] == window) {
            out->parts[emitted++] = stream->parts[at++];
        }
        heads[s] = at;
        if (at < stream->count) {
            h[n] = s;
            hk[n] = keys[stream->parts[at]];
            n++;
            sift_up(&heap, n - 1);
        }
    }
    out->count = emitted;
    PyMem_Free(h); PyMem_Free(heads); PyMem_Free(hk);
    return 0;
}

static void
free_stream(Stream *s)
{
    if (s->owned) {
        PyMem_Free(s->parts);
    }
}

/* The place (from 0) of each of the n parts (its series' slot among
 * members, its window) in influxd's merge, written to places[0..n). Returns
 * 0, or -1 with an exception set. */
static int
replay_merge(Py_ssize_t members, Py_ssize_t n, const long long *slot_of,
             const long long *window_of, int descending, Py_ssize_t parallelism,
             long long *places)
{
    int status = -1;
    Part *parts = PyMem_Malloc(sizeof(Part) * (n ? n : 1));
    long long *keys = PyMem_Malloc(sizeof(long long) * (n ? n : 1));
    Py_ssize_t *sorted = PyMem_Malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    Stream *inputs = PyMem_Calloc(members > 0 ? members : 1, sizeof(Stream));
    Stream *outputs = NULL;
    Py_ssize_t made = 0;
    Stream merged = {NULL, 0, 0};
    if (!parts || !keys || !sorted || !inputs) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long long slot = slot_of[i];
        if (slot < 0 || slot >= members) {
            PyErr_SetString(PyExc_ValueError, "a slot is outside the members");
            goto done;
        }
        keys[i] = descending ? -window_of[i] : window_of[i];
        parts[i].slot = descending ? members - 1 - slot : slot;
        parts[i].key = keys[i];
        parts[i].index = i;
    }
    qsort(parts, (size_t)n, sizeof(Part), part_cmp);
    for (Py_ssize_t i = 0; i < n; i++) {
        sorted[i] = parts[i].index;
    }
    for (Py_ssize_t i = 0, at = 0; i < members; i++) {
        inputs[i].parts = sorted + at;
        while (at < n && parts[at].slot == i) {
            at++;
        }
        inputs[i].count = (sorted + at) - inputs[i].parts;
    }
    if (members == 1) {
        merged = inputs[0];
    }
    else if (members > 1) {
        Py_ssize_t p = parallelism < members ? parallelism : members;
        if (p < 1) {
            p = 1;
        }
        Py_ssize_t size = members / p;
        outputs = PyMem_Calloc(p, sizeof(Stream));
        if (!outputs) {
            PyErr_NoMemory();
            goto done;
        }
        for (; made < p; made++) {
            Py_ssize_t first = made * size;
            Py_ssize_t count = made < p - 1 ? size : members - first;
            if (merge_streams(inputs + first, count, keys, &outputs[made]) < 0) {
                goto done;
            }
        }
        if (merge_streams(outputs, p, keys, &merged) < 0) {
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        places[i] = 0;
    }
    for (Py_ssize_t place = 0; place < merged.count; place++) {
        places[merged.parts[place]] = place;
    }
    status = 0;
done:
    if (merged.owned) {
        free_stream(&merged);
    }
    if (outputs) {
        for (Py_ssize_t i = 0; i < made; i++) {
            free_stream(&outputs[i]);
        }
        PyMem_Free(outputs);
    }
    PyMem_Free(parts); PyMem_Free(keys); PyMem_Free(sorted); PyMem_Free(inputs);
    return status;
}

static PyObject *
merge_order(PyObject *self, PyObject *args)
{
    Py_ssize_t members, parallelism;
    PyObject *slots_obj, *windows_obj;
    int descending;
    if (!PyArg_ParseTuple(args, "nOOpn", &members, &slots_obj, &windows_obj,
                          &descending, &parallelism)) {
        return NULL;
    }
    PyObject *slots = PySequence_Fast(slots_obj, "slots must be a sequence");
    if (slots == NULL) {
        return NULL;
    }
    PyObject *windows = PySequence_Fast(windows_obj, "windows must be a sequence");
    if (windows == NULL) {
        Py_DECREF(slots);
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(slots);
    PyObject *result = NULL;
    long long *slot_of = PyMem_Malloc(sizeof(long long) * (n ? n : 1));
    long long *window_of = PyMem_Malloc(sizeof(long long) * (n ? n : 1));
    long long *places = PyMem_Malloc(sizeof(long long) * (n ? n : 1));
    if (!slot_of || !window_of || !places) {
        PyErr_NoMemory();
        goto done;
    }
    if (PySequence_Fast_GET_SIZE(windows) != n) {
        PyErr_SetString(PyExc_ValueError, "slots and windows differ in length");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        slot_of[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(slots, i));
        window_of[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(windows, i));
        if (PyErr_Occurred()) {
            goto done;
        }
    }
    if (replay_merge(members, n, slot_of, window_of, descending, parallelism,
                     places) < 0) {
        goto done;
    }
    result = PyList_New(n);
    if (result == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyLong_FromLongLong(places[i]);
        if (value == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, value);
    }
done:
    PyMem_Free(slot_of); PyMem_Free(window_of); PyMem_Free(places);
    Py_DECREF(slots);
    Py_DECREF(windows);
    return result;
}

/* merge_order over buffers of native 64-bit integers (numpy int64 arrays):
 * the places as a bytearray of as many native 64-bit integers. */
static PyObject *
merge_order_buffers(PyObject *self, PyObject *args)
{
    Py_ssize_t members, parallelism;
    Py_buffer slots, windows;
    int descending;
    if (!PyArg_ParseTuple(args, "ny*y*pn", &members, &slots, &windows,
                          &descending, &parallelism)) {
        return NULL;
    }
    PyObject *result = NULL;
    if (slots.len != windows.len || slots.len % (Py_ssize_t)sizeof(long long)) {
        PyErr_SetString(PyExc_ValueError,
                        "slots and windows must hold as many 64-bit integers");
        goto done;
    }
    Py_ssize_t n = slots.len / (Py_ssize_t)sizeof(long long);
    result = PyByteArray_FromStringAndSize(NULL, slots.len);
    if (result == NULL) {
        goto done;
    }
    if (replay_merge(members, n, (const long long *)slots.buf,
                     (const long long *)windows.buf, descending, parallelism,
                     (long long *)PyByteArray_AS_STRING(result)) < 0) {
        Py_CLEAR(result);
    }
done:
    PyBuffer_Release(&slots);
    PyBuffer_Release(&windows);
    return result;
}

static PyMethodDef module_methods[] = {
    {"merge_order", merge_order, METH_VARARGS,
     "merge_order(members, slots, windows, descending, parallelism): the place "
     "of each series' part in influxd's parallel merge."},
    {"merge_order_buffers", merge_order_buffers, METH_VARARGS,
     "merge_order_buffers(members, slots, windows, descending, parallelism): "
     "merge_order over buffers of native 64-bit integers, the places as a "
     "bytearray of them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "influxpy.backends.duckdb._heapreplay",
    .m_doc = "influxd's merge heap replayed over a raw SELECT's rows.",
    .m_size = -1,
    .m_methods = module_methods,
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
