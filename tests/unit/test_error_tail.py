"""FinishRun's `error` is at most ERROR_MAX_CHARS characters: `error_tail` keeps the
end of a longer message (where a traceback's last line is) behind a mark."""

from sweepd.domain import ERROR_CUT_MARK, ERROR_MAX_CHARS, error_tail


def test_an_error_that_fits_is_kept_whole():
    assert error_tail("") == ""
    assert error_tail("x" * ERROR_MAX_CHARS) == "x" * ERROR_MAX_CHARS


def test_a_longer_error_keeps_its_end_within_the_limit():
    error = "head " + "é" * 30_000 + " ValueError: the last line"
    sent = error_tail(error)
    assert len(sent) == ERROR_MAX_CHARS
    assert sent.startswith(ERROR_CUT_MARK + "é")
    assert sent.endswith(" ValueError: the last line")
    assert "head" not in sent
