"""Rebuilding while serving: builds run in a worker process with the real model; the service
moves to a good build atomically, keeps answering from the old index when a build fails or
is killed, and the next build succeeds."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from retrieval import Assistant, build
from retrieval.service.rebuild import Rebuilder
from support import seed_embedding_cache
from support.needs import require_model
from tests.conftest import make_settings

NEW_DOCUMENT = "KẾ HOẠCH\nHỗ trợ hộ nghèo nuôi dê sinh sản\n1. Mỗi hộ nghèo được hỗ trợ ba con dê cái giống và tiền làm chuồng.\n"
# Long enough that its build takes many seconds even with the worker's encoder loaded: a kill
# one second in lands mid-build.
LONG_DOCUMENT = "KẾ HOẠCH\nPhụ lục danh sách xã hỗ trợ hộ nghèo\n" + "\n".join(
    f"{i}. Xã số {i} được hỗ trợ {i} triệu đồng để hộ nghèo, hộ cận nghèo phát triển sản xuất, học nghề và làm nhà ở." for i in range(1, 301)
)
QUESTION = "hộ nghèo nuôi dê được hỗ trợ mấy con dê giống?"

@pytest.fixture(autouse=True)
def _model_prepared() -> None:
    require_model()


@pytest.fixture
def serving(seed_copy, real_embedder):
    settings = make_settings(seed_copy)
    seed_embedding_cache(settings.index_dir)  # the seed corpus's vectors, as this machine computed them
    build(settings, real_embedder)
    assistant = Assistant.open(settings, embedder=real_embedder)
    rebuilder = Rebuilder(assistant, settings)
    yield settings, assistant, rebuilder
    rebuilder.stop()


def _documents(assistant: Assistant) -> set[str]:
    return {d.id for d in assistant.documents()}


@pytest.mark.slow
def test_a_new_build_is_served_without_a_restart_and_questions_never_fail(serving):
    settings, assistant, rebuilder = serving
    old_build = assistant.info().build_id
    assert not assistant.ask(QUESTION).found
    (settings.corpus_dir / "de.txt").write_text(NEW_DOCUMENT, encoding="utf-8")

    errors: list[BaseException] = []
    answered = 0
    stop = threading.Event()

    def ask_in_a_loop() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                assistant.ask("Ai chủ trì rà soát hộ nghèo?")
                assistant.search("rà soát hộ nghèo", k=5)
                answered += 1
            except BaseException as exc:  # noqa: BLE001 - any error fails the test
                errors.append(exc)

    askers = [threading.Thread(target=ask_in_a_loop) for _ in range(2)]
    for t in askers:
        t.start()
    rebuilder.request()
    status = rebuilder.wait(timeout=300)
    time.sleep(0.5)  # a few more questions on the new index
    stop.set()
    for t in askers:
        t.join()

    assert status.state == "succeeded", status
    assert status.analysed == 1 and status.documents == 5 and status.build_id != old_build
    assert assistant.info().build_id == status.build_id
    assert "de" in _documents(assistant)
    answer = assistant.ask(QUESTION)
    assert answer.found and answer.citations[0].hit.document.id == "de"
    assert errors == [] and answered > 0


@pytest.mark.slow  # kills a real build process mid-build
def test_a_killed_build_leaves_the_old_index_serving_and_the_next_one_succeeds(serving):
    settings, assistant, rebuilder = serving
    old_build = assistant.info().build_id
    (settings.corpus_dir / "phu-luc.txt").write_text(LONG_DOCUMENT, encoding="utf-8")
    rebuilder.request()
    deadline = time.monotonic() + 30
    while rebuilder.status().pid is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # mid-way: the worker is loading the encoder, analysing or embedding
    os.kill(rebuilder.status().pid, signal.SIGKILL)
    failed = rebuilder.wait(timeout=60)
    assert failed.state == "failed" and "tín hiệu 9" in failed.error
    assert assistant.info().build_id == old_build and "phu-luc" not in _documents(assistant)
    assert assistant.ask("Ai chủ trì rà soát hộ nghèo?").found  # still answering

    (settings.corpus_dir / "phu-luc.txt").unlink()
    (settings.corpus_dir / "de.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    rebuilder.request()  # a new worker
    succeeded = rebuilder.wait(timeout=300)
    assert succeeded.state == "succeeded" and succeeded.error is None
    assert "de" in _documents(assistant)


def test_a_failing_build_reports_why(serving):
    settings, assistant, rebuilder = serving
    settings.metadata_path.write_text("{ not json", encoding="utf-8")
    rebuilder.request()
    status = rebuilder.wait(timeout=120)
    assert status.state == "failed" and "documents.json" in status.error
    assert assistant.ask("Ai chủ trì rà soát hộ nghèo?").found


def test_requests_during_a_build_are_merged_into_one_more(serving):
    settings, assistant, rebuilder = serving
    rebuilder.request()
    (settings.corpus_dir / "de.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    for _ in range(3):
        assert rebuilder.request().state == "running"
    assert rebuilder.status().queued
    status = rebuilder.wait(timeout=400)
    assert status.state == "succeeded" and not status.queued
    assert "de" in _documents(assistant)  # the second build saw the change


def test_the_worker_stays_up_between_builds_and_the_second_build_reuses_it(serving):
    settings, assistant, rebuilder = serving
    rebuilder.start()
    (settings.corpus_dir / "de.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    first = rebuilder.request()
    assert rebuilder.wait(timeout=300).state == "succeeded"
    worker = rebuilder._worker
    assert worker is not None and worker.alive()
    (settings.corpus_dir / "de.txt").write_text(NEW_DOCUMENT.replace("ba con dê", "bốn con dê"), encoding="utf-8")
    rebuilder.request()
    status = rebuilder.wait(timeout=300)
    assert status.state == "succeeded" and status.analysed == 1 and status.embedded >= 1
    assert rebuilder._worker is worker and worker.alive()  # the same process, encoder loaded
    assert "bốn con dê" in assistant.document("de").text
    rebuilder.stop()
    assert not worker.alive() and first.state == "running"
