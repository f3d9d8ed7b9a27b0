"""An update's changes since the last pack (``pack.updating``)."""

from __future__ import annotations

import hashlib

from campaignsync.pack import updating, writer


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_changes_since_the_last_pack_hash_the_files_without_a_member() -> None:
    files = [
        writer.PackFile("a.txt", b"same"),
        writer.PackFile("b.txt", b"new"),  # no member: hashed, changed
        writer.PackFile("c.txt", b"kept"),  # no member: hashed, the same
        writer.PackFile("d.txt", b"added"),  # no member: hashed, new
        writer.PackFile("f.txt", b"edited"),
    ]
    members = {"a.txt": writer.digest(b"same"), "f.txt": writer.digest(b"edited")}
    previous = {rel: _sha(data) for rel, data in [("a.txt", b"same"), ("b.txt", b"old"),
                ("c.txt", b"kept"), ("e.txt", b"gone"), ("f.txt", b"before")]}  # fmt: skip
    changed, deletes, missing = updating._changes(files, members, previous)
    assert [(rel, m) for rel, _, m in changed] == [
        ("b.txt", writer.digest(b"new")),
        ("d.txt", writer.digest(b"added")),
        ("f.txt", writer.digest(b"edited")),
    ]
    assert deletes == ["e.txt"]
    assert missing == {rel: writer.digest(f.content) for f in files[1:4] for rel in [f.path]}
    del previous["e.txt"]  # every path of the last pack still there: nothing to delete
    assert updating._changes(files, members, previous)[1] == []
