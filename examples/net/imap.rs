//! A blocking IMAP client over [`Conn`]: the loop that pumps a
//! [`ClientSession`] (feed what is read, write what it transmits, hand
//! out its events), and a command-at-a-time call on top for programs that
//! do one thing after another.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailwire_imap::client::{ClientConfig, ClientEvent, ClientSession};
use mailwire_imap::command::CommandBody;
use mailwire_imap::response::{Data, StatusKind, StatusResponse};

use super::Conn;

/// How to reach the server.
pub struct Target {
    /// `host:port`.
    pub addr: String,
    /// The name the certificate must carry.
    pub tls_name: String,
    /// TLS from the first byte (port 993).
    pub implicit_tls: bool,
    /// The TLS configuration (for implicit TLS and STARTTLS).
    pub tls: Arc<rustls::ClientConfig>,
}

/// What a command produced.
#[derive(Debug)]
pub struct Reply {
    /// The untagged data responses that arrived while it ran.
    pub data: Vec<Data>,
    /// The tagged completion.
    pub status: StatusResponse,
}

/// A connected, logged-in client.
pub struct ImapClient {
    /// The session.
    pub session: ClientSession,
    conn: Conn,
    target_name: String,
    tls: Arc<rustls::ClientConfig>,
    buf: Vec<u8>,
}

impl ImapClient {
    /// Connects, reads the greeting, and (with credentials in `config`)
    /// does STARTTLS and the login; returns once the session is ready.
    pub fn connect(target: &Target, config: ClientConfig) -> io::Result<ImapClient> {
        let tcp = TcpStream::connect(&target.addr)?;
        tcp.set_read_timeout(Some(Duration::from_secs(60)))?;
        let mut conn = Conn::Plain(tcp);
        if target.implicit_tls {
            conn.upgrade_client(target.tls.clone(), &target.tls_name)?;
        }
        let mut client = ImapClient {
            session: ClientSession::new(config),
            conn,
            target_name: target.tls_name.clone(),
            tls: target.tls.clone(),
            buf: vec![0; 64 << 10],
        };
        client.pump_until(|event| matches!(event, ClientEvent::Ready), &mut |_| {})?;
        Ok(client)
    }

    /// Runs one command to its completion; `on_event` sees every event
    /// on the way (streamed literals, data) before it is collected.
    pub fn run_with(
        &mut self,
        body: CommandBody,
        on_event: &mut dyn FnMut(&ClientEvent),
    ) -> io::Result<Reply> {
        let tag = self.session.send(body).map_err(io::Error::other)?;
        let mut data = Vec::new();
        let mut status = None;
        self.pump_until(
            |event| matches!(event, ClientEvent::Done { tag: t, .. } if *t == tag),
            &mut |event| {
                on_event(&event);
                match event {
                    ClientEvent::Data(d) => data.push(d),
                    ClientEvent::Done { tag: t, status: s } if t == tag => status = Some(s),
                    _ => {}
                }
            },
        )?;
        let status = status.ok_or_else(|| io::Error::other("no completion"))?;
        Ok(Reply { data, status })
    }

    /// Runs one command; an answer other than OK is an error.
    pub fn run(&mut self, body: CommandBody) -> io::Result<Reply> {
        let reply = self.run_with(body, &mut |_| {})?;
        if reply.status.kind != StatusKind::Ok {
            return Err(io::Error::other(format!(
                "{:?}: {}",
                reply.status.kind,
                reply.status.text.to_string_lossy()
            )));
        }
        Ok(reply)
    }

    /// IDLE for up to `duration`, handing each update to `on_update`
    /// (which returns `false` to stop early), then DONE.
    pub fn idle(&mut self, duration: Duration, on_update: &mut dyn FnMut(&Data) -> bool) -> io::Result<()> {
        let tag = self.session.idle().map_err(io::Error::other)?;
        self.pump_until(|e| matches!(e, ClientEvent::Idling { .. }), &mut |_| {})?;
        let deadline = Instant::now() + duration;
        let mut more = true;
        while more {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            self.set_read_timeout(Some(deadline - now))?;
            match self.read_once() {
                Ok(()) => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => break,
                Err(e) => return Err(e),
            }
            while let Some(event) = self.session.poll_event() {
                match event {
                    ClientEvent::Data(d) => more &= on_update(&d),
                    ClientEvent::Failed(e) => return Err(io::Error::other(e.to_string())),
                    _ => {}
                }
            }
        }
        self.set_read_timeout(Some(Duration::from_secs(60)))?;
        self.session.idle_done().map_err(io::Error::other)?;
        self.pump_until(
            |event| matches!(event, ClientEvent::Done { tag: t, .. } if *t == tag),
            &mut |event| {
                if let ClientEvent::Data(d) = &event {
                    on_update(d);
                }
            },
        )
    }

    /// LOGOUT, and waits for the server to close.
    pub fn logout(mut self) -> io::Result<()> {
        self.session.logout().map_err(io::Error::other)?;
        self.pump_until(|e| matches!(e, ClientEvent::Closed), &mut |_| {})
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self.conn.tcp() {
            Some(tcp) => tcp.set_read_timeout(timeout),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        while let Some(out) = self.session.poll_transmit() {
            self.conn.write_all(&out)?;
        }
        self.conn.flush()
    }

    fn read_once(&mut self) -> io::Result<()> {
        self.flush()?;
        let n = self.conn.read(&mut self.buf)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
        }
        self.session.feed(&self.buf[..n]);
        Ok(())
    }

    /// Pumps until an event satisfies `stop` (it is handed to `each` too).
    /// Handles STARTTLS; a failure is an error.
    fn pump_until(
        &mut self,
        stop: impl Fn(&ClientEvent) -> bool,
        each: &mut dyn FnMut(ClientEvent),
    ) -> io::Result<()> {
        loop {
            while let Some(event) = self.session.poll_event() {
                let done = stop(&event);
                match &event {
                    ClientEvent::StartTls => {
                        self.flush()?;
                        self.conn.upgrade_client(self.tls.clone(), &self.target_name)?;
                        self.session.tls_established().map_err(io::Error::other)?;
                    }
                    ClientEvent::Failed(e) => return Err(io::Error::other(e.to_string())),
                    ClientEvent::Closed if !done => {
                        return Err(io::Error::other("the session closed"));
                    }
                    _ => {}
                }
                each(event);
                if done {
                    self.flush()?;
                    return Ok(());
                }
            }
            self.read_once()?;
        }
    }
}
