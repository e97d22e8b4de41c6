//! What a server announces in answer to CAPA (RFC 2449 §5): the standard
//! capabilities of RFC 2449 §6, STLS (RFC 2595), SASL (RFC 5034),
//! AUTH-RESP-CODE (RFC 3206), UTF8 and LANG (RFC 6856), and whatever else
//! it sends.
//!
//! ```
//! use mailwire_pop3::capability::{Capabilities, Expire};
//!
//! let caps = Capabilities::parse(["TOP", "USER", "SASL PLAIN SCRAM-SHA-256", "RESP-CODES",
//!     "LOGIN-DELAY 900", "PIPELINING", "EXPIRE 60", "UIDL", "IMPLEMENTATION Shlemazle-Plotz-v302"]);
//! assert!(caps.top && caps.user && caps.uidl && caps.pipelining);
//! assert_eq!(caps.sasl, ["PLAIN", "SCRAM-SHA-256"]);
//! assert_eq!(caps.expire.unwrap().days, Expire::days(60).days);
//! assert_eq!(caps.login_delay.unwrap().seconds, 900);
//! assert_eq!(caps.implementation.as_deref(), Some("Shlemazle-Plotz-v302"));
//! ```

/// `LOGIN-DELAY` (RFC 2449 §6.5): the least time between logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginDelay {
    /// Seconds.
    pub seconds: u32,
    /// `USER`: the delay depends on the user (announced before login).
    pub per_user: bool,
}

/// `EXPIRE` (RFC 2449 §6.7): how long the server keeps messages after
/// they were retrieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expire {
    /// Days; `None` is `NEVER`; `Some(0)` means the server deletes what
    /// is retrieved, whatever the client does.
    pub days: Option<u32>,
    /// `USER`: the policy depends on the user (announced before login).
    pub per_user: bool,
}

impl Expire {
    /// `EXPIRE days`.
    pub fn days(days: u32) -> Expire {
        Expire { days: Some(days), per_user: false }
    }

    /// `EXPIRE NEVER`.
    pub fn never() -> Expire {
        Expire { days: None, per_user: false }
    }
}

/// The capabilities a server announced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// `TOP`.
    pub top: bool,
    /// `USER`: USER and PASS are accepted.
    pub user: bool,
    /// `SASL`: the mechanisms AUTH accepts (names as sent).
    pub sasl: Vec<String>,
    /// `RESP-CODES`: `-ERR` texts may start with a response code.
    pub resp_codes: bool,
    /// `AUTH-RESP-CODE` (RFC 3206): a failed login says `[AUTH]` or
    /// `[SYS/…]`.
    pub auth_resp_code: bool,
    /// `LOGIN-DELAY`.
    pub login_delay: Option<LoginDelay>,
    /// `PIPELINING`: commands may be sent without waiting for each answer.
    pub pipelining: bool,
    /// `EXPIRE`.
    pub expire: Option<Expire>,
    /// `UIDL`.
    pub uidl: bool,
    /// `IMPLEMENTATION text`.
    pub implementation: Option<String>,
    /// `STLS`.
    pub stls: bool,
    /// `UTF8` (with `true` for `UTF8 USER`: user names and passwords may be
    /// UTF-8 even before the UTF8 command).
    pub utf8: Option<bool>,
    /// `LANG`.
    pub lang: bool,
    /// Lines this crate does not know, as sent.
    pub other: Vec<String>,
}

