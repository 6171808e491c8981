"""bot/state.py: per-chat state stays small and typed."""

import json
import pickle

from bot.state import HISTORY_SIZE, MAX_REFERENCES, ChatState, Reference, dump_chat_data, load_chat_data


def test_history_keeps_the_last_questions():
    state = ChatState({})
    for i in range(HISTORY_SIZE + 3):
        state.remember_question(f"câu {i}")
    assert state.history == [f"câu {i}" for i in range(3, HISTORY_SIZE + 3)]


def test_references_are_numbered_and_old_ones_forgotten():
    data: dict = {}
    state = ChatState(data)
    numbers = [state.add_reference(Reference("answer", f"q{i}", "a", ("p",))) for i in range(MAX_REFERENCES + 5)]
    assert numbers == list(range(1, MAX_REFERENCES + 6))
    assert state.reference(1) is None and state.reference(5) is None
    assert state.reference(6).question == "q5" and len(data["references"]) == MAX_REFERENCES
    assert state.reference(MAX_REFERENCES + 5).key != state.reference(MAX_REFERENCES + 4).key


def test_a_check_is_numbered_kept_in_the_pickle_and_forgotten_at_its_end():
    data: dict = {}
    state = ChatState(data)
    first = state.start_check("2026|")
    first.step, first.values["area"], first.values["water"] = 4, "rural", False
    restored = ChatState(pickle.loads(pickle.dumps(data)))  # what PicklePersistence writes and reads back
    assert restored.check == first and restored.check.values == {"area": "rural", "water": False}
    second = state.start_check("2026|")  # a new /kiemtra replaces the one under way
    assert (first.session, second.session) == (1, 2) and state.check is second and second.values == {}
    state.end_check()
    assert state.check is None and "check" not in data
    assert state.start_check("2026|").session == 3  # numbers are not reused: old buttons stay refused


def test_a_check_saved_by_an_older_version_is_dropped_not_crashed_on():
    class OldProgress:  # what an earlier release pickled: no form_key, no values
        session, period_id, step = 1, "2022-2025", 4

    state = ChatState({"check": OldProgress()})
    assert state.check is None and "check" not in state.data


def test_state_shared_through_redis_goes_as_json_and_comes_back_typed():
    data: dict = {}
    state = ChatState(data)
    state.remember_question("hộ nghèo vay vốn ở đâu?")
    state.told_until = 1_800_000_060.0
    state.add_reference(Reference("answer", "q", "“…” [1]", ("p-1", "p-2"), vote=-1, related=True))
    progress = state.start_check("2026|")
    progress.step, progress.message_id, progress.values["members"], progress.values["water"] = 3, 77, 4, True
    text = dump_chat_data(data)
    assert json.loads(text)["references"][0][0] == 1  # plain JSON: no pickle, no code
    restored = load_chat_data(text)
    assert restored == data
    again = ChatState(restored)
    assert again.reference(1).passage_ids == ("p-1", "p-2") and again.check.values == {"members": 4, "water": True}
    assert load_chat_data(dump_chat_data({})) == {}
