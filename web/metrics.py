"""What the service is doing, for Prometheus: ``GET /metrics`` in its text format.

One registry per app (not prometheus_client's global one: tests build many apps in one
process). Counted here:

- every HTTP request by route *template* (``/api/documents/{document_id}``, never one series per
  document; ``/telegram/…`` for the webhook, whose path is a secret), method and status, and its
  latency (histogram);
- every answer the library gives, by face and status (answered, not_covered, not_stated,
  eligibility_hint, invalid_question): the Assistant calls ``count_answer`` as its answer comes
  back, whichever face asked (``api``, ``widget`` — the web routes always name one —,
  ``telegram``, ``cli``);
- requests refused by the per-client limits;
- Telegram updates by type and the errors of their handlers (the bot reports them through its
  ``BotObserver``), and webhook deliveries by what the gate decided (new, done: a retry of one
  handled already, busy: handled elsewhere right now);
- index reloads (SIGHUP), and at scrape time the index served (build id, age, counts), the
  question vectors taken from the table of recent questions or encoded, and the state of the
  last rebuild.

Labels are fixed words, never text, client addresses or chat ids. Each replica has its own
counters: Prometheus scrapes every replica (docs/deploy.md), not the balancer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Scope

from retrieval import Answer

from .middleware import RequestObserver, route_label

# seconds: an answer takes tens of milliseconds, a loaded machine or a document page more
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BUILD_STATES = ("idle", "running", "succeeded", "failed")


class Metrics:
    """The app's counters and the collector of what is read at scrape time."""

    def __init__(self, app_state: object) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("tro_ly_http_requests", "HTTP requests by route template, method and status", ["route", "method", "status"], registry=r)
        self.latency = Histogram("tro_ly_http_request_duration_seconds", "Time to answer an HTTP request, by route template", ["route", "method"], buckets=LATENCY_BUCKETS, registry=r)
        self.answers = Counter("tro_ly_answers", "Answers given, by face (api, widget, telegram, cli) and status", ["face", "status"], registry=r)
        self.rate_limited = Counter("tro_ly_rate_limited", "Requests refused by the per-client limits (429), by budget", ["bucket"], registry=r)
        self.telegram_updates = Counter("tro_ly_telegram_updates", "Telegram updates handled, by type", ["type"], registry=r)
        self.telegram_errors = Counter("tro_ly_telegram_errors", "Errors while handling Telegram updates, by update type", ["type"], registry=r)
        self.webhook = Counter("tro_ly_telegram_webhook_deliveries", "Webhook deliveries by verdict: new, done (a retry of one handled already), busy (being handled elsewhere: 503)", ["verdict"], registry=r)
        self.reloads = Counter("tro_ly_index_reloads", "Moves to the index build current on disk (SIGHUP), by result", ["result"], registry=r)
        for face in ("api", "widget", "telegram"):
            for status in ("answered", "not_covered", "eligibility_hint"):
                self.answers.labels(face, status)  # shown at 0 before the first answer
        r.register(_IndexCollector(app_state))

    # -- the Assistant's and the bot's reports -------------------------------------------------
    def count_answer(self, face: str | None, answer: Answer) -> None:
        # every face names itself; a caller of the library that does not is counted as the API
        self.answers.labels(face or "api", answer.status.value).inc()

    def telegram_update(self, kind: str) -> None:
        self.telegram_updates.labels(kind).inc()

    def telegram_error(self, kind: str) -> None:
        self.telegram_errors.labels(kind).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _IndexCollector(Collector):
    """Read when scraped: the index the Assistant serves, and the Rebuilder's last build."""

    def __init__(self, app_state: object) -> None:
        self.state = app_state

    def describe(self) -> list:
        return []  # values are read at scrape time only

    def collect(self) -> Iterator:
        assistant = getattr(self.state, "assistant", None)
        if assistant is not None:
            info = assistant.info()
            built = datetime.fromisoformat(info.built_at).timestamp()
            family = InfoMetricFamily("tro_ly_index", "The index build being served", labels=["build_id", "model"])
            family.add_metric([info.build_id, info.model], {})
            yield family
            yield GaugeMetricFamily("tro_ly_index_built_timestamp_seconds", "When the index served was built (Unix time)", value=built)
            yield GaugeMetricFamily("tro_ly_index_age_seconds", "Age of the index served", value=max(0.0, time.time() - built))
            yield GaugeMetricFamily("tro_ly_index_documents", "Documents in the index served", value=info.documents)
            yield GaugeMetricFamily("tro_ly_index_passages", "Passages in the index served", value=info.passages)
            from_table, encoded = assistant.question_vectors()
            vectors = CounterMetricFamily("tro_ly_question_vectors", "Question vectors by source: the table of recent questions ([search] query_cache) or the encoder", labels=["source"])
            vectors.add_metric(["table"], from_table)
            vectors.add_metric(["encoder"], encoded)
            yield vectors
        rebuilder = getattr(self.state, "rebuilder", None)
        status = rebuilder.status() if rebuilder is not None else None
        state = GaugeMetricFamily("tro_ly_index_build_state", "State of the last rebuild run by this replica (1 for the current state; idle when it runs none)", labels=["state"])
        for name in BUILD_STATES:
            state.add_metric([name], 1.0 if (status.state if status else "idle") == name else 0.0)
        yield state
        if status is not None and status.seconds is not None:
            yield GaugeMetricFamily("tro_ly_index_last_build_duration_seconds", "How long the last rebuild took", value=status.seconds)


class MetricsMiddleware(RequestObserver):
    """Counts and times every HTTP request by its route template (pure ASGI: no buffering).
    Added outermost, so it sees every answer, the 413s and CORS preflights included."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_label(scope)
        self.metrics.requests.labels(route, scope["method"], str(status)).inc()
        self.metrics.latency.labels(route, scope["method"]).observe(seconds)


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus' text format. Not in the API schema; the nginx site of docs/deploy.md lets
    only the monitoring host reach it."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
