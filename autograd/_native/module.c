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

static PyMethodDef module_methods[] = {
    {"constant", (PyCFunction)(void (*)(void))module_constant, METH_VARARGS | METH_KEYWORDS,
     "constant(x, what='operand')\n--\n\nA Constant leaf for a number used as an operand."},
    {"topological_order", module_topological_order, METH_O,
     "topological_order(root)\n--\n\n"
     "Every node reachable from root, each after all of its parents (root last)."},
    {"gradients", (PyCFunction)(void (*)(void))module_gradients, METH_FASTCALL,
     "gradients(output, inputs)\n--\n\n"
     "d(output)/d(input) for each input, as floats, leaving every .grad untouched."},
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
