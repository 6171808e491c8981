"""Benchmark of corpus updates on the seed corpus (not a test): a full rebuild with empty caches,
a rebuild with nothing changed, adding one document (copy + metadata + incremental build),
and the same through the admin path the server uses (the build in the worker process, then the
running Assistant reloads), with the worker not started yet and with it up. Writes bench/results/incremental.json.

    .venv/bin/python bench/bench_incremental.py
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine  # noqa: E402
from retrieval import Assistant, Catalog, Rebuilder, build, load_settings  # noqa: E402
from retrieval.index.embeddings import load_embedder  # noqa: E402

NEW_PLAN = """ỦY BAN NHÂN DÂN
TỈNH KON TUM
Số: 88/KH-UBND
Kon Tum, ngày 3 tháng 4 năm 2024
KẾ HOẠCH
Hỗ trợ hộ nghèo phát triển sản xuất năm 2024
I. MỤC ĐÍCH, YÊU CẦU
1. Hỗ trợ hộ nghèo, hộ cận nghèo phát triển sản xuất, đa dạng hóa sinh kế, nâng cao thu nhập bền vững.
2. Ưu tiên hộ nghèo dân tộc thiểu số, hộ có phụ nữ làm chủ hộ và hộ có người khuyết tật.
II. NỘI DUNG HỖ TRỢ
1. Hỗ trợ con giống, cây giống, vật tư nông nghiệp; mỗi hộ tối đa 15 triệu đồng.
2. Hỗ trợ tập huấn kỹ thuật chăn nuôi, trồng trọt và tiêu thụ sản phẩm.
III. TỔ CHỨC THỰC HIỆN
Ủy ban nhân dân các huyện chủ trì, phối hợp Ngân hàng Chính sách xã hội triển khai.
"""


def main() -> None:
    base = load_settings(REPO / "config.toml")
    embedder = load_embedder(base)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "corpus", root / "corpus")
        settings = base.with_overrides(
            corpus={"dir": str(root / "corpus"), "metadata_file": str(root / "corpus" / "documents.json")},
            index={"dir": str(root / "index")},
            embedding={"model": base.model_location},
        )
        cold = build(settings, embedder)
        unchanged = build(settings, embedder)
        source = root / "kh-88.txt"
        source.write_text(NEW_PLAN, encoding="utf-8")
        started = time.perf_counter()
        Catalog(settings).add(source)
        added = build(settings, embedder)
        add_seconds = time.perf_counter() - started

        # the server's path: the build runs in the worker process, then the service reloads.
        # First with no worker yet (it starts, loads the encoder and the segmenter, builds),
        # then with the worker up, as after the service has been running a few seconds.
        assistant = Assistant.open(settings, embedder=embedder)
        rebuilder = Rebuilder(assistant, settings)
        served = []
        for n, amount in ((89, "20"), (90, "25"), (91, "30")):
            path = root / f"kh-{n}.txt"
            path.write_text(NEW_PLAN.replace("88/KH", f"{n}/KH").replace("15 triệu", f"{amount} triệu"), encoding="utf-8")
            started = time.perf_counter()
            Catalog(settings).add(path)
            rebuilder.request()
            status = rebuilder.wait(timeout=600)
            served.append(time.perf_counter() - started)
            assert status.state == "succeeded", status
            assert assistant.ask(f"hỗ trợ hộ nghèo phát triển sản xuất năm 2024 mỗi hộ tối đa {amount} triệu đồng").found
        rebuilder.stop()

    result = {
        "machine": machine(),
        "seed": {"documents": cold.documents, "passages": cold.passages, "windows": cold.windows},
        "full_rebuild_cold_caches_seconds": round(cold.seconds, 2),
        "rebuild_nothing_changed_seconds": round(unchanged.seconds, 2),
        "add_one_document_seconds": round(add_seconds, 2),
        "add_one_document": {"analysed": added.analysed, "embedded_windows": added.embedded},
        "add_one_document_served_by_running_service_seconds": {
            "worker_not_started": round(served[0], 2),
            "worker_up": [round(x, 2) for x in served[1:]],
        },
        "encoder": embedder.identity,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "note": "encoder already loaded for the in-process figures; 'worker_not_started' includes the build worker starting and loading the encoder and the segmenter",
    }
    out = REPO / "bench" / "results" / "incremental.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
