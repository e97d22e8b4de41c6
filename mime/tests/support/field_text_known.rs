// Deliberate differences from mail-parser's vectors: (exact header, why we differ).
const ADDRESS_KNOWN: &[(&str, &str)] = &[
    (
        "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "Pete(A nice \n \\\n ) chap) <pete(his\n account)@silly\n .test(his host)>\n",
        "a backslash before a line break is not a quoted-pair (RFC 5322 §3.2.1 needs VCHAR or WSP); comments are not part of the name either",
    ),
    (
        "A Group(Some people)\n        :Chris Jones <c@(Chris's host.)public.example>,\n            joe@example.org,\n     John <jdoe@one.test> (my dear friend); (the end of the group)\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name; a comment after the group stands in as a name-only mailbox",
    ),
    (
        "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example\n",
        "CFWS around the dots of an obsolete addr-spec is not part of the address (RFC 5322 §4.4): jdoe@test.example",
    ),
    (
        "John Doe <jdoe@machine(comment).  example>\n",
        "CFWS around the dots of an obsolete addr-spec is not part of the address (RFC 5322 §4.4); comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "Nathaniel Borenstein <nsb@thumper.bellcore.com>\n    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "test@test.com\ninvalid@address.com\n",
        "the vector holds two fields; our parsers receive one field's value from the header splitter, which ends the field at the unindented line",
    ),
    (
        "Name (comment) =?utf-8?q?Doe?= <a@b.com>\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "James Derrick, Steven (PGE) SCHNEIDER, Robert Williams\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "James Derrick (Enron Corp)\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "a@b.c\r\n\tjane@y.z\n",
        "two words of a broken addr-spec separated by folding keep one space, so both addresses stay readable",
    ),
    (
        "< =?utf-8?q?a?=b@c.d>\n",
        "an encoded word inside an angle address is part of the address (RFC 2047 §5 forbids it there); we do not invent a display name from it",
    ),
    (
        "a@b.c (x), <>, John <a@b.c>>\n",
        "a stray '>' after an angle address is noise, not part of the display name",
    ),
    (
        "<a\\b@c.d>, <a(b)@c.d>\n",
        "a backslash outside a quoted string is not a quoted-pair; the address is kept as written",
    ),
    (
        " Art Vandelay <art@vandelay.com> (Vandelay Industries)\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "John \"Smith\" <a@b.com>\n",
        "words of a phrase separated by whitespace keep one space between them (RFC 5322 §3.2.5 phrase = 1*word)",
    ),
    (
        "Joe <a@b.com> <c@d.com>\n",
        "a second angle address in one mailbox is junk; the first is the address",
    ),
    (
        "John   Smith <a@b.com>\n",
        "the words of a phrase are separated by one space (folding whitespace is not content)",
    ),
    (
        "=?utf-8?q??= <a@b.com>\n",
        "an empty display name is no display name",
    ),
    (
        "a\u{b}b (c)\n",
        "a single word with a comment is an address with the comment as its name (like `postmaster (The Postmaster)`)",
    ),
    (
        "(=?x?q?c?=) \"=?y?b?Yg==?=\" <a@b.com>\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "=?utf-8?q?a?= (=?utf-8?q?b?=) =?utf-8?q?c?=\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "<=?utf-8?q?a?=b@c.d>\n",
        "an encoded word inside an angle address is part of the address (RFC 2047 §5 forbids it there); we do not invent a display name from it",
    ),
    (
        "(c):; x@y.z;\n",
        "a group whose name is only a comment is still a group (obsolete syntax allows a CFWS-only display name)",
    ),
    (
        "G (c): x@y.z;\n",
        "comments are not part of a display name (RFC 5322 §3.2.2; Python agrees); a comment stands in only for a missing name",
    ),
    (
        "(c):;\n",
        "a group whose name is only a comment is still a group (obsolete syntax allows a CFWS-only display name)",
    ),
];

