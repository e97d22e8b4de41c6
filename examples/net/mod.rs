//! The one blocking driver the protocol examples share: a TCP stream that
//! may become TLS (rustls) in the middle, and TLS configurations from PEM
//! files. The sessions themselves know nothing of this: the examples pump
//! bytes between a [`Conn`] and a session's `feed` / `poll_transmit`.
#![allow(dead_code)]

pub mod imap;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection, StreamOwned};

/// A connection: plain TCP, or TLS over it.
pub enum Conn {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS as a client.
    Client(Box<StreamOwned<ClientConnection, TcpStream>>),
    /// TLS as a server.
    Server(Box<StreamOwned<ServerConnection, TcpStream>>),
    /// Moved out during an upgrade.
    Gone,
}

impl Conn {
    /// Switches to TLS as a client of `host` (STARTTLS, or right away for
    /// implicit TLS). The handshake runs on the first read or write.
    pub fn upgrade_client(&mut self, config: Arc<ClientConfig>, host: &str) -> io::Result<()> {
        let Conn::Plain(tcp) = std::mem::replace(self, Conn::Gone) else {
            return Err(io::Error::other("connection is not plain TCP"));
        };
        let name = ServerName::try_from(host.to_string()).map_err(|e| io::Error::other(e.to_string()))?;
        let tls = ClientConnection::new(config, name).map_err(io::Error::other)?;
        let mut stream = StreamOwned::new(tls, tcp);
        // Finish the handshake now, so that errors show here.
        while stream.conn.is_handshaking() {
            stream.conn.complete_io(&mut stream.sock)?;
        }
        *self = Conn::Client(Box::new(stream));
        Ok(())
    }

    /// Switches to TLS as a server.
    pub fn upgrade_server(&mut self, config: Arc<ServerConfig>) -> io::Result<()> {
        let Conn::Plain(tcp) = std::mem::replace(self, Conn::Gone) else {
            return Err(io::Error::other("connection is not plain TCP"));
        };
        let tls = ServerConnection::new(config).map_err(io::Error::other)?;
        let mut stream = StreamOwned::new(tls, tcp);
        while stream.conn.is_handshaking() {
            stream.conn.complete_io(&mut stream.sock)?;
        }
        *self = Conn::Server(Box::new(stream));
        Ok(())
    }

    /// The TCP stream underneath.
    pub fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Conn::Plain(s) => Some(s),
            Conn::Client(s) => Some(&s.sock),
            Conn::Server(s) => Some(&s.sock),
            Conn::Gone => None,
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Client(s) => s.read(buf),
            Conn::Server(s) => s.read(buf),
            Conn::Gone => Ok(0),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Client(s) => s.write(buf),
            Conn::Server(s) => s.write(buf),
            Conn::Gone => Err(io::Error::other("connection is gone")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Client(s) => s.flush(),
            Conn::Server(s) => s.flush(),
            Conn::Gone => Ok(()),
        }
    }
}

/// A TLS client configuration trusting `ca` (a PEM file) or, without it,
/// the Mozilla roots (webpki-roots).
pub fn client_config(ca: Option<&Path>) -> io::Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    match ca {
        Some(path) => {
            for cert in CertificateDer::pem_file_iter(path).map_err(pem_error)? {
                roots.add(cert.map_err(pem_error)?).map_err(io::Error::other)?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A TLS server configuration from a certificate chain and a key (PEM).
pub fn server_config(cert: &Path, key: &Path) -> io::Result<Arc<ServerConfig>> {
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(pem_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(pem_error)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(io::Error::other)?;
    Ok(Arc::new(config))
}

fn pem_error(e: rustls::pki_types::pem::Error) -> io::Error {
    io::Error::other(format!("PEM: {e}"))
}

/// `n` random bytes from the operating system.
pub fn random(n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    if getrandom::fill(&mut buf).is_err() {
        // Not reached on the systems we run on; a nonce must never be all
        // zeros silently, so stop.
        eprintln!("no operating-system randomness");
        std::process::exit(1);
    }
    buf
}
