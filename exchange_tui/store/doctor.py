"""``exchange-tui doctor``: the store in use and why, the index against the store, and the modes of
our files and folders. With ``repair``, what can be put right without losing a key is.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .accounts import Reconciliation
from .factory import Accounts
from .locations import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, Locations


@dataclass
class ModeProblem:
    """A file or folder of ours that others may read or enter, or that is not ours."""

    path: Path
    mode: int
    expected: int
    owner: int
    fixed: bool = False

    def message(self) -> str:
        if self.owner != os.geteuid():
            return f"{self.path} belongs to user {self.owner}, not to you: give it back (chown) or move it away"
        state = "was corrected to" if self.fixed else "should be"
        return f"{self.path} has mode {self.mode:04o}; it {state} {self.expected:04o}"


@dataclass
class Leftover:
    """A file an interrupted ``exchange-tui passwd`` or write left beside the encrypted file."""

    path: Path
    removed: bool = False

    def message(self) -> str:
        if self.path.name.endswith(".tmp"):
            what = f"{self.path} is an unfinished temporary file of an interrupted write"
        else:
            what = (
                f"{self.path} is the new file of an interrupted exchange-tui passwd, never swapped in: "
                "the file in place still opens with the old password"
            )
        return f"{what}; it {'was removed' if self.removed else 'can go: doctor --repair removes it'}"


@dataclass
class Checkup:
    backend: str
    backend_detail: str
    accounts: int
    reconciliation: Reconciliation
    modes: list[ModeProblem] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    """Moves to another store (``exchange-tui migrate``) cut short and not finished here."""
    finished: list[str] = field(default_factory=list)
    """Such moves finished here."""

    @property
    def healthy(self) -> bool:
        fixed = all(problem.fixed for problem in self.modes) and all(left.removed for left in self.leftovers)
        return self.reconciliation.settled and fixed and not self.unfinished

    def problems(self) -> list[str]:
        found = self.unfinished + self.reconciliation.messages() + [problem.message() for problem in self.modes]
        return found + [leftover.message() for leftover in self.leftovers]

    def recovered(self) -> list[str]:
        """One line per interrupted operation that was finished, for a person."""
        return self.finished + self.reconciliation.recovered()

    def as_json(self) -> dict[str, object]:
        found = self.reconciliation
        return {
            "healthy": self.healthy,
            "secret_backend": self.backend,
            "secret_backend_detail": self.backend_detail,
            "accounts": self.accounts,
            "missing_secrets": found.missing_secrets,
            "unreadable_secrets": found.unreadable_secrets,
            "stale_key_prefixes": found.stale_key_prefixes,
            "orphan_secrets": found.orphan_secrets,
            "adopted": found.adopted,
            "finished": self.recovered(),
            "busy": found.busy,
            "can_list_secrets": found.can_list_secrets,
            "modes": [
                {"path": str(p.path), "mode": f"{p.mode:04o}", "expected": f"{p.expected:04o}", "owner": p.owner, "fixed": p.fixed}
                for p in self.modes
            ],
            "leftover_files": [{"path": str(left.path), "removed": left.removed} for left in self.leftovers],
            "problems": self.problems(),
        }


def checkup(store: Accounts, *, repair: bool = False) -> Checkup:
    """Everything ``doctor`` reports (the modes only where the store keeps files on the box)."""
    from .encrypted_file import leftover_files, remove_leftovers
    from .secret_store import ENCRYPTED_FILE

    reconciliation = store.reconcile(repair=repair)
    locations = store.locations
    modes = private_modes(locations, repair=repair) if locations is not None else []
    leftovers = []
    if locations is not None and store.kind == ENCRYPTED_FILE:
        if repair:
            removed = remove_leftovers(locations.secrets_file, lock_path=locations.secrets_lock)
            leftovers = [Leftover(path, removed=True) for path in removed]
        else:
            leftovers = [Leftover(path) for path in leftover_files(locations.secrets_file)]
    return Checkup(store.kind, store.description, len(store.accounts()), reconciliation, modes, leftovers)


def private_modes(locations: Locations, *, repair: bool = False) -> list[ModeProblem]:
    """Our folders must be 0700 and our files 0600, all ours; ``repair`` tightens what is ours."""
    problems = []
    for root in dict.fromkeys((locations.config, locations.data, locations.state)):
        if not root.exists():
            continue
        for path in [root, *sorted(root.rglob("*"))]:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                continue
            expected = PRIVATE_DIR_MODE if stat.S_ISDIR(info.st_mode) else PRIVATE_FILE_MODE
            mode = stat.S_IMODE(info.st_mode)
            if info.st_uid == os.geteuid() and mode == expected:
                continue
            problem = ModeProblem(path, mode, expected, info.st_uid)
            if repair and info.st_uid == os.geteuid():
                path.chmod(expected)
                problem.fixed = True
            problems.append(problem)
    return problems
