"""Benchmarks: chainrule side by side with micrograd, PyTorch, plain floats and NumPy.

``python -m benchmarks.run`` (or ``make bench``) measures every engine in one run and writes
``benchmarks/results/latest.json`` and ``latest.md``.
"""
