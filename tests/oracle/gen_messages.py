#!/usr/bin/env python3
"""Generate random, well-formed RFC 5322 / MIME messages for differential tests.

Usage:
    python3 gen_messages.py --seed N --count M --out DIR [--expect]

Writes M files DIR/gen-0000.eml .. DIR/gen-<M-1>.eml.  Output is a pure
function of (seed, file index): file i is the same whatever --count is.
Even-numbered files use LF line ends, odd-numbered files CRLF.

The raw bytes are built by hand (not with email.generator) so that they
exercise what a parser has to handle: random MIME trees (depth <= 4) of
multipart/mixed, alternative, related, digest (children default to
message/rfc822) and message/rfc822 with nested full messages; leaves
text/plain, text/html, application/octet-stream, image/png; many charsets
(utf-8, us-ascii, iso-8859-2, iso-8859-15, windows-1251, windows-1252,
koi8-r, shift_jis, euc-jp, iso-2022-jp, euc-kr, gb18030, big5); transfer
encodings 7bit (only for 7-bit data), 8bit, quoted-printable, base64;
filenames plain, quoted, RFC 2231 (single and continued) and RFC 2047 in
name=; RFC 2047 subjects and display names; folded headers; groups; dates
with numeric and obsolete zones; Message-ID / In-Reply-To / References.

Everything stays inside what the RFCs define unambiguously (ASCII-only
headers, no bare CR, boundaries never occurring in content or prefixing each
other, no trailing blanks in quoted-printable lines, no adjacent encoded
words in a display name, text only drawn from characters that the strict
Python codec and the WHATWG-style superset codecs map alike), so a correct
parser and Python's email package must agree on every field that
py_email_summary.py reports.

The Rust differential test runs this script into a temporary directory,
runs py_email_summary.py over the files and compares with its own parse.

With --expect, DIR/gen-NNNN.expect.json is written beside each message: the
values the generator put in (same shape and conventions as the
py_email_summary.py MESSAGE, restricted to the fields it knows; headers carry
name and raw only), usable as a second, Python-independent oracle.
With --check, every file is also run through py_email_summary.py and
compared with that expectation (a self-test of both scripts; run it after
changing either).
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import sys
from random import Random

MAX_DEPTH = 4
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# ---------------------------------------------------------------------------
# text material
# ---------------------------------------------------------------------------

ASCII_WORDS = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
    "tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam "
    "quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo "
    "consequat duis aute irure in reprehenderit voluptate velit esse cillum "
    "fugiat nulla pariatur excepteur sint occaecat cupidatat non proident "
    "meeting report invoice attached please find below thanks regards "
    "Hello World Monday Friday Q3 2024 v1.2 OK"
).split()
# Only used in bodies: punctuation a QP encoder / decoder must get right.
ASCII_ODD = ["a=b", "x_y", "50%", "C:\\temp", "<tag>", '"quoted"', "?", "=",
             "==", "=3D", "--", "#1", "a.b", "(c)", "[x]", "{y}", "~", "^_^",
             "$5", "&amp;", "it's", "tab\there"]

POOLS = {
    "latin2": "zażółć gęślą jaźń Łódź Příliš žluťoučký kůň úpěl ďábelské "
              "ódy Szczęście Kraków Brno Ústí čeština".split(),
    "latin9": "café déjà œuvre naïve façade Straße Œdipe Šárka Žofie "
              "€10 crème brûlée Ÿvelines garçon".split(),
    "cp1252": "café “quoted” ‘single’ €20 naïve – — Straße Œuvre "
              "™ • … ¿qué? Ärger Øre".split(),
    "cyr": "привет мир тест письмо вложение файл встреча документы "
           "спасибо Москва сегодня Ёлка ЖУРНАЛ объявление".split(),
    "ja": "こんにちは 世界 日本語 テスト メール 添付 ファイル 東京 会議 "
          "資料 確認 お願いします ありがとう 今日 明日 カタカナ ひらがな".split(),
    "ko": "안녕하세요 세계 테스트 메일 첨부 파일 회의 자료 확인 "
          "감사합니다 서울 오늘 내일 한국어".split(),
    "zh_hans": "你好 世界 测试 邮件 附件 文件 会议 资料 确认 谢谢 北京 "
               "今天 明天 中文 简体".split(),
    "zh_hant": "你好 世界 測試 郵件 附件 檔案 會議 資料 確認 謝謝 台北 "
               "今天 明天 中文 繁體".split(),
    "greek": "Καλημέρα κόσμε ελληνικά δοκιμή Αθήνα".split(),
    "emoji": "😀 🚀 🎉 👍 𝄞 🐍".split(),
}

# charset label -> (python codec, pools usable with it, superset codec whose
# decoding of the bytes must give the same text (None: no check))
CHARSETS = {
    "utf-8": ("utf-8", list(POOLS), None),
    "us-ascii": ("ascii", [], None),
    "iso-8859-2": ("iso8859_2", ["latin2"], None),
    "iso-8859-15": ("iso8859_15", ["latin9"], None),
    "windows-1251": ("cp1251", ["cyr"], None),
    "windows-1252": ("cp1252", ["cp1252", "latin9"], None),
    "koi8-r": ("koi8_r", ["cyr"], None),
    "shift_jis": ("shift_jis", ["ja"], "cp932"),
    "euc-jp": ("euc_jp", ["ja"], None),
    "iso-2022-jp": ("iso2022_jp", ["ja"], None),
    "euc-kr": ("euc_kr", ["ko"], "cp949"),
    "gb18030": ("gb18030", ["zh_hans", "greek", "emoji"], None),
    "big5": ("big5", ["zh_hant"], "big5hkscs"),
}
CHARSET_NAMES = list(CHARSETS)
# How a label may be spelled in a header (all must mean the same charset).
LABEL_SPELLINGS = {
    "utf-8": ["utf-8", "UTF-8", "Utf-8"],
    "us-ascii": ["us-ascii", "US-ASCII"],
    "iso-8859-2": ["iso-8859-2", "ISO-8859-2"],
    "iso-8859-15": ["iso-8859-15", "ISO-8859-15"],
    "windows-1251": ["windows-1251", "Windows-1251"],
    "windows-1252": ["windows-1252", "Windows-1252"],
    "koi8-r": ["koi8-r", "KOI8-R"],
    "shift_jis": ["shift_jis", "Shift_JIS"],
    "euc-jp": ["euc-jp", "EUC-JP"],
    "iso-2022-jp": ["iso-2022-jp", "ISO-2022-JP"],
    "euc-kr": ["euc-kr", "EUC-KR"],
    "gb18030": ["gb18030", "GB18030"],
    "big5": ["big5", "Big5", "BIG5"],
}

DOMAINS = ["example.com", "example.org", "mail.example.net", "lists.test",
           "EXAMPLE.COM", "sub.domain.example"]
LOCALS = ["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi",
          "info", "no-reply", "first.last", "user+tag", "x_y", "sales",
          "a1", "j.r.r.tolkien"]
FIRST = ["John", "Jane", "Alice", "Bob", "Zoe", "Mary", "Peter", "Ann"]
LAST = ["Smith", "Doe", "Brown", "O'Brien", "Miller", "Taylor", "Lee"]

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
OBS_ZONES = {"UT": 0, "GMT": 0, "EST": -300, "EDT": -240, "CST": -360,
             "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420}
NUM_ZONES = [0, 60, 120, -300, -240, -480, 330, 345, 540, -210, 600, 780,
             -600, 840, -720, 525]

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
HEX = "0123456789ABCDEF"
# RFC 2231 attribute-char: CHAR except SPACE, "*", "'", "%", tspecials.
ATTR_CHARS = set(TOKEN_CHARS + "!#$&+-.^_`|~")


def codec_ok(text, charset):
    codec, _, superset = CHARSETS[charset]
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return False
    if data.decode(codec) != text:
        return False
    if superset and data.decode(superset) != text:
        return False
    return True


# ---------------------------------------------------------------------------
# encoders
# ---------------------------------------------------------------------------

def b64_lines(data, eol, width=76):
    enc = base64.b64encode(data).decode("ascii")
    return eol.join(enc[i:i + width] for i in range(0, len(enc), width))


def qp_encode(blines, eol, rng, trailing, binary=False):
    """Quoted-printable body for byte lines ``blines`` (hard breaks between
    them, plus one after the last when ``trailing``).  Lines <= 76 chars,
    soft breaks never split an =XX, no trailing blank on any line, never a
    soft break at the very end."""
    out_lines = []
    paranoid = rng.random() < 0.2  # also encode some safe characters
    for bl in blines:
        toks = []
        for i, b in enumerate(bl):
            last = i == len(bl) - 1
            if binary:
                safe = 33 <= b <= 126 and b != 61
            else:
                safe = (33 <= b <= 126 and b != 61) or (b in (9, 32) and not last)
            if safe and paranoid and rng.random() < 0.1:
                safe = False
            toks.append(chr(b) if safe else "=%02X" % b)
        limit = rng.choice([76, 76, 76, 40, 20])
        cur = ""
        for t in toks:
            if len(cur) + len(t) > limit - 1:  # keep room for the "="
                out_lines.append(cur + "=")
                cur = ""
            cur += t
        out_lines.append(cur)
    text = eol.join(out_lines)
    if trailing:
        text += eol
    return text


def ew_q(data):
    out = []
    for b in data:
        c = chr(b)
        if c in TOKEN_CHARS:
            out.append(c)
        elif b == 0x20:
            out.append("_")
        else:
            out.append("=%02X" % b)
    return "".join(out)


def encoded_words(rng, text, charset, max_len=75):
    """Split ``text`` on character boundaries into encoded words (each at
    most ``max_len`` chars), each word encoding a whole number of chars."""
    codec = CHARSETS[charset][0]
    label = rng.choice(LABEL_SPELLINGS[charset])
    kind = rng.choice("BQbq")
    limit = rng.choice([max_len, max_len, 40, 30])
    words = []
    chunk = ""

    def render(s):
        data = s.encode(codec)
        if kind in "Bb":
            payload = base64.b64encode(data).decode("ascii")
        else:
            payload = ew_q(data)
        return "=?%s?%s?%s?=" % (label, kind, payload)

    for ch in text:
        if chunk and len(render(chunk + ch)) > limit:
            words.append(render(chunk))
            chunk = ""
        chunk += ch
    if chunk:
        words.append(render(chunk))
    return words


def pct_encode(data):
    return "".join(chr(b) if chr(b) in ATTR_CHARS else "%%%02X" % b
                   for b in data)


# ---------------------------------------------------------------------------
# the generator
# ---------------------------------------------------------------------------

class Gen:
    def __init__(self, rng, eol):
        self.rng = rng
        self.eol = eol
        self.budget = rng.randint(3, 18)  # entities left in this file
        self.boundaries = []
        self.counter = 0

    # -- small helpers -----------------------------------------------------

    def chance(self, p):
        return self.rng.random() < p

    def words(self, n):
        return [self.rng.choice(ASCII_WORDS) for _ in range(n)]

    def pool_word(self, pools):
        return self.rng.choice(POOLS[self.rng.choice(pools)])

    def phrase(self, charset, n, allow_ascii=True):
        """A text of n words representable in ``charset``."""
        pools = CHARSETS[charset][1]
        while True:
            out = []
            for _ in range(n):
                if not pools or (allow_ascii and self.chance(0.3)):
                    out.append(self.rng.choice(ASCII_WORDS))
                else:
                    out.append(self.pool_word(pools))
            s = " ".join(out)
            if codec_ok(s, charset):
                return s

    def token(self, n):
        return "".join(self.rng.choice(TOKEN_CHARS) for _ in range(n))

    def case(self, s):
        r = self.rng.random()
        if r < 0.1:
            return s.upper()
        if r < 0.25:
            return "-".join(p[:1].upper() + p[1:] for p in s.split("-"))
        return s

    def fold(self, name, tokens, allow_tab=True, p=0.15):
        """Join tokens with single blanks, folding at some of them.
        Returns (raw value, list of the unfolded separators)."""
        seps = []
        linelen = len(name) + 2 + len(tokens[0])
        for tok in tokens[1:]:
            if linelen + 1 + len(tok) > 76 or self.chance(p):
                ws = "\t" if allow_tab and self.chance(0.3) else " "
                seps.append(self.eol + ws)
                linelen = 1 + len(tok)
            else:
                seps.append(" ")
                linelen += 1 + len(tok)
        raw = tokens[0] + "".join(s + t for s, t in zip(seps, tokens[1:]))
        return raw, [s[-1] for s in seps]

    # -- addresses -----------------------------------------------------------

    def addr_spec(self):
        return "%s@%s" % (self.rng.choice(LOCALS), self.rng.choice(DOMAINS))

    def display_name(self):
        """(source text, decoded name) of a display name, or (None, None)."""
        r = self.rng.random()
        if r < 0.25:
            return None, None
        if r < 0.5:
            name = "%s %s" % (self.rng.choice(FIRST), self.rng.choice(LAST))
            return name, name
        if r < 0.65:
            name = self.rng.choice([
                "%s, %s" % (self.rng.choice(LAST), self.rng.choice(FIRST)),
                "%s. %s" % (self.rng.choice(FIRST)[0], self.rng.choice(LAST)),
                "Team (%s) @ HQ" % self.rng.choice(LAST),
            ])
            return '"%s"' % name, name
        if r < 0.7:
            inner = '%s "JJ" %s' % (self.rng.choice(FIRST),
                                    self.rng.choice(LAST))
            return '"%s"' % inner.replace('"', '\\"'), inner
        # RFC 2047: one encoded word, optionally next to plain words.
        # (Python keeps the blank between two adjacent encoded words in a
        # phrase, against RFC 2047 -- never generate that.)
        charset = self.rng.choice([c for c in CHARSET_NAMES
                                   if c != "us-ascii"])
        text = self.phrase(charset, self.rng.randint(1, 2), allow_ascii=False)
        word = None
        for _ in range(20):
            ws = encoded_words(self.rng, text, charset, max_len=60)
            if len(ws) == 1:
                word = ws[0]
                break
            text = self.phrase(charset, 1, allow_ascii=False)
        if word is None:
            name = self.rng.choice(FIRST)
            return name, name
        src, dec = [word], [text]
        if self.chance(0.4):
            w = self.rng.choice(LAST)
            src.append(w)
            dec.append(w)
        if self.chance(0.3):
            w = self.rng.choice(FIRST)
            src.insert(0, w)
            dec.insert(0, w)
        return " ".join(src), " ".join(dec)

    def mailbox(self, group=None):
        """(source tokens, expected ADDR)."""
        addr = self.addr_spec()
        src, name = self.display_name()
        if src is None:
            text = addr if self.chance(0.7) else "<%s>" % addr
        else:
            text = "%s <%s>" % (src, addr)
        return text, {"name": name or None, "address": addr, "group": group}

    def address_list(self, name, n, groups=True):
        items, exp = [], []
        for _ in range(n):
            if groups and self.chance(0.15):
                gname = self.rng.choice(["Team", "Project X", "friends",
                                         "Undisclosed recipients"])
                members = [] if self.chance(0.25) else [
                    self.mailbox(gname) for _ in range(self.rng.randint(1, 3))]
                if members:
                    toks = ["%s:" % gname] + [m[0] for m in members]
                    toks = [t + "," for t in toks[:-1]] + [toks[-1] + ";"]
                    toks[0] = toks[0].rstrip(",")
                    exp.extend(m[1] for m in members)
                else:
                    toks = ["%s:;" % gname]
                    exp.append({"name": None, "address": None,
                                "group": gname})
                items.append(toks)
            else:
                t, e = self.mailbox()
                items.append([t])
                exp.append(e)
        tokens = []
        for i, toks in enumerate(items):
            toks = list(toks)
            if i < len(items) - 1:
                toks[-1] += ","
            tokens.extend(toks)
        raw, _ = self.fold(name, tokens)
        return raw, exp

    # -- other message headers ---------------------------------------------

    def subject(self):
        """(raw, decoded) subject with plain words and encoded-word runs."""
        toks = []  # (source, decoded, is_encoded_word)
        if self.chance(0.2):
            toks.append((self.rng.choice(["Re:", "Fwd:", "[list]"]),) * 2
                        + (False,))
        for _ in range(self.rng.randint(1, 5)):
            if self.chance(0.45):
                charset = self.rng.choice(CHARSET_NAMES)
                text = self.phrase(charset, self.rng.randint(1, 4))
                ws = encoded_words(self.rng, text, charset, max_len=62)
                # The decoded text goes on the first word, the others add
                # nothing: whitespace between adjacent words is dropped.
                toks.append((ws[0], text, True))
                toks.extend((w, "", True) for w in ws[1:])
            else:
                for w in self.words(self.rng.randint(1, 3)):
                    toks.append((w, w, False))
        raw, seps = self.fold("Subject", [t[0] for t in toks])
        dec = toks[0][1]
        for sep, prev, cur in zip(seps, toks, toks[1:]):
            if not (prev[2] and cur[2]):
                dec += sep
            dec += cur[1]
        return raw, dec

    def date(self):
        rng = self.rng
        base = datetime.datetime(1995, 1, 1)
        dt = base + datetime.timedelta(seconds=rng.randrange(40 * 365 * 86400))
        with_secs = self.chance(0.85)
        if not with_secs:
            dt = dt.replace(second=0)
        r = rng.random()
        if r < 0.15:
            zone, off = rng.choice(sorted(OBS_ZONES.items()))
        elif r < 0.25:
            zone, off = "-0000", None
        else:
            off = rng.choice(NUM_ZONES)
            zone = "%s%02d%02d" % ("-" if off < 0 else "+",
                                   abs(off) // 60, abs(off) % 60)
        s = "%d %s %d %02d:%02d" % (dt.day, MONTHS[dt.month - 1], dt.year,
                                    dt.hour, dt.minute)
        if self.chance(0.3):
            s = s.replace("%d " % dt.day, "%02d " % dt.day, 1)
        if with_secs:
            s += ":%02d" % dt.second
        s += " " + zone
        if self.chance(0.8):
            s = "%s, %s" % (DAYS[dt.weekday()], s)
        if self.chance(0.1):
            s += " (%s)" % self.rng.choice(["CEST", "local time", "UTC"])
        tz = datetime.timezone(datetime.timedelta(minutes=off or 0))
        iso = dt.replace(tzinfo=tz).isoformat()
        return s, iso

    def msgid(self):
        left = "%d.%s" % (self.rng.randrange(10 ** 9), self.token(10))
        if self.chance(0.3):
            left = "%s.%s" % (self.token(6), left)
        return "%s@%s" % (left, self.rng.choice(DOMAINS).lower())

    # -- bodies ------------------------------------------------------------

    def text_lines(self, charset, html):
        lines = []
        for _ in range(self.rng.randint(0 if not html else 1, 25)):
            if self.chance(0.12):
                lines.append("")
                continue
            n = self.rng.randint(1, 12)
            ws = []
            for _ in range(n):
                r = self.rng.random()
                if r < 0.1:
                    ws.append(self.rng.choice(ASCII_ODD))
                elif r < 0.6 or not CHARSETS[charset][1]:
                    ws.append(self.rng.choice(ASCII_WORDS))
                else:
                    ws.append(self.pool_word(CHARSETS[charset][1]))
            line = " ".join(ws)
            if not codec_ok(line, charset):
                line = " ".join(self.words(n))
            lines.append(line)
        if self.chance(0.1):
            lines += ["-- ", self.rng.choice(FIRST)]  # signature separator
        if html:
            lines = (["<html>", "<body>"] + ["<p>%s</p>" % l for l in lines]
                     + ["</body>", "</html>"])
        return lines

    def filename(self, ext):
        """(params for Content-Type, params for Content-Disposition,
        expected filename, expected decoded Content-Type params)."""
        rng = self.rng
        form = rng.choice(["plain", "quoted", "2231", "2231cont", "2047"])
        if form == "plain":
            name = "%s_%d.%s" % (rng.choice(ASCII_WORDS), rng.randrange(100),
                                 ext)
            return [], ["filename=%s" % name], name, {}
        if form == "quoted":
            name = "%s.%s" % (" ".join(self.words(rng.randint(2, 4))), ext)
            if self.chance(0.3):  # also a name= on Content-Type
                return (['name="%s"' % name], ['filename="%s"' % name],
                        name, {"name": name})
            return [], ['filename="%s"' % name], name, {}
        if form in ("2231", "2231cont"):
            charset = rng.choice(["utf-8", "utf-8", "iso-8859-2",
                                  "iso-8859-15"])
            name = "%s.%s" % (self.phrase(charset, rng.randint(1, 4)), ext)
            codec = CHARSETS[charset][0]
            lang = rng.choice(["", "", "en", "de-CH"])
            label = rng.choice(LABEL_SPELLINGS[charset])
            if form == "2231":
                v = "%s'%s'%s" % (label, lang, pct_encode(name.encode(codec)))
                return [], ["filename*=%s" % v], name, {}
            # continuations, cut on character boundaries; some segments may
            # be plain (quoted, ASCII only) rather than percent-encoded
            segs, cur = [], ""
            for ch in name:
                cur += ch
                if len(cur) >= rng.randint(3, 12):
                    segs.append(cur)
                    cur = ""
            if cur:
                segs.append(cur)
            params = []
            for i, seg in enumerate(segs):
                if i > 0 and seg.isascii() and '"' not in seg and \
                        "\\" not in seg and self.chance(0.3):
                    params.append('filename*%d="%s"' % (i, seg))
                    continue
                enc = pct_encode(seg.encode(codec))
                if i == 0:
                    enc = "%s'%s'%s" % (label, lang, enc)
                params.append("filename*%d*=%s" % (i, enc))
            return [], params, name, {}
        # RFC 2047 in name= (Content-Type); a single encoded word.
        charset = rng.choice(["utf-8", "utf-8", "iso-8859-2", "koi8-r",
                              "shift_jis", "windows-1252"])
        for _ in range(20):
            name = "%s.%s" % (self.phrase(charset, rng.randint(1, 2)), ext)
            ws = encoded_words(rng, name, charset)
            if len(ws) == 1:
                break
        else:
            name = "file.%s" % ext
            ws = [name]
        return ['name="%s"' % ws[0]], [], name, {"name": name}

    def leaf(self, ctype):
        rng = self.rng
        eol = self.eol
        hdrs = []
        exp = {"content_type": ctype, "params": {}, "disposition": None,
               "filename": None, "charset": None, "transfer_encoding": None,
               "text": None, "parts": [], "message": None}
        ct_params, cd_params = [], []
        ct_omit = False
        if ctype.startswith("text/"):
            html = ctype == "text/html"
            charset = rng.choice(CHARSET_NAMES)
            codec = CHARSETS[charset][0]
            lines = self.text_lines(charset, html)
            blines = [l.encode(codec) for l in lines]
            trailing = self.chance(0.6)
            seven = all(b < 0x80 for bl in blines for b in bl)
            if seven:
                cte = rng.choice([None, "7bit", "8bit", "quoted-printable",
                                  "base64"])
            else:
                cte = rng.choice(["8bit", "quoted-printable", "base64"])
            if charset == "us-ascii" and ctype == "text/plain" and \
                    self.chance(0.3):
                ct_omit = self.chance(0.5)
            else:
                label = rng.choice(LABEL_SPELLINGS[charset])
                q = '"%s"' if self.chance(0.4) else "%s"
                ct_params.append("charset=" + q % label)
                exp["params"]["charset"] = label
                exp["charset"] = label.lower()
            if cte == "base64":
                sep = rng.choice(["\r\n", "\n"]).encode()
                data = sep.join(blines) + (sep if trailing else b"")
                body = b64_lines(data, eol)
            elif cte == "quoted-printable":
                data = eol.encode().join(blines) + (eol.encode() if trailing
                                                     else b"")
                body = qp_encode(blines, eol, rng, trailing)
            else:
                data = eol.encode().join(blines) + (eol.encode() if trailing
                                                     else b"")
                body = data
            exp["text"] = data.decode(codec)
            if self.chance(0.15):
                disp = rng.choice(["inline", "attachment"])
                cp, dp, fname, pexp = self.filename("txt")
                ct_params += cp
                cd_params = dp
                exp["params"].update(pexp)
                exp["disposition"] = disp
                exp["filename"] = fname
            elif self.chance(0.1):
                exp["disposition"] = "inline"
        else:
            n = rng.choice([0, 1, 10, 100, 500, 1500, 3000])
            n = rng.randint(0, n)
            data = rng.randbytes(n)
            if ctype == "image/png":
                data = b"\x89PNG\r\n\x1a\n" + data
            ext = "png" if ctype == "image/png" else "bin"
            cte = "base64" if self.chance(0.85) else "quoted-printable"
            if cte == "base64":
                body = b64_lines(data, eol)
            else:
                body = qp_encode([data], eol, rng, False, binary=True)
            if self.chance(0.85):
                disp = rng.choice(["attachment", "attachment", "inline"])
                cp, dp, fname, pexp = self.filename(ext)
                if not dp and self.chance(0.5):
                    disp = None
                ct_params += cp
                cd_params = dp
                exp["params"].update(pexp)
                exp["disposition"] = disp
                exp["filename"] = fname
        rng.shuffle(ct_params)
        if not ct_omit:
            main, sub = ctype.split("/")
            tval = "%s/%s" % (self.case(main) if self.chance(0.2) else main,
                              sub.upper() if self.chance(0.1) else sub)
            toks = [tval] + ct_params
            toks = [t + ";" for t in toks[:-1]] + [toks[-1]]
            hdrs.append((self.case("content-type"),
                         self.fold("Content-Type", toks)[0]))
        if cte is not None:
            cte_src = rng.choice([cte, cte.upper(), cte.capitalize()])
            hdrs.append((self.case("content-transfer-encoding"), cte_src))
            exp["transfer_encoding"] = cte
        if exp["disposition"] is not None:
            toks = [rng.choice([exp["disposition"],
                                exp["disposition"].capitalize()])] + cd_params
            toks = [t + ";" for t in toks[:-1]] + [toks[-1]]
            hdrs.append((self.case("content-disposition"),
                         self.fold("Content-Disposition", toks)[0]))
        if self.chance(0.2):
            hdrs.append(("Content-ID", "<%s>" % self.msgid()))
        rng.shuffle(hdrs)
        exp["size"] = len(data)
        exp["sha256"] = hashlib.sha256(data).hexdigest()
        return hdrs, body.encode("ascii") if isinstance(body, str) else body, exp

    def new_boundary(self, content):
        rng = self.rng
        while True:
            self.counter += 1
            r = rng.random()
            if r < 0.3:
                b, quote = "=_Part_%d_%s" % (self.counter, self.token(12)), True
            elif r < 0.6:
                b, quote = "b%d%s" % (self.counter, self.token(16)), False
            elif r < 0.85:
                b = "----=_NextPart_000_%04X_%08X.%08X" % (
                    self.counter, rng.getrandbits(32), rng.getrandbits(32))
                quote = True
            else:
                b = "%s (%d) %s:%s" % (self.token(5), self.counter,
                                      self.token(4), self.token(6))
                quote = True
            if (b"--" + b.encode()) in content:
                continue
            if any(o.startswith(b) or b.startswith(o) for o in self.boundaries):
                continue
            self.boundaries.append(b)
            return b, quote or self.chance(0.3)

    def filler(self):
        return self.eol.join(" ".join(self.words(self.rng.randint(1, 9)))
                             for _ in range(self.rng.randint(1, 3)))

    def multipart(self, subtype, depth, at_eof):
        rng = self.rng
        eol = self.eol
        n = {"alternative": (2, 3), "related": (2, 3), "mixed": (1, 4),
             "digest": (1, 3)}[subtype]
        n = rng.randint(*n)
        children = []
        for i in range(n):
            if subtype == "digest":
                children.append(self.message_part(depth + 1, in_digest=True))
            elif subtype == "alternative" and i < 2:
                children.append(self.leaf(["text/plain", "text/html"][i]))
            elif subtype == "related" and i == 0:
                children.append(self.leaf("text/html"))
            elif subtype == "related":
                children.append(self.leaf("image/png"))
            else:
                children.append(self.entity(depth + 1))
        rendered = []
        for hdrs, body, _ in children:
            head = "".join("%s: %s%s" % (k, v, eol) for k, v in hdrs)
            rendered.append(head.encode("ascii") + eol.encode() + body)
        content = b"".join(rendered)
        boundary, quote = self.new_boundary(content)
        pad = lambda: rng.choice(["", "", "", "", " ", "\t", "  "])  # noqa
        out = []
        preamble = None
        r = rng.random()
        if r < 0.2:
            preamble = ""
        elif r < 0.5:
            preamble = self.filler() + (eol if self.chance(0.3) else "")
        if preamble is not None:
            out.append((preamble + eol).encode())
        for part in rendered:
            out.append(("--%s%s%s" % (boundary, pad(), eol)).encode())
            out.append(part)
            out.append(eol.encode())
        out.append(("--%s--%s" % (boundary, pad())).encode())
        # Epilogue: Python reports the text after the close delimiter line;
        # for a nested multipart the line break before the parent's next
        # delimiter belongs to that delimiter.
        if at_eof:  # the multipart's body runs to the end of the file
            epilogue = self.filler() + eol if self.chance(0.3) else ""
            out.append((eol + epilogue).encode())
        else:
            r = rng.random()
            if r < 0.4:
                epilogue = None
            elif r < 0.6:
                epilogue = ""
            else:
                epilogue = self.filler()
            if epilogue is not None:
                out.append((eol + epilogue).encode())
        body = b"".join(out)

        params = ['boundary="%s"' % boundary if quote
                  else "boundary=%s" % boundary]
        exp_params = {"boundary": boundary}
        if subtype == "related":
            params.append('type="text/html"')
            exp_params["type"] = "text/html"
        rng.shuffle(params)
        ctv = "multipart/" + subtype
        if self.chance(0.15):
            ctv = "Multipart/" + subtype.capitalize()
        toks = [ctv] + params
        toks = [t + ";" for t in toks[:-1]] + [toks[-1]]
        hdrs = [(self.case("content-type"), self.fold("Content-Type", toks,
                                                      p=0.5)[0])]
        exp = {"content_type": "multipart/" + subtype, "params": exp_params,
               "disposition": None, "filename": None, "charset": None,
               "transfer_encoding": None, "size": 0, "sha256": EMPTY_SHA256,
               "text": None, "parts": [c[2] for c in children],
               "message": None, "preamble": preamble, "epilogue": epilogue}
        if self.chance(0.15):
            cte = "8bit" if any(b >= 0x80 for b in body) else "7bit"
            hdrs.append(("Content-Transfer-Encoding", cte))
            exp["transfer_encoding"] = cte
        return hdrs, body, exp

    def message_part(self, depth, in_digest=False, at_eof=False):
        rng = self.rng
        body, mexp = self.message(depth + 1, at_eof=at_eof)
        hdrs = []
        exp = {"content_type": "message/rfc822", "params": {},
               "disposition": None, "filename": None, "charset": None,
               "transfer_encoding": None, "size": 0, "sha256": EMPTY_SHA256,
               "text": None, "parts": [], "message": mexp}
        if not in_digest or self.chance(0.5):
            hdrs.append((self.case("content-type"),
                         rng.choice(["message/rfc822", "Message/RFC822"])))
        if self.chance(0.3):
            cte = "8bit" if any(b >= 0x80 for b in body) else \
                rng.choice(["7bit", "8bit"])
            hdrs.append(("Content-Transfer-Encoding", cte))
            exp["transfer_encoding"] = cte
        if self.chance(0.3):
            exp["disposition"] = rng.choice(["inline", "attachment"])
            v = exp["disposition"]
            if self.chance(0.5):
                exp["filename"] = "forwarded message.eml"
                v += ';%sfilename="forwarded message.eml"' % rng.choice(
                    [" ", self.eol + " ", self.eol + "\t"])
            hdrs.append(("Content-Disposition", v))
        return hdrs, body, exp

    def entity(self, depth, at_eof=False):
        """A random entity at nesting ``depth`` (root = 0): (headers, body
        bytes, expected PART).  ``at_eof``: its body runs to the end of the
        file (the root, or inside a root-level message/rfc822)."""
        rng = self.rng
        self.budget -= 1
        if depth < MAX_DEPTH and self.budget > 0:
            r = rng.random()
            if depth == 0:
                r *= 0.75  # roots are multipart more often
            if r < 0.45:
                subs = ["mixed", "mixed", "alternative", "related"]
                if depth + 2 <= MAX_DEPTH:  # digest -> message -> entity
                    subs.append("digest")
                return self.multipart(rng.choice(subs), depth, at_eof)
            if r < 0.55:
                return self.message_part(depth, at_eof=at_eof)
        return self.leaf(rng.choice(["text/plain", "text/plain", "text/html",
                                     "application/octet-stream",
                                     "image/png"]))

    def message(self, depth, is_root=False, at_eof=False):
        """Full message bytes and the expected summary (MESSAGE)."""
        rng = self.rng
        eol = self.eol
        exp = {}
        hdrs = []
        if is_root:
            for _ in range(rng.randint(0, 2)):
                toks = ["from", "mx%d.%s" % (rng.randrange(9),
                                              rng.choice(DOMAINS).lower()),
                        "(mx.example [192.0.2.%d])" % rng.randrange(1, 255),
                        "by", "mail.example.com", "with", "ESMTPS", "id",
                        self.token(12) + ";"]
                d, _ = self.date()
                toks += d.split(" ")
                hdrs.append(("Received", self.fold("Received", toks, p=0.3)[0]))
        n_from = 1 if self.chance(0.9) else 2
        raw, exp["from"] = self.address_list("From", n_from, groups=False)
        hdrs.append(("From", raw))
        exp["sender"] = []
        if n_from > 1 or self.chance(0.1):
            t, e = self.mailbox()
            hdrs.append(("Sender", t))
            exp["sender"] = [e]
        exp["reply_to"] = []
        if self.chance(0.2):
            raw, exp["reply_to"] = self.address_list("Reply-To",
                                                     rng.randint(1, 2))
            hdrs.append(("Reply-To", raw))
        raw, exp["to"] = self.address_list("To", rng.randint(1, 5))
        hdrs.append(("To", raw))
        exp["cc"] = []
        if self.chance(0.4):
            raw, exp["cc"] = self.address_list("Cc", rng.randint(1, 4))
            hdrs.append(("Cc", raw))
        exp["bcc"] = []
        if self.chance(0.05):
            hdrs.append(("Bcc", ""))
        exp["subject"] = None
        if self.chance(0.95):
            raw, exp["subject"] = self.subject()
            hdrs.append(("Subject", raw))
        exp["date"] = None
        if self.chance(0.95):
            raw, exp["date"] = self.date()
            hdrs.append(("Date", raw))
        exp["message_id"] = None
        if self.chance(0.9):
            exp["message_id"] = self.msgid()
            hdrs.append((rng.choice(["Message-ID", "Message-Id"]),
                         "<%s>" % exp["message_id"]))
        exp["in_reply_to"], exp["references"] = [], []
        if self.chance(0.3):
            refs = [self.msgid() for _ in range(rng.randint(1, 6))]
            exp["in_reply_to"] = refs[-1:]
            exp["references"] = refs
            hdrs.append(("In-Reply-To", "<%s>" % refs[-1]))
            hdrs.append(("References", self.fold(
                "References", ["<%s>" % r for r in refs])[0]))
        rng.shuffle(hdrs)  # header order is free
        hdrs.append(("MIME-Version", "1.0"))
        if self.chance(0.3):
            hdrs.append(("X-Mailer", "gen_messages %d.%d" % (
                rng.randrange(10), rng.randrange(10))))
        if self.chance(0.2):
            hdrs.append(("X-Long-Header", self.fold(
                "X-Long-Header", self.words(rng.randint(10, 30)))[0]))
        ehdrs, body, pexp = self.entity(depth, at_eof=is_root or at_eof)
        hdrs += ehdrs
        exp["headers"] = [{"name": k, "raw": v} for k, v in hdrs]
        exp["root"] = pexp
        head = "".join("%s: %s%s" % (k, v, eol) for k, v in hdrs)
        return head.encode("ascii") + eol.encode() + body, exp


def generate(file_seed, index):
    rng = Random(file_seed)
    eol = "\r\n" if index % 2 else "\n"
    gen = Gen(rng, eol)
    # A single-part root body runs to the end of the file; whether it ends
    # in a line break is random, and the expectation has the exact bytes.
    return gen.message(0, is_root=True)


def check(path, exp):
    """Compare py_email_summary.py's view of ``path`` with the generator's
    expectation; return a list of mismatch descriptions."""
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import py_email_summary as summary  # noqa: E402 (same directory)
    rec = summary.clean_tree(summary.summarize_file(path))
    if not rec["ok"]:
        return ["python failed: %s" % rec["error"]]
    errs = []

    def cmp(e, g, where):
        if isinstance(e, dict) and isinstance(g, dict):
            for k, v in e.items():
                if k == "headers":
                    v = [(h["name"], h["raw"]) for h in v]
                    g2 = [(h["name"], h["raw"]) for h in g.get(k) or []]
                    if v != g2:
                        errs.append("%s.headers: %r != %r" % (where, v, g2))
                else:
                    cmp(v, g.get(k, "<missing>"), "%s.%s" % (where, k))
        elif isinstance(e, list) and isinstance(g, list) and len(e) == len(g):
            for i, (a, b) in enumerate(zip(e, g)):
                cmp(a, b, "%s[%d]" % (where, i))
        elif e != g:
            errs.append("%s: expected %r, python %r" % (where, e, g))

    def defects(part, where):
        if part.get("defects"):
            errs.append("%s: python defects %r" % (where, part["defects"]))
        for i, c in enumerate(part.get("parts") or []):
            defects(c, "%s.parts[%d]" % (where, i))
        if part.get("message"):
            defects(part["message"]["root"], where + ".message.root")

    cmp(exp, rec["message"], "")
    defects(rec["message"]["root"], ".root")
    return errs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--expect", action="store_true",
                    help="also write gen-NNNN.expect.json")
    ap.add_argument("--check", action="store_true",
                    help="self-test: parse each file with "
                         "py_email_summary.py and compare with the "
                         "generator's expectation; exit 1 on a mismatch")
    args = ap.parse_args(argv)
    failed = 0
    os.makedirs(args.out, exist_ok=True)
    master = Random(args.seed)
    for i in range(args.count):
        data, exp = generate(master.getrandbits(64), i)
        path = os.path.join(args.out, "gen-%04d.eml" % i)
        with open(path, "wb") as fh:
            fh.write(data)
        if args.expect:
            with open(os.path.join(args.out, "gen-%04d.expect.json" % i),
                      "w", encoding="utf-8") as fh:
                json.dump(exp, fh, ensure_ascii=False, indent=1)
        if args.check:
            errs = check(path, exp)
            if errs:
                failed += 1
                print("%s:" % path, file=sys.stderr)
                for e in errs[:10]:
                    print("   " + e[:400], file=sys.stderr)
    if args.check:
        print("checked %d files, %d mismatched" % (args.count, failed),
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
