/* What the compiled encoder's files share: field kinds, InfluxDB's limits,
 * a growing byte buffer, and the formats of integers and floats (floats as
 * repr() writes them: see format_float()). */

#ifndef INFLUXPY_SPEEDUPS_H
#define INFLUXPY_SPEEDUPS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

enum kind { K_FLOAT = 0, K_ANY = 1, K_INTEGER = 2, K_BOOLEAN = 3, K_STRING = 4 };

/* What InfluxDB stores: its time range and the longest string value the
 * Python fast path takes. */
#define MIN_TIME_NS (-9223372036854775806LL)
#define MAX_TIME_NS (9223372036854775806LL)
#define MAX_FAST_STRING 262144
/* Python 3.14 caches a tuple's hash in it: there a tuple is never reused. */
#define REUSE_KEY (PY_VERSION_HEX < 0x030E0000)

static const double POW10[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* A growing byte buffer for one line. */
typedef struct {
    char *data;
    Py_ssize_t size;
    Py_ssize_t capacity;
} buffer;

static inline int
reserve(buffer *buf, Py_ssize_t extra)
{
    if (buf->size + extra <= buf->capacity) {
        return 0;
    }
    Py_ssize_t capacity = buf->capacity * 2;
    if (capacity < buf->size + extra) {
        capacity = buf->size + extra + 256;
    }
    char *data = PyMem_Realloc(buf->data, capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buf->data = data;
    buf->capacity = capacity;
    return 0;
}

static inline int
put(buffer *buf, const char *text, Py_ssize_t length)
{
    if (reserve(buf, length) < 0) {
        return -1;
    }
    memcpy(buf->data + buf->size, text, length);
    buf->size += length;
    return 0;
}

static const char DIGIT_PAIRS[201] =
    "0001020304050607080910111213141516171819202122232425262728293031323334"
    "3536373839404142434445464748495051525354555657585960616263646566676869"
    "707172737475767778798081828384858687888990919293949596979899";

/* Write an int64 in decimal; returns its length. *out* holds 21 bytes. */
static inline int
format_int(long long value, char *out)
{
    char digits[24];
    char *end = digits + sizeof(digits);
    char *start = end;
    unsigned long long magnitude =
        value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    while (magnitude >= 100) {
        unsigned pair = (unsigned)(magnitude % 100);
        magnitude /= 100;
        start -= 2;
        memcpy(start, DIGIT_PAIRS + 2 * pair, 2);
    }
    if (magnitude >= 10) {
        start -= 2;
        memcpy(start, DIGIT_PAIRS + 2 * magnitude, 2);
    }
    else {
        *--start = (char)('0' + magnitude);
    }
    int length = 0;
    if (value < 0) {
        out[length++] = '-';
    }
    memcpy(out + length, start, end - start);
    return length + (int)(end - start);
}

/* Write a finite float as repr() does; returns its length or -1 with an
 * exception. *out* holds 32 bytes.
 *
 * A float with at most 15 significant digits, at least 1e-4 and below 1e15
 * in magnitude (nearly every measured value) is written from the integer n = round(|v| * 10**d) with
 * the fewest decimals d for which n / 10**d is v again: any decimal of at
 * most 15 significant digits is the only one of that length that reads as
 * its double, so it is the shortest repr() finds, and n / 10**d is correctly
 * rounded (n < 2**53, 10**d exact, one IEEE division). Any other float goes
 * through PyOS_double_to_string(), which is repr().
 */
static inline int
format_float(double value, char *out)
{
    double magnitude = fabs(value);
    if (magnitude == 0.0) {
        if (signbit(value)) {
            memcpy(out, "-0.0", 4);
            return 4;
        }
        memcpy(out, "0.0", 3);
        return 3;
    }
    if (magnitude >= 1e-4 && magnitude < 1e15) {
        for (int decimals = 0; decimals <= 22; decimals++) {
            double scaled = magnitude * POW10[decimals];
            if (scaled >= 1e15) {
                break; /* more than 15 significant digits */
            }
            double rounded = nearbyint(scaled);
            if (rounded / POW10[decimals] != magnitude) {
                continue;
            }
            unsigned long long n = (unsigned long long)rounded;
            unsigned long long unit = (unsigned long long)POW10[decimals];
            int length = 0;
            if (value < 0) {
                out[length++] = '-';
            }
            length += format_int((long long)(n / unit), out + length);
            out[length++] = '.';
            if (decimals == 0) {
                out[length++] = '0';
                return length;
            }
            unsigned long long fraction = n % unit;
            for (int place = decimals - 1; place >= 0; place--) {
                out[length + place] = (char)('0' + fraction % 10);
                fraction /= 10;
            }
            return length + decimals;
        }
    }
    char *text = PyOS_double_to_string(value, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (text == NULL) {
        return -1;
    }
    size_t length = strlen(text);
    if (length > 31) {
        PyMem_Free(text);
        PyErr_SetString(PyExc_ValueError, "a float's repr() over 31 characters");
        return -1;
    }
    memcpy(out, text, length);
    PyMem_Free(text);
    return (int)length;
}

/* _speedups.c: the encoder of model instances, which the batch writer's
 * buffer (_linebuffer.c) writes with. */
typedef struct {
    PyObject_HEAD
    PyObject *tag_names;   /* tuple of str: the tags' attribute names */
    PyObject *cache;       /* dict: tuple of tag values -> series key (str) */
    PyObject *field_names; /* tuple of str: the fields' attribute names */
    PyObject *prefixes;    /* tuple of bytes: escaped key + "=", UTF-8 */
    PyObject *time_name;   /* str */
    PyObject *fallback;    /* callable: obj -> str, the Python encoder */
    PyObject *key;         /* the tuple of tag values, reused */
    Py_ssize_t tag_count;
    Py_ssize_t field_count;
    unsigned char *kinds;
} RowEncoder;
extern PyTypeObject RowEncoderType;
/* Get *buf* ready for a line (256 bytes to start with); -1 on error. */
int ready(RowEncoder *self, buffer *buf);
/* Append the line of *obj*: 1 written, 0 left to Python, -1 on error. */
int write_object(RowEncoder *self, buffer *buf, PyObject *obj);
/* Append the Python encoder's line of *obj* as UTF-8; -1 on error. */
int write_fallback(RowEncoder *self, buffer *buf, PyObject *obj);
/* write_object(), also giving the series key of a line written (borrowed). */
int write_object_found(RowEncoder *self, buffer *buf, PyObject *obj,
                       PyObject **found);
/* The series key cached for *obj*'s tag values (new reference) or NULL. */
PyObject *cached_series(RowEncoder *self, PyObject *obj);

/* _lanes.c: RowEncoder.lanes(objs, count), lines routed by series key. */
PyObject *RowEncoder_lanes(RowEncoder *self, PyObject *args);

/* _linebuffer.c: a batch writer's buffer of lines. */
extern PyTypeObject LineBufferType;

/* _columns.c: the body of a batch of columns. */
PyObject *join_columns(PyObject *module, PyObject *args);

#endif
