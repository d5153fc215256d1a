/* value.c: the Value and Constant types.
 *
 * A Value is one node of a computation graph (core.h explains why it needs no cycle
 * collector). Every operation of autograd/rules.py is a number slot or a method here; each
 * computes its value with ops.h and records a node whose parents are its operands.
 */
#include "core.h"

static PyObject *op_names[CR_OP_COUNT]; /* the RULES names, as str: "+", "tanh", ... */
static PyObject *operand_what[CR_OP_COUNT]; /* "operand of +", for as_float's messages */
static PyObject *empty_str, *str_operand, *str_value_data, *str_value_grad;
static PyObject *str_comparison, *str_gradient;

/* --- making nodes ------------------------------------------------------------------------ */

/* A new node of exact type `type` (Value or Constant) that takes over the references a and b
 * (either may be NULL), with the thread's recording mode applied: under no_grad the node is a
 * leaf, and inside a scope it carries the scope's name. The one constructor of every node. */
static PyObject *
new_node(PyTypeObject *type, double data, int op, ValueObject *a, ValueObject *b)
{
    PyObject *scope = NULL;
    if (cr_open_contexts != 0) {
        int recording;
        if (cr_mode_current(&recording, &scope) < 0) {
            goto fail;
        }
        if (!recording) {
            Py_CLEAR(a);
            Py_CLEAR(b);
            op = CR_LEAF;
        }
    }
    ValueObject *node = PyObject_Malloc(sizeof(ValueObject));
    if (node == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    PyObject_Init((PyObject *)node, type);
    node->data = data;
    node->grad = 0.0;
    node->a = a;
    node->b = b;
    node->label = NULL;
    node->scope = scope;
    node->weakreflist = NULL;
    node->op = op;
    node->mark = 0;
    return (PyObject *)node;
fail:
    Py_XDECREF(scope);
    Py_XDECREF(a);
    Py_XDECREF(b);
    return NULL;
}

/* constant(x, what): a Constant leaf for a number used as an operand. */
PyObject *
cr_constant(PyObject *x, PyObject *what)
{
    double data;
    if (cr_as_double(x, what, &data) < 0) {
        return NULL;
    }
    return new_node(&cr_ConstantType, data, CR_LEAF, NULL, NULL);
}

/* An operand as a node (a new reference): a Value itself, or a Constant made from a number. */
static ValueObject *
operand(PyObject *x, int op)
{
    if (cr_Value_Check(x)) {
        return (ValueObject *)Py_NewRef(x);
    }
    return (ValueObject *)cr_constant(x, operand_what[op]);
}

/* x <op> y, where x or y is a Value (number slots receive the Value on either side). */
static PyObject *
binary(int op, PyObject *x, PyObject *y)
{
    ValueObject *a = NULL, *b = NULL;
    double out;
    a = operand(x, op);
    if (a == NULL) {
        goto fail;
    }
    b = operand(y, op);
    if (b == NULL) {
        goto fail;
    }
    cr_status status = cr_forward(op, a->data, b->data, &out);
    if (status != CR_OK) {
        cr_raise(op, status, a->data, b->data);
        goto fail;
    }
    return new_node(&cr_ValueType, out, op, a, b);
fail:
    Py_XDECREF(a);
    Py_XDECREF(b);
    return NULL;
}

static PyObject *
unary(int op, PyObject *x)
{
    ValueObject *a = (ValueObject *)x;
    double out;
    cr_status status = cr_forward(op, a->data, 0.0, &out);
    if (status != CR_OK) {
        return cr_raise(op, status, a->data, 0.0);
    }
    return new_node(&cr_ValueType, out, op, (ValueObject *)Py_NewRef(x), NULL);
}

/* --- freeing, without recursion ---------------------------------------------------------- */

/* Freeing a node releases its operands, which may free them in turn: down a chain of 10^7
 * nodes, a recursive free would overflow the C stack. CPython's trashcan, which bounds that
 * recursion for container types, needs the cycle collector's header, which nodes lack. So
 * nodes whose count drops to zero while another node is being freed wait in a list (linked
 * through their weakreflist field, unused once a node is dead), and the outermost call frees
 * them one at a time. */
static ValueObject *waiting = NULL;
static int freeing = 0;

static void
free_node(ValueObject *node)
{
    ValueObject *a = node->a, *b = node->b;
    Py_XDECREF(node->label);
    Py_XDECREF(node->scope);
    Py_TYPE(node)->tp_free((PyObject *)node);
    Py_XDECREF(a); /* may come back to value_dealloc, which then only queues the operand */
    Py_XDECREF(b);
}

static void
value_dealloc(PyObject *self)
{
    ValueObject *node = (ValueObject *)self;
    if (node->weakreflist != NULL) {
        PyObject_ClearWeakRefs(self);
        node->weakreflist = NULL;
    }
    /* Only the module's own static types wait: a subclass defined in Python is deallocated
     * by CPython's subtype_dealloc, which expects its instance freed when this returns (and
     * such a node is always a leaf, so freeing it recurses no further). */
    int own = Py_IS_TYPE(self, &cr_ValueType) || Py_IS_TYPE(self, &cr_ConstantType);
    if (freeing && own) {
        node->weakreflist = (PyObject *)waiting;
        waiting = node;
        return;
    }
    int outermost = !freeing;
    freeing = 1;
    free_node(node);
    if (outermost) {
        while (waiting != NULL) {
            ValueObject *next = waiting;
            waiting = (ValueObject *)next->weakreflist;
            next->weakreflist = NULL;
            free_node(next);
        }
        freeing = 0;
    }
}

/* --- construction ------------------------------------------------------------------------ */

static PyObject *
value_new(PyTypeObject *type, PyObject *Py_UNUSED(args), PyObject *Py_UNUSED(kwds))
{
    ValueObject *node = (ValueObject *)type->tp_alloc(type, 0); /* zeroed: a leaf of 0.0 */
    if (node != NULL) {
        node->op = CR_LEAF;
    }
    return (PyObject *)node;
}

/* Value(data, label=""): a leaf. */
static int
value_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"data", "label", NULL};
    ValueObject *node = (ValueObject *)self;
    PyObject *data, *label = empty_str, *text = NULL, *scope = NULL;
    double number;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:Value", keywords, &data, &label)) {
        return -1;
    }
    if (cr_exact_str(label, "label", &text) < 0) {
        goto fail;
    }
    if (cr_as_double(data, str_value_data, &number) < 0) {
        goto fail;
    }
    if (cr_open_contexts != 0) {
        int recording;
        if (cr_mode_current(&recording, &scope) < 0) {
            goto fail;
        }
    }
    node->data = number;
    node->grad = 0.0;
    Py_XSETREF(node->label, text);
    Py_XSETREF(node->scope, scope);
    return 0;
