"""bertbatch: datasets to embeddings through MLX.

This package carries the ``bertbatch`` program (a native binary in ``bertbatch/bin``) and runs it:
the ``bertbatch`` console command and ``python -m bertbatch`` both go through :func:`main`, which
checks that the MLX backend wheel the binary was built against is installed, then replaces the
Python process with the binary. Everything else (job files, exit codes) is the program's own.
"""

from bertbatch._launcher import binary_path, main

__all__ = ["binary_path", "main"]
