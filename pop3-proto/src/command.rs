//! POP3 commands: every command of RFC 1939 and the extensions (CAPA,
//! STLS, AUTH, UTF8, LANG), parsed from a line and written back.
//!
//! A command is a keyword of three or four letters (any case), then its
//! arguments separated by spaces, then CRLF (RFC 1939 §3). Lines are at most
//! 255 octets with the CRLF (RFC 2449 §4); the server session enforces that
//! limit, this parser takes any line it is given.
//!
//! ```
//! use mailwire_pop3::command::Command;
//!
//! assert_eq!(Command::parse(b"top 1 10\r\n").unwrap(), Command::Top { msg: 1, lines: 10 });
//! assert_eq!(Command::parse(b"LIST").unwrap(), Command::List(None));
//! // PASS takes the rest of the line: passwords may contain spaces.
//! assert_eq!(Command::parse(b"PASS my secret").unwrap(), Command::Pass("my secret".into()));
//!
//! let err = Command::parse(b"RETR one").unwrap_err();
//! assert_eq!(err.to_string(), "RETR: the message number is not a number (at byte 5)");
//! assert_eq!(Command::Retr(7).to_bytes(), b"RETR 7\r\n");
//! ```

use std::fmt;

/// The longest command line RFC 2449 §4 allows, CRLF included.
pub const MAX_COMMAND_LEN: usize = 255;

/// An AUTH command's initial response (RFC 5034 §4): base64 text, or `=`
/// for an empty one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialResponse {
    /// `=`: a response that is present and empty.
    Empty,
    /// Base64 text, as sent (decoded by the SASL layer).
    Base64(String),
}

/// A POP3 command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `USER name` (RFC 1939 §7).
    User(String),
    /// `PASS string`: the rest of the line, spaces included.
    Pass(String),
    /// `APOP name digest`: the digest is 32 lowercase hex digits of
    /// MD5(timestamp + secret) (RFC 1939 §7, see [`crate::apop`]).
    Apop {
        /// The mailbox name.
        name: String,
        /// The MD5 digest, in hex.
        digest: String,
    },
    /// `STAT`: message count and total size.
    Stat,
    /// `LIST [msg]`: the scan listing of one message or all.
    List(Option<u32>),
    /// `RETR msg`: the whole message.
    Retr(u32),
    /// `DELE msg`: mark a message deleted (removed at QUIT).
    Dele(u32),
    /// `NOOP`.
    Noop,
    /// `RSET`: unmark every deleted message.
    Rset,
    /// `QUIT`: in TRANSACTION, enter UPDATE and remove what was deleted.
    Quit,
    /// `TOP msg n`: the header and the first `n` lines of the body.
    Top {
        /// The message number.
        msg: u32,
        /// How many body lines.
        lines: u32,
    },
    /// `UIDL [msg]`: unique ids of one message or all.
    Uidl(Option<u32>),
    /// `CAPA` (RFC 2449).
    Capa,
    /// `STLS` (RFC 2595): start TLS.
    Stls,
    /// `AUTH [mechanism [initial-response]]` (RFC 5034). Without a
    /// mechanism, the RFC 1734-era form many clients send to list the
    /// mechanisms.
    Auth {
        /// The SASL mechanism name (as sent; case-insensitive).
        mechanism: Option<String>,
        /// The initial response, if any.
        initial_response: Option<InitialResponse>,
    },
    /// `UTF8` (RFC 6856): enter UTF-8 mode.
    Utf8,
    /// `LANG [lang]` (RFC 6856): list the languages, or choose one (`*`:
    /// the server's default).
    Lang(Option<String>),
}