impl Capabilities {
    /// Reads the lines of a CAPA answer (without the `+OK` line and the
    /// final `.`). Unknown or malformed lines are kept in
    /// [`other`](Self::other); nothing here fails.
    pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> Capabilities {
        let mut caps = Capabilities::default();
        for line in lines {
            let line = line.trim_end_matches(['\r', '\n']);
            let (tag, args) = line.split_once(' ').unwrap_or((line, ""));
            let args = args.trim();
            let words = || args.split_ascii_whitespace();
            let per_user = || words().nth(1).is_some_and(|w| w.eq_ignore_ascii_case("USER"));
            match tag.to_ascii_uppercase().as_str() {
                "TOP" => caps.top = true,
                "USER" => caps.user = true,
                "SASL" => caps.sasl.extend(words().map(str::to_string)),
                "RESP-CODES" => caps.resp_codes = true,
                "AUTH-RESP-CODE" => caps.auth_resp_code = true,
                "PIPELINING" => caps.pipelining = true,
                "UIDL" => caps.uidl = true,
                "STLS" => caps.stls = true,
                "LANG" => caps.lang = true,
                "UTF8" => caps.utf8 = Some(words().any(|w| w.eq_ignore_ascii_case("USER"))),
                "IMPLEMENTATION" => caps.implementation = Some(args.to_string()),
                "LOGIN-DELAY" => match words().next().and_then(|w| w.parse().ok()) {
                    Some(seconds) => caps.login_delay = Some(LoginDelay { seconds, per_user: per_user() }),
                    None => caps.other.push(line.to_string()),
                },
                "EXPIRE" => {
                    let days = match words().next() {
                        Some(w) if w.eq_ignore_ascii_case("NEVER") => Some(None),
                        Some(w) => w.parse().ok().map(Some),
                        None => None,
                    };
                    match days {
                        Some(days) => caps.expire = Some(Expire { days, per_user: per_user() }),
                        None => caps.other.push(line.to_string()),
                    }
                }
                _ if !line.is_empty() => caps.other.push(line.to_string()),
                _ => {}
            }
        }
        caps
    }

    /// The capability lines, in RFC 2449's order, each without CRLF.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut flag = |on: bool, name: &str| {
            if on {
                out.push(name.to_string());
            }
        };
        flag(self.top, "TOP");
        flag(self.user, "USER");
        if !self.sasl.is_empty() {
            out.push(format!("SASL {}", self.sasl.join(" ")));
        }
        let mut flag = |on: bool, name: &str| {
            if on {
                out.push(name.to_string());
            }
        };
        flag(self.resp_codes, "RESP-CODES");
        flag(self.auth_resp_code, "AUTH-RESP-CODE");
        if let Some(d) = self.login_delay {
            out.push(format!("LOGIN-DELAY {}{}", d.seconds, if d.per_user { " USER" } else { "" }));
        }
        if self.pipelining {
            out.push("PIPELINING".into());
        }
        if let Some(e) = self.expire {
            let days = e.days.map_or("NEVER".to_string(), |d| d.to_string());
            out.push(format!("EXPIRE {days}{}", if e.per_user { " USER" } else { "" }));
        }
        if self.uidl {
            out.push("UIDL".into());
        }
        if let Some(i) = &self.implementation {
            out.push(format!("IMPLEMENTATION {i}"));
        }
        if self.stls {
            out.push("STLS".into());
        }
        match self.utf8 {
            Some(true) => out.push("UTF8 USER".into()),
            Some(false) => out.push("UTF8".into()),
            None => {}
        }
        if self.lang {
            out.push("LANG".into());
        }
        out.extend(self.other.iter().cloned());
        out
    }

    /// Whether a mechanism is offered (by name, ignoring case).
    pub fn offers_sasl(&self, mechanism: &str) -> bool {
        self.sasl.iter().any(|m| m.eq_ignore_ascii_case(mechanism))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_back() {
        let caps = Capabilities {
            top: true,
            user: true,
            sasl: vec!["PLAIN".into(), "LOGIN".into()],
            resp_codes: true,
            auth_resp_code: true,
            login_delay: Some(LoginDelay { seconds: 60, per_user: true }),
            pipelining: true,
            expire: Some(Expire::never()),
            uidl: true,
            implementation: Some("mailwire".into()),
            stls: true,
            utf8: Some(true),
            lang: true,
            other: vec!["X-EXPERIMENT 1".into()],
        };
        let lines = caps.lines();
        assert_eq!(Capabilities::parse(lines.iter().map(String::as_str)), caps);
    }

    #[test]
    fn malformed_lines_are_kept() {
        let caps = Capabilities::parse(["LOGIN-DELAY soon", "EXPIRE", "utf8", "  "]);
        assert_eq!(caps.login_delay, None);
        assert_eq!(caps.expire, None);
        assert_eq!(caps.utf8, Some(false));
        assert_eq!(caps.other, ["LOGIN-DELAY soon", "EXPIRE", "  "]);
    }
}
