"""A small pre-forking WSGI server (standard library only) for the registration benchmark:
``python -m bench.server --port 8765 --workers 3``.

The project ships no production WSGI server yet; Django's runserver is one process, so it cannot use
more than one core. This one loads Django (and jieba's dictionary) once, then forks ``--workers``
processes that accept on one shared socket, each with its own database connection, as gunicorn's
sync workers do. It serves HTTP/1.0 (one request per connection).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class SharedSocketServer(WSGIServer):
    request_queue_size = 512

    def __init__(self, sock: socket.socket, app: Any) -> None:
        super().__init__(sock.getsockname(), QuietHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        host, port = sock.getsockname()[:2]
        self.server_name = host
        self.server_port = port
        self.setup_environ()
        self.set_app(app)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from django.urls import resolve

    from xinfang.lib.text import index_tokens

    app = get_wsgi_application()
    resolve("/api/v1/petitions")  # import the URLconf and the API before forking
    index_tokens("预热分词词典")
    connections.close_all()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(SharedSocketServer.request_queue_size)

    children: list[int] = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                SharedSocketServer(sock, app).serve_forever()
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum: int, frame: Any) -> None:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("workers " + " ".join(str(pid) for pid in children), flush=True)
    print(f"serving on http://{args.host}:{args.port} with {args.workers} workers", flush=True)
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


if __name__ == "__main__":
    main()