impl Command {
    /// The command's keyword, in capitals.
    pub fn keyword(&self) -> &'static str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Apop { .. } => "APOP",
            Command::Stat => "STAT",
            Command::List(_) => "LIST",
            Command::Retr(_) => "RETR",
            Command::Dele(_) => "DELE",
            Command::Noop => "NOOP",
            Command::Rset => "RSET",
            Command::Quit => "QUIT",
            Command::Top { .. } => "TOP",
            Command::Uidl(_) => "UIDL",
            Command::Capa => "CAPA",
            Command::Stls => "STLS",
            Command::Auth { .. } => "AUTH",
            Command::Utf8 => "UTF8",
            Command::Lang(_) => "LANG",
        }
    }

    /// Whether a positive answer to this command is multi-line (ended by a
    /// line holding a single `.`).
    pub fn is_multiline(&self) -> bool {
        match self {
            Command::List(m) | Command::Uidl(m) => m.is_none(),
            Command::Retr(_) | Command::Top { .. } | Command::Capa => true,
            Command::Auth { mechanism, .. } => mechanism.is_none(),
            Command::Lang(l) => l.is_none(),
            _ => false,
        }
    }

    /// Parses one command line (with or without its CRLF).
    pub fn parse(line: &[u8]) -> Result<Command, CommandError> {
        let line = strip_eol(line);
        if let Some(at) = memchr::memchr3(b'\r', b'\n', 0, line) {
            return Err(CommandError::new(CommandErrorKind::ControlCharacter, at));
        }
        let text = std::str::from_utf8(line)
            .map_err(|e| CommandError::new(CommandErrorKind::NotUtf8, e.valid_up_to()))?;
        let (word, rest) = match text.find(' ') {
            Some(i) => (&text[..i], &text[i + 1..]),
            None => (text, ""),
        };
        let args_at = word.len() + 1;
        if word.is_empty() {
            return Err(CommandError::new(CommandErrorKind::Empty, 0));
        }
        let mut keyword = [0u8; 4];
        if word.len() > 4 || !word.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CommandError::new(CommandErrorKind::Unknown(truncate(word)), 0));
        }
        keyword[..word.len()].copy_from_slice(word.as_bytes());
        keyword.make_ascii_uppercase();
        let Some(&kw) = KEYWORDS.iter().find(|k| k.as_bytes() == &keyword[..word.len()]) else {
            return Err(CommandError::new(CommandErrorKind::Unknown(truncate(word)), 0));
        };
        let mut args = Args { rest, at: args_at, command: kw };
        let command = match kw {
            "USER" => Command::User(args.word("name")?.to_string()),
            "PASS" => {
                // One argument, which may contain spaces (RFC 1939 §7).
                if args.rest.is_empty() {
                    return Err(args.missing("string"));
                }
                let pass = args.rest.to_string();
                args.rest = "";
                Command::Pass(pass)
            }
            "APOP" => {
                let name = args.word("name")?.to_string();
                let digest = args.word("digest")?.to_string();
                Command::Apop { name, digest }
            }
            "STAT" => Command::Stat,
            "LIST" => Command::List(args.optional_number("message number")?),
            "RETR" => Command::Retr(args.number("message number")?),
            "DELE" => Command::Dele(args.number("message number")?),
            "NOOP" => Command::Noop,
            "RSET" => Command::Rset,
            "QUIT" => Command::Quit,
            "TOP" => {
                let msg = args.number("message number")?;
                let lines = args.count("line count")?;
                Command::Top { msg, lines }
            }
            "UIDL" => Command::Uidl(args.optional_number("message number")?),
            "CAPA" => Command::Capa,
            "STLS" => Command::Stls,
            "AUTH" => {
                let mechanism = args.optional_word().map(str::to_string);
                let initial_response = match mechanism {
                    None => None,
                    Some(_) => args.optional_word().map(|ir| match ir {
                        "=" => InitialResponse::Empty,
                        b64 => InitialResponse::Base64(b64.to_string()),
                    }),
                };
                Command::Auth { mechanism, initial_response }
            }
            "UTF8" => Command::Utf8,
            "LANG" => Command::Lang(args.optional_word().map(str::to_string)),
            _ => unreachable!("every keyword in KEYWORDS has an arm"),
        };
        args.end()?;
        Ok(command)
    }

    /// Appends the command line, CRLF included.
    pub fn write(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        let _ = match self {
            Command::User(n) => write!(out, "USER {n}"),
            Command::Pass(p) => write!(out, "PASS {p}"),
            Command::Apop { name, digest } => write!(out, "APOP {name} {digest}"),
            Command::List(Some(m)) => write!(out, "LIST {m}"),
            Command::Retr(m) => write!(out, "RETR {m}"),
            Command::Dele(m) => write!(out, "DELE {m}"),
            Command::Top { msg, lines } => write!(out, "TOP {msg} {lines}"),
            Command::Uidl(Some(m)) => write!(out, "UIDL {m}"),
            Command::Auth { mechanism: Some(m), initial_response } => match initial_response {
                None => write!(out, "AUTH {m}"),
                Some(InitialResponse::Empty) => write!(out, "AUTH {m} ="),
                Some(InitialResponse::Base64(b)) => write!(out, "AUTH {m} {b}"),
            },
            Command::Lang(Some(l)) => write!(out, "LANG {l}"),
            other => write!(out, "{}", other.keyword()),
        };
        out.extend_from_slice(b"\r\n");
    }

    /// The command line, CRLF included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        self.write(&mut out);
        out
    }
}