fail:
    Py_XDECREF(text);
    Py_XDECREF(scope);
    return -1;
}

/* --- attributes -------------------------------------------------------------------------- */

static PyObject *
get_data(PyObject *self, void *Py_UNUSED(closure))
{
    return PyFloat_FromDouble(((ValueObject *)self)->data);
}

static PyObject *
get_grad(PyObject *self, void *Py_UNUSED(closure))
{
    return PyFloat_FromDouble(((ValueObject *)self)->grad);
}

/* .data and .grad are stored as doubles: whatever real number is assigned becomes a float
 * (as Value() converts its data), anything else is a TypeError naming its type. */
static int
set_number(PyObject *value, PyObject *what, double *field)
{
    if (value == NULL) {
        PyErr_Format(PyExc_AttributeError, "cannot delete %U", what);
        return -1;
    }
    return cr_as_double(value, what, field);
}

static int
set_data(PyObject *self, PyObject *value, void *Py_UNUSED(closure))
{
    return set_number(value, str_value_data, &((ValueObject *)self)->data);
}

static int
set_grad(PyObject *self, PyObject *value, void *Py_UNUSED(closure))
{
    return set_number(value, str_value_grad, &((ValueObject *)self)->grad);
}

static PyObject *
get_text(PyObject *text)
{
    return Py_NewRef(text == NULL ? empty_str : text);
}

