#!/usr/bin/env python3
"""Summarise the last `cargo bench` run of benches/parse.rs (default), of
benches/build.rs (`--build`) or of benches/smtp.rs (`--smtp`).

Reads target/criterion/<group>/<library>/new/{benchmark,estimates}.json
(criterion writes the group's Throughput::Bytes into benchmark.json) and
prints, per group, MiB/s of each library (bytes / mean time) and the ratios
mailwire/mail-parser and mailwire/mailparse, or with `--build`
mailwire/mail-builder, or with `--smtp` mailwire/smtp-proto (> 1 means
mailwire is faster). A group belongs to the build table when one of its
functions is `mail-builder`, to the smtp table when one is `smtp-proto`.
In the smtp table, a group's extra variants (`smtp-proto-owned`,
`mailwire-stream`) get a row of their own, "group (variant)", comparing
the variant with the other library's main function.

Usage: python3 ratio.py [--build | --smtp] [--median] [--markdown] [CRITERION_DIR]
"""
import json
import os
import sys

LIBS = ["mailwire", "mail-parser", "mailparse"]
ORDER = ["mail-parser-corpus", "python-email-corpus", "torture", "multipart-50k", "headers-only", "headers-block"]
BUILD_LIBS = ["mailwire", "mail-builder"]
BUILD_ORDER = ["typical", "large-attachment", "headers-heavy"]
SMTP_LIBS = ["mailwire", "smtp-proto"]
SMTP_ORDER = ["commands", "replies", "ehlo"]


def load(root, stat):
    rows = {}
    for group in sorted(os.listdir(root)):
        gdir = os.path.join(root, group)
        if group == "report" or not os.path.isdir(gdir):
            continue
        for lib in os.listdir(gdir):
            new = os.path.join(gdir, lib, "new")
            try:
                with open(os.path.join(new, "benchmark.json")) as f:
                    bench = json.load(f)
                with open(os.path.join(new, "estimates.json")) as f:
                    est = json.load(f)
            except (OSError, ValueError):
                continue
            nbytes = (bench.get("throughput") or {}).get("Bytes")
            if not nbytes:
                continue
            ns = est[stat]["point_estimate"]
            rows.setdefault(bench["group_id"], {})[bench["function_id"]] = (
                nbytes / (ns * 1e-9) / (1024 * 1024)
            )
            rows[bench["group_id"]]["_bytes"] = nbytes
    return rows


def main():
    args = sys.argv[1:]
    stat = "median" if "--median" in args else "mean"
    md = "--markdown" in args
    build = "--build" in args
    smtp = "--smtp" in args
    rest = [a for a in args if not a.startswith("--")]
    here = os.path.dirname(os.path.abspath(__file__))
    root = rest[0] if rest else os.path.join(here, "target", "criterion")
    if not os.path.isdir(root):
        sys.exit(f"{root}: no criterion results; run `cargo bench --ignore-rust-version` first")
    rows = load(root, stat)
    # The build bench's groups (those measuring mail-builder) go only into
    # the --build table, the smtp bench's (those measuring smtp-proto) only
    # into the --smtp table, the others only into the parse table.
    kind = lambda r: "build" if "mail-builder" in r else "smtp" if "smtp-proto" in r else "parse"
    want = "build" if build else "smtp" if smtp else "parse"
    rows = {g: r for g, r in rows.items() if kind(r) == want}
    libs, order = {"build": (BUILD_LIBS, BUILD_ORDER), "smtp": (SMTP_LIBS, SMTP_ORDER)}.get(want, (LIBS, ORDER))
    if build and not rows:
        sys.exit(f"{root}: no build results; run `cargo bench --ignore-rust-version --bench build` first")
    if smtp and not rows:
        sys.exit(f"{root}: no smtp results; run `cargo bench --ignore-rust-version --bench smtp` first")
    if smtp:
        # A variant of one side gets its own row "group (variant)", against
        # the other side's main function, right after the group's row.
        main_order = [g for g in order if g in rows] + sorted(g for g in rows if g not in order)
        order = []
        for g in main_order:
            r = rows[g]
            order.append(g)
            for f in sorted(k for k in r if k not in SMTP_LIBS and k != "_bytes"):
                side = "smtp-proto" if f.startswith("smtp-proto") else "mailwire"
                other = "mailwire" if side == "smtp-proto" else "smtp-proto"
                v = {side: r.pop(f), "_bytes": r["_bytes"]}
                if other in r:
                    v[other] = r[other]
                rows[f"{g} ({f})"] = v
                order.append(f"{g} ({f})")
    groups = [g for g in order if g in rows] + sorted(g for g in rows if g not in order)
    head = ["group", "bytes"] + [f"{l} MiB/s" for l in libs] + [f"mw/{p}" for p in libs[1:]]
    table = []
    for g in groups:
        r = rows[g]
        cells = [g, str(r["_bytes"])]
        cells += [f"{r[l]:,.0f}" if l in r else "-" for l in libs]
        for peer in libs[1:]:
            cells.append(f"{r['mailwire'] / r[peer]:.2f}" if "mailwire" in r and peer in r else "-")
        table.append(cells)
    if md:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
        for c in table:
            print("| " + " | ".join(c) + " |")
    else:
        w = [max(len(x) for x in col) for col in zip(head, *table)]
        fmt = lambda c: "  ".join(x.ljust(w[0]) if i == 0 else x.rjust(w[i]) for i, x in enumerate(c))
        print(fmt(head))
        for c in table:
            print(fmt(c))
    print(f"(throughput = bytes / {stat} time; ratio > 1: mailwire faster)")


if __name__ == "__main__":
    main()
