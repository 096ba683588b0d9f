"""The one way tests, evaluations and benchmarks find the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import shared_corpus


def test_default_is_shared_corpus_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(shared_corpus.ENVIRONMENT, raising=False)
    assert shared_corpus.corpus_root() == (shared_corpus.REPO.parent / "shared" / "corpus").resolve()


def test_the_variable_wins_and_a_relative_value_starts_at_the_repository(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(shared_corpus.ENVIRONMENT, str(tmp_path))
    assert shared_corpus.corpus_path("feeds") == tmp_path.resolve() / "feeds"
    assert not shared_corpus.corpus_available()
    monkeypatch.setenv(shared_corpus.ENVIRONMENT, "elsewhere/corpus")
    monkeypatch.chdir(tmp_path)
    assert shared_corpus.corpus_root() == shared_corpus.REPO / "elsewhere" / "corpus"


def test_the_skip_reason_names_the_folder_and_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(shared_corpus.ENVIRONMENT, "/nowhere/corpus")
    reason = shared_corpus.absent_reason()
    assert "/nowhere/corpus" in reason and shared_corpus.ENVIRONMENT in reason
