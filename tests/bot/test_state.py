"""bot/state.py: per-chat state stays small and typed."""

from bot.state import HISTORY_SIZE, MAX_REFERENCES, ChatState, Reference


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
