#!/usr/bin/env bash
# Seeds the fuzz corpora from the shared MIME test corpus.
#
#   fuzz/seed.sh [SOURCE_DIR]     (default: /work/shared/corpus/mime)
#
# parse_message: every *.eml and msg_*.txt message, plus the mbox samples.
# header_fields: the "header" strings of mail-parser's field test tables.
# Files are named by the SHA-1 of their content, as libFuzzer names its own
# corpus entries, so re-running the script adds nothing twice. The corpus
# directories are git-ignored.
set -euo pipefail

src="${1:-/work/shared/corpus/mime}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
msg_dir="$here/corpus/parse_message"
hdr_dir="$here/corpus/header_fields"
mkdir -p "$msg_dir" "$hdr_dir"

if [ ! -d "$src" ]; then
    echo "seed.sh: no corpus at $src" >&2
    exit 1
fi

python3 - "$src" "$msg_dir" "$hdr_dir" <<'PY'
import hashlib, json, os, sys

src, msg_dir, hdr_dir = sys.argv[1:4]

def put(dir_, data):
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(dir_, name)
    if os.path.exists(path):
        return 0
    with open(path, "wb") as f:
        f.write(data)
    return 1

msgs = 0
for root, _dirs, files in os.walk(src):
    for fn in sorted(files):
        if fn.endswith(".eml") or (fn.startswith("msg_") and fn.endswith(".txt")) or fn.endswith(".mbox"):
            with open(os.path.join(root, fn), "rb") as f:
                msgs += put(msg_dir, f.read())

hdrs = 0
tables = ["address", "date", "content_type", "id", "received", "unstructured", "list"]
base = os.path.join(src, "mail-parser-1.0.1")
for t in tables:
    path = os.path.join(base, t + ".json")
    if not os.path.exists(path):
        print(f"seed.sh: {path} missing, skipped", file=sys.stderr)
        continue
    with open(path, encoding="utf-8") as f:
        for entry in json.load(f):
            h = entry.get("header") if isinstance(entry, dict) else None
            if isinstance(h, str):
                hdrs += put(hdr_dir, h.encode("utf-8", "surrogateescape"))

print(f"seed.sh: added {msgs} messages to {msg_dir}, {hdrs} header values to {hdr_dir}")
PY
