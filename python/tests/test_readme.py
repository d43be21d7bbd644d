"""The README's Python example runs as shown (issue 25: no transcript goes stale)."""

import os
import re

from conftest import ROOT


def _python_blocks(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_readme_python_example_runs(monkeypatch):
    blocks = _python_blocks("README.md")
    assert len(blocks) == 1, "the README shows one Python example"
    monkeypatch.chdir(ROOT)
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # its asserts are the test
    assert namespace["enc"].lo < namespace["enc"].hi


def test_the_extractor_finds_blocks(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("x\n```python\nassert 1 == 1\n```\n```sh\nls\n```\n", encoding="utf-8")
    monkeypatch.setattr("test_readme.ROOT", tmp_path)
    assert _python_blocks("page.md") == ["assert 1 == 1\n"]
