"""Types of the compiled replay of traced tapes (autograd/_native/tape.c).

The arrays are taken through the buffer protocol: program of int32, values and adjoints of
float64, each C-contiguous.
"""

def forward(
    program: object, first: int, values: object, batch: int, start: int, stop: int
) -> tuple[int, int] | None: ...
def backward(
    program: object, first: int, values: object, adjoints: object, batch: int
) -> tuple[int, int] | None: ...
