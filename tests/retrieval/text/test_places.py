"""Places old and new (retrieval/text/places.py), with the network blocked."""

import socket

import pytest

from retrieval.domain import DocumentMetadata
from retrieval.text.places import Gazetteer, PlaceIndex, find_mentions


@pytest.fixture(scope="module")
def no_network():
    """Every socket connection fails: the gazetteer must never need one."""
    original_connect, original_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    socket.socket.connect = refuse
    socket.getaddrinfo = refuse
    try:
        yield
    finally:
        socket.socket.connect, socket.getaddrinfo = original_connect, original_getaddrinfo


@pytest.fixture(scope="module")
def places(no_network):
    Gazetteer.load.cache_clear()
    metadata = {
        "ninh-thuan": DocumentMetadata("Chỉ thị", province="Ninh Thuận"),  # province_now derived
        "quang-ngai": DocumentMetadata("Chỉ thị", province="Quảng Ngãi", province_now="Quảng Ngãi"),
        "bao-loc": DocumentMetadata("Chương trình", province="Lâm Đồng", province_now="Lâm Đồng", locality="thành phố Bảo Lộc"),
        "tien-giang": DocumentMetadata("Kế hoạch", province="Tiền Giang"),
    }
    return PlaceIndex.for_documents(metadata, ["hộ nghèo thống nhất hòa bình"])


@pytest.mark.parametrize(
    "question, documents",
    [
        ("Ở Khánh Hòa hộ nghèo được hỗ trợ gì", {"ninh-thuan"}),  # the new province
        ("tui ở Khánh Hòa (Ninh Thuận cũ)", {"ninh-thuan"}),  # new and old
        ("ninh thuan co chinh sach gi", {"ninh-thuan"}),  # typed without accents
        ("Tui ở Bác Ái nè", {"ninh-thuan"}),  # a former district
        ("xã Phước Bình, Bác Ái", {"ninh-thuan"}),  # a commune, with its district
        ("xã Bác Ái (tỉnh Khánh Hòa)", {"ninh-thuan"}),  # a new commune named after the district
        ("Em ở Sơn Tây, Quảng Ngãi", {"quang-ngai"}),  # Sơn Tây is also in Hà Nội: the province decides
        ("Bảo Lộc quê tui giờ thuộc Lâm Đồng mới", {"bao-loc"}),
        ("phường B'Lao có gì", {"bao-loc"}),  # a new ward of the former city
        ("Đồng Tháp (Tiền Giang cũ)", {"tien-giang"}),
        ("ở Đồng Tháp", {"tien-giang"}),  # the new province holds the old Tiền Giang
        ("Quảng Ngải có gì", {"quang-ngai"}),  # hỏi/ngã typo: names are matched folded
    ],
)
def test_a_named_place_finds_its_documents(places, question, documents):
    reading = places.read(question)
    assert set(reading.documents) == documents and not reading.not_covered


@pytest.mark.parametrize(
    "question, uncovered",
    [
        ("tui ở Bình Thuận cũ, giờ nhập vô Lâm Đồng", "Bình Thuận"),  # merged into Lâm Đồng, not Bảo Lộc
        ("Kon Tum trước khi nhập vào Quảng Ngãi", "Kon Tum"),
        ("huyện Di Linh, Lâm Đồng", "Di Linh"),  # a district of Lâm Đồng that is not Bảo Lộc
        ("Hà Nội có chính sách gì", "Hà Nội"),
    ],
)
def test_a_place_no_document_covers_is_said_so(places, question, uncovered):
    reading = places.read(question)
    assert reading.not_covered and uncovered in " ".join(reading.uncovered)


@pytest.mark.parametrize(
    "question",
    ["chương trình ocop là gì", "chuong trinh ocop la gi", "có đó không", "hộ nghèo thống nhất với nhau", "sống hòa bình"],
)
def test_ordinary_words_are_no_place(places, question):
    assert find_mentions(question, places.gazetteer, places.common) == []


def test_the_covered_places_are_listed_with_todays_province(places):
    labels = places.covered_places()
    assert "Ninh Thuận (nay thuộc Khánh Hòa)" in labels
    assert "thành phố Bảo Lộc, Lâm Đồng" in labels and "Tiền Giang (nay thuộc Đồng Tháp)" in labels


def test_old_to_new(no_network):
    gazetteer = Gazetteer.load()
    assert gazetteer.now("Ninh Thuận") == "Khánh Hòa"
    assert gazetteer.now("Tiền Giang") == "Đồng Tháp"
    assert gazetteer.now("Kon Tum") == "Quảng Ngãi"
    assert gazetteer.now("Đắk Nông") == gazetteer.now("Bình Thuận") == "Lâm Đồng"


def test_documents_of_one_place_are_found_together(no_network):
    # many documents per place, as a national corpus has: each is found, whichever place it shares
    metadata = {f"ninh-thuan-{i}": DocumentMetadata("Kế hoạch", province="Ninh Thuận") for i in range(50)}
    metadata |= {f"bao-loc-{i}": DocumentMetadata("Chương trình", province="Lâm Đồng", province_now="Lâm Đồng", locality="thành phố Bảo Lộc") for i in range(20)}
    metadata |= {"lam-dong": DocumentMetadata("Kế hoạch", province="Lâm Đồng", province_now="Lâm Đồng"), "trung-uong": DocumentMetadata("Nghị định")}
    places = PlaceIndex.for_documents(metadata)
    assert set(places.read("Ở Khánh Hòa hộ nghèo được hỗ trợ gì").documents) == {f"ninh-thuan-{i}" for i in range(50)} | {"trung-uong"}
    assert set(places.read("tui o Bao Loc").documents) == {f"bao-loc-{i}" for i in range(20)} | {"lam-dong", "trung-uong"}
    assert set(places.read("huyện Di Linh, Lâm Đồng").documents) == {"lam-dong", "trung-uong"}