const CONTENT_TYPE_KNOWN: &[(&str, &str)] = &[
    (
        "image/jpeg;\n   name=\"=?iso-8859-1?B?4Q==?= =?utf-8?B?w6k=?= =?iso-8859-1?q?=ED?=.jpeg\"\n",
        "whitespace between adjacent encoded words is dropped (RFC 2047 §6.2), inside quotes as outside",
    ),
    (
        "test/encoded; key4*=us-ascii''foo; key*9999=ba%; key2*0=a; key3*0*=us-ascii'en'xyz; key*0=\"f\0oo\"; key2*1*=b%25; key3*1=plop%; key*1=baz; *=test; =test2;\n",
        "same values; a continued parameter takes the place of its first section in the list",
    ),
    (
        "malicious/attempt; 1*2*=a; 3**=b; 4***=c; *5**6*=d;*****7*8*=e; 9*10*11*12*13*14=f; 15*x***fff*===g;1 * 999999999999999999 *= h; 18 *=*=*=*=*==i;\n",
        "names that are not RFC 2231 `name*N` forms are kept as written rather than guessed at",
    ),
    (
        "\n text/plain\r\n",
        "same type; mail-parser's vector omits the attributes key (a shape artefact)",
    ),
    (
        "application/pdf; name*=\"iso-8859-1''abc%\"\n",
        "an invalid %-escape is kept as written, not dropped",
    ),
    (
        " text/plain; name*1=\"b\"; name=\"x\"; name*0=\"a\"\n",
        "a plain parameter and a continued one of the same name are two parameters; sections join in number order",
    ),
];

const LIST_KNOWN: &[(&str, &str)] = &[
    (
        "multi \r\n list, \r\n with, cr lf  \r\n",
        "unfolding removes only the line break (RFC 5322 §2.2.3; Python agrees): the whitespace of a fold is kept, where mail-parser collapses it to one space",
    ),
    (
        "a\r\n \r\n b\r\n",
        "unfolding removes only the line break (RFC 5322 §2.2.3; Python agrees): the whitespace of a fold is kept, where mail-parser collapses it to one space",
    ),
    (
        "a\rb, c\n",
        "a bare CR is a line break: folding reads as one space",
    ),
    (
        "x=?utf-8?q?a?=\n",
        "encoded words glued to text are decoded (a common violation we tolerate everywhere)",
    ),
    (
        "=?utf-8?q?a?=b\n",
        "encoded words glued to text are decoded without inventing a space",
    ),
    (
        "a\n =?utf-8?q?b?=\n",
        "folding between a word and an encoded word is one space (RFC 2047 §6.2 drops whitespace only between two encoded words)",
    ),
];

const UNSTRUCTURED_KNOWN: &[(&str, &str)] = &[
    (
        " Fwd: \n\tSaying \n Hello\r\n",
        "unfolding removes only the line break (RFC 5322 §2.2.3; Python agrees): the whitespace of a fold is kept, where mail-parser collapses it to one space",
    ),
    (
        " from x.y.test\n      by example.net\n      via TCP\n      with ESMTP\n      id ABC12345\n      for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\n",
        "unfolding removes only the line break (RFC 5322 §2.2.3; Python agrees): the whitespace of a fold is kept, where mail-parser collapses it to one space",
    ),
    (
        " let's = try =?iso-8859-1? to break\n =? the \n parser\n",
        "unfolding removes only the line break (RFC 5322 §2.2.3; Python agrees): the whitespace of a fold is kept, where mail-parser collapses it to one space",
    ),
    (
        "folded \r\n\t line\r\n",
        "unfolding removes only the line break (RFC 5322 §2.2.3; Python agrees): the whitespace of a fold is kept, where mail-parser collapses it to one space",
    ),
    (
        " FWD: \n Saying Hello \nX-Mailer: 123\r\n",
        "the vector holds two fields; our parsers receive one field's value from the header splitter, which ends the field at the unindented line",
    ),
    (
        "=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=\nFrom: unknown@domain.com\n",
        "the vector holds two fields; our parsers receive one field's value from the header splitter, which ends the field at the unindented line",
    ),
];

