from backrest.security.identity import Identity, visibility_key
from backrest.statements import Kept


def test_kept_holds_at_most_its_size_the_oldest_put_leaving_first():
    kept: Kept[str, int] = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (None, 2, 3)


def test_equal_callers_share_a_visibility_key_and_others_do_not():
    def caller(**changes):
        fields = {"team_ids": ("t1",), "grants": (), "scopes": frozenset({"read", "write"}), **changes}
        return Identity("u1", False, **fields)

    assert visibility_key(caller()) == visibility_key(caller(scopes=frozenset({"write", "read"})))
    assert visibility_key(caller()) != visibility_key(caller(team_ids=("t1", "t2")))
    assert visibility_key(caller()) != visibility_key(caller(grants=("documents.view",)))
    assert visibility_key(None) is None
