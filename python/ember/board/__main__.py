"""python3 -m ember.board --logdir runs [--port 6006] [--host 127.0.0.1]"""
from .server import main

if __name__ == "__main__":
    main()
