"""The query and passage encoder that serves: the exported model run by onnxruntime, no torch.

``scripts/prepare_model.py`` (run by scripts/setup.sh) exports the configured sentence-transformers model once,
at set-up (``scripts/model/onnx_export.py``), into a folder beside the model — never inside it, since
the model's identity hashes that folder::

    models/multilingual-e5-small.onnx/fp32/   model.onnx, model.onnx.data, tokenizer.json, export.json
    models/multilingual-e5-small.onnx/int8/   the same, weights quantized ([embedding] quantize)

The graph takes token ids and the attention mask and returns the pooled, normalized sentence
vector, so encoding is tokenizing (``tokenizers``) plus one ``InferenceSession.run``. Weights
live in ``model.onnx.data``, which onnxruntime maps into memory: only the rows of the 250,000-
piece embedding table that questions use become resident. ``OnnxEmbedder`` fits the
``Embedder`` protocol; its ``identity`` names the source model, the variant and a digest of the
exported files, so an index built by another encoder is refused (index.py, assistant.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ModelUnavailableError
from ..settings import EmbeddingSettings, Settings
from .embeddings import PREPARE_HINT, sampled_digest

EXPORT_FORMAT = 1
META_FILE = "export.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"


def variant(settings: EmbeddingSettings) -> str:
    return "int8" if settings.quantize == "int8" else "fp32"


def export_root(settings: Settings) -> Path:
    """Where exports of the configured model live: beside a local model folder
    (``models/X`` -> ``models/X.onnx``), or under ``models/`` for a hub name."""
    location = settings.model_location
    path = Path(location)
    if path.is_absolute() or location.startswith(".") or path.exists():
        return path.with_name(path.name + ".onnx")
    return settings.resolve(Path("models")) / (location.replace("/", "--") + ".onnx")


def export_dir(settings: Settings) -> Path:
    return export_root(settings) / variant(settings.embedding)


def read_export(directory: Path) -> dict | None:
    """The export's record (``export.json``), or None if there is none or it is unreadable."""
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == EXPORT_FORMAT else None


def files_digest(directory: Path) -> str:
    """What the exported files hold, cheaply: names, sizes, first and last MiB of each."""
    return sampled_digest(directory, (p for p in directory.iterdir() if p.name != META_FILE))


def exported_identity(source_identity: str, meta: dict) -> str:
    """The encoder's identity: the source model, the variant, and the exported files."""
    return f"{source_identity}+onnx-{meta['variant']}@{meta['digest'][:12]}"


def export_state(settings: Settings, source_identity: str) -> tuple[str, dict | None]:
    """("ready", meta) when an export of this very source model is there; ("unsupported", meta)
    when set-up found the model cannot be exported (sentence-transformers serves it);
    ("missing", None) otherwise (set-up not run, or the model changed since)."""
    meta = read_export(export_dir(settings))
    if meta is None or meta.get("source_identity") != source_identity:
        return "missing", None
    return ("unsupported", meta) if meta.get("unsupported") else ("ready", meta)


class OnnxEmbedder:
    """``embed_queries``/``embed_passages`` with onnxruntime and ``tokenizers``.

    Float32 vectors are independent of what else is in a batch (padding is masked), so queries
    and passages are batched, shortest first. Int8 activations are quantized per batch, so
    there every text is encoded alone: a question gets the same vector whether it arrived
    alone or with seven others, and the index gets the vectors the questions will meet."""

    def __init__(self, directory: Path, settings: EmbeddingSettings, source_identity: str) -> None:
        meta = read_export(directory)
        if meta is None or meta.get("unsupported"):
            raise ModelUnavailableError(f"Không có mô hình ONNX dùng được trong {directory}. {PREPARE_HINT}")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailableError(f"Thiếu gói để chạy mô hình ONNX ({exc}). Cài đặt lại bằng: bash scripts/setup.sh") from exc

        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # warnings about unused initializers are noise in a service's log
        # Idle worker threads sleep instead of spinning: on 2 cores a spinning thread takes the
        # core the answer step (Python) or another process needs; measured under load, spinning
        # doubled the time of a question (103 ms vs 46 ms at 2 threads), and costs nothing quiet.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"])
            self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        except Exception as exc:  # noqa: BLE001 - any loading failure means the same to the user
            raise ModelUnavailableError(f"Không nạp được mô hình ONNX trong {directory}: {exc}. {PREPARE_HINT}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=int(meta["max_seq_length"]))
        self._lower = bool(meta.get("do_lower_case"))
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._alone = meta["variant"] != "fp32"
        self._settings = settings
        self.name = settings.model
        self.identity = exported_identity(source_identity, meta)
        self.dim = int(meta["dim"])
        self.meta = meta

    def _run(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return self._session.run(None, feeds)[0]

    def _encode(self, texts: list[str], prompt: str, batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        inputs = [prompt + t for t in texts]
        if self._lower:
            inputs = [t.lower() for t in inputs]
        encodings = self._tokenizer.encode_batch(inputs) if len(inputs) > 1 else [self._tokenizer.encode(inputs[0])]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if self._alone:
            batch_size = 1
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # less padding
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._run([encodings[i] for i in rows])
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._settings.query_prompt, max(len(texts), 1))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._settings.passage_prompt, self._settings.batch_size)
