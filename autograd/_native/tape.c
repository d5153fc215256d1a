/* tape.c: autograd._tape, the compiled replay of traced tapes (autograd/tape.py).
 *
 * A tape is a flat program over slots: instruction i applies operation op[i] (a cr_op, the
 * rule table's order) to the slots a[i] and b[i] and writes slot first + i. Slots are rows of
 * one matrix of doubles, one column per sample, so each instruction is a loop over the batch.
 * The math is ops.h's, which transcribes autograd/rules.py: the replay gives bit for bit the
 * numbers the eager engine gives on floats.
 *
 * autograd/tape.py owns everything else: it checks shapes and guards, fills the inputs,
 * captured leaves and constants, and turns a failing (instruction, sample) into the rule
 * table's own error message. The buffers come through the buffer protocol (NumPy arrays on
 * the Python side), so this file needs no NumPy headers.
 *
 * Error paths: each function takes its buffers first and releases them all at one `done:`
 * label; a Python exception is set only for arguments that do not fit, never for a domain
 * error, which is returned as a value.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "ops.h"

/* One instruction as autograd/tape.py lays it out: four int32 per row. */
typedef struct {
    int32_t op;
    int32_t a;
    int32_t b;    /* -1 for a unary operation */
    int32_t live; /* 1 when the output depends on it; backward skips the others, as the eager
                   * engine never visits nodes that only guards read */
} instruction;

/* The buffers of one call, taken together so that one release frees them all. */
typedef struct {
    Py_buffer program, values, other; /* other: adjoints for backward, unused by forward */
    int taken;                        /* how many of the three are held */
} buffers;

static void
release(buffers *held)
{
    Py_buffer *all[3] = {&held->program, &held->values, &held->other};
    for (int k = 0; k < held->taken; k++) {
        PyBuffer_Release(all[k]);
    }
    held->taken = 0;
}

/* Take a C-contiguous buffer of `itemsize`-byte items of format `format`. */
static int
take(buffers *held, Py_buffer *view, PyObject *object, const char *format, Py_ssize_t itemsize,
     int writable, const char *what)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(object, view, flags) < 0) {
        return -1;
    }
    held->taken++;
    if (view->itemsize != itemsize || view->format == NULL || strcmp(view->format, format) != 0) {
        PyErr_Format(PyExc_TypeError, "%s must hold items of format '%s', got '%s'", what,
                     format, view->format == NULL ? "B" : view->format);
        return -1;
    }
    return 0;
}

/* Check the program's operand slots and the result slots against the values' size, so that
 * the loops below never index out of bounds, whatever the caller passed. */
static int
check_program(const instruction *code, Py_ssize_t n, Py_ssize_t first, Py_ssize_t slots)
{
    if (first < 0 || first + n > slots) {
        PyErr_SetString(PyExc_ValueError, "tape program: result slots outside the values");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const instruction *in = &code[i];
        int unary = in->b < 0;
        if (in->op < 0 || in->op >= CR_OP_COUNT || cr_op_arity[in->op] != (unary ? 1 : 2) ||
            in->a < 0 || in->a >= first + i || in->b < -1 || in->b >= first + i) {
            PyErr_Format(PyExc_ValueError, "tape program: instruction %zd is malformed", i);
            return -1;
        }
    }
    return 0;
}

/* One instruction over the batch. OP is a constant in each expansion, so cr_forward's switch
 * folds away and each case compiles to its own tight loop. */
#define FORWARD_LOOP(OP)                                                     \
    for (Py_ssize_t s = 0; s < batch; s++) {                                 \
        cr_status status = cr_forward((OP), x[s], y[s], &out[s]);            \
        if (status != CR_OK) {                                               \
            *failed = s;                                                     \
            return status;                                                   \
        }                                                                    \
    }                                                                        \
    return CR_OK

static cr_status
forward_one(cr_op op, const double *x, const double *y, double *out, Py_ssize_t batch,
            Py_ssize_t *failed)
{
    switch (op) {
    case CR_ADD: FORWARD_LOOP(CR_ADD);
    case CR_SUB: FORWARD_LOOP(CR_SUB);
    case CR_MUL: FORWARD_LOOP(CR_MUL);
    case CR_DIV: FORWARD_LOOP(CR_DIV);
    case CR_POW: FORWARD_LOOP(CR_POW);
    case CR_NEG: FORWARD_LOOP(CR_NEG);
    case CR_POS: FORWARD_LOOP(CR_POS);
    case CR_ABS: FORWARD_LOOP(CR_ABS);
    case CR_EXP: FORWARD_LOOP(CR_EXP);
    case CR_LOG: FORWARD_LOOP(CR_LOG);
    case CR_SQRT: FORWARD_LOOP(CR_SQRT);
    case CR_TANH: FORWARD_LOOP(CR_TANH);
    case CR_SIGMOID: FORWARD_LOOP(CR_SIGMOID);
    case CR_RELU: FORWARD_LOOP(CR_RELU);
    case CR_SIN: FORWARD_LOOP(CR_SIN);
    case CR_COS: FORWARD_LOOP(CR_COS);
    case CR_OP_COUNT: break;
    }
    return CR_OK;
}

