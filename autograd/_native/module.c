/* module.c: autograd._core, the compiled engine (autograd/_pyvalue.py and _pyengine.py are
 * its reference in Python; autograd.value and autograd.engine choose between the two). */
#include "core.h"

static ValueObject *
value_argument(PyObject *x, const char *function)
{
    if (!cr_Value_Check(x)) {
        PyErr_Format(PyExc_TypeError, "%s needs a Value, got %s", function,
                     _PyType_Name(Py_TYPE(x)));
        return NULL;
    }
    return (ValueObject *)x;
}

static PyObject *
module_constant(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"x", "what", NULL};
    PyObject *x, *what = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|U:constant", keywords, &x, &what)) {
        return NULL;
    }
    if (what == NULL) {
        PyObject *operand = PyUnicode_InternFromString("operand");
        if (operand == NULL) {
            return NULL;
        }
        PyObject *node = cr_constant(x, operand);
        Py_DECREF(operand);
        return node;
    }
    return cr_constant(x, what);
}

static PyObject *
module_topological_order(PyObject *Py_UNUSED(module), PyObject *root)
{
    ValueObject *node = value_argument(root, "topological_order");
    return node == NULL ? NULL : cr_topological_order(node);
}

static PyObject *
module_gradients(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "gradients(output, inputs) takes two arguments");
        return NULL;
    }
    ValueObject *node = value_argument(args[0], "grad");
    return node == NULL ? NULL : cr_gradients(node, args[1]);
}

/* The code of the operation named by a RULES name, or -1 with KeyError. */
static int
op_named(PyObject *name)
{
    const char *text = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    int op = text == NULL ? -1 : cr_op_lookup(text);
    if (op < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_KeyError, "no operation %R in the core", name);
    }
    return op;
}

/* args[0:n] as doubles into out, or -1 with TypeError. */
static int
floats(PyObject *const *args, Py_ssize_t n, double *out)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        if (!PyFloat_CheckExact(args[k])) {
            PyErr_Format(PyExc_TypeError, "argument %zd must be a float", k);
            return -1;
        }
        out[k] = PyFloat_AS_DOUBLE(args[k]);
    }
    return 0;
}

/* _value(op, a[, b]): ops.h's cr_forward, for the tests that hold it to autograd.rules. */
static PyObject *
module_value(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    double in[2] = {0.0, 0.0}, out;
    int op = nargs >= 1 ? op_named(args[0]) : -1;
    if (op < 0) {
        return nargs >= 1 ? NULL : PyErr_Format(PyExc_TypeError, "_value(op, *inputs)");
    }
    if (nargs - 1 != cr_op_arity[op]) {
        return PyErr_Format(PyExc_TypeError, "%s takes %d inputs", cr_op_name[op],
                            cr_op_arity[op]);
    }
    if (floats(args + 1, nargs - 1, in) < 0) {
        return NULL;
    }
    cr_status status = cr_forward(op, in[0], in[1], &out);
    return status != CR_OK ? cr_raise(op, status, in[0], in[1]) : PyFloat_FromDouble(out);
}

/* _vjp(op, g, out, a[, b]): ops.h's cr_vjp, a tuple with one entry per input. */
static PyObject *
module_vjp(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    double in[4] = {0.0, 0.0, 0.0, 0.0}, da = 0.0, db = 0.0; /* g, out, a, b */
    int op = nargs >= 1 ? op_named(args[0]) : -1;
    if (op < 0) {
        return nargs >= 1 ? NULL : PyErr_Format(PyExc_TypeError, "_vjp(op, g, out, *inputs)");
    }
    if (nargs - 3 != cr_op_arity[op]) {
        return PyErr_Format(PyExc_TypeError, "%s takes %d inputs", cr_op_name[op],
                            cr_op_arity[op]);
    }
    if (floats(args + 1, nargs - 1, in) < 0) {
        return NULL;
    }
    cr_status status = cr_vjp(op, in[0], in[1], in[2], in[3], &da, &db);
    if (status != CR_OK) {
        return cr_raise(op, status, in[2], in[3]);
    }
    return cr_op_arity[op] == 1 ? Py_BuildValue("(d)", da) : Py_BuildValue("(dd)", da, db);
}

static PyMethodDef module_methods[] = {
    {"constant", (PyCFunction)(void (*)(void))module_constant, METH_VARARGS | METH_KEYWORDS,
     "constant(x, what='operand')\n--\n\nA Constant leaf for a number used as an operand."},
    {"topological_order", module_topological_order, METH_O,
     "topological_order(root)\n--\n\n"
     "Every node reachable from root, each after all of its parents (root last)."},
    {"gradients", (PyCFunction)(void (*)(void))module_gradients, METH_FASTCALL,
     "gradients(output, inputs)\n--\n\n"
     "d(output)/d(input) for each input, as floats, leaving every .grad untouched."},
    {"_value", (PyCFunction)(void (*)(void))module_value, METH_FASTCALL,
     "_value(op, *inputs)\n--\n\nThe core's value of a RULES operation on floats (for tests)."},
    {"_vjp", (PyCFunction)(void (*)(void))module_vjp, METH_FASTCALL,
     "_vjp(op, g, out, *inputs)\n--\n\nThe core's vjp of a RULES operation on floats (for "
     "tests)."},
    {"_set_open", cr_set_open, METH_O,
     "Called by autograd.mode with the number of recording contexts open in any thread."},
    {NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "autograd._core",
    .m_doc = "chainrule's compiled engine: Value, Constant, the topological walk and the "
             "backward sweep, transcribed from autograd.rules.",
    .m_size = -1, /* state is static: one interpreter (see value.c's freeing list) */
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    PyObject *module = PyModule_Create(&core_module);
    if (module == NULL) {
        return NULL;
    }
    if (cr_number_init() < 0 || cr_value_init_types(module) < 0 || cr_mode_init(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
