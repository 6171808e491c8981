"""Index round trip, reproducibility and the stale-manifest refusal (fake embedder: fast)."""

import json
import shutil

import pytest

from retrieval import Assistant, Citation, IndexMissingError, StaleIndexError, build
from retrieval.index.builds import read_manifest
from retrieval.index.load import load_index
from tests.conftest import make_settings


@pytest.fixture
def built(seed_built, seed_index_template):
    return make_settings(seed_built), seed_index_template[1]


def test_round_trip_keeps_every_passage_and_vector(built, fake_embedder):
    settings, report = built
    index = load_index(settings)
    assert index.dense.index.ntotal == report.windows
    assert len(index.passages) == report.searchable_passages == index.bm25.size
    manifest = read_manifest(settings.index_dir)
    assert manifest["counts"]["documents"] == 4
    assert manifest["model"] == {"name": "fake-hash-embedder", "identity": "fake-hash-embedder", "dim": 64}
    assert set(manifest["corpus"]["files"]) == {p.name for p in (settings.corpus_dir).glob("*.txt")}
    assistant = Assistant.open(settings, embedder=fake_embedder)
    hit = assistant.search("Ngân hàng Chính sách xã hội", k=1)[0]
    assert "Ngân hàng Chính sách xã hội" in hit.passage.text


def test_building_twice_gives_the_same_index(built, fake_embedder, tmp_path):
    settings, first = built
    second = build(settings, fake_embedder)
    assert second.content_digest == first.content_digest
    assert second.embedded == 0  # every window came from the embedding cache


def test_a_changed_document_makes_the_index_stale(built, fake_embedder):
    settings, _ = built
    path = settings.corpus_dir / "004_b366543ccdd4efef.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nThêm một câu.", encoding="utf-8")
    with pytest.raises(StaleIndexError) as error:
        Assistant.open(settings, embedder=fake_embedder)
    assert "văn bản đã sửa: 004_b366543ccdd4efef.txt" in str(error.value)
    assert "python -m retrieval build" in str(error.value)


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda s: (s.corpus_dir / "new.txt").write_text("Văn bản mới về hộ nghèo.", encoding="utf-8"), "văn bản mới: new.txt"),
        (lambda s: (s.corpus_dir / "000_9518dc1484de870f.txt").unlink(), "văn bản đã xóa"),
        (lambda s: s.metadata_path.write_text(s.metadata_path.read_text(encoding="utf-8").replace("Ninh Thuận", "Ninh Thuan"), encoding="utf-8"), "documents.json đã sửa"),
    ],
)
def test_corpus_changes_are_named(built, fake_embedder, change, reason):
    settings, _ = built
    change(settings)
    with pytest.raises(StaleIndexError, match=reason):
        load_index(settings)


def test_a_config_change_makes_the_index_stale(built):
    settings, _ = built
    with pytest.raises(StaleIndexError, match="window_syllables"):
        load_index(settings.with_overrides(embedding={"window_syllables": 60}))


def test_no_index_yet_says_how_to_build(seed_copy):
    with pytest.raises(IndexMissingError, match="python -m retrieval build"):
        load_index(make_settings(seed_copy))


def test_a_half_written_build_is_never_loaded(built):
    settings, report = built
    staging = settings.index_dir / "builds" / ".staging-crashed"
    staging.mkdir()
    (staging / "passages.jsonl").write_text("{broken", encoding="utf-8")
    assert load_index(settings).directory.name == report.build_id


def test_filters_restrict_hits(built, fake_embedder):
    from datetime import date

    from retrieval import SearchFilters

    settings, _ = built
    assistant = Assistant.open(settings, embedder=fake_embedder)
    only = SearchFilters(document_ids=frozenset({"004_b366543ccdd4efef"}))
    assert {h.document.id for h in assistant.search("hộ nghèo", k=20, filters=only)} == {"004_b366543ccdd4efef"}
    dated = SearchFilters(date_from=date(2021, 11, 1))
    assert {h.document.id for h in assistant.search("hộ nghèo", k=20, filters=dated)} == {"000_9518dc1484de870f"}
    assert json.dumps([h.to_dict() for h in assistant.search("hộ nghèo", k=3)], ensure_ascii=False)


