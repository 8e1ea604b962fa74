import itertools

from hypothesis import given
from hypothesis import strategies as st

from antre.core.codes import ALPHABET, format_code, new_code, parse_code


def test_new_codes_are_nine_typeable_characters_and_parse_back():
    for _ in range(500):
        code = new_code()
        assert len(code) == 9
        assert set(code) <= set(ALPHABET)
        assert parse_code(code) == code


def test_codes_are_not_sequential():
    codes = sorted(new_code() for _ in range(2000))
    assert len(set(codes)) == 2000
    # Consecutive codes in issue order share no long prefix (they are random).
    issued = [new_code() for _ in range(200)]
    shared = sum(a[:3] == b[:3] for a, b in itertools.pairwise(issued))
    assert shared < 5


def test_every_place_of_the_body_draws_from_the_whole_alphabet():
    """40 random bits, 5 to a character: no place is short of characters (a
    place fed fewer bits would miss half the alphabet or more)."""
    bodies = [new_code()[:8] for _ in range(3000)]
    for place in range(8):
        # 3,000 draws of 32 characters: any one missing anywhere is a 1-in-10^38 event.
        assert {body[place] for body in bodies} == set(ALPHABET)


def test_people_may_type_codes_loosely():
    code = new_code()
    grouped = format_code(code)
    assert grouped[4] == "-"
    assert parse_code(grouped.lower()) == code
    assert parse_code(f"  {code[:2]} {code[2:]} ") == code
    mistyped = code.replace("0", "O").replace("1", "I")
    assert parse_code(mistyped) == code
    assert parse_code(code.replace("1", "l").lower()) == code


@given(st.text(alphabet=ALPHABET, min_size=8, max_size=8), st.integers(0, 8), st.data())
def test_a_single_wrong_character_is_caught(body, position, data):
    from antre.core.codes import check_character

    code = body + check_character(body)
    wrong = data.draw(st.sampled_from([ch for ch in ALPHABET if ch != code[position]]))
    typo = code[:position] + wrong + code[position + 1 :]
    assert parse_code(typo) is None


@given(st.text(alphabet=ALPHABET, min_size=8, max_size=8), st.integers(0, 7))
def test_swapped_neighbours_are_caught(body, position):
    from antre.core.codes import check_character

    code = body + check_character(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        assert parse_code(swapped) is None


def test_garbage_is_refused():
    for raw in ["", "ABC", "7K3M-9QXZ4-EXTRA", "UUUUUUUUU", "ÄÖÜ", "\x00" * 9]:
        assert parse_code(raw) is None
