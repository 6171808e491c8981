"""The deployment's files (deploy/, docs/deploy.md) checked by the tools that will read them:
nginx parses the TLS site with its proxy rules, systemd verifies the units, the Redis settings
let the service's ACL user do what the service does (and nobody else in), the PostgreSQL set-up
gives a role that owns its database and can create and use the store's tables, and the
shipping script is valid bash."""

from __future__ import annotations

import asyncio
import time
import shutil
import subprocess
from pathlib import Path

import pytest

from support import REPO, free_port

DEPLOY = REPO / "deploy"


def test_the_nginx_site_parses_with_its_proxy_rules(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: run `bash scripts/test.sh` once (it installs nginx)", pytrace=False)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=tro-ly.example.gov.vn",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "tro-ly.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/tro-ly.example.gov.vn/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/tro-ly.example.gov.vn/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/etc/nginx/snippets/tro-ly-proxy.conf", str(DEPLOY / "nginx" / "tro-ly-proxy.conf"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_the_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    instance = tmp_path / "tro-ly@8001.service"
    shutil.copy(DEPLOY / "systemd" / "tro-ly@.service", instance)
    units = [str(instance), str(DEPLOY / "systemd" / "tro-ly-build.service"), str(DEPLOY / "systemd" / "tro-ly-build.timer")]
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    # the code is not installed in /srv/tro-ly here: that is the only complaint allowed
    complaints = [line for line in result.stderr.splitlines() if line.strip() and "/srv/tro-ly/" not in line]
    assert not complaints, result.stderr


def test_the_shipping_script_is_valid_bash():
    result = subprocess.run(["bash", "-n", str(DEPLOY / "ship-index.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_redis_settings_let_the_service_in_and_no_one_else(tmp_path):
    """deploy/redis/tro-ly.conf as Redis reads it (only the port, folder and password changed):
    the rate limits, the bot's state and the gate work as its ACL user; without it, nothing."""
    import redis

    from bot.gate import RedisGate, Verdict
    from bot.shared_state import RedisPersistence
    from retrieval import RateLimiter

    port = free_port()
    config = (DEPLOY / "redis" / "tro-ly.conf").read_text(encoding="utf-8").replace("CHANGE-ME", "mat-khau-thu").replace("port 6379", f"port {port}")
    config = config.replace("dir /var/lib/redis", f"dir {tmp_path}").replace("appendonly yes", "appendonly no")
    (tmp_path / "redis.conf").write_text(config, encoding="utf-8")
    process = subprocess.Popen([shutil.which("redis-server") or "redis-server", str(tmp_path / "redis.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://tro_ly:mat-khau-thu@127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port).ping()  # the default user is off
        limiter = RateLimiter(url, window_seconds=60)
        assert [limiter.hit("ask:203.0.113.1", 2)[0] for _ in range(3)] == [True, True, False] and limiter.ping()

        async def bot_state() -> tuple[Verdict, Verdict, dict]:
            import redis.asyncio

            shared = redis.asyncio.Redis.from_url(url)
            gate, persistence = RedisGate(shared), RedisPersistence(shared)
            async with gate.handle(1, 42) as first:
                await persistence.update_chat_data(42, {"history": ["hộ nghèo?"]})
                await persistence.update_conversation("kiemtra", (42,), 1)
            async with gate.handle(1, 42) as again:
                pass
            data: dict = {}
            await RedisPersistence(shared).refresh_chat_data(42, data)
            await shared.aclose()
            return first, again, data

        assert asyncio.run(bot_state()) == (Verdict.NEW, Verdict.DONE, {"history": ["hộ nghèo?"]})
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_the_postgresql_set_up_gives_a_role_that_owns_the_store():
    """deploy/postgresql/setup.sql run as the postgres user on a new server: the tro_ly role,
    not a superuser, creates the store's tables at its first write and uses them."""
    from support.postgres import postgres_server

    with postgres_server(database=None) as url:
        _set_up_and_use(url.rsplit("/", 1)[0])


def _set_up_and_use(server: str) -> None:
    from retrieval.records import PostgresDatabase, QuestionStatus, RecordStore

    result = subprocess.run(["psql", f"{server}/postgres", "-v", "ON_ERROR_STOP=1", "-v", "password='mat-khau-thu'", "-f", str(DEPLOY / "postgresql" / "setup.sql")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    store = RecordStore(PostgresDatabase(server.replace("postgres@", "tro_ly:mat-khau-thu@") + "/tro_ly"))
    try:
        store.log_question("api", "hộ nghèo được vay vốn ở đâu?", QuestionStatus.ANSWERED)
        store.record_vote("telegram", answer_key="k", question="q", answer="a", passage_ids=(), vote=1)
        assert len(store.questions()) == 1 and len(store.feedback()) == 1
    finally:
        store.close()
