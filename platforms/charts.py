"""Where the marks of the site's pictures go (templates/includes/coverage_map.html, level_bar.html,
change_chart.html). Bars are laid out in percent of the picture's width, so they fit any screen
with their text unscaled; the coverage map is in pixels and scales down as a whole."""

from .models import Level

LINE = 16  # px: a label above each bar, then the bar
BAR_ROW = 2 * LINE + 8
SQUARE, GAP = 14, 2  # px: the coverage map's squares
NAME_CHARS, CHAR_WIDTH = 20, 7  # platform names cut after 20 characters of about 7 px


def segments(counts):
    """[(level, count, x %, width %)] of a stacked bar of counts ({Level: n}), best first."""
    total, x, found = sum(counts.get(level, 0) for level in Level), 0.0, []
    for level in Level:
        if count := counts.get(level, 0):
            width = 100 * count / total
            found.append((level, count, round(x, 3), round(width, 3)))
            x += width
    return found


def level_bars(labelled_counts):
    """Stacked bars, one under the other, of [(label, {Level: n})] that count any level."""
    shown = [(label, counts) for label, counts in labelled_counts if segments(counts)]
    bars = [
        {"label": label, "label_y": i * BAR_ROW + 12, "y": i * BAR_ROW + LINE + 2,
         "segments": segments(counts), "counts": [counts.get(level, 0) for level in Level]}
        for i, (label, counts) in enumerate(shown)
    ]  # fmt: skip
    return {"bars": bars, "height": len(bars) * BAR_ROW, "bar_height": LINE, "levels": list(Level)}


def change_bars(rows):
    """Diverging bars of [(label, improved, declined)] with any: improved right of the middle,
    declined left of it, the longest 40 % of the width (its number beside it)."""
    rows = [(label, up, down) for label, up, down in rows if up or down]
    scale = max((max(up, down) for _label, up, down in rows), default=1)
    bars = []
    for i, (label, up, down) in enumerate(rows):
        right, left = (round(40 * n / scale, 3) for n in (up, down))
        y = i * BAR_ROW + 2 * LINE + 2
        bars.append({
            "label": label, "label_y": y - 6, "y": y, "number_y": y + 12, "bottom": y + LINE,
            "improved": up, "improved_width": right, "improved_end": round(50 + right, 3),
            "declined": down, "declined_width": left, "declined_x": round(50 - left, 3),
        })  # fmt: skip
    return {"bars": bars, "height": LINE + len(bars) * BAR_ROW, "bar_height": LINE}


def coverage_map(platforms, capabilities, claims):
    """A levelled table's squares: platforms (names) down the side, capabilities (names) across,
    numbered from 1; claims[platform][capability] is a display.claim_view(). Grouped by level, each
    an SVG path with its title: the fewest values to print (/Personalized-Engagement/ has 60)."""
    left = min(max(map(len, platforms), default=0), NAME_CHARS) * CHAR_WIDTH + 8
    step = SQUARE + GAP
    by_level, names = {}, []
    for i, (name, row) in enumerate(zip(platforms, claims, strict=True), 1):
        for j, (capability, claim) in enumerate(zip(capabilities, row, strict=True)):
            level = claim["level"].value if claim["level"] else "missing"
            square = f"M{left + j * step} {i * step}h{SQUARE}v{SQUARE}h-{SQUARE}z"
            by_level.setdefault(level, []).append((square, f"{name} · {capability}: {said(claim)}"))
        short = name if len(name) <= NAME_CHARS else f"{name[: NAME_CHARS - 1]}…"
        names.append((short, i * step + SQUARE - 3))
    columns = [(j + 1, left + j * step + SQUARE / 2, name) for j, name in enumerate(capabilities)]
    width, height = left + len(capabilities) * step, (len(platforms) + 1) * step
    return {"squares": by_level, "names": names, "columns": columns, "width": width,
            "height": height}  # fmt: skip


def said(claim):
    """What a square's title says of its claim (the document's meaning where its legend has it)."""
    if claim["level"]:
        own = claim["level_label"] != claim["level"].short_label
        return claim["level_label"] if own else claim["level"].label
    return "described in words" if claim["note_html"] else claim["empty_text"]