/* The chain rule for one instruction over the batch: adds g times the local derivatives into
 * the operands' adjoints (da and db may be the same row, as in x * x). */
#define BACKWARD_LOOP(OP)                                                           \
    for (Py_ssize_t s = 0; s < batch; s++) {                                        \
        double dx = 0.0, dy = 0.0;                                                  \
        cr_status status = cr_vjp((OP), g[s], out[s], x[s], y[s], &dx, &dy);        \
        if (status != CR_OK) {                                                      \
            *failed = s;                                                            \
            return status;                                                          \
        }                                                                           \
        da[s] += dx;                                                                \
        if (db != NULL) {                                                           \
            db[s] += dy;                                                            \
        }                                                                           \
    }                                                                               \
    return CR_OK

static cr_status
backward_one(cr_op op, const double *g, const double *out, const double *x, const double *y,
             double *da, double *db, Py_ssize_t batch, Py_ssize_t *failed)
{
    switch (op) {
    case CR_ADD: BACKWARD_LOOP(CR_ADD);
    case CR_SUB: BACKWARD_LOOP(CR_SUB);
    case CR_MUL: BACKWARD_LOOP(CR_MUL);
    case CR_DIV: BACKWARD_LOOP(CR_DIV);
    case CR_POW: BACKWARD_LOOP(CR_POW);
    case CR_NEG: BACKWARD_LOOP(CR_NEG);
    case CR_POS: BACKWARD_LOOP(CR_POS);
    case CR_ABS: BACKWARD_LOOP(CR_ABS);
    case CR_EXP: BACKWARD_LOOP(CR_EXP);
    case CR_LOG: BACKWARD_LOOP(CR_LOG);
    case CR_SQRT: BACKWARD_LOOP(CR_SQRT);
    case CR_TANH: BACKWARD_LOOP(CR_TANH);
    case CR_SIGMOID: BACKWARD_LOOP(CR_SIGMOID);
    case CR_RELU: BACKWARD_LOOP(CR_RELU);
    case CR_SIN: BACKWARD_LOOP(CR_SIN);
    case CR_COS: BACKWARD_LOOP(CR_COS);
    case CR_OP_COUNT: break;
    }
    return CR_OK;
}

/* Parse the arguments both functions share and take the buffers; on success the program and
 * values are checked to fit each other and `batch`. */
static int
setup(PyObject *const *args, Py_ssize_t nargs, int with_adjoints, buffers *held,
      Py_ssize_t *n, Py_ssize_t *first, Py_ssize_t *batch, Py_ssize_t *start, Py_ssize_t *stop)
{
    Py_ssize_t expected = with_adjoints ? 5 : 6;
    if (nargs != expected) {
        PyErr_Format(PyExc_TypeError, "takes %zd arguments, got %zd", expected, nargs);
        return -1;
    }
    /* forward(program, first, values, batch, start, stop); backward(program, first, values,
     * adjoints, batch) */
    *first = PyLong_AsSsize_t(args[1]);
    *batch = PyLong_AsSsize_t(args[with_adjoints ? 4 : 3]);
    if ((*first == -1 || *batch == -1) && PyErr_Occurred()) {
        return -1;
    }
    /* forward writes the values (its results' slots); backward only reads them */
    if (take(held, &held->program, args[0], "i", sizeof(int32_t), 0, "program") < 0 ||
        take(held, &held->values, args[2], "d", sizeof(double), !with_adjoints, "values") < 0) {
        return -1;
    }
    if (with_adjoints &&
        take(held, &held->other, args[3], "d", sizeof(double), 1, "adjoints") < 0) {
        return -1;
    }
    if (held->program.len % sizeof(instruction) != 0) {
        PyErr_SetString(PyExc_ValueError, "tape program: four int32 per instruction");
        return -1;
    }
    if (*batch < 0) {
        PyErr_SetString(PyExc_ValueError, "tape batch: a negative number of samples");
        return -1;
    }
    *n = held->program.len / (Py_ssize_t)sizeof(instruction);
    Py_ssize_t cells = held->values.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t slots = *batch == 0 ? *first + *n : cells / *batch;
    if (*batch > 0 && cells != slots * *batch) {
        PyErr_SetString(PyExc_ValueError, "tape values: not a whole number of slots");
        return -1;
    }
    if (with_adjoints && held->other.len != held->values.len) {
        PyErr_SetString(PyExc_ValueError, "tape adjoints: not the shape of the values");
        return -1;
    }
    if (check_program((const instruction *)held->program.buf, *n, *first, slots) < 0) {
        return -1;
    }
    if (!with_adjoints) {
        *start = PyLong_AsSsize_t(args[4]);
        *stop = PyLong_AsSsize_t(args[5]);
        if ((*start == -1 || *stop == -1) && PyErr_Occurred()) {
            return -1;
        }
        if (*start < 0 || *stop > *n || *start > *stop) {
            PyErr_SetString(PyExc_ValueError, "tape forward: instructions out of range");
            return -1;
        }
    }
    return 0;
}

