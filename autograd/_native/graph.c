/* graph.c: the topological walk, backward's sweep and grad's float sweep, without recursion.
 *
 * The walk is a depth-first search that visits a node's first operand before its second and
 * emits each node after its operands: the order autograd._pyengine.topological_order gives,
 * so both backends sum the chain rule's terms in the same order and agree bit for bit.
 *
 * During a walk, a node's mark says where it is: 0 not reached yet, ON_STACK while its operands
 * are being walked, 1 + its position once emitted. Every mark is 0 again before a function
 * here returns or runs any Python code (even raising an exception can run a finalizer, which
 * could start another walk), and the walk allocates with PyMem only, which runs none.
 */
#include "core.h"

#define ON_STACK UINT32_MAX

typedef struct {
    ValueObject **nodes; /* in topological order, the root last */
    Py_ssize_t n;
} Order;

/* Grows *array (of *capacity items of `size` bytes) to twice its size; -1 when out of memory. */
static int
grow(void **array, Py_ssize_t *capacity, size_t size)
{
    if (*capacity > PY_SSIZE_T_MAX / 2 / (Py_ssize_t)size) {
        return -1;
    }
    void *bigger = PyMem_Realloc(*array, (size_t)(*capacity * 2) * size);
    if (bigger == NULL) {
        return -1;
    }
    *array = bigger;
    *capacity *= 2;
    return 0;
}

static void
unmark(ValueObject **nodes, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        nodes[i]->mark = 0;
    }
}

static void
release(Order *order)
{
    unmark(order->nodes, order->n);
    PyMem_Free(order->nodes);
    order->nodes = NULL;
}

/* Every node reachable from root into order, each after its operands; marks hold positions
 * until release(order). Returns -1 (marks cleared, MemoryError set) when out of memory. */
static int
walk(ValueObject *root, Order *order)
{
    Py_ssize_t capacity = 64, depth = 0, stack_capacity = 64, n = 0;
    ValueObject **nodes = PyMem_Malloc((size_t)capacity * sizeof *nodes);
    ValueObject **stack = PyMem_Malloc((size_t)stack_capacity * sizeof *stack);
    if (nodes == NULL || stack == NULL) {
        goto fail;
    }
    root->mark = ON_STACK;
    stack[depth++] = root;
    while (depth > 0) {
        ValueObject *node = stack[depth - 1];
        ValueObject *next = NULL;
        if (node->a != NULL && node->a->mark == 0) {
            next = node->a;
        }
        else if (node->b != NULL && node->b->mark == 0) {
            next = node->b;
        }
        if (next != NULL) {
            if (depth == stack_capacity &&
                grow((void **)&stack, &stack_capacity, sizeof *stack) < 0) {
                goto fail;
            }
            next->mark = ON_STACK;
            stack[depth++] = next;
            continue;
        }
        /* Both operands are done: the node comes next. */
        if (n == capacity && grow((void **)&nodes, &capacity, sizeof *nodes) < 0) {
            goto fail;
        }
        if (n >= (Py_ssize_t)ON_STACK - 1) {
            goto fail; /* over 4·10^9 nodes: positions no longer fit in a mark */
        }
        depth--;
        nodes[n] = node;
        node->mark = (uint32_t)(n + 1);
        n++;
    }
    PyMem_Free(stack);
    order->nodes = nodes;
    order->n = n;
    return 0;
fail:
    if (nodes != NULL) {
        unmark(nodes, n);
    }
    if (stack != NULL) {
        unmark(stack, depth);
    }
    PyMem_Free(nodes);
    PyMem_Free(stack);
    PyErr_NoMemory();
    return -1;
}

#define POSITION(node) ((Py_ssize_t)(node)->mark - 1)

PyObject *
cr_topological_order(ValueObject *root)
{
    Order order;
    if (walk(root, &order) < 0) {
        return NULL;
    }
    unmark(order.nodes, order.n); /* before PyList_New, which may run the collector */
    PyObject *list = PyList_New(order.n);
    if (list != NULL) {
        for (Py_ssize_t i = 0; i < order.n; i++) {
            PyList_SET_ITEM(list, i, Py_NewRef((PyObject *)order.nodes[i]));
        }
    }
    PyMem_Free(order.nodes);
    return list;
}

/* The first derivative that failed, to raise once the marks are cleared. */
typedef struct {
    cr_status status;
    int op;
    double a, b;
} Failure;

static PyObject *
raise_failure(const Failure *failure)
{
    return cr_raise(failure->op, failure->status, failure->a, failure->b);
}

/* One term of the chain rule's sum for the node at position i. */
static inline void
add_share(double *sum, unsigned char *have, Py_ssize_t i, double share)
{
    if (have == NULL || have[i]) {
        sum[i] += share;
    }
    else {
        sum[i] = share;
        have[i] = 1;
    }
}

/* backward's sweep wrote the final .grad of the nodes at positions from..n-1, keeping each
 * one's previous .grad in sum: put those back. */
static void
restore_grads(const Order *order, const double *sum, Py_ssize_t from)
{
    for (Py_ssize_t j = from; j < order->n; j++) {
        order->nodes[j]->grad = sum[j];
    }
}