static int
set_text(PyObject **field, PyObject *value, const char *what)
{
    PyObject *text;
    if (value == NULL) {
        PyErr_Format(PyExc_AttributeError, "cannot delete %s", what);
        return -1;
    }
    if (cr_exact_str(value, what, &text) < 0) {
        return -1;
    }
    Py_XSETREF(*field, text);
    return 0;
}

static PyObject *
get_label(PyObject *self, void *Py_UNUSED(closure))
{
    return get_text(((ValueObject *)self)->label);
}

static int
set_label(PyObject *self, PyObject *value, void *Py_UNUSED(closure))
{
    return set_text(&((ValueObject *)self)->label, value, "label");
}

static PyObject *
get_scope(PyObject *self, void *Py_UNUSED(closure))
{
    return get_text(((ValueObject *)self)->scope);
}

static int
set_scope(PyObject *self, PyObject *value, void *Py_UNUSED(closure))
{
    return set_text(&((ValueObject *)self)->scope, value, "scope");
}

static PyObject *
get_op(PyObject *self, void *Py_UNUSED(closure))
{
    int op = ((ValueObject *)self)->op;
    return Py_NewRef(op == CR_LEAF ? empty_str : op_names[op]);
}

static PyObject *
get_parents(PyObject *self, void *Py_UNUSED(closure))
{
    ValueObject *node = (ValueObject *)self;
    if (node->a == NULL) {
        return PyTuple_New(0);
    }
    if (node->b == NULL) {
        return PyTuple_Pack(1, node->a);
    }
    return PyTuple_Pack(2, node->a, node->b);
}

static PyObject *
get_is_leaf(PyObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(((ValueObject *)self)->a == NULL);
}

static PyGetSetDef value_getset[] = {
    {"data", get_data, set_data, "The node's number, a float.", NULL},
    {"grad", get_grad, set_grad, "d(output)/d(node) after backward (starts at 0.0).", NULL},
    {"label", get_label, set_label, "A name for drawings (\"\" for none).", NULL},
    {"scope", get_scope, set_scope, "The scope the node was made in (\"\" for none).", NULL},
    {"op", get_op, NULL, "The operation that made the node (\"\" for a leaf).", NULL},
    {"parents", get_parents, NULL,
     "The operands of the operation that made this node, in order (() for a leaf).", NULL},
    {"is_leaf", get_is_leaf, NULL, "True for a node that no recorded operation produced.",
     NULL},
    {NULL},
};

/* --- inspection and comparison ----------------------------------------------------------- */

static PyObject *
value_repr(PyObject *self)
{
    ValueObject *node = (ValueObject *)self;
    char data[40], grad[40];
    cr_repr(node->data, data, sizeof data);
    cr_repr(node->grad, grad, sizeof grad);
    if (node->label == NULL) {
        return PyUnicode_FromFormat("Value(data=%s, grad=%s)", data, grad);
    }
    return PyUnicode_FromFormat("Value(data=%s, grad=%s, label=%R)", data, grad, node->label);
}

static PyObject *
value_float(PyObject *self)
{
    return PyFloat_FromDouble(((ValueObject *)self)->data);
}

/* <, <=, >, >= compare data with a Value or a number (and report to autograd.mode while a
 * context is open, for traced tapes' guards); == and != stay identity. */
static PyObject *
value_richcompare(PyObject *self, PyObject *other, int op)
{
    if (op == Py_EQ || op == Py_NE) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    double x = ((ValueObject *)self)->data, y;
    if (cr_Value_Check(other)) {
        y = ((ValueObject *)other)->data;
    }
    else if (cr_as_double(other, str_comparison, &y) < 0) {
        return NULL;
    }
    int outcome = op == Py_LT ? x < y : op == Py_LE ? x <= y : op == Py_GT ? x > y : x >= y;
    if (cr_open_contexts != 0 && cr_mode_record_comparison(op, self, other, outcome) < 0) {
        return NULL; /* a trace is open somewhere: the comparison may be one of its guards */
    }
    return PyBool_FromLong(outcome);
}