@pytest.mark.parametrize("query", ["!!!", "   ", "?? …"])
def test_a_query_without_words_finds_nothing(built, fake_embedder, query):
    settings, _ = built
    assistant = Assistant.open(settings, embedder=fake_embedder)
    assert assistant.search(query) == []
    assert assistant.batch_search([query, "hộ nghèo"])[0] == []


def test_the_filter_cache_stays_bounded(built, fake_embedder):
    from datetime import date, timedelta

    from retrieval import SearchFilters

    settings, _ = built
    assistant = Assistant.open(settings, embedder=fake_embedder)
    for day in range(200):
        assistant.search("hộ nghèo", filters=SearchFilters(date_from=date(2020, 1, 1) + timedelta(days=day)))
    assert len(assistant._engine.searcher._allowed_cache) <= 64


def test_the_model_is_known_by_its_contents_not_by_how_its_path_is_written(tmp_path, seed_copy, fake_embedder):
    model = tmp_path / "models" / "tiny"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"hidden_size": 8}', encoding="utf-8")
    (model / "model.safetensors").write_bytes(b"\x01" * 5_000_000)
    relative = make_settings(seed_copy).model_copy(update={"base_dir": tmp_path}).with_overrides(embedding={"model": "models/tiny", "prepare_from": "none"})
    build(relative, fake_embedder)

    absolute = relative.with_overrides(embedding={"model": str(model)})
    load_index(absolute)  # the same folder, written another way: not stale

    moved = tmp_path / "elsewhere" / "tiny"
    moved.parent.mkdir()
    model.rename(moved)
    load_index(relative.with_overrides(embedding={"model": str(moved)}))  # moved: not stale

    (moved / "model.safetensors").write_bytes(b"\x01" * 4_999_999 + b"\x02")  # other weights
    with pytest.raises(StaleIndexError, match="model"):
        load_index(relative.with_overrides(embedding={"model": str(moved)}))


def test_documents_not_in_force_rank_after_those_in_force_and_are_marked(seed_copy, fake_embedder):
    settings = make_settings(seed_copy)
    build(settings, fake_embedder)
    question = "Ai chủ trì rà soát hộ nghèo, hộ cận nghèo?"
    before = Assistant.open(settings, embedder=fake_embedder)
    top = before.search(question, k=5)
    leader = top[0].document.id
    assert any(h.document.id != leader for h in top)  # another document competes

    metadata = seed_copy / "corpus" / "documents.json"
    entries = json.loads(metadata.read_text(encoding="utf-8"))
    for entry in entries:
        if entry["file"].startswith(leader):
            entry["replaced_by"] = "Kế hoạch 99-KH/TU"
    metadata.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    build(settings, fake_embedder)
    after = Assistant.open(settings, embedder=fake_embedder)
    hits = after.search(question, k=5)
    assert hits[0].document.id != leader
    assert hits[0].document.to_dict()["in_force"] is True

    # with weight 1 the old order comes back; with 0.5 the replaced document's scores are halved
    same = Assistant.open(settings.with_overrides(search={"not_in_force_weight": 1.0}), embedder=fake_embedder, check_fresh=False)
    unweighted = same.search(question, k=50)
    assert [h.passage.id for h in unweighted[:5]] == [h.passage.id for h in top]
    original = {h.passage.id: h.score for h in unweighted}
    compared = [h for h in after.search(question, k=50) if h.passage.id in original]
    assert sum(h.document.id == leader for h in compared) >= 3
    for hit in compared:
        factor = 0.5 if hit.document.id == leader else 1.0
        assert hit.score == pytest.approx(original[hit.passage.id] * factor)

    replaced = next(h for h in after.search(question, k=50) if h.document.id == leader)
    citation = Citation(1, replaced)
    assert "[đã được thay thế bởi Kế hoạch 99-KH/TU]" in citation.label
    assert citation.to_dict()["document"]["validity_note"] == "đã được thay thế bởi Kế hoạch 99-KH/TU"
    assert citation.to_dict()["document"]["in_force"] is False


