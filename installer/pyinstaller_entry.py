"""Entry point of the frozen app. ``freeze_support`` lets the document-reader child processes
(multiprocessing ``spawn``) start from the frozen executable."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from app.main import main

    sys.exit(main())