/* --- methods ----------------------------------------------------------------------------- */

static PyObject *
value_item(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyFloat_FromDouble(((ValueObject *)self)->data);
}

static PyObject *
value_detach(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return new_node(&cr_ValueType, ((ValueObject *)self)->data, CR_LEAF, NULL, NULL);
}

static PyObject *
value_backward(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"gradient", NULL};
    PyObject *gradient = NULL;
    double seed = 1.0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:backward", keywords, &gradient)) {
        return NULL;
    }
    if (gradient != NULL && cr_as_double(gradient, str_gradient, &seed) < 0) {
        return NULL;
    }
    return cr_backward((ValueObject *)self, seed);
}

static PyObject *
value_reduce_ex(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(protocol))
{
    PyErr_SetString(PyExc_TypeError,
                    "Value objects cannot be pickled or copied: use .detach() for a new leaf "
                    "with the same data, and a model's save() to store its parameters as JSON");
    return NULL;
}

#define UNARY_METHOD(name, op)                                       \
    static PyObject *value_##name(PyObject *self, PyObject *Py_UNUSED(ignored)) \
    {                                                                \
        return unary(op, self);                                      \
    }

UNARY_METHOD(exp, CR_EXP)
UNARY_METHOD(log, CR_LOG)
UNARY_METHOD(sqrt, CR_SQRT)
UNARY_METHOD(tanh, CR_TANH)
UNARY_METHOD(sigmoid, CR_SIGMOID)
UNARY_METHOD(relu, CR_RELU)
UNARY_METHOD(sin, CR_SIN)
UNARY_METHOD(cos, CR_COS)

static PyMethodDef value_methods[] = {
    {"item", value_item, METH_NOARGS, "The data as a Python float (as torch.Tensor.item)."},
    {"detach", value_detach, METH_NOARGS, "A new leaf with the same data, outside any graph."},
    {"backward", (PyCFunction)(void (*)(void))value_backward, METH_VARARGS | METH_KEYWORDS,
     "backward(gradient=1.0)\n--\n\n"
     "Fill .grad of every node reachable from this one with d(self)/d(node).\n\n"
     "Leaves accumulate across calls (as in PyTorch); interior nodes are recomputed."},
    {"exp", value_exp, METH_NOARGS, "exp(self), recorded as op 'exp'; local derivatives: e^a."},
    {"log", value_log, METH_NOARGS, "log(self), recorded as op 'log'; local derivatives: 1/a."},
    {"sqrt", value_sqrt, METH_NOARGS,
     "sqrt(self), recorded as op 'sqrt'; local derivatives: 1/(2\xe2\x88\x9a" "a)."},
    {"tanh", value_tanh, METH_NOARGS,
     "tanh(self), recorded as op 'tanh'; local derivatives: 1 - tanh\xc2\xb2" "a."},
    {"sigmoid", value_sigmoid, METH_NOARGS,
     "sigmoid(self), recorded as op 'sigmoid'; local derivatives: \xcf\x83(a)(1 - \xcf\x83(a))."},
    {"relu", value_relu, METH_NOARGS,
     "relu(self), recorded as op 'relu'; local derivatives: 1 if a > 0 else 0."},
    {"sin", value_sin, METH_NOARGS, "sin(self), recorded as op 'sin'; local derivatives: cos a."},
    {"cos", value_cos, METH_NOARGS, "cos(self), recorded as op 'cos'; local derivatives: -sin a."},
    {"__reduce_ex__", value_reduce_ex, METH_O, "Values are never pickled."},
    {NULL},
};

/* --- number slots ------------------------------------------------------------------------ */

static PyObject *
nb_add(PyObject *x, PyObject *y)
{
    return binary(CR_ADD, x, y);
}

static PyObject *
nb_subtract(PyObject *x, PyObject *y)
{
    return binary(CR_SUB, x, y);
}

static PyObject *
nb_multiply(PyObject *x, PyObject *y)
{
    return binary(CR_MUL, x, y);
}

