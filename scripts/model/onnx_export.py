"""Set-up: export the configured sentence-transformers model to ONNX, for ``onnx_encoder``.

Run once by ``python scripts/prepare_model.py`` (``scripts/setup.sh`` calls it; skipped when
the export of this very model is already there). Never imported when serving: it needs torch,
transformers, sentence-transformers and onnx. Steps:

1. load the model with sentence-transformers (the reference) and check its modules are a
   ``Transformer``, a mean or CLS ``Pooling`` and optionally ``Normalize``: what the graph below
   reproduces (anything else is marked unsupported, and sentence-transformers serves it);
2. trace the transformer with eager attention, the pooling and the normalization into one graph
   (``torch.onnx.export(..., dynamo=False)``: token ids and mask in, sentence vector out);
3. fuse it with onnxruntime's BERT optimizer (attention, GELU, layer norms: ~1.5x faster);
4. with ``quantize = "int8"``, quantize the weights dynamically (per channel, signed);
5. check the result against sentence-transformers on fixed sentences (cosine per sentence, and
   each query's nearest passage) and keep it only if it agrees (``MIN_COSINE``); the unfused
   graph is kept instead if only the fused one disagrees;
6. write it atomically, weights in ``model.onnx.data`` beside ``model.onnx`` (onnxruntime maps
   them), with the tokenizer and ``export.json`` (source identity, layout, versions, agreement).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from retrieval.index.embeddings import model_folder, model_identity_of
from retrieval.index.onnx_encoder import (
    EXPORT_FORMAT,
    META_FILE,
    MODEL_FILE,
    TOKENIZER_FILE,
    OnnxEmbedder,
    export_dir,
    export_state,
    files_digest,
    variant,
)
from retrieval.settings import Settings

log = logging.getLogger(__name__)

# The least cosine between the exported model's vector and sentence-transformers' for every
# check sentence. float32 is the same computation (measured: 1.00000); int8 measured 0.983 at
# worst over 216 questions and 138 passages of the corpus (docs/benchmarks.md).
MIN_COSINE = {"fp32": 0.9999, "int8": 0.97}
# Each check question must find the same passage first as the reference, unless the reference's
# best passage leads the second by at most this (int8's errors, ~0.005, swap near-ties).
NEAR_TIE = {"fp32": 0.0, "int8": 0.02}

CHECK_QUERIES = [
    "Hộ nghèo được hỗ trợ vay vốn ưu đãi ở đâu?",
    "ho ngheo khong co kha nang lao dong duoc ho tro gi",
    "Ai tham gia giám sát việc bình xét hộ nghèo, hộ cận nghèo?",
    "Giá vàng SJC hôm nay là bao nhiêu?",
    "mục tiêu giảm tỷ lệ hộ nghèo đến năm 2025",
    "nghèo",
]
CHECK_PASSAGES = [
    "Ngân hàng Chính sách xã hội cho hộ nghèo, hộ cận nghèo vay vốn ưu đãi để sản xuất, kinh doanh.",
    "Ban giám sát đầu tư của cộng đồng và Mặt trận Tổ quốc cấp xã giám sát việc bình xét hộ nghèo.",
    "Phấn đấu giảm tỷ lệ hộ nghèo đa chiều bình quân 1-1,5%/năm; đến năm 2025 còn dưới 3%.",
    "Tỷ lệ hộ nghèo trên địa bàn tỉnh giảm nhanh, từ 14,93% đầu năm 2016 xuống còn 5,33% vào cuối năm 2020.",
    "The weather in Hanoi is sunny today.",
    # longer than the model reads (512 tokens): truncated the same way on both sides
    " ".join(["Hỗ trợ hộ nghèo phát triển sản xuất, đa dạng hóa sinh kế, nâng cao thu nhập bền vững."] * 40),
]


class ExportError(RuntimeError):
    """The model could not be exported, or the export does not agree with the reference."""


class _Unsupported(Exception):
    pass


def ensure_exported(settings: Settings, force: bool = False) -> tuple[Path, dict]:
    """Export the configured model unless its export is there already; return the export's
    folder and record. A record with ``unsupported`` means sentence-transformers serves it."""
    location = model_folder(settings)
    source = model_identity_of(location, settings.embedding.model)
    state, meta = export_state(settings, source)
    if state != "missing" and not force:
        return export_dir(settings), meta
    return export_dir(settings), export(settings, location, source)


def export(settings: Settings, location: str, source_identity: str) -> dict:
    try:
        import onnx
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ExportError(f"thiếu gói để xuất mô hình ({exc}); cài đặt lại bằng: bash scripts/setup.sh") from exc

    started = time.perf_counter()
    kind = variant(settings.embedding)
    target = export_dir(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(settings.embedding.threads)
    reference = SentenceTransformer(location, device="cpu")
    base = {"format": EXPORT_FORMAT, "source": settings.embedding.model, "source_identity": source_identity, "variant": kind}
    try:
        layout = _layout(reference)
    except _Unsupported as exc:
        log.warning("Không xuất được %s sang ONNX: %s", settings.embedding.model, exc)
        return _publish(target, {**base, "unsupported": str(exc)}, None)

    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        work = staging / "work"
        work.mkdir()
        raw = work / "raw.onnx"
        _trace(reference, layout, raw, torch)
        candidates = []
        fused = work / "fused.onnx"
        if _fuse(raw, fused, reference[0].auto_model.config):
            candidates.append((fused, True))
        candidates.append((raw, False))

        tokenizer = reference[0].tokenizer.backend_tokenizer
        expected_q = np.stack([reference.encode([settings.embedding.query_prompt + t], normalize_embeddings=False, show_progress_bar=False)[0] for t in CHECK_QUERIES])
        expected_p = np.stack([reference.encode([settings.embedding.passage_prompt + t], normalize_embeddings=False, show_progress_bar=False)[0] for t in CHECK_PASSAGES])
        failures = []
        for graph, is_fused in candidates:
            if kind == "int8":
                graph = _quantize_int8(graph, work / f"int8-{graph.name}", onnx)
            out = staging / "out"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            onnx.save_model(
                onnx.load(str(graph)), str(out / MODEL_FILE),
                save_as_external_data=True, all_tensors_to_one_file=True, location=MODEL_FILE + ".data", size_threshold=1024,
            )
            _save_tokenizer(tokenizer, out / TOKENIZER_FILE)
            meta = {
                **base, **layout, "fused": is_fused, "digest": files_digest(out),
                "versions": _versions(), "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            agreement = _agreement(OnnxEmbedder(out, settings.embedding, source_identity), expected_q, expected_p, NEAR_TIE[kind])
            if agreement["cosine_min"] >= MIN_COSINE[kind] and agreement["same_nearest_passage"]:
                meta["agreement"] = agreement
                meta["seconds"] = round(time.perf_counter() - started, 1)
                (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
                return _publish(target, meta, out)
            failures.append(f"{'fused' if is_fused else 'unfused'}: {agreement}")
        reason = f"ONNX {kind} does not agree with sentence-transformers ({'; '.join(failures)})"
        log.warning("Không dùng bản ONNX của %s: %s", settings.embedding.model, reason)
        return _publish(target, {**base, "unsupported": reason}, None)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _layout(reference) -> dict:
    """What the graph must reproduce, or _Unsupported."""
    modules = list(reference)
    names = [type(m).__name__ for m in modules]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise _Unsupported(f"modules {names}; the export handles Transformer, Pooling and optionally Normalize")
    transformer, pooling = modules[0], modules[1]
    mode = pooling.pooling_mode
    if mode not in ("mean", "cls") or not getattr(pooling, "include_prompt", True):
        raise _Unsupported(f"pooling {mode!r}; the export handles mean and cls pooling over the whole input")
    tokenizer = getattr(transformer, "tokenizer", None)
    if tokenizer is None or not getattr(tokenizer, "is_fast", False):
        raise _Unsupported("no fast (tokenizers) tokenizer")
    return {
        "pooling": mode,
        "normalize": len(modules) == 3,
        "max_seq_length": int(reference.get_max_seq_length() or tokenizer.model_max_length),
        "do_lower_case": bool(getattr(transformer, "do_lower_case", False)),
        "dim": int(reference.get_embedding_dimension()),
    }


def _trace(reference, layout: dict, path: Path, torch) -> None:
    model = reference[0].auto_model.float().eval()
    try:  # the SDPA attention does not export with dynamic shapes through the TorchScript exporter
        model.set_attn_implementation("eager")
    except (AttributeError, ValueError):
        model.config._attn_implementation = "eager"

    class SentenceGraph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if layout["pooling"] == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            if layout["normalize"]:
                pooled = pooled / torch.sqrt((pooled * pooled).sum(1, keepdim=True)).clamp(min=1e-12)
            return pooled

    ids = torch.tensor([[0, 1000, 2000, 3000, 2], [0, 5, 6, 2, 1]], dtype=torch.int64)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]], dtype=torch.int64)
    with torch.no_grad():
        torch.onnx.export(
            SentenceGraph().eval(), (ids, mask), str(path),
            input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "sentence_embedding": {0: "batch"}},
            opset_version=17, do_constant_folding=True, dynamo=False,
        )


def _fuse(raw: Path, fused: Path, config) -> bool:
    heads, hidden = getattr(config, "num_attention_heads", 0), getattr(config, "hidden_size", 0)
    if not heads or not hidden:
        return False
    try:
        from onnxruntime.transformers import optimizer

        model = optimizer.optimize_model(str(raw), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0, use_gpu=False)
        model.save_model_to_file(str(fused))
        log.info("Hợp nhất đồ thị ONNX: %s", {k: v for k, v in model.get_fused_operator_statistics().items() if v})
        return True
    except Exception as exc:  # noqa: BLE001 - an unfusable graph is still a correct graph
        log.warning("Không hợp nhất được đồ thị ONNX (%s); dùng bản chưa hợp nhất.", exc)
        return False


def _quantize_int8(graph: Path, out: Path, onnx) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(graph), str(out), per_channel=True, weight_type=QuantType.QInt8, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return out


def _save_tokenizer(tokenizer, path: Path) -> None:
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(tokenizer.to_str())
    copy.no_truncation()  # the encoder sets both from export.json
    copy.no_padding()
    copy.save(str(path))


def _agreement(encoder: OnnxEmbedder, expected_q: np.ndarray, expected_p: np.ndarray, near_tie: float) -> dict:
    got_q = encoder.embed_queries(CHECK_QUERIES)
    got_p = encoder.embed_passages(CHECK_PASSAGES)

    def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))

    both = np.concatenate([cosines(got_q, expected_q), cosines(got_p, expected_p)])
    expected_scores = np.sort(expected_q @ expected_p.T, axis=1)
    clear = expected_scores[:, -1] - expected_scores[:, -2] > near_tie
    same = bool((np.argmax(got_q @ got_p.T, axis=1) == np.argmax(expected_q @ expected_p.T, axis=1))[clear].all())
    return {"sentences": len(both), "cosine_min": round(float(both.min()), 6), "cosine_mean": round(float(both.mean()), 6), "same_nearest_passage": same}


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("torch", "transformers", "sentence-transformers", "onnx", "onnxruntime", "tokenizers"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def _publish(target: Path, meta: dict, files: Path | None) -> dict:
    """Replace ``target`` with ``files`` (or with just the record), atomically enough: the
    record is written last, so a half-written folder is never taken for an export."""
    staging = Path(tempfile.mkdtemp(prefix=".publish-", dir=target.parent))
    try:
        if files is not None:
            for item in files.iterdir():
                if item.name != META_FILE:
                    shutil.move(str(item), staging / item.name)
        (staging / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        staging.chmod(0o755)
        if target.exists():
            old = target.with_name(f".old-{target.name}-{time.time_ns()}")
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return meta
