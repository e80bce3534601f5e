"""Serve the page with waitress (pure Python, also on Windows office PCs), on the loopback by default."""

from __future__ import annotations

import errno
import ipaddress
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from waitress.server import create_server

from generator.errors import VanbanError
from generator.web.app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
THREADS = 4


def is_loopback(host: str) -> bool:
    """Whether only this computer can reach an address (127.0.0.1, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(data: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False,
          echo: Callable[[str], None] = print) -> None:
    """Start the page and serve until Ctrl+C; `data` is the server's own folder for uploads and builds."""
    app = create_app(data)
    try:
        server = create_server(app, host=host, port=port, threads=THREADS, ident="vanban")
    except OSError as exc:
        why = {errno.EADDRINUSE: "cổng đang được chương trình khác dùng",
               errno.EACCES: "không có quyền dùng cổng này",
               errno.EADDRNOTAVAIL: "máy này không có địa chỉ đó"}.get(exc.errno or 0, exc.strerror)
        raise VanbanError(f"Không mở được cổng {port} trên {host} ({why}); hãy chọn cổng khác bằng "
                          "--port, hoặc đóng chương trình đang dùng cổng.") from exc
    url = url_of(host, server.effective_port)
    echo(f"Trang vanban đang chạy tại {url}  (dữ liệu trong {data}; nhấn Ctrl+C để dừng)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        server.run()
    except KeyboardInterrupt:
        echo("Đã dừng trang vanban.")
    finally:
        server.close()