static PyObject *
nb_true_divide(PyObject *x, PyObject *y)
{
    return binary(CR_DIV, x, y);
}

static PyObject *
nb_power(PyObject *x, PyObject *y, PyObject *modulus)
{
    if (modulus != Py_None) {
        PyErr_SetString(PyExc_TypeError, "pow() of a Value takes no modulus");
        return NULL;
    }
    return binary(CR_POW, x, y);
}

static PyObject *
nb_negative(PyObject *x)
{
    return unary(CR_NEG, x);
}

static PyObject *
nb_positive(PyObject *x)
{
    return unary(CR_POS, x);
}

static PyObject *
nb_absolute(PyObject *x)
{
    return unary(CR_ABS, x);
}

static PyNumberMethods value_as_number = {
    .nb_add = nb_add,
    .nb_subtract = nb_subtract,
    .nb_multiply = nb_multiply,
    .nb_true_divide = nb_true_divide,
    .nb_power = nb_power,
    .nb_negative = nb_negative,
    .nb_positive = nb_positive,
    .nb_absolute = nb_absolute,
    .nb_float = value_float,
};

/* --- the types --------------------------------------------------------------------------- */

PyTypeObject cr_ValueType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "autograd._core.Value",
    .tp_doc = "Value(data, label='')\n--\n\n"
              "A scalar node of a computation graph: data, grad and how it was made.\n\n"
              "op names the operation that produced the node (\"\" for a leaf) and parents "
              "holds its operands in order (() for a leaf). Equality and hashing are by "
              "identity.",
    .tp_basicsize = sizeof(ValueObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, /* no HAVE_GC: see core.h */
    .tp_new = value_new,
    .tp_init = value_init,
    .tp_dealloc = value_dealloc,
    .tp_free = PyObject_Free,
    .tp_repr = value_repr,
    .tp_richcompare = value_richcompare,
    .tp_weaklistoffset = offsetof(ValueObject, weakreflist),
    .tp_as_number = &value_as_number,
    .tp_methods = value_methods,
    .tp_getset = value_getset,
};

PyTypeObject cr_ConstantType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "autograd._core.Constant",
    .tp_doc = "A leaf made from a plain number that appeared in an expression (drawn as a "
              "constant).",
    .tp_basicsize = sizeof(ValueObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_base = &cr_ValueType,
    .tp_free = PyObject_Free,
};

static PyObject *
intern(const char *text)
{
    return PyUnicode_InternFromString(text);
}

int
cr_value_init_types(PyObject *module)
{
    /* Hashing stays object's own (identity), although tp_richcompare is defined. */
    cr_ValueType.tp_hash = PyBaseObject_Type.tp_hash;
    if (PyType_Ready(&cr_ValueType) < 0 || PyType_Ready(&cr_ConstantType) < 0) {
        return -1;
    }
    /* NumPy scalars on the left of an operator defer to the Value's number slots. */
    if (PyDict_SetItemString(cr_ValueType.tp_dict, "__array_ufunc__", Py_None) < 0) {
        return -1;
    }
    PyType_Modified(&cr_ValueType);
    empty_str = intern("");
    str_operand = intern("operand");
    str_value_data = intern("Value data");
    str_value_grad = intern("Value grad");
    str_comparison = intern("comparison operand");
    str_gradient = intern("backward's gradient");
    if (!empty_str || !str_operand || !str_value_data || !str_value_grad || !str_comparison ||
        !str_gradient) {
        return -1;
    }
    for (int op = 0; op < CR_OP_COUNT; op++) {
        op_names[op] = intern(cr_op_name[op]);
        operand_what[op] = PyUnicode_FromFormat("operand of %s", cr_op_name[op]);
        if (op_names[op] == NULL || operand_what[op] == NULL) {
            return -1;
        }
    }
    if (PyModule_AddObjectRef(module, "Value", (PyObject *)&cr_ValueType) < 0 ||
        PyModule_AddObjectRef(module, "Constant", (PyObject *)&cr_ConstantType) < 0) {
        return -1;
    }
    return 0;
}
