/* ops.h: every operation of autograd/rules.py on doubles, transcribed from the table.
 *
 * autograd/rules.py is the one statement of the math; this file repeats it in C, one case per
 * operation and in the table's order, so that the compiled core and anything else written in C
 * (the batch replay of traced tapes) compute bit for bit what the rules compute on floats.
 * tests/autograd/test_core_ops.py walks RULES and checks every case here against it.
 *
 * The API, all static inline (include this header; nothing to link):
 *
 *   cr_op                      an operation code, CR_ADD ... CR_COS, in RULES order;
 *   cr_op_name[op]             its name in RULES ("+", "**", "tanh", ...);
 *   cr_op_arity[op]            1 or 2;
 *   cr_op_lookup(name)         the code of a RULES name, or -1;
 *   cr_forward(op, a, b, &out) the value (b is ignored by unary operations); returns CR_OK or
 *                              the code of the domain error;
 *   cr_vjp(op, g, out, a, b, &da, &db)
 *                              g times the local derivatives (rules' vjp, the same floating-
 *                              point operations in the same order; with g = 1.0 these are the
 *                              local derivatives themselves); db is left alone for a unary
 *                              operation; returns CR_OK or an error code;
 *   cr_raise(op, code, a, b)   sets the Python exception that rules.py raises for that code,
 *                              with the same message (a, b are the operation's inputs); returns
 *                              NULL, so a caller can write `return cr_raise(...);`.
 *
 * Why doubles behave as Python's floats here: the build passes -ffp-contract=off, so no
 * multiply-add is fused, and the math functions are the same libm functions CPython's math
 * module calls.
 */
#ifndef CHAINRULE_OPS_H
#define CHAINRULE_OPS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

typedef enum {
    CR_ADD,
    CR_SUB,
    CR_MUL,
    CR_DIV,
    CR_POW,
    CR_NEG,
    CR_POS,
    CR_ABS,
    CR_EXP,
    CR_LOG,
    CR_SQRT,
    CR_TANH,
    CR_SIGMOID,
    CR_RELU,
    CR_SIN,
    CR_COS,
    CR_OP_COUNT
} cr_op;

static const char *const cr_op_name[CR_OP_COUNT] = {
    "+", "-", "*", "/", "**", "neg", "pos", "abs",
    "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos",
};

static const int cr_op_arity[CR_OP_COUNT] = {
    2, 2, 2, 2, 2, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1,
};

/* Outcomes of cr_forward and cr_vjp; each non-zero code is one message of rules.py. */
typedef enum {
    CR_OK = 0,
    CR_DIVISION_BY_ZERO,      /* "/":    division by zero: a / b                       */
    CR_ZERO_TO_NEGATIVE,      /* "**":   ** of zero base to negative power a, b        */
    CR_NEGATIVE_TO_FRACTION,  /* "**":   ** of negative base to non-integer power a, b */
    CR_LOG_NON_POSITIVE,      /* log:    log of non-positive value a                   */
    CR_SQRT_NEGATIVE,         /* sqrt:   sqrt of negative value a                      */
    CR_INFINITE,              /* sin/cos: sin of infinite value a                      */
    /* Only from derivatives (reachable when .data was changed after the forward pass): */
    CR_POW_NO_DERIVATIVE,     /* ** has no finite derivative at base a with exponent b */
    CR_POW_DERIVATIVE_DOMAIN, /* b a^(b-1) met: ** of negative base to non-integer power a, b-1 */
    CR_SQRT_NO_DERIVATIVE,    /* sqrt has no finite derivative at a                    */
    CR_FLOAT_DIVISION,        /* a float division by zero in a vjp: ZeroDivisionError   */
    CR_MATH_DOMAIN,           /* math.sin/math.cos of an infinity in a vjp              */
} cr_status;

static inline int
cr_op_lookup(const char *name)
{
    for (int op = 0; op < CR_OP_COUNT; op++) {
        if (strcmp(cr_op_name[op], name) == 0) {
            return op;
        }
    }
    return -1;
}

/* --- helpers: Python's float semantics --------------------------------------------------- */

/* float.is_integer(): finite and whole. */
static inline int
cr_is_integer(double x)
{
    return isfinite(x) && floor(x) == x;
}

static inline int
cr_is_odd_integer(double x)
{
    return fmod(fabs(x), 2.0) == 1.0;
}

/* Python's float ** float (CPython's float_pow) for the cases rules' _pow lets through, with
 * overflow giving the infinity that _pow returns in place of OverflowError. */
