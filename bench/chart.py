"""chart.svg: each program's time under each engine relative to the baseline, on a log scale.

One group of bars per kernel plus a geometric-mean group, then the same for the real programs
(set off by a dashed line), with their own geometric mean; a bar per engine (the baseline is the
1× line itself), rising for slower and falling for faster. Plain SVG 1.1 with a white background,
so that browsers and GitHub (light or dark theme) show it alike; each bar has a tooltip.
"""
import math
from xml.sax.saxutils import escape

# Native code in greys, the wasm2native configurations in blues, the JITs in warm colours.
COLOURS = {"native": "#7f7f7f", "native-march": "#404040", "wasm2native": "#1f5fbf",
           "wasm2native-O0": "#9ecae1", "wasm2native-O1": "#6baed6", "wasm2native-O3": "#08306b", "wasmtime": "#e6862e",
           "v8": "#d62728", "v8-no-liftoff": "#9467bd"}
SPARE_COLOURS = ["#17becf", "#2ca02c", "#8c564b", "#e377c2", "#bcbd22", "#393b79"]

BAR = 11          # bar width
GROUP_GAP = 16    # space between groups
PLOT_HEIGHT = 300
LEFT, RIGHT, TOP = 64, 20, 70
LABEL_SPACE = 110  # below the plot, for the slanted program names


def colour_of(engines):
    spare = iter(SPARE_COLOURS * 4)
    return {e.name: COLOURS.get(e.name) or next(spare) for e in engines}


def svg(results):
    engines = [e for e in results.engines if e.name != results.baseline]
    groups = []   # (label, {engine: (ratio, tooltip)}, whether it is a geometric mean)
    for tier in results.tiers():
        groups += tier_groups(results, engines, tier)

    ratios = [ratio for _, bars, _ in groups for ratio, _ in bars.values()] or [1.0]
    low = min(-1, math.floor(math.log2(min(ratios))))
    high = max(1, math.ceil(math.log2(max(ratios))))

    def y(ratio):
        return TOP + (high - math.log2(ratio)) / (high - low) * PLOT_HEIGHT

    group_width = max(1, len(engines)) * BAR + GROUP_GAP
    # Wide enough for the title, however few the groups.
    width = max(LEFT + len(groups) * group_width + RIGHT, 640)
    legend_rows, legend = legend_items(engines, colour_of(engines), width)
    top_shift = 16 * legend_rows
    height = TOP + top_shift + PLOT_HEIGHT + LABEL_SPACE
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
             f'font-size="12">',
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">'
             f'{escape(results.metric_label().capitalize())} relative to {escape(results.baseline)}'
             f' (log scale; lower is faster)</text>']
    parts += legend
    parts.append(f'<g transform="translate(0 {top_shift})">')
    right_edge = width - RIGHT
    for power in range(low, high + 1):
        ratio = 2.0 ** power
        level = y(ratio)
        emphasis = 'stroke="#333333" stroke-width="1.5"' if power == 0 else \
            'stroke="#cccccc" stroke-width="1"'
        parts.append(f'<line x1="{LEFT}" y1="{level:.1f}" x2="{right_edge}" y2="{level:.1f}" '
                     f'{emphasis}/>')
        label = f"{ratio:g}×"
        parts.append(f'<text x="{LEFT - 6}" y="{level + 4:.1f}" text-anchor="end">{label}</text>')
    colours = colour_of(engines)
    real = set(results.real_programs)
    for index, (label, bars, is_mean) in enumerate(groups):
        x0 = LEFT + GROUP_GAP / 2 + index * group_width
        # Dashed lines set off each geometric mean, and the real programs from the kernels.
        if is_mean or (label in real and index > 0 and groups[index - 1][0] not in real):
            divider = x0 - GROUP_GAP / 2
            parts.append(f'<line x1="{divider}" y1="{TOP}" x2="{divider}" '
                         f'y2="{TOP + PLOT_HEIGHT}" stroke="#999999" stroke-dasharray="4 3"/>')
        for slot, engine in enumerate(engines):
            if engine.name not in bars:
                continue
            ratio, tooltip = bars[engine.name]
            top, bottom = sorted((y(ratio), y(1.0)))
            parts.append(f'<rect x="{x0 + slot * BAR:.1f}" y="{top:.1f}" width="{BAR - 1}" '
                         f'height="{max(bottom - top, 0.8):.1f}" fill="{colours[engine.name]}">'
                         f'<title>{escape(tooltip)}</title></rect>')
        centre = x0 + len(engines) * BAR / 2
        weight = ' font-weight="bold"' if is_mean else ""
        base = TOP + PLOT_HEIGHT + 14
        parts.append(f'<text x="{centre:.1f}" y="{base}" text-anchor="end"{weight} '
                     f'transform="rotate(-40 {centre:.1f} {base})">{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_HEIGHT}" '
                 f'stroke="#333333"/>')
    parts += ["</g>", "</svg>"]
    return "\n".join(parts) + "\n"


def tier_groups(results, engines, tier):
    """The bar groups of one tier: a group per program, then the tier's geometric mean (for the
    real programs, labelled as theirs)."""
    groups = []
    for program in results.programs(tier):
        bars = {}
        for engine in engines:
            row = results.row(program, engine.name)
            if row is not None and row.ratio:
                bars[engine.name] = (row.ratio, f"{program}, {engine.name}: {row.ratio:.2f}× "
                                                f"({row.median(results.metric) / 1e6:.1f} ms)")
        groups.append((program, bars, False))
    if len(groups) > 1:
        label = "geometric mean" if tier == results.tiers()[0] else f"geometric mean, {tier}"
        means = {}
        for engine in engines:
            # A wasm64 row runs a few of the programs only: no mean to set beside the others'.
            mean = None if engine.memory64 else results.geomean_ratio(engine.name, tier)
            if mean:
                means[engine.name] = (mean, f"{label}, {engine.name}: {mean:.2f}×")
        groups.append((label, means, True))
    return groups


def legend_items(engines, colours, width):
    """The legend's SVG elements, laid out in rows under the title; (row count, elements)."""
    items, x, row = [], LEFT, 0
    for engine in engines:
        item_width = 30 + 7.5 * len(engine.name)
        if x + item_width > width - RIGHT and x > LEFT:
            x, row = LEFT, row + 1
        top = 36 + 16 * row
        items.append(f'<rect x="{x}" y="{top}" width="12" height="12" '
                     f'fill="{colours[engine.name]}"/>')
        items.append(f'<text x="{x + 16}" y="{top + 10}">{escape(engine.name)}</text>')
        x += item_width
    return row + 1, items
