/* mode.c: no_grad and scopes, read from autograd.mode without slowing the common path.
 *
 * autograd.mode keeps, per thread, whether to record and under which scope, and counts the
 * contexts (no_grad, enable_grad, scope) open in any thread. It reports every change of that
 * count to cr_set_open, so an operation here tests one C integer: while it is zero (the usual
 * case) every thread records with no scope, and only otherwise is the thread's own state read.
 */
#include "core.h"

Py_ssize_t cr_open_contexts = 0;

static PyObject *modes;             /* autograd.mode.modes */
static PyObject *record_comparison; /* autograd.mode.record_comparison */
static PyObject *comparison_names[6]; /* "<", "<=", "==", "!=", ">", ">=" by Py_LT ... Py_GE */
static PyObject *str_thread, *str_recording, *str_scope;

/* autograd.mode calls this (through modes.add_hook) with the new count of open contexts. */
PyObject *
cr_set_open(PyObject *Py_UNUSED(module), PyObject *count)
{
    Py_ssize_t n = PyLong_AsSsize_t(count);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    cr_open_contexts = n;
    Py_RETURN_NONE;
}

int
cr_mode_init(PyObject *module)
{
    PyObject *mode = NULL, *hook = NULL, *done = NULL;
    str_thread = PyUnicode_InternFromString("thread");
    str_recording = PyUnicode_InternFromString("recording");
    str_scope = PyUnicode_InternFromString("scope");
    if (str_thread == NULL || str_recording == NULL || str_scope == NULL) {
        goto fail;
    }
    mode = PyImport_ImportModule("autograd.mode");
    if (mode == NULL) {
        goto fail;
    }
    modes = PyObject_GetAttrString(mode, "modes");
    if (modes == NULL) {
        goto fail;
    }
    record_comparison = PyObject_GetAttrString(mode, "record_comparison");
    if (record_comparison == NULL) {
        goto fail;
    }
    static const char *symbols[6] = {"<", "<=", "==", "!=", ">", ">="};
    for (int k = 0; k < 6; k++) {
        comparison_names[k] = PyUnicode_InternFromString(symbols[k]);
        if (comparison_names[k] == NULL) {
            goto fail;
        }
    }
    hook = PyObject_GetAttrString(module, "_set_open");
    if (hook == NULL) {
        goto fail;
    }
    done = PyObject_CallMethod(modes, "add_hook", "O", hook); /* calls hook with the count */
    if (done == NULL) {
        goto fail;
    }
    Py_DECREF(done);
    Py_DECREF(hook);
    Py_DECREF(mode);
    return 0;
fail:
    Py_XDECREF(hook);
    Py_XDECREF(mode);
    return -1;
}

/* The current thread's mode: whether it records, and its scope (a new reference to an exact
 * str, or NULL for ""). Only called while cr_open_contexts is not zero. */
int
cr_mode_current(int *recording, PyObject **scope)
{
    PyObject *state = NULL, *flag = NULL, *name = NULL;
    state = PyObject_GetAttr(modes, str_thread);
    if (state == NULL) {
        goto fail;
    }
    flag = PyObject_GetAttr(state, str_recording);
    if (flag == NULL) {
        goto fail;
    }
    int truth = PyObject_IsTrue(flag);
    if (truth < 0) {
        goto fail;
    }
    name = PyObject_GetAttr(state, str_scope);
    if (name == NULL || cr_exact_str(name, "scope", scope) < 0) {
        goto fail;
    }
    *recording = truth;
    Py_DECREF(name);
    Py_DECREF(flag);
    Py_DECREF(state);
    return 0;
fail:
    Py_XDECREF(name);
    Py_XDECREF(flag);
    Py_XDECREF(state);
    return -1;
}

/* record_comparison(op, left, right, outcome): while a context is open, as the reference
 * Value's comparisons do, so that traced tapes see them as guards. */
int
cr_mode_record_comparison(int op, PyObject *left, PyObject *right, int outcome)
{
    PyObject *done = PyObject_CallFunctionObjArgs(record_comparison, comparison_names[op], left,
                                                  right, outcome ? Py_True : Py_False, NULL);
    if (done == NULL) {
        return -1;
    }
    Py_DECREF(done);
    return 0;
}