static inline double
cr_float_pow(double a, double b)
{
    if (b == 0.0) {
        return 1.0; /* a ** 0 is 1, even 0 ** 0 and nan ** 0 */
    }
    if (isnan(a)) {
        return a;
    }
    if (isnan(b)) {
        return a == 1.0 ? 1.0 : b;
    }
    if (isinf(b)) {
        double m = fabs(a);
        if (m == 1.0) {
            return 1.0;
        }
        return (b > 0.0) == (m > 1.0) ? fabs(b) : 0.0;
    }
    if (isinf(a)) {
        int odd = cr_is_odd_integer(b);
        if (b > 0.0) {
            return odd ? a : fabs(a);
        }
        return odd ? copysign(0.0, a) : 0.0;
    }
    if (a == 0.0) { /* b > 0 here: rules refuse 0 to a negative power */
        return cr_is_odd_integer(b) ? a : 0.0;
    }
    int negate = 0;
    if (a < 0.0) { /* b is an integer here: rules refuse a fractional power */
        a = -a;
        negate = cr_is_odd_integer(b);
    }
    if (a == 1.0) {
        return negate ? -1.0 : 1.0;
    }
    double result = pow(a, b); /* overflow gives HUGE_VAL, i.e. inf */
    return negate ? -result : result;
}

/* rules._pow: a ** b for real results only. */
static inline cr_status
cr_pow(double a, double b, double *out)
{
    if (a == 0.0 && b < 0.0) {
        return CR_ZERO_TO_NEGATIVE;
    }
    if (a < 0.0 && !cr_is_integer(b)) {
        return CR_NEGATIVE_TO_FRACTION;
    }
    *out = cr_float_pow(a, b);
    return CR_OK;
}

/* rules.sign: -1.0, 0.0 or 1.0 (0.0 for nan too). */
static inline double
cr_sign(double x)
{
    return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0;
}

/* --- values: the `value` column of RULES ------------------------------------------------- */

static inline cr_status
cr_forward(cr_op op, double a, double b, double *out)
{
    switch (op) {
    case CR_ADD:
        *out = a + b;
        return CR_OK;
    case CR_SUB:
        *out = a - b;
        return CR_OK;
    case CR_MUL:
        *out = a * b;
        return CR_OK;
    case CR_DIV:
        if (b == 0.0) {
            return CR_DIVISION_BY_ZERO;
        }
        *out = a / b;
        return CR_OK;
    case CR_POW:
        return cr_pow(a, b, out);
    case CR_NEG:
        *out = -a;
        return CR_OK;
    case CR_POS:
        *out = a;
        return CR_OK;
    case CR_ABS:
        *out = fabs(a);
        return CR_OK;
    case CR_EXP:
        *out = exp(a); /* overflow gives inf, as rules' _exp */
        return CR_OK;
    case CR_LOG:
        if (a <= 0.0) {
            return CR_LOG_NON_POSITIVE;
        }
        *out = log(a);
        return CR_OK;
    case CR_SQRT:
        if (a < 0.0) {
            return CR_SQRT_NEGATIVE;
        }
        *out = sqrt(a);
        return CR_OK;
    case CR_TANH:
        *out = tanh(a);
        return CR_OK;
    case CR_SIGMOID:
        if (a >= 0.0) {
            *out = 1.0 / (1.0 + exp(-a));
        }
        else {
            double e = exp(a);
            *out = e / (1.0 + e);
        }
        return CR_OK;
    case CR_RELU:
        *out = a <= 0.0 ? 0.0 : a; /* nan stays nan */
        return CR_OK;
    case CR_SIN:
        if (isinf(a)) {
            return CR_INFINITE;
        }
        *out = sin(a);
        return CR_OK;
    case CR_COS:
        if (isinf(a)) {
            return CR_INFINITE;
        }
        *out = cos(a);
        return CR_OK;
    case CR_OP_COUNT:
        break;
    }
    return CR_OK; /* not reached: every op is a case above */
}

/* --- derivatives: the `vjp` column of RULES ---------------------------------------------- */

/* g / d as Python divides floats: by zero is ZeroDivisionError. */
#define CR_DIVIDE(result, g, d)          \
    do {                                 \
        if ((d) == 0.0) {                \
            return CR_FLOAT_DIVISION;    \
        }                                \
        (result) = (g) / (d);            \
    } while (0)

