"""Several replicas behind a balancer, end to end, with the servers operators run: Debian's
redis-server and PostgreSQL on loopback, two real ``server.py`` processes (webhook mode, the
fake Bot API), and Debian's nginx in front of them with the deployment's own proxy rules
(deploy/nginx/tro-ly-proxy.conf).

Through nginx: 8 clients (each from its own loopback address) ask at once and both replicas
answer; a Telegram follow-up whose first turn went to the other replica is read with it; an
update delivered to both replicas is handled once; one client's budget holds across replicas;
the counters of /metrics move; an index built elsewhere is shipped and taken up on SIGHUP; then
one replica is killed with SIGKILL under load: no request fails (nginx sends it to the other)
and no vote is lost (each is in PostgreSQL).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from retrieval import build, load_settings
from retrieval.records import PostgresDatabase, RecordStore
from support.needs import require_model
from support import MODEL_DIR, REPO, free_port, make_corpus, seed_embedding_cache, start_server, stop, wait_until_healthy, write_toml
from support.bot import TOKEN
from support.fake_telegram import Chat, FakeTelegram, Sent
from support.nginx import nginx_server
from support.postgres import postgres_server
from support.redis import redis_server

pytestmark = pytest.mark.slow

QUESTIONS = ["hộ nghèo được vay vốn ở đâu?", "ai giám sát việc bình xét hộ nghèo?", "mục tiêu giảm tỷ lệ hộ nghèo", "ho ngheo duoc ho tro gi"]
FOLLOW_UP = "còn hộ cận nghèo thì sao?"
ASK_BUDGET = 40  # per client and minute, on every replica together


@dataclass
class Replica:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class Cluster:
    root: Path
    config: Path
    fake: FakeTelegram
    replicas: list[Replica]
    balancer: str
    database_url: str
    redis_url: str
    answered: dict[str, list[int]] = field(default_factory=dict)


def metrics_of(replica: Replica) -> dict[tuple[str, tuple], float]:
    text = httpx.get(f"{replica.url}/metrics", timeout=10).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in text_string_to_metric_families(text) for s in family.samples}


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def client(n: int) -> httpx.Client:
    """Client n from its own loopback address (127.0.x.y): what nginx sees as the client."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.{1 + n // 200}.{10 + n % 200}"), timeout=60)


def eventually(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, real_embedder):
    require_model()
    root = tmp_path_factory.mktemp("replicas")
    make_corpus(root)
    with redis_server(root) as redis_url, postgres_server() as database_url, FakeTelegram(TOKEN) as fake:
        ports = [free_port(), free_port()]
        with nginx_server(root / "nginx", ports) as balancer:
            config = write_toml(root / "config.toml", {
                "corpus": {"dir": str(root / "corpus"), "metadata_file": str(root / "corpus" / "documents.json")},
                "index": {"dir": str(root / "index")},
                "embedding": {"model": str(MODEL_DIR), "prepare_from": "none"},
                "eligibility": {"as_of": "2026-06-01"},
                # JSON logs, as a log collector would take them (test_logs_are_json_lines_without_people)
                "server": {"ask_rate_per_minute": ASK_BUDGET, "search_rate_per_minute": 1000, "log_format": "json"},
                # Telegram reaches the service through the balancer
                "telegram": {"mode": "webhook", "api_base_url": fake.base_url, "file_base_url": fake.file_base_url, "webhook_url": balancer, "questions_per_minute": 1000},
            })
            settings = load_settings(config, environ={})
            seed_embedding_cache(settings.index_dir)
            build(settings, real_embedder)
            replicas = []
            for name, port in zip("ab", ports):
                # the servers' URLs come from the environment, as a password would
                env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TRO_LY_REDIS_URL": redis_url, "TRO_LY_DATABASE_URL": database_url}
                process = start_server(config, port, root / f"server-{name}.log", env)
                replicas.append(Replica(name, port, process, root / f"server-{name}.log"))
            try:
                for replica in replicas:
                    wait_until_healthy(replica.process, replica.url, replica.log_path)
                eventually(lambda: all("đang chạy (webhook)" in r.log for r in replicas), 60, "both bots running")
                fake.redeliver_seconds, fake.redeliver_for = 1.0, 60.0  # Telegram sends again what got no 200
                yield Cluster(root, config, fake, replicas, balancer, database_url, redis_url)
            finally:
                for replica in replicas:
                    stop(replica.process)