/* (instruction, sample) of a failure, for autograd/tape.py to name; None on success. */
static PyObject *
outcome(cr_status status, Py_ssize_t instruction_index, Py_ssize_t sample)
{
    if (status == CR_OK) {
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(nn)", instruction_index, sample);
}

static PyObject *
tape_forward(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    buffers held = {.taken = 0};
    PyObject *result = NULL;
    Py_ssize_t n, first, batch, start, stop;
    if (setup(args, nargs, 0, &held, &n, &first, &batch, &start, &stop) < 0) {
        goto done;
    }
    const instruction *code = (const instruction *)held.program.buf;
    double *values = (double *)held.values.buf;
    cr_status status = CR_OK;
    Py_ssize_t i = start, failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (; i < stop; i++) {
        const instruction *in = &code[i];
        const double *x = values + in->a * batch;
        /* A unary operation ignores y; point it at x so every load stays in bounds. */
        const double *y = in->b < 0 ? x : values + in->b * batch;
        status = forward_one((cr_op)in->op, x, y, values + (first + i) * batch, batch, &failed);
        if (status != CR_OK) {
            break;
        }
    }
    Py_END_ALLOW_THREADS
    result = outcome(status, i, failed);
done:
    release(&held);
    return result;
}

static PyObject *
tape_backward(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    buffers held = {.taken = 0};
    PyObject *result = NULL;
    Py_ssize_t n, first, batch, start = 0, stop = 0;
    if (setup(args, nargs, 1, &held, &n, &first, &batch, &start, &stop) < 0) {
        goto done;
    }
    const instruction *code = (const instruction *)held.program.buf;
    const double *values = (const double *)held.values.buf;
    double *adjoints = (double *)held.other.buf;
    cr_status status = CR_OK;
    Py_ssize_t i = n - 1, failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (; i >= 0; i--) {
        const instruction *in = &code[i];
        if (!in->live) {
            continue;
        }
        const double *x = values + in->a * batch;
        const double *y = in->b < 0 ? x : values + in->b * batch;
        Py_ssize_t slot = first + i;
        status = backward_one((cr_op)in->op, adjoints + slot * batch, values + slot * batch, x, y,
                              adjoints + in->a * batch,
                              in->b < 0 ? NULL : adjoints + in->b * batch, batch, &failed);
        if (status != CR_OK) {
            break;
        }
    }
    Py_END_ALLOW_THREADS
    result = outcome(status, i, failed);
done:
    release(&held);
    return result;
}

static PyMethodDef tape_methods[] = {
    {"forward", (PyCFunction)(void (*)(void))tape_forward, METH_FASTCALL,
     "forward(program, first, values, batch, start, stop)\n--\n\n"
     "Run instructions start:stop over the batch, writing their slots of values. Returns None,\n"
     "or (instruction, sample) of the first domain error."},
    {"backward", (PyCFunction)(void (*)(void))tape_backward, METH_FASTCALL,
     "backward(program, first, values, adjoints, batch)\n--\n\n"
     "The reverse sweep: adds every instruction's vector-Jacobian product into adjoints.\n"
     "Returns None, or (instruction, sample) of the first undefined derivative."},
    {NULL},
};

static struct PyModuleDef tape_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "autograd._tape",
    .m_doc = "The compiled replay of traced tapes: each instruction a loop over the batch.",
    .m_size = 0,
    .m_methods = tape_methods,
};

PyMODINIT_FUNC
PyInit__tape(void)
{
    return PyModuleDef_Init(&tape_module);
}
