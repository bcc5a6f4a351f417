/* The compiled builder of a result's rows as dicts (results.py).
 *
 * ``row_dicts(template, keys, rows, first, seen)`` returns one dict per row of
 * ``rows`` (a list of lists or tuples): a copy of ``template``, the dict of
 * every key in its final order (the keys of the columns, then the items
 * shared by every row), with each column's value set from the row, in the
 * order of the columns: ``keys[i]`` names column i, or is None for a column
 * left out (a later one of the same name wins, as in a dict display). When
 * ``first`` is a pair of a dict and a function, row i's first value (the
 * time), when an int, is converted: the dict's value for it, or else what
 * the function returns for it (which may add it to the dict). A row shorter than ``keys`` raises IndexError, as
 * indexing it does; a row that is not a list or tuple is read as the list
 * ``PySequence_Fast`` makes of it.
 *
 * ``seen`` (a dict, or None) holds one string of each value met before:
 * a string value equal to one of them is stored as that one, so the rows
 * share one string per distinct tag value instead of one each (a fifth
 * less memory for rows of three floats and two tags, and less to free);
 * it keeps the first SEEN_MAX distinct strings only, so unique values
 * (messages, ids) cost a lookup each and no memory.
 *
 * It does what results.py's dict displays do (``_dict_builder``), which
 * stand in for it where it is not built, without a Python frame per row:
 * copying the template copies its table of keys, already sized and hashed,
 * in one piece; a key's hash is the one its string keeps.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define SEEN_MAX 4096

static PyObject *
row_dicts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError,
                        "row_dicts() takes template, keys, rows, first and seen");
        return NULL;
    }
    PyObject *template = args[0], *keys = args[1], *rows = args[2];
    PyObject *first = args[3], *seen = args[4];
    PyObject *cache = NULL, *convert = NULL;
    if (PyTuple_CheckExact(first) && PyTuple_GET_SIZE(first) == 2) {
        cache = PyTuple_GET_ITEM(first, 0);
        convert = PyTuple_GET_ITEM(first, 1);
    }
    if (!PyDict_CheckExact(template) || !PyTuple_CheckExact(keys) ||
        !PyList_CheckExact(rows) ||
        (first != Py_None && (cache == NULL || !PyDict_CheckExact(cache))) ||
        (seen != Py_None && !PyDict_CheckExact(seen))) {
        PyErr_SetString(PyExc_TypeError,
                        "row_dicts() takes a dict, a tuple, a list, None or a pair of "
                        "a dict and a function, and a dict or None");
        return NULL;
    }
    Py_ssize_t width = PyTuple_GET_SIZE(keys);
    Py_ssize_t count = PyList_GET_SIZE(rows);
    PyObject *out = PyList_New(count);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        /* A list or tuple is read in place; any other sequence as a
         * list made of it. */
        PyObject *row = PySequence_Fast(PyList_GET_ITEM(rows, i),
                                        "row_dicts(): a row is not a sequence");
        if (row == NULL) {
            goto fail;
        }
        PyObject **items = PySequence_Fast_ITEMS(row);
        if (PySequence_Fast_GET_SIZE(row) < width) {
            Py_DECREF(row);
            PyErr_SetString(PyExc_IndexError, "list index out of range");
            goto fail;
        }
        PyObject *made = PyDict_Copy(template);
        if (made == NULL) {
            Py_DECREF(row);
            goto fail;
        }
        PyList_SET_ITEM(out, i, made);
        for (Py_ssize_t k = 0; k < width; k++) {
            PyObject *key = PyTuple_GET_ITEM(keys, k);
            if (key == Py_None) {
                continue;
            }
            PyObject *value = items[k];
            if (k == 0 && cache != NULL && PyLong_CheckExact(value)) {
                /* The time: converted once per distinct value, by the
                 * function on a miss (it may clear the cache, so a value
                 * taken from it is stored before any call). */
                PyObject *known = PyDict_GetItemWithError(cache, value);
                if (known == NULL) {
                    PyObject *made_value =
                        PyErr_Occurred() ? NULL : PyObject_CallOneArg(convert, value);
                    int failed = made_value == NULL ||
                                 PyDict_SetItem(made, key, made_value) < 0;
                    Py_XDECREF(made_value);
                    if (failed) {
                        Py_DECREF(row);
                        goto fail;
                    }
                    /* Python code ran: read the row afresh. */
                    items = PySequence_Fast_ITEMS(row);
                    if (PySequence_Fast_GET_SIZE(row) < width) {
                        Py_DECREF(row);
                        PyErr_SetString(PyExc_IndexError, "list index out of range");
                        goto fail;
                    }
                    continue;
                }
                value = known;
            }
            if (seen != Py_None && PyUnicode_CheckExact(value)) {
                PyObject *same = PyDict_GetItemWithError(seen, value);
                if (same != NULL) {
                    value = same;
                }
                else if (PyErr_Occurred() ||
                         (PyDict_GET_SIZE(seen) < SEEN_MAX &&
                          PyDict_SetItem(seen, value, value) < 0)) {
                    Py_DECREF(row);
                    goto fail;
                }
            }
            if (PyDict_SetItem(made, key, value) < 0) {
                Py_DECREF(row);
                goto fail;
            }
        }
        Py_DECREF(row);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"row_dicts", (PyCFunction)(void (*)(void))row_dicts, METH_FASTCALL,
     "row_dicts(template, keys, rows, first, seen, /)\n--\n\nOne dict per row: a "
     "copy of template with the columns' values set (see _rowdicts.c)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "influxpy._rowdicts",
    .m_doc = "The compiled builder of a result's rows as dicts.",
    .m_size = 0,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__rowdicts(void)
{
    return PyModuleDef_Init(&module);
}