def test_a_rebuild_analyses_and_embeds_only_what_changed(built, fake_embedder):
    settings, first = built
    assert first.analysed == 4
    corpus_dir = settings.corpus_dir
    (corpus_dir / "050_moi.txt").write_text("KẾ HOẠCH\nHỗ trợ hộ nghèo nuôi bò sinh sản\n1. Mỗi hộ nghèo được hỗ trợ một con bò giống.\n", encoding="utf-8")
    added = build(settings, fake_embedder)
    assert (added.analysed, added.documents) == (1, 5)
    assert 0 < added.embedded <= 3  # only the new document's windows

    metadata = settings.metadata_path
    entries = json.loads(metadata.read_text(encoding="utf-8"))
    entries[0]["title"] = entries[0]["title"] + " (sửa)"  # BM25 sees titles: that document again
    entries[1]["url"] = "https://example.gov.vn/van-ban"  # nothing indexing depends on
    metadata.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    changed = build(settings, fake_embedder)
    assert changed.analysed == 1 and changed.embedded == 0

    (corpus_dir / "050_moi.txt").unlink()
    removed = build(settings, fake_embedder)
    assert (removed.analysed, removed.documents) == (0, 4)
    assert not (settings.index_dir / "analysis-cache" / "050_moi.json").exists()

    shutil.rmtree(settings.index_dir / "analysis-cache")  # from scratch: the same index
    assert build(settings, fake_embedder).content_digest == removed.content_digest


# -- an index built on one machine, used on another (docs/deploy.md) ---------------------------------
def test_a_build_copied_from_another_machine_becomes_current_once_checked(built, fake_embedder, tmp_path):
    """The build machine builds; the replica has the same corpus and configuration, receives
    ``builds/<id>`` and switches to it with use_build (what `python -m retrieval use-build`
    runs); a half-copied build, or one made for another configuration, is refused and CURRENT
    is left as it was."""
    from retrieval.index.builds import current_build_dir
    from retrieval.index.load import use_build

    builder, report = built
    replica = make_settings(tmp_path / "replica")
    shutil.copytree(builder.corpus_dir, replica.corpus_dir)
    first = build(replica, fake_embedder).build_id  # what the replica served so far
    target = replica.index_dir / "builds" / report.build_id
    shutil.copytree(report.directory, target)
    assert use_build(replica, report.build_id).manifest["build_id"] == report.build_id
    assert current_build_dir(replica.index_dir).name == report.build_id
    assert Assistant.open(replica, embedder=fake_embedder).info().build_id == report.build_id

    (replica.index_dir / "builds" / "half-copied").mkdir()
    with pytest.raises(IndexMissingError, match="manifest.json"):
        use_build(replica, "half-copied")
    other = make_settings(tmp_path / "other").with_overrides(embedding={"window_syllables": 60})
    shutil.copytree(builder.corpus_dir, other.corpus_dir)
    foreign = build(other, fake_embedder)
    shutil.copytree(foreign.directory, replica.index_dir / "builds" / foreign.build_id)
    with pytest.raises(StaleIndexError, match="window_syllables"):
        use_build(replica, foreign.build_id)
    assert current_build_dir(replica.index_dir).name == report.build_id
    assert first != report.build_id


def test_read_shows_what_search_gives_bm25_and_the_model(built, fake_embedder):
    settings, _ = built
    assistant = Assistant.open(settings, embedder=fake_embedder)
    query = assistant.read(["ho ngheo dc vay von ko"])[0]
    assert "hộ nghèo" in query.accented and "hộ nghèo" in query.dense
    assert "ho+ngheo" in query.lexical and "vay+von" in query.lexical
    follow_up = assistant.read(["còn hộ cận nghèo thì sao?"], [["hộ nghèo được vay vốn không?"]])[0]
    assert follow_up.follow_up and "vay vốn" in follow_up.text