impl fmt::Display for Command {
    /// The command line without CRLF; a PASS argument is shown as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Command::Pass(_) = self {
            return f.write_str("PASS ***");
        }
        let bytes = self.to_bytes();
        f.write_str(String::from_utf8_lossy(&bytes[..bytes.len() - 2]).as_ref())
    }
}

const KEYWORDS: [&str; 17] = [
    "USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP", "UIDL", "CAPA",
    "STLS", "AUTH", "UTF8", "LANG",
];

/// The line without its CRLF (or a bare LF).
pub(crate) fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn truncate(word: &str) -> String {
    word.chars().take(16).collect()
}

/// The arguments after the keyword, taken one by one.
struct Args<'a> {
    rest: &'a str,
    /// Byte offset of `rest` in the line.
    at: usize,
    command: &'static str,
}

impl<'a> Args<'a> {
    fn command(&self) -> &'static str {
        self.command
    }

    fn missing(&self, argument: &'static str) -> CommandError {
        CommandError::new(CommandErrorKind::MissingArgument { command: self.command(), argument }, self.at)
    }

    /// The next space-separated word, if any (extra spaces tolerated).
    fn optional_word(&mut self) -> Option<&'a str> {
        let trimmed = self.rest.trim_start_matches(' ');
        self.at += self.rest.len() - trimmed.len();
        if trimmed.is_empty() {
            self.rest = trimmed;
            return None;
        }
        let end = trimmed.find(' ').unwrap_or(trimmed.len());
        let (word, rest) = trimmed.split_at(end);
        self.rest = rest;
        self.at += end;
        Some(word)
    }

    fn word(&mut self, argument: &'static str) -> Result<&'a str, CommandError> {
        let at = self.at;
        self.optional_word().ok_or_else(|| {
            CommandError::new(CommandErrorKind::MissingArgument { command: self.command(), argument }, at)
        })
    }

    /// The next word as a decimal number below 2³² (zero allowed).
    fn count(&mut self, argument: &'static str) -> Result<u32, CommandError> {
        let word = self.word(argument)?;
        let at = self.at - word.len();
        let bad =
            || CommandError::new(CommandErrorKind::NotANumber { command: self.command(), argument }, at);
        if word.len() > 10 || !word.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        word.parse::<u32>().map_err(|_| bad())
    }

    /// The next word as a message number (1 or more).
    fn number(&mut self, argument: &'static str) -> Result<u32, CommandError> {
        let n = self.count(argument)?;
        if n == 0 {
            let at = self.at - 1;
            return Err(CommandError::new(
                CommandErrorKind::ZeroMessageNumber { command: self.command() },
                at,
            ));
        }
        Ok(n)
    }

    fn optional_number(&mut self, argument: &'static str) -> Result<Option<u32>, CommandError> {
        if self.rest.trim_start_matches(' ').is_empty() {
            return Ok(None);
        }
        self.number(argument).map(Some)
    }

    fn end(mut self) -> Result<(), CommandError> {
        let at = self.at;
        match self.optional_word() {
            None => Ok(()),
            Some(_) => {
                Err(CommandError::new(CommandErrorKind::TooManyArguments { command: self.command() }, at))
            }
        }
    }
}

/// Why a command line could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    /// What was wrong.
    pub kind: CommandErrorKind,
    /// The byte offset in the line where it was found.
    pub at: usize,
}

impl CommandError {
    fn new(kind: CommandErrorKind, at: usize) -> CommandError {
        CommandError { kind, at }
    }
}