def test_8_clients_through_the_balancer_reach_both_replicas(cluster):
    before = [sample(metrics_of(r), "tro_ly_http_requests_total", route="/api/ask", method="POST", status="200") for r in cluster.replicas]
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def ask(n: int) -> None:
        with client(n) as http:
            for i in range(3):
                r = http.post(f"{cluster.balancer}/api/ask", json={"question": QUESTIONS[(n + i) % len(QUESTIONS)]})
                with lock:
                    statuses[r.status_code] += 1
                assert r.status_code != 200 or r.json()["status"] in ("answered", "not_covered", "not_stated", "eligibility_hint")

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == {200: 24}
    after = [sample(metrics_of(r), "tro_ly_http_requests_total", route="/api/ask", method="POST", status="200") for r in cluster.replicas]
    served = [a - b for a, b in zip(after, before)]
    assert sum(served) == 24 and all(s > 0 for s in served), served  # round robin: both answered


def test_a_telegram_follow_up_whose_first_turn_went_to_the_other_replica(cluster):
    fake = cluster.fake
    a, b = cluster.replicas
    chat = fake.new_chat()
    fake.point_webhook(a.url)  # the first turn to replica a, the follow-up to b
    first = ask(fake, chat, QUESTIONS[0])
    fake.point_webhook(b.url)
    follow_up = "\n".join(p.text for p in ask(fake, chat, FOLLOW_UP))
    with httpx.Client(timeout=60) as http:  # what the API answers for it, with and without its history
        read_with = http.post(f"{a.url}/api/ask", json={"question": FOLLOW_UP, "history": [QUESTIONS[0]]}).json()
        read_alone = http.post(f"{a.url}/api/ask", json={"question": FOLLOW_UP}).json()
        cited = http.post(f"{a.url}/api/ask", json={"question": QUESTIONS[0]}).json()["citations"][0]["text"]
    quote = re.search(r"“([^”]+)”", read_with["answer"])[1]
    assert read_with["found"] and quote in follow_up and read_alone["answer"] not in follow_up
    # the first answer's source button, pressed on b
    after = fake.last_message_id(chat)
    fake.press(first[-1], first[-1].button("📄 Xem nguồn [1]")["callback_data"])
    [source] = fake.wait_for_messages(chat, 1, after=after, timeout=20)
    assert cited[:60] in source.text
    fake.point_webhook(cluster.balancer)


def test_an_update_delivered_to_both_replicas_is_handled_once(cluster):
    fake = cluster.fake
    a, b = cluster.replicas
    chat = fake.new_chat()
    fake.point_webhook(a.url)
    update = fake.send_text(chat, QUESTIONS[1])
    fake.wait_for_reply(chat, timeout=20)
    fake.point_webhook(b.url)
    assert fake.deliver_raw(update, fake.webhook["secret_token"]) == 200  # Telegram's retry, on b
    fake.point_webhook(cluster.balancer)
    time.sleep(0.5)
    assert len([m for m in fake.messages(chat) if m.reply_markup]) == 1
    assert sample(metrics_of(b), "tro_ly_telegram_webhook_deliveries_total", verdict="done") >= 1


