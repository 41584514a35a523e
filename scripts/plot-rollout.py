#!/usr/bin/env python3
"""Draws the rolling-restart report of the fleet container test as an SVG (no third-party packages).

    python3 scripts/plot-rollout.py /tmp/inference-container-tests/fleet/rollout-<time>.json docs/images/rollout.svg

The report is written by RollingRestartTests (tests/Inference.Container.Tests/Fleet) from the stack's Prometheus:
each replica's request rate as HAProxy counts it, plus the test's own events (SIGTERM, exit, start, back UP).
"""
import json
import sys
from html import escape

COLOURS = {"inference-1": "#1f77b4", "inference-2": "#ff7f0e", "inference-3": "#2ca02c"}
WIDTH, HEIGHT = 960, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 170, 56, 52


def main(source, target):
    with open(source, encoding="utf-8") as handle:
        report = json.load(handle)
    series = sorted(report["series"], key=lambda s: s["server"])
    points = [p for s in series for p in s["points"]]
    if not points:
        sys.exit(f"{source} has no Prometheus series")
    x_min = min(0.0, min(p[0] for p in points))
    x_max = max(max(p[0] for p in points), max((e["t"] for e in report["events"]), default=0))
    y_max = max(p[1] for p in points) * 1.15 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t):
        return LEFT + (t - x_min) / (x_max - x_min) * plot_w

    def y(v):
        return TOP + plot_h - v / y_max * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>']
    steady, rollout = report["steady"], report["rollout"]
    title = (f"Rolling restart behind HAProxy, c{report['concurrency']}: "
             + (f"{report['requests']} requests" if "requests" in report
                else f"{steady['requests'] + rollout['requests']} requests before and during it")
             + f", {report['failures']} failed; "
             f"p99 {steady['p99Ms'] / 1000:.2f} s steady, {rollout['p99Ms'] / 1000:.2f} s in the rollout")
    out.append(f'<text x="{LEFT}" y="22" font-size="13" font-weight="bold">{escape(title)}</text>')
    out.append(f'<text x="{LEFT}" y="40" fill="#555">{escape(report["query"])} (Prometheus, 2 s steps)</text>')

    # Each replica's time out of the pool: from SIGTERM until HAProxy has it UP again.
    for replica in sorted({e["replica"] for e in report["events"]}):
        times = {e["what"]: e["t"] for e in report["events"] if e["replica"] == replica}
        if "SIGTERM" in times and "UP" in times:
            x0, x1 = x(times["SIGTERM"]), x(times["UP"])
            out.append(f'<rect x="{x0:.1f}" y="{TOP}" width="{x1 - x0:.1f}" height="{plot_h}" '
                       f'fill="{COLOURS.get(replica, "#999")}" fill-opacity="0.10"/>')
            out.append(f'<line x1="{x0:.1f}" y1="{TOP}" x2="{x0:.1f}" y2="{TOP + plot_h}" stroke="{COLOURS.get(replica, "#999")}" stroke-dasharray="4 3"/>')
            out.append(f'<text x="{x0 + 3:.1f}" y="{TOP + 14}" fill="{COLOURS.get(replica, "#999")}">SIGTERM {escape(replica)}</text>')
            out.append(f'<text x="{x1 - 3:.1f}" y="{TOP + plot_h - 6}" text-anchor="end" fill="{COLOURS.get(replica, "#999")}">UP</text>')

    # Axes and grid.
    for i in range(6):
        value = y_max * i / 5
        out.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" y2="{y(value):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.1f}</text>')
    step = max(10, round((x_max - x_min) / 10 / 10) * 10)
    t = 0
    while t <= x_max:
        if t >= x_min:
            out.append(f'<line x1="{x(t):.1f}" y1="{TOP + plot_h}" x2="{x(t):.1f}" y2="{TOP + plot_h + 4}" stroke="#333"/>')
            out.append(f'<text x="{x(t):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{t:.0f}</text>')
        t += step
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle">seconds since the load started</text>')
    out.append(f'<text x="16" y="{TOP + plot_h / 2:.1f}" transform="rotate(-90 16 {TOP + plot_h / 2:.1f})" text-anchor="middle">responses/s</text>')

    for index, s in enumerate(series):
        colour = COLOURS.get(s["server"], "#999")
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(p[0]):.1f},{y(p[1]):.1f}" for i, p in enumerate(s["points"]))
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        ly = TOP + 10 + index * 20
        out.append(f'<line x1="{LEFT + plot_w + 14}" y1="{ly}" x2="{LEFT + plot_w + 38}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{LEFT + plot_w + 44}" y="{ly + 4}">{escape(s["server"])}</text>')
    out.append(f'<text x="{LEFT + plot_w + 14}" y="{TOP + 80}" fill="#555">shaded: SIGTERM</text>')
    out.append(f'<text x="{LEFT + plot_w + 14}" y="{TOP + 96}" fill="#555">until back UP</text>')
    out.append(f'<text x="{LEFT + plot_w + 14}" y="{TOP + 112}" fill="#555">in HAProxy</text>')
    out.append("</svg>")
    with open(target, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