static inline cr_status
cr_vjp(cr_op op, double g, double out, double a, double b, double *da, double *db)
{
    switch (op) {
    case CR_ADD: /* (g, g) */
        *da = g;
        *db = g;
        return CR_OK;
    case CR_SUB: /* (g, -g) */
        *da = g;
        *db = -g;
        return CR_OK;
    case CR_MUL: /* (g * b, g * a) */
        *da = g * b;
        *db = g * a;
        return CR_OK;
    case CR_DIV: /* (g / b, -g * out / b) */
        CR_DIVIDE(*da, g, b);
        CR_DIVIDE(*db, -g * out, b);
        return CR_OK;
    case CR_POW: { /* rules._pow_vjp */
        if (a == 0.0 && b < 1.0) {
            if (b != 0.0) {
                return CR_POW_NO_DERIVATIVE;
            }
            *da = 0.0; /* a ** 0 is constant, even at a = 0 */
        }
        else {
            double p;
            if (cr_pow(a, b - 1.0, &p) != CR_OK) {
                return CR_POW_DERIVATIVE_DOMAIN;
            }
            *da = g * b * p;
        }
        *db = a > 0.0 ? g * out * log(a) : 0.0;
        return CR_OK;
    }
    case CR_NEG: /* (-g,) */
        *da = -g;
        return CR_OK;
    case CR_POS: /* (g,) */
        *da = g;
        return CR_OK;
    case CR_ABS: /* (g * sign(a),) */
        *da = g * cr_sign(a);
        return CR_OK;
    case CR_EXP: /* (g * out,) */
        *da = g * out;
        return CR_OK;
    case CR_LOG: /* (g / a,) */
        CR_DIVIDE(*da, g, a);
        return CR_OK;
    case CR_SQRT: /* rules._sqrt_vjp: (g / (2.0 * out),) */
        if (out == 0.0) {
            return CR_SQRT_NO_DERIVATIVE;
        }
        CR_DIVIDE(*da, g, 2.0 * out);
        return CR_OK;
    case CR_TANH: /* (g * (1.0 - out * out),) */
        *da = g * (1.0 - out * out);
        return CR_OK;
    case CR_SIGMOID: /* (g * out * (1.0 - out),) */
        *da = g * out * (1.0 - out);
        return CR_OK;
    case CR_RELU: /* (g if a > 0 else 0.0,) */
        *da = a > 0.0 ? g : 0.0;
        return CR_OK;
    case CR_SIN: /* (g * cos(a),) with math.cos */
        if (isinf(a)) {
            return CR_MATH_DOMAIN;
        }
        *da = g * cos(a);
        return CR_OK;
    case CR_COS: /* (-g * sin(a),) with math.sin */
        if (isinf(a)) {
            return CR_MATH_DOMAIN;
        }
        *da = -g * sin(a);
        return CR_OK;
    case CR_OP_COUNT:
        break;
    }
    return CR_OK; /* not reached */
}

#undef CR_DIVIDE

/* --- errors: rules.py's messages --------------------------------------------------------- */

/* repr(x) of a Python float, into buf (at least 32 bytes). */
static inline void
cr_repr(double x, char *buf, size_t size)
{
    char *text = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (text == NULL) { /* out of memory: keep the message readable anyway */
        PyErr_Clear();
        PyOS_snprintf(buf, size, "%.17g", x);
        return;
    }
    PyOS_snprintf(buf, size, "%s", text);
    PyMem_Free(text);
}

static inline PyObject *
cr_raise(cr_op op, cr_status code, double a, double b)
{
    char x[40], y[40];
    cr_repr(a, x, sizeof x);
    cr_repr(code == CR_POW_DERIVATIVE_DOMAIN ? b - 1.0 : b, y, sizeof y);
    const char *name = cr_op_name[op];
    switch (code) {
    case CR_OK:
        PyErr_SetString(PyExc_SystemError, "cr_raise called without an error");
        break;
    case CR_DIVISION_BY_ZERO:
        PyErr_Format(PyExc_ValueError, "division by zero: %s / %s", x, y);
        break;
    case CR_ZERO_TO_NEGATIVE:
        PyErr_Format(PyExc_ValueError, "%s of zero base to negative power %s, %s", name, x, y);
        break;
    case CR_NEGATIVE_TO_FRACTION:
    case CR_POW_DERIVATIVE_DOMAIN:
        PyErr_Format(PyExc_ValueError, "%s of negative base to non-integer power %s, %s", name,
                     x, y);
        break;
    case CR_LOG_NON_POSITIVE:
        PyErr_Format(PyExc_ValueError, "%s of non-positive value %s", name, x);
        break;
    case CR_SQRT_NEGATIVE:
        PyErr_Format(PyExc_ValueError, "%s of negative value %s", name, x);
        break;
    case CR_INFINITE:
        PyErr_Format(PyExc_ValueError, "%s of infinite value %s", name, x);
        break;
    case CR_POW_NO_DERIVATIVE:
        PyErr_Format(PyExc_ValueError, "** has no finite derivative at base %s with exponent %s",
                     x, y);
        break;
    case CR_SQRT_NO_DERIVATIVE:
        PyErr_Format(PyExc_ValueError, "sqrt has no finite derivative at %s", x);
        break;
    case CR_FLOAT_DIVISION:
        PyErr_SetString(PyExc_ZeroDivisionError, "float division by zero");
        break;
    case CR_MATH_DOMAIN:
        PyErr_SetString(PyExc_ValueError, "math domain error");
        break;
    }
    return NULL;
}

#endif /* CHAINRULE_OPS_H */