def test_one_clients_budget_holds_across_replicas(cluster):
    statuses = []
    with client(100) as http:
        for _ in range(ASK_BUDGET + 5):
            statuses.append(http.post(f"{cluster.balancer}/api/ask", json={"question": QUESTIONS[2]}).status_code)
    assert statuses.count(200) == ASK_BUDGET and statuses.count(429) == 5 and statuses[-1] == 429
    limited = [sample(metrics_of(r), "tro_ly_rate_limited_total", bucket="ask") for r in cluster.replicas]
    assert sum(limited) == 5 and all(n > 0 for n in limited), limited  # both replicas refused, one budget
    with client(101) as other:  # another client has its own
        assert other.post(f"{cluster.balancer}/api/ask", json={"question": QUESTIONS[2]}).status_code == 200


def test_metrics_count_what_each_replica_did(cluster):
    for replica in cluster.replicas:
        samples = metrics_of(replica)
        assert sample(samples, "tro_ly_telegram_updates_total", type="message") > 0
        assert sum(v for (name, labels), v in samples.items() if name == "tro_ly_answers_total" and dict(labels)["face"] == "telegram") > 0
        assert sample(samples, "tro_ly_index_documents") > 0 and sample(samples, "tro_ly_index_build_state", state="idle") == 1
        assert not any("/telegram/" in str(labels) and "…" not in str(labels) for (_, labels) in samples)  # no secret path
        ready = httpx.get(f"{replica.url}/readyz", timeout=10).json()
        assert ready["ready"] and ready["checks"] == {"index": "ok", "records": "ok", "rate_limits": "ok", "telegram_state": "ok"}
    assert httpx.get(f"{cluster.balancer}/metrics").status_code == 404  # not through the balancer


def test_logs_are_json_lines_without_people(cluster):
    """Every line a JSON object; requests with their route template; no question, no client
    address (each client here has its own), no chat id, no webhook secret."""
    secret_path = cluster.fake.webhook["url"].rsplit("/", 1)[1]
    for replica in cluster.replicas:
        lines = [json.loads(line) for line in replica.log.splitlines() if line.strip()]
        requests = [line["request"] for line in lines if "request" in line]
        assert {"/api/ask", "/telegram/…"} <= {r["route"] for r in requests}
        text = replica.log
        for private in (*QUESTIONS, FOLLOW_UP, "127.0.1.", "127.0.2.", secret_path, TOKEN):
            assert private not in text, private
        for chat_id in list(cluster.fake._chats):
            assert not re.search(rf"(?<![\d.:-]){chat_id}(?![\d.])", text), chat_id


def test_nothing_is_kept_in_the_replicas_files(cluster):
    """Records in PostgreSQL, chat state in Redis: no SQLite file, no pickle in a state folder."""
    kept = [p.name for p in (cluster.root / "state").rglob("*") if p.is_file()] if (cluster.root / "state").exists() else []
    assert not [name for name in kept if name.endswith((".sqlite3", ".pickle"))], kept


def test_an_index_built_elsewhere_is_shipped_and_taken_up_on_sighup(cluster, real_embedder, tmp_path):
    """docs/deploy.md's procedure: build on a build machine, copy builds/<id> under a hidden
    name, rename it, `python -m retrieval use-build <id>`, SIGHUP every replica."""
    served = load_settings(cluster.config, environ={})
    builder = served.with_overrides(index={"dir": str(tmp_path / "build-machine")})
    seed_embedding_cache(builder.index_dir)
    report = build(builder, real_embedder)
    incoming = served.index_dir / "builds" / f".incoming-{report.build_id}"
    shutil.copytree(report.directory, incoming)
    incoming.rename(served.index_dir / "builds" / report.build_id)
    result = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-m", "retrieval", "--config", str(cluster.config), "use-build", report.build_id], cwd=REPO, capture_output=True, text=True, env={k: v for k, v in os.environ.items() if not k.startswith("TRO_LY_")})
    assert result.returncode == 0, result.stderr
    for replica in cluster.replicas:
        assert httpx.get(f"{replica.url}/readyz").json()["build_id"] != report.build_id
        replica.process.send_signal(signal.SIGHUP)
    for replica in cluster.replicas:
        eventually(lambda: httpx.get(f"{replica.url}/readyz").json()["build_id"] == report.build_id, 60, f"replica {replica.name} on the new build")
        assert sample(metrics_of(replica), "tro_ly_index_reloads_total", result="reloaded") == 1
        assert f"Đã chuyển sang chỉ mục {report.build_id}" in replica.log