/* Sums, in sum[i], d(root)/d(order[i]): the chain rule in reverse topological order, each node
 * passing its gradient times its local derivatives (ops.h's cr_vjp) to its operands. With
 * `have` (grad's sweep), a node's sum starts at its first term and nodes without one are
 * skipped, as in autograd._pyengine.sweep; without it (backward's), every sum starts at 0.0.
 *
 * With `write` (backward's), each node's sum is final when the sweep reaches it (every node
 * that uses it comes later in the order, so was swept before), and is written at once: .grad
 * becomes the sum, or for a leaf grows by it, and the mark is cleared (only its users read
 * it). Writing there rather than in a pass of its own saves reading every node once more. The
 * node's previous .grad goes into sum[i], so that a failure further on can restore them all.
 *
 * Returns 0, or -1 with *failure filled and every .grad as it was. Inlined into both callers,
 * so each keeps only its own branches. */
static inline Py_ALWAYS_INLINE int
sweep(const Order *order, double *sum, unsigned char *have, int write, Failure *failure)
{
    for (Py_ssize_t i = order->n - 1; i >= 0; i--) {
        ValueObject *node = order->nodes[i], *a = node->a, *b = node->b;
        if (a != NULL && (have == NULL || have[i])) {
            double da = 0.0, db = 0.0;
            double bdata = b != NULL ? b->data : 0.0;
            cr_status status = cr_vjp(node->op, sum[i], node->data, a->data, bdata, &da, &db);
            if (status != CR_OK) {
                *failure = (Failure){status, node->op, a->data, bdata};
                if (write) {
                    restore_grads(order, sum, i + 1);
                }
                return -1;
            }
            add_share(sum, have, POSITION(a), da);
            if (b != NULL) {
                add_share(sum, have, POSITION(b), db);
            }
        }
        if (write) {
            double total = sum[i];
            sum[i] = node->grad;
            node->grad = a == NULL ? node->grad + total : total;
            node->mark = 0;
        }
    }
    return 0;
}

/* root.backward(gradient): every node's .grad becomes d(root)/d(node) times gradient, except
 * that leaves add it to what they hold. Each leaf receives the finished sum of a call in one
 * addition (a second call exactly doubles it), and a backward that fails leaves every .grad
 * as it was (sweep restores those it wrote). */
PyObject *
cr_backward(ValueObject *root, double gradient)
{
    Order order;
    Failure failure;
    if (walk(root, &order) < 0) {
        return NULL;
    }
    double *sum = PyMem_Calloc((size_t)order.n, sizeof *sum);
    if (sum == NULL) {
        release(&order);
        return PyErr_NoMemory();
    }
    sum[order.n - 1] = gradient;
    int failed = sweep(&order, sum, NULL, 1, &failure) < 0;
    if (!failed) {
        order.n = 0; /* the sweep cleared every mark: nothing left for release to clear */
    }
    PyMem_Free(sum);
    release(&order);
    if (failed) {
        return raise_failure(&failure);
    }
    Py_RETURN_NONE;
}

/* grad(root, inputs) on floats: d(root)/d(input) for each input (0.0 where root does not depend
 * on it), leaving every .grad alone. */
PyObject *
cr_gradients(ValueObject *root, PyObject *inputs)
{
    Order order;
    Failure failure;
    PyObject *wanted = PySequence_Fast(inputs, "grad's inputs must be a sequence of Values");
    if (wanted == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(wanted);
    PyObject **items = PySequence_Fast_ITEMS(wanted);
    for (Py_ssize_t k = 0; k < count; k++) {
        if (!cr_Value_Check(items[k])) {
            PyErr_Format(PyExc_TypeError, "grad inputs must be Values, input %zd is %s", k,
                         _PyType_Name(Py_TYPE(items[k])));
            Py_DECREF(wanted);
            return NULL;
        }
    }
    double *found = PyMem_Malloc((size_t)(count > 0 ? count : 1) * sizeof *found);
    if (found == NULL) {
        Py_DECREF(wanted);
        return PyErr_NoMemory();
    }
    if (walk(root, &order) < 0) {
        PyMem_Free(found);
        Py_DECREF(wanted);
        return NULL;
    }
    double *sum = PyMem_Calloc((size_t)order.n, sizeof *sum);
    unsigned char *have = PyMem_Calloc((size_t)order.n, 1);
    int failed = sum == NULL || have == NULL;
    if (!failed) {
        sum[order.n - 1] = 1.0;
        have[order.n - 1] = 1;
        failed = sweep(&order, sum, have, 0, &failure) < 0 ? 2 : 0;
    }
    if (!failed) {
        for (Py_ssize_t k = 0; k < count; k++) {
            ValueObject *x = (ValueObject *)items[k];
            found[k] = x->mark != 0 && have[POSITION(x)] ? sum[POSITION(x)] : 0.0;
        }
    }
    PyMem_Free(sum);
    PyMem_Free(have);
    release(&order);
    PyObject *result = NULL;
    if (failed == 1) {
        PyErr_NoMemory();
    }
    else if (failed == 2) {
        raise_failure(&failure);
    }
    else {
        result = PyList_New(count);
        for (Py_ssize_t k = 0; result != NULL && k < count; k++) {
            PyObject *number = PyFloat_FromDouble(found[k]);
            if (number == NULL) {
                Py_CLEAR(result);
                break;
            }
            PyList_SET_ITEM(result, k, number);
        }
    }
    PyMem_Free(found);
    Py_DECREF(wanted);
    return result;
}
