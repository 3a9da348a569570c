#!/usr/bin/env python
from patron.__main__ import main

if __name__ == "__main__":
    main()
