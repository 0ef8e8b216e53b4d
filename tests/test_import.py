"""Importing the package is cheap and silent: no heavy imports, no output, no files."""

from __future__ import annotations

import os
import subprocess
import sys

import xiangtan_nlp as xt


def test_import_is_lazy_and_silent(tmp_path) -> None:
    code = (
        "import sys, xiangtan_nlp\n"
        "heavy = [m for m in ('jieba', 'pandas', 'sklearn', 'numpy', 'regex') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("XIANGTAN_NLP_CACHE", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
    assert r.stderr == ""
    assert list(tmp_path.iterdir()) == [], "nothing is written at import"


def test_public_api_names() -> None:
    for name in ("read_corpus", "clean", "repair", "apply_steps", "segment", "parse_number", "extract", "extract_frame"):
        assert callable(getattr(xt, name)), name
    assert "extract" in dir(xt)


def test_every_public_function_has_a_docstring() -> None:
    for name in xt.__all__:
        obj = getattr(xt, name)
        assert (obj.__doc__ or "").strip(), f"{name} has no docstring"


def test_submodules_do_not_shadow_public_functions() -> None:
    """Importing a pipeline module leaves xt.clean/xt.segment/xt.extract the functions."""
    import importlib

    for mod in ("xiangtan_nlp.cleaning.repair", "xiangtan_nlp.segmenter", "xiangtan_nlp.extraction.figures"):
        m = importlib.import_module(mod)
        assert m.__name__ == mod
    import xiangtan_nlp.cleaning.lm as lm  # the `import a.b.c as x` form resolves too

    assert lm.__name__ == "xiangtan_nlp.cleaning.lm"
    for name in ("clean", "segment", "extract", "repair"):
        assert callable(getattr(xt, name)) and getattr(xt, name).__module__.startswith("xiangtan_nlp."), name
