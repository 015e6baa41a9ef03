"""The bounded store the writers keep earlier work in (`exporter.kept.Kept`)."""

from exporter.kept import Kept


def test_keeping_one_more_drops_the_least_recently_used():
    kept: Kept[str] = Kept(2)
    kept.keep("a", "A")
    kept.keep("b", "B")
    assert kept.get("a") == "A"  # now b is the least recently used
    kept.keep("c", "C")
    assert (kept.get("a"), kept.get("b"), kept.get("c"), len(kept)) == ("A", None, "C", 2)
    kept.clear()
    assert kept.get("a") is None and len(kept) == 0
