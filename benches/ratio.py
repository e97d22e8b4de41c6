#!/usr/bin/env python3
"""Summarise the last `cargo bench` run of benches/parse.rs (default), of
benches/build.rs (`--build`), of benches/smtp.rs (`--smtp`), of
benches/threading.rs (`--threading`), of benches/dkim.rs (`--dkim`) or of
benches/imap.rs (`--imap`).

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

With `--threading` (groups with a `mail-threading` function, whose
benchmark.json holds Throughput::Elements = messages) it prints per size
the ns/message of each function and the ratios mailwire-X/mail-threading
(mail-threading's time / mailwire's: > 1 means mailwire is faster), then
how each function's ns/message grows with the size (1.00 = linear).

With `--dkim` (groups with a `mail-auth` function: benches/dkim.rs) it
prints per group (operation, key, message size) the time of mailwire and
of mail-auth, their MiB/s and mail-auth's time / mailwire's (> 1 means
mailwire is faster).

With `--imap` (groups with an `imap-codec` or `imap-proto` function:
benches/imap.rs) it prints per group MiB/s of mailwire, imap-codec and
imap-proto and the ratios imap-codec time / mailwire time and imap-proto
time / mailwire time (> 1 means mailwire is faster; "-" where a library is
not measured, e.g. imap-codec in `gmail`, which it cannot parse).

Usage: python3 ratio.py [--build | --smtp | --threading | --dkim | --imap] [--median] [--markdown] [CRITERION_DIR]
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
IMAP_LIBS = ["mailwire", "imap-codec", "imap-proto"]
IMAP_ORDER = ["fetch-literals", "fetch-headers", "gmail", "mixed-small"]
THREADING_LIBS = ["mailwire-references", "mailwire-jwz", "mailwire-threader", "mail-threading"]
THREADING_PEER = "mail-threading"
DKIM_OPS = ["sign", "verify"]
DKIM_ALGS = ["rsa2048", "ed25519"]
DKIM_SIZES = ["2k", "64k", "1m"]


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
            ns = est[stat]["point_estimate"]
            elements = (bench.get("throughput") or {}).get("Elements")
            if elements:
                # benches/threading.rs: ns per message instead of MiB/s.
                rows.setdefault(bench["group_id"], {})[bench["function_id"]] = ns / elements
                rows[bench["group_id"]]["_elements"] = elements
                continue
            nbytes = (bench.get("throughput") or {}).get("Bytes")
            if not nbytes:
                continue
            rows.setdefault(bench["group_id"], {})[bench["function_id"]] = (
                nbytes / (ns * 1e-9) / (1024 * 1024)
            )
            rows[bench["group_id"]]["_bytes"] = nbytes
    return rows


def print_table(head, table, md):
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


def threading_tables(rows, stat, md):
    """ns/message per size and function, ratios against mail-threading,
    then growth of ns/message from size to size (1.00: linear time)."""
    groups = sorted(rows, key=lambda g: rows[g]["_elements"])
    libs = [l for l in THREADING_LIBS if any(l in rows[g] for g in groups)]
    libs += sorted({f for g in groups for f in rows[g] if not f.startswith("_") and f not in libs})
    ours = [l for l in libs if l != THREADING_PEER]
    head = ["group", "messages"] + [f"{l} ns/msg" for l in libs] + [f"{l.replace('mailwire-', 'mw-')}/mt" for l in ours]
    table = []
    for g in groups:
        r = rows[g]
        cells = [g, f"{r['_elements']:,}"]
        cells += [f"{r[l]:,.0f}" if l in r else "-" for l in libs]
        for l in ours:
            cells.append(f"{r[THREADING_PEER] / r[l]:.1f}" if l in r and THREADING_PEER in r else "-")
        table.append(cells)
    print_table(head, table, md)
    print(f"(ns/msg = {stat} time / messages; ratio = mail-threading time / mailwire time, > 1: mailwire faster)")
    if len(groups) < 2:
        return
    print()
    head = ["growth of ns/msg"] + libs
    table = []
    for a, b in zip(groups, groups[1:]):
        cells = [f"{a} -> {b}"]
        cells += [f"{rows[b][l] / rows[a][l]:.2f}" if l in rows[a] and l in rows[b] else "-" for l in libs]
        table.append(cells)
    a, b = groups[0], groups[-1]
    if len(groups) > 2:
        table.append([f"{a} -> {b}"] + [f"{rows[b][l] / rows[a][l]:.2f}" if l in rows[a] and l in rows[b] else "-" for l in libs])
    print_table(head, table, md)
    print("(ns/msg at the larger size / at the smaller; 1.00 = time linear in the messages)")


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def dkim_table(rows, stat, md):
    """Groups dkim-<op>-<alg>-<size>: times, MiB/s, mail-auth/mailwire."""
    def key(g):
        parts = g.split("-")
        rank = lambda xs, x: xs.index(x) if x in xs else len(xs)
        if len(parts) == 4:
            return (rank(DKIM_OPS, parts[1]), rank(DKIM_ALGS, parts[2]), rank(DKIM_SIZES, parts[3]), g)
        return (len(DKIM_OPS), 0, 0, g)
    head = ["group", "bytes", "mailwire", "mail-auth", "mailwire MiB/s", "mail-auth MiB/s", "mail-auth/mw"]
    table = []
    for g in sorted(rows, key=key):
        r = rows[g]
        nbytes = r["_bytes"]
        # load() gives MiB/s; back to the time per iteration.
        ns = {l: nbytes / (r[l] * 1024 * 1024) * 1e9 for l in ("mailwire", "mail-auth") if l in r}
        cells = [g, str(nbytes)]
        cells += [fmt_time(ns[l]) if l in ns else "-" for l in ("mailwire", "mail-auth")]
        cells += [f"{r[l]:,.0f}" if l in r else "-" for l in ("mailwire", "mail-auth")]
        cells.append(f"{ns['mail-auth'] / ns['mailwire']:.2f}" if len(ns) == 2 else "-")
        table.append(cells)
    print_table(head, table, md)
    print(f"(time = {stat} per message; ratio = mail-auth time / mailwire time, > 1: mailwire faster)")


def main():
    args = sys.argv[1:]
    stat = "median" if "--median" in args else "mean"
    md = "--markdown" in args
    build = "--build" in args
    smtp = "--smtp" in args
    threading = "--threading" in args
    dkim = "--dkim" in args
    imap = "--imap" in args
    rest = [a for a in args if not a.startswith("--")]
    here = os.path.dirname(os.path.abspath(__file__))
    root = rest[0] if rest else os.path.join(here, "target", "criterion")
    if not os.path.isdir(root):
        sys.exit(f"{root}: no criterion results; run `cargo bench --ignore-rust-version` first")
    rows = load(root, stat)
    # The build bench's groups (those measuring mail-builder) go only into
    # the --build table, the smtp bench's (those measuring smtp-proto) only
    # into the --smtp table, the imap bench's (those measuring imap-codec or
    # imap-proto) only into the --imap table, the others only into the
    # parse table.
    kind = lambda r: (
        "threading" if "_elements" in r
        else "dkim" if "mail-auth" in r
        else "build" if "mail-builder" in r
        else "smtp" if "smtp-proto" in r
        else "imap" if "imap-codec" in r or "imap-proto" in r
        else "parse"
    )
    want = (
        "dkim" if dkim
        else "threading" if threading
        else "build" if build
        else "smtp" if smtp
        else "imap" if imap
        else "parse"
    )
    rows = {g: r for g, r in rows.items() if kind(r) == want}
    if dkim:
        if not rows:
            sys.exit(f"{root}: no dkim results; run `cargo bench --ignore-rust-version --bench dkim` first")
        dkim_table(rows, stat, md)
        return
    if threading:
        if not rows:
            sys.exit(f"{root}: no threading results; run `cargo bench --ignore-rust-version --bench threading` first")
        threading_tables(rows, stat, md)
        return
    libs, order = {
        "build": (BUILD_LIBS, BUILD_ORDER),
        "smtp": (SMTP_LIBS, SMTP_ORDER),
        "imap": (IMAP_LIBS, IMAP_ORDER),
    }.get(want, (LIBS, ORDER))
    if build and not rows:
        sys.exit(f"{root}: no build results; run `cargo bench --ignore-rust-version --bench build` first")
    if smtp and not rows:
        sys.exit(f"{root}: no smtp results; run `cargo bench --ignore-rust-version --bench smtp` first")
    if imap and not rows:
        sys.exit(f"{root}: no imap results; run `cargo bench --ignore-rust-version --bench imap` first")
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
    # The ratio is the peer's time over mailwire's (= mailwire's MiB/s over
    # the peer's); the imap table names it that way round.
    ratio_name = (lambda p: f"{p}/mw") if imap else (lambda p: f"mw/{p}")
    head = ["group", "bytes"] + [f"{l} MiB/s" for l in libs] + [ratio_name(p) for p in libs[1:]]
    table = []
    for g in groups:
        r = rows[g]
        cells = [g, str(r["_bytes"])]
        cells += [f"{r[l]:,.0f}" if l in r else "-" for l in libs]
        for peer in libs[1:]:
            cells.append(f"{r['mailwire'] / r[peer]:.2f}" if "mailwire" in r and peer in r else "-")
        table.append(cells)
    print_table(head, table, md)
    if imap:
        print(f"(throughput = bytes / {stat} time; ratio = peer time / mailwire time, > 1: mailwire faster)")
    else:
        print(f"(throughput = bytes / {stat} time; ratio > 1: mailwire faster)")


if __name__ == "__main__":
    main()