/// What was wrong with a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandErrorKind {
    /// The line is empty.
    Empty,
    /// Not a POP3 command (the keyword, at most 16 characters of it).
    Unknown(String),
    /// An argument is missing.
    MissingArgument {
        /// The command.
        command: &'static str,
        /// Which argument.
        argument: &'static str,
    },
    /// More arguments than the command takes.
    TooManyArguments {
        /// The command.
        command: &'static str,
    },
    /// A number argument is not a decimal number below 2³².
    NotANumber {
        /// The command.
        command: &'static str,
        /// Which argument.
        argument: &'static str,
    },
    /// Message numbers start at 1.
    ZeroMessageNumber {
        /// The command.
        command: &'static str,
    },
    /// A CR, LF or NUL inside the line.
    ControlCharacter,
    /// The line is not UTF-8.
    NotUtf8,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CommandErrorKind::Empty => f.write_str("empty command line")?,
            CommandErrorKind::Unknown(word) => write!(f, "unknown command {word:?}")?,
            CommandErrorKind::MissingArgument { command, argument } => {
                write!(f, "{command}: the {argument} is missing")?
            }
            CommandErrorKind::TooManyArguments { command } => write!(f, "{command}: too many arguments")?,
            CommandErrorKind::NotANumber { command, argument } => {
                write!(f, "{command}: the {argument} is not a number")?
            }
            CommandErrorKind::ZeroMessageNumber { command } => {
                write!(f, "{command}: message numbers start at 1")?
            }
            CommandErrorKind::ControlCharacter => f.write_str("a CR, LF or NUL inside the command line")?,
            CommandErrorKind::NotUtf8 => f.write_str("the command line is not UTF-8")?,
        }
        write!(f, " (at byte {})", self.at)
    }
}

impl std::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_round_trips() {
        let all = [
            Command::User("mrose".into()),
            Command::Pass("tanstaaf with spaces".into()),
            Command::Apop { name: "mrose".into(), digest: "c4c9334bac560ecc979e58001b3e22fb".into() },
            Command::Stat,
            Command::List(None),
            Command::List(Some(2)),
            Command::Retr(1),
            Command::Dele(1),
            Command::Noop,
            Command::Rset,
            Command::Quit,
            Command::Top { msg: 1, lines: 0 },
            Command::Uidl(None),
            Command::Uidl(Some(4294967295)),
            Command::Capa,
            Command::Stls,
            Command::Auth { mechanism: None, initial_response: None },
            Command::Auth { mechanism: Some("PLAIN".into()), initial_response: None },
            Command::Auth { mechanism: Some("PLAIN".into()), initial_response: Some(InitialResponse::Empty) },
            Command::Auth {
                mechanism: Some("PLAIN".into()),
                initial_response: Some(InitialResponse::Base64("AGZvbwBiYXI=".into())),
            },
            Command::Utf8,
            Command::Lang(None),
            Command::Lang(Some("*".into())),
        ];
        for c in all {
            let bytes = c.to_bytes();
            assert_eq!(Command::parse(&bytes).as_ref(), Ok(&c), "{}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn keywords_ignore_case_and_tolerate_extra_spaces() {
        assert_eq!(Command::parse(b"stat\r\n"), Ok(Command::Stat));
        assert_eq!(Command::parse(b"LiSt  3 "), Ok(Command::List(Some(3))));
        assert_eq!(Command::parse(b"uidl"), Ok(Command::Uidl(None)));
        assert_eq!(Command::parse(b"top 1 0\n"), Ok(Command::Top { msg: 1, lines: 0 }));
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = |line: &[u8]| Command::parse(line).unwrap_err();
        assert_eq!(e(b"").kind, CommandErrorKind::Empty);
        assert_eq!(e(b"XYZZY 1").kind, CommandErrorKind::Unknown("XYZZY".into()));
        assert_eq!(
            e(b"RETR"),
            CommandError::new(
                CommandErrorKind::MissingArgument { command: "RETR", argument: "message number" },
                5
            )
        );
        assert_eq!(e(b"RETR 0").kind, CommandErrorKind::ZeroMessageNumber { command: "RETR" });
        assert_eq!(
            e(b"RETR 99999999999").kind,
            CommandErrorKind::NotANumber { command: "RETR", argument: "message number" }
        );
        assert_eq!(
            e(b"RETR -1").kind,
            CommandErrorKind::NotANumber { command: "RETR", argument: "message number" }
        );
        assert_eq!(
            e(b"TOP 1").kind,
            CommandErrorKind::MissingArgument { command: "TOP", argument: "line count" }
        );
        let extra = e(b"STAT 1");
        assert_eq!(extra.kind, CommandErrorKind::TooManyArguments { command: "STAT" });
        assert_eq!(extra.at, 5);
        assert_eq!(e(b"USER a\0b").kind, CommandErrorKind::ControlCharacter);
        assert_eq!(e(b"USER \xff").kind, CommandErrorKind::NotUtf8);
        assert_eq!(
            e(b"PASS").kind,
            CommandErrorKind::MissingArgument { command: "PASS", argument: "string" }
        );
    }

    #[test]
    fn display_hides_the_password() {
        assert_eq!(Command::Pass("secret".into()).to_string(), "PASS ***");
        assert_eq!(Command::Top { msg: 3, lines: 5 }.to_string(), "TOP 3 5");
    }
}
