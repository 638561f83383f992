"""SizedLRU: bounded by the sizes given, least recently used out first."""

from __future__ import annotations

from sweepd.controller.lru import SizedLRU


def test_the_least_recently_used_entries_go_first_once_over_the_size():
    lru = SizedLRU(max_size=10)
    lru.put("a", 1, 4)
    lru.put("b", 2, 4)
    assert lru.get("a") == 1  # "b" is now the least recently used
    lru.put("c", 3, 4)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)


def test_replacing_an_entry_counts_its_new_size_only():
    lru = SizedLRU(max_size=10)
    lru.put("a", 1, 8)
    lru.put("a", 2, 3)
    lru.put("b", 3, 7)
    assert (lru.get("a"), lru.get("b"), len(lru)) == (2, 3, 2)


def test_an_entry_bigger_than_the_whole_cache_is_not_kept():
    lru = SizedLRU(max_size=10)
    lru.put("a", 1, 5)
    lru.put("big", 2, 11)
    assert (lru.get("a"), lru.get("big")) == (1, None)
