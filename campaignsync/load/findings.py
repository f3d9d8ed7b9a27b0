"""Collecting diagnostics while reading one file, with lines found from dotted keys."""

from __future__ import annotations

from campaignsync.model import Diagnostic, Severity


class Findings:
    """Diagnostics for one file; ``lines`` maps dotted keys to 1-based lines."""

    def __init__(self, file: str, lines: dict[str, int] | None = None) -> None:
        self.file = file
        self.lines = lines if lines is not None else {}
        self.items: list[Diagnostic] = []

    def line(self, key: str) -> int:
        """Return the line of ``key``, or of its nearest parent that has one."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1

    def add(self, code: str, key: str, text: str, severity: Severity = Severity.ERROR) -> None:
        """Record a diagnostic at the line of ``key``."""
        self.items.append(Diagnostic(code, severity, text, self.file, self.line(key)))

    def at(self, code: str, line: int, text: str, severity: Severity = Severity.ERROR) -> None:
        """Record a diagnostic at an explicit line."""
        self.items.append(Diagnostic(code, severity, text, self.file, line))

    @property
    def has_errors(self) -> bool:
        """Return True when any recorded diagnostic is an error."""
        return any(d.is_error for d in self.items)

    def nested(self, prefix: str) -> Findings:
        """Return findings for a nested mapping, recorded here with ``prefix.`` on each key."""
        return _Nested(self, prefix)


class _Nested(Findings):
    """Findings for a nested mapping, reported with the parent's key prefix."""

    def __init__(self, parent: Findings, prefix: str) -> None:
        super().__init__(parent.file, parent.lines)
        self.items = parent.items
        self.prefix = prefix

    def add(self, code: str, key: str, text: str, severity: Severity = Severity.ERROR) -> None:
        """Record a diagnostic at ``prefix.key``, naming the key with its prefix."""
        super().add(
            code,
            f"{self.prefix}.{key}",
            text.replace(f"'{key}'", f"'{self.prefix}.{key}'"),
            severity,
        )
