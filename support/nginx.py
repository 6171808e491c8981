"""A real nginx in front of the replicas for the end-to-end tests: Debian's nginx (which
scripts/test.sh installs) on a free loopback port, its config written here around the
deployment's own proxy rules (deploy/nginx/tro-ly-proxy.conf), everything under one folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from support.corpus import REPO
from support.live import free_port

PROXY_RULES = REPO / "deploy" / "nginx" / "tro-ly-proxy.conf"
SETUP_HINT = "run `bash scripts/test.sh` once: it installs nginx (apt-get)"


def write_nginx_config(folder: Path, port: int, upstreams: Sequence[int]) -> Path:
    temp = folder / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in upstreams)
    # as root nginx's workers would run as nobody, who cannot write the temp folders here
    user = "user root root;" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream tro_ly {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {PROXY_RULES};
    }}
}}
""",
        encoding="utf-8",
    )
    return config


@contextmanager
def nginx_server(folder: Path, upstreams: Sequence[int]) -> Iterator[str]:
    """Start nginx balancing over ``upstreams`` (loopback ports); yields its base URL."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.fail(f"nginx is missing: {SETUP_HINT}.", pytrace=False)
    port = free_port()
    config = write_nginx_config(folder, port, upstreams)
    check = subprocess.run([binary, "-t", "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its config:\n{check.stderr}")
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"{url}/metrics", timeout=1)  # nginx answers this one itself (404)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start:\n{(folder / 'error.log').read_text(errors='replace')}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        process.wait(timeout=10)
