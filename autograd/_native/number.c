/* number.c: numbers to doubles, and text to exact str, with autograd._number's messages.
 *
 * The common operands (float, int, bool) convert here; everything else goes to the Python
 * function autograd._number.as_float, so that both backends accept exactly the same numbers
 * and refuse the rest with the same message.
 */
#include "core.h"

static PyObject *py_as_float; /* autograd._number.as_float */

int
cr_number_init(void)
{
    PyObject *module = PyImport_ImportModule("autograd._number");
    if (module == NULL) {
        return -1;
    }
    py_as_float = PyObject_GetAttrString(module, "as_float");
    Py_DECREF(module);
    return py_as_float == NULL ? -1 : 0;
}

int
cr_as_double(PyObject *x, PyObject *what, double *out)
{
    if (PyFloat_CheckExact(x)) {
        *out = PyFloat_AS_DOUBLE(x);
        return 0;
    }
    if (PyLong_CheckExact(x) || PyBool_Check(x)) {
        double d = PyLong_AsDouble(x);
        if (!(d == -1.0 && PyErr_Occurred())) {
            *out = d;
            return 0;
        }
        PyErr_Clear(); /* too large: as_float says so, in its words */
    }
    PyObject *result = PyObject_CallFunctionObjArgs(py_as_float, x, what, NULL);
    if (result == NULL) {
        return -1;
    }
    *out = PyFloat_AsDouble(result);
    Py_DECREF(result);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

/* x as an exact str (a new reference, NULL for ""), or a TypeError "<what> must be a str". */
int
cr_exact_str(PyObject *x, const char *what, PyObject **out)
{
    if (!PyUnicode_Check(x)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str, got %s", what, _PyType_Name(Py_TYPE(x)));
        return -1;
    }
    if (PyUnicode_GET_LENGTH(x) == 0) {
        *out = NULL;
        return 0;
    }
    /* A str subclass could carry attributes, and through them a cycle: keep a plain copy. */
    *out = PyUnicode_CheckExact(x) ? Py_NewRef(x) : PyUnicode_FromObject(x);
    return *out == NULL ? -1 : 0;
}