def test_a_replica_killed_mid_load_loses_no_request_and_no_vote(cluster):
    fake = cluster.fake
    a, b = cluster.replicas
    stop_at = time.monotonic() + 8
    kill_at = time.monotonic() + 2.5
    failures: list[str] = []
    done = Counter()
    lock = threading.Lock()

    def load(n: int) -> None:
        # ten addresses each, so that no client spends its budget in these seconds
        https = [client(200 + 10 * n + k) for k in range(10)]
        i = 0
        try:
            while time.monotonic() < stop_at:
                try:
                    r = https[i % 10].post(f"{cluster.balancer}/api/ask", json={"question": QUESTIONS[(n + i) % len(QUESTIONS)]})
                    status = r.status_code
                except httpx.TransportError as exc:
                    status = type(exc).__name__
                with lock:
                    done[status] += 1
                    if status != 200:
                        failures.append(f"client {n}: {status}")
                i += 1
        finally:
            for http in https:
                http.close()

    voted: list[tuple[Chat, Sent, int]] = []

    def vote() -> None:
        """A citizen asks and votes, again and again, through the balancer."""
        n = 0
        while time.monotonic() < stop_at:
            chat = fake.new_chat()
            answer = ask(fake, chat, QUESTIONS[n % len(QUESTIONS)], timeout=60)[-1]
            value = 1 if n % 2 else -1
            fake.press(answer, answer.button("👍" if value > 0 else "👎")["callback_data"])
            voted.append((chat, answer, value))
            n += 1

    clients = [threading.Thread(target=load, args=(n,)) for n in range(6)] + [threading.Thread(target=vote) for _ in range(2)]
    for t in clients:
        t.start()
    time.sleep(max(0.0, kill_at - time.monotonic()))
    a.process.send_signal(signal.SIGKILL)
    for t in clients:
        t.join(timeout=120)
    assert a.process.wait(timeout=10) == -signal.SIGKILL
    assert not failures, failures[:10]
    assert done[200] > 20
    # nginx did meet the dead replica, and sent those requests to the other one
    errors = (cluster.root / "nginx" / "error.log").read_text(errors="replace")
    assert re.search(r"Connection refused|prematurely closed|Connection reset", errors), errors[-2000:]
    print(f"\nkilled replica a under load: {dict(done)} requests; {len(voted)} votes; deliveries by status {Counter(s for _, s in fake.webhook_deliveries)}; nginx errors {len(errors.splitlines())}")
    # every update got its 200 in the end (Telegram sends again until then) ...
    delivered = Counter(uid for uid, status in fake.webhook_deliveries if status == 200)
    assert {uid for uid, _ in fake.webhook_deliveries} == set(delivered)
    # ... and every vote is a row in PostgreSQL, with its value (one row per answer voted on)
    store = RecordStore(PostgresDatabase(cluster.database_url))
    try:
        rows = store.feedback()
    finally:
        store.close()
    assert len(voted) >= 4
    assert Counter(r.vote for r in rows) == Counter(value for _, _, value in voted)
    # and the surviving replica served on
    assert httpx.post(f"{cluster.balancer}/api/ask", json={"question": QUESTIONS[0]}, timeout=60).status_code == 200


def ask(fake: FakeTelegram, chat: Chat, text: str, timeout: float = 20) -> list[Sent]:
    after = fake.last_message_id(chat)
    fake.send_text(chat, text)  # returns once delivered with a 200 (sent again until then)
    return fake.wait_for_reply(chat, after=after, timeout=timeout)
