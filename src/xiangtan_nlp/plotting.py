"""Matplotlib set-up so that Chinese labels render as characters, not boxes (the ``notebook`` extra).

matplotlib's default font (DejaVu Sans) has no Chinese glyphs, and a fresh machine or CI runner often
has no CJK font at all. The ``notebook`` extra installs mplfonts from PyPI, which ships Noto Sans CJK
SC (SIL Open Font License) as a plain file; we register that file with matplotlib directly and never
run mplfonts' own set-up, which writes into matplotlib's folders. Nothing here runs at import.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

#: The font file used by default: Noto Sans CJK SC, from the mplfonts package.
BUNDLED_FONT = "NotoSansCJKsc-Regular.otf"

#: CJK fonts often present on desktops, tried when mplfonts is not installed.
SYSTEM_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "Heiti SC",
)  # fmt: skip

_HINT = (
    "no Chinese font for matplotlib: pip install 'xiangtan_nlp[notebook]' "
    "(brings Noto Sans CJK SC via mplfonts), or pass font_file='path/to/a/CJK/font.otf'"
)


def bundled_font_path() -> Path | None:
    """Path of the Noto Sans CJK SC file shipped by mplfonts, or None if it is not installed."""
    # find_spec locates the package without importing it (its import pulls in fire and fontmeta)
    spec = find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / BUNDLED_FONT
        if path.is_file():
            return path
    return None


def use_chinese_font(font_file: str | os.PathLike[str] | None = None) -> str:
    """Make matplotlib draw Chinese with a CJK font (Noto Sans CJK SC unless ``font_file``) and return its name."""
    import matplotlib as mpl
    from matplotlib import font_manager

    path = Path(font_file) if font_file is not None else bundled_font_path()
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(f"font file not found: {path}")
        fname = str(path.resolve())
        if not any(f.fname == fname for f in font_manager.fontManager.ttflist):  # once per process
            font_manager.fontManager.addfont(fname)
        name = font_manager.FontProperties(fname=fname).get_name()
    else:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        name = next((n for n in SYSTEM_FONTS if n in installed), "")
        if not name:
            raise ImportError(_HINT)
    # first in the sans-serif list, the others kept behind it: matplotlib falls back glyph by
    # glyph along the list, so anything the CJK font lacks still comes from DejaVu Sans
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["font.sans-serif"] = [name, *(f for f in mpl.rcParams["font.sans-serif"] if f != name)]
    return name


__all__ = ["BUNDLED_FONT", "SYSTEM_FONTS", "bundled_font_path", "use_chinese_font"]
