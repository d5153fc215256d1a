/* core.h: what the files of autograd._core share.
 *
 * value.c   the Value and Constant types: constructor, attributes, number slots, freeing;
 * graph.c   the topological walk, backward's sweep and grad's float sweep;
 * mode.c    the open-context counter and the thread's recording state;
 * number.c  numbers to doubles, as autograd._number.as_float;
 * module.c  the module: its functions and its initialisation.
 *
 * Error paths follow one pattern everywhere: a function that can fail returns NULL or -1 with
 * a Python exception set, and every owned reference is released at the function's single
 * `fail:` label (Py_XDECREF, so a reference not yet taken is NULL there).
 */
#ifndef CHAINRULE_CORE_H
#define CHAINRULE_CORE_H

#include "ops.h"
#include <stddef.h>
#include <stdint.h>

/* The op of a leaf (a node no recorded operation produced). */
#define CR_LEAF (-1)

/* A node of a computation graph.
 *
 * No reference cycle can pass through a node, so the cycle collector does not track nodes (the
 * types lack Py_TPFLAGS_HAVE_GC) and reference counting alone frees every graph:
 * - a and b point to the operands, which existed before this node was made; they are set once,
 *   when the node is made, and no attribute can change them;
 * - label and scope hold exact str objects (subclasses are copied), which reference nothing;
 * - data, grad, op and mark are plain numbers.
 */
typedef struct ValueObject {
    PyObject_HEAD
    double data;
    double grad;
    struct ValueObject *a; /* first operand; NULL for a leaf */
    struct ValueObject *b; /* second operand; NULL for a leaf or a unary operation */
    PyObject *label;       /* exact str, or NULL for "" */
    PyObject *scope;       /* exact str, or NULL for "" */
    PyObject *weakreflist; /* weak references; while a node waits to be freed, the next one */
    int32_t op;            /* a cr_op, or CR_LEAF */
    uint32_t mark;         /* 0, except during a graph walk (graph.c) */
} ValueObject;

extern PyTypeObject cr_ValueType;
extern PyTypeObject cr_ConstantType;

#define cr_Value_Check(x) PyObject_TypeCheck((x), &cr_ValueType)

/* value.c */
int cr_value_init_types(PyObject *module);
PyObject *cr_constant(PyObject *x, PyObject *what);

/* graph.c */
PyObject *cr_topological_order(ValueObject *root);
PyObject *cr_backward(ValueObject *root, double gradient);
PyObject *cr_gradients(ValueObject *root, PyObject *inputs);

/* mode.c */
extern Py_ssize_t cr_open_contexts;
int cr_mode_init(PyObject *module);
int cr_mode_current(int *recording, PyObject **scope);
int cr_mode_record_comparison(int op, PyObject *left, PyObject *right, int outcome);
PyObject *cr_set_open(PyObject *module, PyObject *count);

/* number.c */
int cr_number_init(void);
int cr_as_double(PyObject *x, PyObject *what, double *out);
int cr_exact_str(PyObject *x, const char *what, PyObject **out);

#endif /* CHAINRULE_CORE_H */
