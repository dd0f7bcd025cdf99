"""``python -m bertbatch``: the same as the ``bertbatch`` command."""

from bertbatch._launcher import main

if __name__ == "__main__":
    main()
